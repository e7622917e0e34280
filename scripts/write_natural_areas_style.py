"""Rule write_natural_areas_style: the QML style beside a natural-area mask GeoTIFF."""

from cbindex.core.rule_runtime import run_logged
from cbindex.qgis.mask_style import write_natural_areas_style

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(smk.log[0], write_natural_areas_style, path=smk.output.style)
