"""Rule compute_landcover_indicators: map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.landcover.stage import compute_landcover_indicators, landcover_job_arguments

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        compute_landcover_indicators,
        **landcover_job_arguments(smk),
        equal_area_crs=smk.params.equal_area_crs,
        boundary_coverage_tolerance_percent=smk.params.boundary_coverage_tolerance_percent,
        indicators_csv=smk.output.indicators,
        natural_mask_tif=smk.output.natural_mask,
        groups_gpkg=smk.output.groups,
    )
