"""Rule merge_landcover_bands: join a city's bands into the outputs of compute_landcover_indicators."""

from cbindex.landcover_stage import landcover_job_arguments, run_landcover_merge_stage
from cbindex.rule_runtime import run_logged

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0], run_landcover_merge_stage, **landcover_job_arguments(smk),
        state_npzs=list(smk.input.states), mask_part_tifs=list(smk.input.mask_parts),
        labels_part_tifs=list(smk.input.labels_parts), equal_area_crs=smk.params.equal_area_crs,
        boundary_coverage_tolerance_percent=smk.params.boundary_coverage_tolerance_percent,
        indicators_csv=smk.output.indicators, natural_mask_tif=smk.output.natural_mask, groups_gpkg=smk.output.groups,
    )
