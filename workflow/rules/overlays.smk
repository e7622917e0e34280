"""Overlay indicators per city and year: I9 protected natural areas, the coverage layers' shares (red line and
every other control line of config coverage_layers), I13 parks per 1000 persons.

method holds only what the overlay code reads (boundary_rule and the natural classes: bare_is_natural,
snow_is_natural, the sheet's natural_codes), so the I2 settings do not re-run it; boundary_spec is the sheet's
boundary_layer/boundary_filter_column/boundary_filter_value/boundary_encoding and config vector_encoding,
overlay_encodings each overlay file's <kind>_encoding, <kind>_datum and config vector_encoding; the overlay
files come as one named input per kind (protected_areas, each coverage layer's id, parks), unpacked from the sheet.
"""

OVERLAY_PARAMS = dict(
    boundary_spec=get_boundary_spec,
    overlay_layers=get_overlay_sheet_layers,
    overlay_encodings=get_overlay_encodings,
    population=get_population,
    method=get_overlay_method,
    overlay_rules=overlay_filter_rules(),
    overlay_kinds=list(SHEET.overlay_inputs),
    coverage_layers=coverage_layer_settings(),
    equal_area_crs=config["equal_area_crs"],
    boundary_coverage_tolerance_percent=config["boundary_coverage_tolerance_percent"],
    block_rows=config["block_rows"],
    csv_encoding=config["csv_encoding"],
)
"""The overlay rule's params, shared with the scenario overlay rule (which runs the same script)."""


rule compute_overlay_indicators:
    input:
        unpack(get_overlay_inputs),
        raster=get_landcover_raster,
        boundary=get_boundary,
        legend=get_legend,
        population_raster=city_year_file("population_raster"),
    output:
        indicators="results/{city}/{year}/overlay_indicators.csv",
        overlays="results/{city}/{year}/overlays.gpkg",
    log:
        "results/{city}/logs/compute_overlay_indicators_{year}.log",
    benchmark:
        "results/{city}/benchmarks/compute_overlay_indicators_{year}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        **OVERLAY_PARAMS,
        year=lambda wildcards: int(wildcards.year),
    script:
        "../../scripts/compute_overlay_indicators.py"
