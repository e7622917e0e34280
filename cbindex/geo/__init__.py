"""Level 1: a city read onto its raster: boundary, city grid and windows, cell areas, legends, polygons, population.

Modules
-------
boundary          BoundarySpec (file, layer, filter) and reading the city boundary: pick its features, check the CRS,
                  repair geometries, dissolve
city_grid         the land-cover cells of one city: the raster window over the boundary, cell weights, ground areas
cell_area         ground area of raster cells (m²), exact per row for geographic grids, scale-corrected if projected
exact_coverage    exact share of each cell a polygon covers (the exact boundary rule), computed on crossed cells only
coverage          how much of the boundary the raster covers with data (rows covered_share, uncovered_area)
display_crs       the CRS a city's maps are shown in (config display_crs): its UTM or CGCS2000 zone, or an EPSG code
area_crs          the equal-area CRS a boundary's own area is measured in (config equal_area_crs, CGCS2000 zones too)
legends           land-cover legends: which codes of a product are natural, permeable, tree canopy, built-up, ...
categories        the legend categories the indicators need, resolved to class codes (natural classes per docs/method.md
                  Part A.3)
barriers          anthropogenic barriers of SI indicator 2 (roads, canals, built-up areas) as a raster mask
protected_area_categories  China's protected-area system (国家公园, 自然保护区, 自然公园 types) read from a column
overlay_polygons  protected-area, red-line and park layers (SI indicators 9, 13, red line): read, filter, repair,
                  dissolve
districts         a city's districts (区/县, cantons): reading them, how they tile the city, the district-id raster
vector_layers     polygon files as delivered: the named layer of a multi-layer file, legacy text encodings
datum_shift       GCJ-02 and BD-09 (Chinese web-map datums) to WGS 84: the published transform and its exact inverse
population        the city's population for I13: the sheet's number or a population raster summed under the boundary
"""
