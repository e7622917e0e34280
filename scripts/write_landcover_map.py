"""Rule write_landcover_map: the city's cells of a year's land cover (COG) and its paletted style."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.boundary import BoundarySpec
from cbindex.qgis.stage import write_landcover_map

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        write_landcover_map,
        landcover=smk.input.landcover,
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        legend=smk.input.legend,
        map_tif=smk.output.map,
        map_style=smk.output.style,
    )
