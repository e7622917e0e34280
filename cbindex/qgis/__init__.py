"""Level 5, QGIS stage (workflow/rules/qgis.smk): the outputs packaged for QGIS, written as plain XML (no QGIS needed).

Modules
-------
stage    one styled GeoPackage of every vector output, a style beside every GeoTIFF, the land cover, the projects
landcover_map  the city's cells of a year's land cover (COG) and its paletted style in the product's colours
mask_style  the natural-area mask's style (its own module: the style rule imports no GIS library)
names    the projects' words (layer, group, layout names, field aliases) from the message catalogue
print_layout  the A4 print layout of a year: map, legend, scale bar, north arrow, title, source line
project  the QGIS project file (.qgs): layers, styles, groups, relative paths
styles   styles described once and written as QML, SLD and GeoPackage layer_styles
"""
