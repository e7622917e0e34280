"""Rule compute_landcover_band: one band of a city split into bands (config landcover_bands)."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.barriers import BarrierSpec
from cbindex.geo.boundary import BoundarySpec
from cbindex.landcover.stage import compute_landcover_band

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        compute_landcover_band,
        city=smk.wildcards.city,
        year=int(smk.wildcards.year),
        raster_path=smk.input.raster,
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        legend_path=smk.input.legend,
        method=dict(smk.params.method),
        block_rows=smk.params.block_rows,
        barriers=BarrierSpec.of_files(smk.input.barriers, rule=smk.params.barrier_rule, **smk.params.barriers_spec),
        band=int(smk.wildcards.band),
        n_bands=smk.params.n_bands,
        state_npz=smk.output.state,
        mask_part_tif=smk.output.mask_part,
        labels_part_tif=smk.output.labels_part,
    )
