"""Level 2: the compiled fast path (numba), each kernel tested against an independent reference. Imports only core
and geo, never a stage wing.

Modules
-------
code_areas    ground area of each land-cover code inside the city and the natural-cell mask, one pass per strip
              (I1, I11, I12 areas)
run_labels    patches as runs of cells along rows (run-length connected-component labelling)
union_find    disjoint sets of integer labels that grow as strips add labels
gap_offsets   the gap rule's geometry for SI indicator 2: the cell offsets within the gap distance
gap_joins     the gap rule of SI indicator 2: join patch labels whose edge cells lie within the offsets
strip_groups  patches and gap-rule groups accumulated strip by strip (SI indicator 2 in bounded memory)
strip_polygons  the polygons of labelled patches traced strip by strip (raster to vector in bounded memory)
rasterize     polygons burnt into a display grid (all-touched rule) from flat coordinate arrays read from WKB
"""
