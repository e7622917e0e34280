"""Rule compare_scenario: map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.scoring.stage import compare_city_scenario

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        compare_city_scenario,
        base_csv=list(smk.input.base),
        scenario_csv=list(smk.input.scenario),
        rule_set_path=smk.input.rule_set,
        overrides_path=smk.input.overrides[0] if smk.input.overrides else None,
        boundary_coverage_tolerance_percent=smk.params.boundary_coverage_tolerance_percent,
        on_partial_coverage=smk.params.on_partial_coverage,
        csv_encoding=smk.params.csv_encoding,
        comparison_csv=smk.output.comparison,
    )
