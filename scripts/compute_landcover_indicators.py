"""Rule compute_landcover_indicators: map snakemake's input/params/output onto the library call."""

from cbindex.landcover_stage import run_landcover_stage
from cbindex.rule_runtime import run_logged

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0], run_landcover_stage,
        city=smk.wildcards.city, year=int(smk.wildcards.year), raster_path=smk.input.raster,
        boundary_path=smk.input.boundary, boundary_layer=smk.params.boundary_layer,
        boundary_filter_column=smk.params.boundary_filter_column,
        boundary_filter_value=smk.params.boundary_filter_value, legend_path=smk.input.legend,
        method=dict(smk.params.method), equal_area_crs=smk.params.equal_area_crs,
        boundary_coverage_tolerance_percent=smk.params.boundary_coverage_tolerance_percent,
        indicators_csv=smk.output.indicators, natural_mask_tif=smk.output.natural_mask,
        groups_gpkg=smk.output.groups, block_rows=smk.params.block_rows,
        barriers_path=smk.input.barriers[0] if smk.input.barriers else None,
        barrier_rule=dict(smk.params.barrier_rule),
    )
