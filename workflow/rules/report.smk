"""City report: land-cover transitions between consecutive years, and one self-contained HTML page per language."""


rule compute_landcover_transitions:
    input:
        raster_from=landcover_raster_of("year0"),
        raster_to=landcover_raster_of("year1"),
        boundary=city_field("boundary"),
        legend=get_legend,
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
        boundary_layer=city_field("boundary_layer"),
        boundary_filter_column=city_field("boundary_filter_column"),
        boundary_filter_value=city_field("boundary_filter_value"),
        boundary_rule=config["method"]["boundary_rule"],
        block_rows=config["block_rows"],
    script:
        "../../scripts/compute_landcover_transitions.py"


rule write_city_report:
    input:
        scorecard="results/{city}/scorecard.json",
        indicators="results/{city}/indicators.csv",
        stage_tables=get_indicator_tables,
        natural_masks=city_year_files("results/{city}/{year}/natural_areas.tif"),
        groups=city_year_files("results/{city}/{year}/connectivity_groups.gpkg"),
        overlays=get_overlay_layers,
        transitions=get_transition_tables,
        boundary=city_field("boundary"),
        legend=get_legend,
        rule_set=get_rule_set,
        overrides=get_scoring_overrides,
        sources=get_city_source_files,
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
        boundary_layer=city_field("boundary_layer"),
        boundary_filter_column=city_field("boundary_filter_column"),
        boundary_filter_value=city_field("boundary_filter_value"),
        method=get_method,
        settings=report_settings(),
    script:
        "../../scripts/write_city_report.py"
