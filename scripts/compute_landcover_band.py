"""Rule compute_landcover_band: one band of a city split into bands (config landcover_bands)."""

from cbindex.core.rule_runtime import run_logged
from cbindex.landcover.stage import compute_landcover_band, landcover_job_arguments

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        compute_landcover_band,
        **landcover_job_arguments(smk),
        band=int(smk.wildcards.band),
        n_bands=smk.params.n_bands,
        state_npz=smk.output.state,
        mask_part_tif=smk.output.mask_part,
        labels_part_tif=smk.output.labels_part,
    )
