"""Rule score_city: map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.scoring.stage import score_city

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        score_city,
        city=smk.wildcards.city,
        tables=list(smk.input.tables),
        rule_set_path=smk.input.rule_set,
        figures_path=smk.input.figures[0] if smk.input.figures else None,
        overrides_path=smk.input.overrides[0] if smk.input.overrides else None,
        indicators_csv=smk.output.indicators,
        scorecard_json=smk.output.scorecard,
        scorecard_xlsx=smk.output.workbook,
        city_names=dict(smk.params.city_names),
        csv_encoding=smk.params.csv_encoding,
        boundary_coverage_tolerance_percent=smk.params.boundary_coverage_tolerance_percent,
        on_partial_coverage=smk.params.on_partial_coverage,
        connectivity_groups=smk.input.groups[0] if smk.input.groups else None,
        mesh_denominator=smk.params.mesh_denominator,
        input_datums=dict(smk.params.input_datums),
        targets_path=smk.input.targets[0] if smk.input.targets else None,
        framework_path=smk.input.framework,
        targets_csv=smk.output.targets,
        boundary_notes=dict(smk.params.boundary_notes),
        coverage_layers=[dict(layer) for layer in smk.params.coverage_layers],
        scenarios=list(smk.params.scenarios),
        scenario_comparisons=list(smk.input.scenario_comparisons),
        scenario_changes=list(smk.input.scenario_changes),
    )
