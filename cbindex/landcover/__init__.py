"""Level 3, land-cover stage (workflow/rules/landcover.smk): SI indicators 1, 2, 11 and 12, the natural-area mask,
connectivity groups, transitions.

Modules
-------
stage            the rules' entry points for one city and year: read, compute, write (one job, band jobs, merge)
area_shares      I1 natural share, I11 permeable share, I12 tree-canopy share, the I2 rows and the supporting areas
connectivity     I2: effective mesh size of groups of natural patches (2014, ha) and coherence (2021 I2, %)
links            I2: candidate links between groups, ranked by the gain 2·A_i·A_j ÷ A_total of joining them
link_crossings   what a candidate link crosses: land-cover shares sampled on the raster, barriers
blockwise        every land-cover indicator computed strip by strip, in memory bounded by the strip size
bands            one huge city as separate band jobs, joined into the one-job result
in_memory        the same indicators over a whole grid in memory: the reference the strip pass is tested against
spatial_outputs  the natural-area mask (COG) and the connectivity-group polygons
transitions      land-cover change between two years: ground area from each class to each class
landuse_polygons land-use survey polygons (GB/T 21010) read, checked, overlaps removed, exact class areas
landuse_raster   land-use polygons burnt into a land-cover raster strip by strip (the raster path then runs)
district_areas   I1, I2 (groups cut at the district edge), I11, I12 per district, accumulated in the strip pass
scenarios        what-if scenarios: a year's land cover changed in polygons or restored, as one more raster
landuse_scenarios the same scenarios on land-use polygons: an exact vector cut, written as one more land-use layer
class_areas      land-cover composition of one year: ground area and share of each class (the report's table)
"""
