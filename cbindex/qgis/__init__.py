"""Level 5, QGIS stage (workflow/rules/qgis.smk): the outputs packaged for QGIS, written as plain XML (no QGIS needed).

Modules
-------
stage    one styled GeoPackage of every vector output, a style beside every GeoTIFF, the project
mask_style  the natural-area mask's style (its own module: the style rule imports no GIS library)
project  the QGIS project file (.qgs): layers, styles, groups, relative paths
styles   styles described once and written as QML, SLD and GeoPackage layer_styles
"""
