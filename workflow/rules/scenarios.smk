"""What-if scenarios (city-sheet column scenarios): a land-cover year changed as a plan would change it
(cbindex.landcover.scenarios), computed by the land-cover stage exactly as a year, then scored beside its base
year. Each scenario is one param (its own entry of the scenarios file), so adding or editing one re-runs only its
jobs; the base year's outputs are inputs here, never outputs.
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


rule compute_scenario_landcover_indicators:
    input:
        raster="results/{city}/scenarios/{scenario}/landcover.tif",
        boundary=get_boundary,
        legend=get_scenario_legend,
        barriers=get_barriers,
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
        raster="results/{city}/scenarios/{scenario}/landcover.tif",
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
