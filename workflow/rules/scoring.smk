"""Scoring: combine the land-cover years and the city's figures, score them, write the scorecard."""


rule score_city:
    input:
        tables=get_indicator_tables,
        rule_set=get_rule_set,
        rule_set_bases=get_rule_set_bases,
        figures=get_figures,
        overrides=get_scoring_overrides,
        groups=get_latest_groups,
        targets=get_targets,
        framework=get_framework,
        scenario_comparisons=get_scenario_comparisons,
        scenario_changes=get_scenario_changes,
    output:
        indicators=report("results/{city}/indicators.csv", caption="../report/indicators.rst", category="Scorecard"),
        scorecard="results/{city}/scorecard.json",
        workbook="results/{city}/scorecard.xlsx",
        targets="results/{city}/targets.csv",
    log:
        "results/{city}/logs/score_city.log",
    benchmark:
        "results/{city}/benchmarks/score_city.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        boundary_coverage_tolerance_percent=config["boundary_coverage_tolerance_percent"],
        on_partial_coverage=config["on_partial_coverage"],
        mesh_denominator=config["method"]["mesh_denominator"],
        city_names=get_city_names,
        input_datums=get_input_datums,
        boundary_notes=get_boundary_notes,
        coverage_layers=coverage_layer_settings(),
        scenarios=get_city_scenarios,
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/score_city.py"
