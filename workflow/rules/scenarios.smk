"""What-if scenarios (city-sheet column scenarios): a land-cover year changed as a plan would change it
(cbindex.landcover.scenarios), computed by the land-cover stage exactly as a year, then scored beside its base
year. Each scenario is one param (its own entry of the scenarios file), so adding or editing one re-runs only its
jobs; the base year's outputs are inputs here, never outputs.

A city given as land-use polygons (sheet landcover_vector) has its scenario applied to the polygons
(apply_landuse_scenario, cbindex.landcover.landuse_scenarios: landuse.gpkg), which the year's rasterization script
burns (rasterize_scenario_landcover_vector) and whose exact class areas the land-cover rule reads, as for a year;
apply_scenario serves the raster cities only (the city wildcard of each is constrained to its kind of city).
"""


wildcard_constraints:
    scenario=r"[A-Za-z0-9_-]+",


rule apply_scenario:
    input:
        years=get_scenario_year_rasters,
        polygons=get_scenario_polygons,
        boundary=get_boundary,
        legend=get_scenario_legend,
    output:
        raster="results/{city}/scenarios/{scenario}/landcover.tif",
        changes="results/{city}/scenarios/{scenario}/changes.csv",
    log:
        "results/{city}/logs/apply_scenario_{scenario}.log",
    benchmark:
        "results/{city}/benchmarks/apply_scenario_{scenario}.tsv"
    wildcard_constraints:
        city=cities_pattern(RASTER_CITIES),
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        scenario=get_scenario,
        years=get_scenario_years,
        boundary_spec=get_boundary_spec,
        block_rows=config["block_rows"],
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/apply_scenario.py"


rule apply_landuse_scenario:
    input:
        years=get_scenario_landuse_layers,
        polygons=get_scenario_polygons,
        boundary=get_boundary,
        legend=get_scenario_legend,
    output:
        landuse="results/{city}/scenarios/{scenario}/landuse.gpkg",
        changes="results/{city}/scenarios/{scenario}/changes.csv",
    log:
        "results/{city}/logs/apply_landuse_scenario_{scenario}.log",
    benchmark:
        "results/{city}/benchmarks/apply_landuse_scenario_{scenario}.tsv"
    wildcard_constraints:
        city=cities_pattern(LANDUSE_CITIES),
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        scenario=get_scenario,
        years=get_scenario_years,
        landuse_spec=get_landuse_spec,
        boundary_spec=get_boundary_spec,
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/apply_landuse_scenario.py"


rule rasterize_scenario_landcover_vector:
    input:
        polygons=get_scenario_landuse_layer,
        boundary=get_boundary,
        legend=get_scenario_legend,
    output:
        raster="results/{city}/scenarios/{scenario}/landcover_from_polygons.tif",
        class_areas="results/{city}/scenarios/{scenario}/landuse_class_areas.csv",
        check="results/{city}/scenarios/{scenario}/landuse_check.csv",
    log:
        "results/{city}/logs/rasterize_scenario_landcover_vector_{scenario}.log",
    benchmark:
        "results/{city}/benchmarks/rasterize_scenario_landcover_vector_{scenario}.tsv"
    wildcard_constraints:
        city=cities_pattern(LANDUSE_CITIES),
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        landuse_spec=get_scenario_landuse_spec,
        boundary_spec=get_boundary_spec,
        cell_size_m=config["landuse_cell_size_m"],
        block_rows=config["block_rows"],
        csv_encoding=config["csv_encoding"],
        year=get_scenario_base_year,
    script:
        "../../scripts/rasterize_landcover_vector.py"


rule compute_scenario_landcover_indicators:
    input:
        raster=get_scenario_raster,
        boundary=get_boundary,
        legend=get_scenario_legend,
        barriers=get_barriers,
        landuse=get_scenario_landuse_outputs,
    output:
        indicators="results/{city}/scenarios/{scenario}/landcover_indicators.csv",
        natural_mask="results/{city}/scenarios/{scenario}/natural_areas.tif",
        groups="results/{city}/scenarios/{scenario}/connectivity_groups.gpkg",
    log:
        "results/{city}/logs/compute_scenario_landcover_indicators_{scenario}.log",
    benchmark:
        "results/{city}/benchmarks/compute_scenario_landcover_indicators_{scenario}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        **LANDCOVER_PARAMS,
        year=get_scenario_base_year,
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/compute_landcover_indicators.py"


rule compute_scenario_overlay_indicators:
    input:
        unpack(get_scenario_overlay_inputs),
        raster=get_scenario_raster,
        boundary=get_boundary,
        legend=get_scenario_legend,
        population_raster=get_scenario_population_raster,
        change_polygons=get_scenario_overlay_polygons,
    output:
        indicators="results/{city}/scenarios/{scenario}/overlay_indicators.csv",
        overlays="results/{city}/scenarios/{scenario}/overlays.gpkg",
        changes="results/{city}/scenarios/{scenario}/overlay_changes.csv",
    log:
        "results/{city}/logs/compute_scenario_overlay_indicators_{scenario}.log",
    benchmark:
        "results/{city}/benchmarks/compute_scenario_overlay_indicators_{scenario}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        **OVERLAY_PARAMS,
        year=get_scenario_base_year,
        scenario_changes=get_scenario_changes_list,
    script:
        "../../scripts/compute_overlay_indicators.py"


rule compare_scenario:
    input:
        base=get_scenario_base_table,
        scenario=get_scenario_tables,
        rule_set=get_rule_set,
        rule_set_bases=get_rule_set_bases,
        overrides=get_scoring_overrides,
    output:
        comparison="results/{city}/scenarios/{scenario}/scenario_comparison.csv",
    log:
        "results/{city}/logs/compare_scenario_{scenario}.log",
    benchmark:
        "results/{city}/benchmarks/compare_scenario_{scenario}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        boundary_coverage_tolerance_percent=config["boundary_coverage_tolerance_percent"],
        on_partial_coverage=config["on_partial_coverage"],
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/compare_scenario.py"
