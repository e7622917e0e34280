"""Reading a city onto its raster: boundary, city grid and windows, cell areas, legends, barriers, overlay polygons,
population.
"""
