"""Rules compute_landcover_indicators and compute_scenario_landcover_indicators (a scenario's raster computed as its
base year, params.year): map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.barriers import BarrierSpec
from cbindex.geo.boundary import BoundarySpec
from cbindex.landcover.stage import LandUseOutputs, compute_landcover_indicators

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        compute_landcover_indicators,
        city=smk.wildcards.city,
        year=smk.params.year,
        raster_path=smk.input.raster,
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        legend_path=smk.input.legend,
        method=dict(smk.params.method),
        block_rows=smk.params.block_rows,
        barriers=BarrierSpec.of_files(smk.input.barriers, rule=smk.params.barrier_rule, **smk.params.barriers_spec),
        equal_area_crs=smk.params.equal_area_crs,
        boundary_coverage_tolerance_percent=smk.params.boundary_coverage_tolerance_percent,
        csv_encoding=smk.params.csv_encoding,
        landuse=LandUseOutputs(*smk.input.landuse) if smk.input.get("landuse") else None,
        indicators_csv=smk.output.indicators,
        natural_mask_tif=smk.output.natural_mask,
        groups_gpkg=smk.output.groups,
    )
