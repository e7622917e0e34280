"""City report: one self-contained HTML page per language (scores, maps, change across years, provenance).

The report lists every method key and the sheet's natural_codes, so it receives them all, and the other
configuration keys that shaped the city's numbers (get_report_settings); the land-cover transitions and class
areas it shows are computed in landcover.smk.
"""


rule write_city_report:
    input:
        scorecard="results/{city}/scorecard.json",
        indicators="results/{city}/indicators.csv",
        stage_tables=get_indicator_tables,
        natural_masks=city_year_files("results/{city}/{year}/natural_areas.tif"),
        landcover=get_landcover_rasters,
        class_areas=city_year_files("results/{city}/{year}/class_areas.csv"),
        groups=city_year_files("results/{city}/{year}/connectivity_groups.gpkg"),
        overlays=get_overlay_layers,
        transitions=get_transition_tables,
        district_tables=get_district_tables,
        district_layers=get_district_layers,
        boundary=get_boundary,
        legends=get_legend_files,
        rule_set=get_rule_set,
        overrides=get_scoring_overrides,
        sources=get_city_source_files,
        framework=get_framework,
        scenario_rasters=get_scenario_rasters,
        scenario_overlays=get_scenario_overlay_layers,
        scenario_masks=get_scenario_masks,
    output:
        report=report(
            "results/{city}/report_{lang}.html",
            caption="../report/city_report.rst",
            category="City reports",
            subcategory="{city}",
            labels={"city": "{city}", "language": "{lang}"},
        ),
    log:
        "results/{city}/logs/write_city_report_{lang}.log",
    benchmark:
        "results/{city}/benchmarks/write_city_report_{lang}.tsv"
    wildcard_constraints:
        lang="en|zh",
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        city_names=get_city_names,
        years=get_city_years,
        year_legends=get_year_legends,
        boundary_spec=get_boundary_spec,
        method=get_report_method,
        settings=get_report_settings,
        display_crs=config["display_crs"],
    script:
        "../../scripts/write_city_report.py"
