"""Land-cover indicators per city and year: I1, I2, I11, I12, the natural-area mask and the groups; the
land-cover transitions between consecutive years; the area of each class per year (the report's composition).

One job per city and year, or, for a city with landcover_bands > 1 (config or city sheet), one job per row
band and a merge whose outputs are identical to the one-job rule's. The boundary file is an input and the
sheet's boundary_layer/boundary_filter_column/boundary_filter_value/boundary_encoding (with config
vector_encoding) one param (boundary_spec), and barriers_spec the barrier file's layer and encoding; method holds
every config method key and the sheet's natural_codes (the land-cover indicators and candidate links read them
all; a band job all but method.link_search_m), while the transitions read only method.boundary_rule. A city given
as land-use polygons (sheet landcover_vector) gets its raster from rasterize_landcover_vector, whose exact class
areas the land-cover rule reads (input landuse).
"""

LANDCOVER_INPUTS = dict(
    raster=get_landcover_raster,
    boundary=get_boundary,
    legend=get_legend,
    barriers=get_barriers,
    landuse=get_landuse_outputs,
)
LANDCOVER_PARAMS = dict(
    boundary_spec=get_boundary_spec,
    barriers_spec=get_barriers_spec,
    method=get_landcover_method,
    equal_area_crs=config["equal_area_crs"],
    boundary_coverage_tolerance_percent=config["boundary_coverage_tolerance_percent"],
    block_rows=config["block_rows"],
    barrier_rule=config["barriers"],
)
BAND_PARAMS = dict(LANDCOVER_PARAMS, method=get_band_method)
"""A band job computes no candidate links: it gets every method key but method.link_search_m."""
LANDCOVER_OUTPUTS = dict(
    indicators="results/{city}/{year}/landcover_indicators.csv",
    natural_mask=report(
        "results/{city}/{year}/natural_areas.tif",
        caption="../report/natural_areas.rst",
        category="Land cover",
    ),
    groups="results/{city}/{year}/connectivity_groups.gpkg",
)


rule compute_landcover_indicators:
    input:
        **LANDCOVER_INPUTS,
    output:
        **LANDCOVER_OUTPUTS,
    log:
        "results/{city}/logs/compute_landcover_indicators_{year}.log",
    benchmark:
        "results/{city}/benchmarks/compute_landcover_indicators_{year}.tsv"
    wildcard_constraints:
        city=cities_pattern(ONE_JOB_CITIES),
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        **LANDCOVER_PARAMS,
        year=lambda wildcards: int(wildcards.year),
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/compute_landcover_indicators.py"


rule rasterize_landcover_vector:
    input:
        polygons=city_year_file("landcover_vector"),
        boundary=get_boundary,
        legend=get_legend,
    output:
        raster="results/{city}/{year}/landcover_from_polygons.tif",
        class_areas="results/{city}/{year}/landuse_class_areas.csv",
        check="results/{city}/{year}/landuse_check.csv",
    log:
        "results/{city}/logs/rasterize_landcover_vector_{year}.log",
    benchmark:
        "results/{city}/benchmarks/rasterize_landcover_vector_{year}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        landuse_spec=get_landuse_spec,
        boundary_spec=get_boundary_spec,
        cell_size_m=config["landuse_cell_size_m"],
        block_rows=config["block_rows"],
        csv_encoding=config["csv_encoding"],
        year=lambda wildcards: int(wildcards.year),
    script:
        "../../scripts/rasterize_landcover_vector.py"


rule compute_landcover_band:
    input:
        **LANDCOVER_INPUTS,
    output:
        state=temp("results/{city}/{year}/bands/band_{band}.npz"),
        mask_part=temp("results/{city}/{year}/bands/band_{band}_natural.tif"),
        labels_part=temp("results/{city}/{year}/bands/band_{band}_labels.tif"),
    log:
        "results/{city}/logs/compute_landcover_band_{year}_{band}.log",
    benchmark:
        "results/{city}/benchmarks/compute_landcover_band_{year}_{band}.tsv"
    wildcard_constraints:
        city=cities_pattern(BANDED_CITIES),
        band=r"\d+",
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        **BAND_PARAMS,
        n_bands=get_landcover_bands,
    script:
        "../../scripts/compute_landcover_band.py"


rule merge_landcover_bands:
    input:
        **LANDCOVER_INPUTS,
        states=band_files("results/{city}/{year}/bands/band_{band}.npz"),
        mask_parts=band_files("results/{city}/{year}/bands/band_{band}_natural.tif"),
        labels_parts=band_files("results/{city}/{year}/bands/band_{band}_labels.tif"),
    output:
        **LANDCOVER_OUTPUTS,
    log:
        "results/{city}/logs/merge_landcover_bands_{year}.log",
    benchmark:
        "results/{city}/benchmarks/merge_landcover_bands_{year}.tsv"
    wildcard_constraints:
        city=cities_pattern(BANDED_CITIES),
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        **LANDCOVER_PARAMS,
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/merge_landcover_bands.py"


rule compute_landcover_transitions:
    input:
        raster_from=landcover_raster_of("year0"),
        raster_to=landcover_raster_of("year1"),
        boundary=get_boundary,
        legend_from=legend_of("year0"),
        legend_to=legend_of("year1"),
    output:
        transitions=report(
            "results/{city}/transitions_{year0}_{year1}.csv",
            caption="../report/transitions.rst",
            category="Change across years",
            subcategory="{city}",
        ),
    log:
        "results/{city}/logs/compute_landcover_transitions_{year0}_{year1}.log",
    benchmark:
        "results/{city}/benchmarks/compute_landcover_transitions_{year0}_{year1}.tsv"
    wildcard_constraints:
        year0=r"\d{4}",
        year1=r"\d{4}",
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        boundary_spec=get_boundary_spec,
        boundary_rule=config["method"]["boundary_rule"],
        block_rows=config["block_rows"],
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/compute_landcover_transitions.py"


rule compute_class_areas:
    input:
        raster=get_landcover_raster,
        boundary=get_boundary,
        legend=get_legend,
    output:
        class_areas="results/{city}/{year}/class_areas.csv",
    log:
        "results/{city}/logs/compute_class_areas_{year}.log",
    benchmark:
        "results/{city}/benchmarks/compute_class_areas_{year}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        boundary_spec=get_boundary_spec,
        boundary_rule=config["method"]["boundary_rule"],
        block_rows=config["block_rows"],
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/compute_class_areas.py"
