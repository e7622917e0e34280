"""Level 4, overlay stage (workflow/rules/overlays.smk): SI indicator 9, the control lines, SI indicator 13.

Modules
-------
stage            the rules' entry points for one city and year (overlays, districts): read, measure, write
areas            city and natural area under each (dissolved) polygon layer, measured on the land-cover cells
protected_areas  I9 protected natural areas (2021 I8), and the area per category of China's protected-area system
coverage_shares  each coverage layer's coverage and natural share (the red line: cn-ubi's redline_coverage)
parks            I13 natural area of parks and protected areas per 1,000 residents (2021 I12)
district_indicators  every spatial indicator per district (I1, I2, I11, I12, I9, red line, I13) from one strip pass
scenario_overlays  a what-if scenario's overlay changes (polygons added to or removed from an overlay) and population
"""
