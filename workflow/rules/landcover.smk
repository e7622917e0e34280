"""Land-cover indicators per city and year: I1, I2, I11, I12, the natural-area mask and the groups."""


rule compute_landcover_indicators:
    input:
        raster=get_landcover_raster,
        boundary=city_field("boundary"),
        legend=get_legend,
        barriers=get_barriers,
    output:
        indicators="results/{city}/{year}/landcover_indicators.csv",
        natural_mask=report(
            "results/{city}/{year}/natural_areas.tif",
            caption="../report/natural_areas.rst",
            category="Land cover",
        ),
        groups="results/{city}/{year}/connectivity_groups.gpkg",
    params:
        boundary_layer=city_field("boundary_layer"),
        boundary_filter_column=city_field("boundary_filter_column"),
        boundary_filter_value=city_field("boundary_filter_value"),
        method=get_method,
        equal_area_crs=config["equal_area_crs"],
        boundary_coverage_tolerance_percent=config["boundary_coverage_tolerance_percent"],
        block_rows=config["block_rows"],
        barrier_rule=config["barriers"],
    log:
        "results/{city}/logs/compute_landcover_indicators_{year}.log",
    benchmark:
        "results/{city}/benchmarks/compute_landcover_indicators_{year}.tsv"
    resources:
        mem_mb=4000,
    threads: 1
    conda:
        "../envs/cbindex.yaml"
    script:
        "../../scripts/compute_landcover_indicators.py"
