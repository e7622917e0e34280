"""Every spatial indicator per district and year (I1, I2, I11, I12; I9, every coverage layer of config coverage_layers
and I13 with overlays), for cities whose sheet row names a districts file.

One strip pass over the city with a district id per cell (the city's boundary rule), so the district areas add up to
the city's: the year's land-cover (and overlay) tables are inputs, and the sums are checked against them. Points are
scored with the city's rule set and overrides; the previous year's districts.csv gives the change per district.
method holds every config method key and the sheet's natural_codes (the pass reads them all); districts_spec is the
sheet's districts_layer/districts_name_column/districts_population_column/districts_encoding and config
vector_encoding; the overlay files come as one named input per kind (protected_areas, each coverage layer's id,
parks), unpacked from the sheet as for compute_overlay_indicators, with the same filters.
"""


rule compute_district_indicators:
    input:
        unpack(get_overlay_inputs),
        raster=get_landcover_raster,
        boundary=get_boundary,
        legend=get_legend,
        barriers=get_barriers,
        districts=get_districts,
        district_population=city_file("districts_population"),
        city_tables=get_city_year_tables,
        previous=get_previous_districts,
        rule_set=get_rule_set,
        rule_set_bases=get_rule_set_bases,
        overrides=get_scoring_overrides,
    output:
        table=report(
            "results/{city}/{year}/districts.csv",
            caption="../report/districts.rst",
            category="Districts",
        ),
        layers="results/{city}/{year}/districts.gpkg",
    log:
        "results/{city}/logs/compute_district_indicators_{year}.log",
    benchmark:
        "results/{city}/benchmarks/compute_district_indicators_{year}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        boundary_spec=get_boundary_spec,
        barriers_spec=get_barriers_spec,
        districts_spec=get_districts_spec,
        overlay_layers=get_overlay_sheet_layers,
        overlay_encodings=get_overlay_encodings,
        method=get_landcover_method,
        overlay_rules=overlay_filter_rules(),
        overlay_kinds=list(SHEET.overlay_inputs),
        coverage_layers=coverage_layer_settings(),
        block_rows=config["block_rows"],
        barrier_rule=config["barriers"],
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/compute_district_indicators.py"
