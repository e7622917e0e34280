"""QGIS stage (workflow/rules/qgis.smk): styled GeoPackage, QML and SLD styles, the QGIS project."""
