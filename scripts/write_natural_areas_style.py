"""Rule write_natural_areas_style: the QML style beside a natural-area mask GeoTIFF."""

from cbindex.qgis_package import write_natural_mask_style
from cbindex.rule_runtime import run_logged

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(smk.log[0], write_natural_mask_style, path=smk.output.style)
