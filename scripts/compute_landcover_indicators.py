"""Rule compute_landcover_indicators: map snakemake's input/params/output onto the library call."""

from cbindex.landcover_stage import landcover_job_arguments, run_landcover_stage
from cbindex.rule_runtime import run_logged

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0], run_landcover_stage, **landcover_job_arguments(smk),
        equal_area_crs=smk.params.equal_area_crs,
        boundary_coverage_tolerance_percent=smk.params.boundary_coverage_tolerance_percent,
        indicators_csv=smk.output.indicators, natural_mask_tif=smk.output.natural_mask, groups_gpkg=smk.output.groups,
    )
