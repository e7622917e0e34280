"""Level 3, species stage (workflow/rules/species.smk): SI indicator 3 from bird records, 4–8 and 10 from species
lists.

Modules
-------
stage              the rules' entry points: I3 per land-cover year, I4–I8 and I10 per city
birds_in_built_up  I3: occurrence records read, cleaned and counted as native bird species on built-up cells
                   (also the 2021 form, I3_built_up_share)
species_change     I4–I8 net change in native species, baseline → current survey; I10 invasive share
tables             reading the species files: delimited text tables, their columns, species names
"""
