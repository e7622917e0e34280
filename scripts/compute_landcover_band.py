"""Rule compute_landcover_band: one band of a city split into bands (config landcover_bands)."""

from cbindex.landcover_stage import landcover_job_arguments, run_landcover_band_stage
from cbindex.rule_runtime import run_logged

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0], run_landcover_band_stage, **landcover_job_arguments(smk),
        band=int(smk.wildcards.band), n_bands=smk.params.n_bands, state_npz=smk.output.state,
        mask_part_tif=smk.output.mask_part, labels_part_tif=smk.output.labels_part,
    )
