"""Species stage (workflow/rules/species.smk): I3 birds in built-up areas, I4-I8 and I10 from species lists."""
