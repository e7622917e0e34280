"""Land-cover stage (workflow/rules/landcover.smk): I1, I2, I11, I12, the natural-area mask, connectivity groups,
transitions.
"""
