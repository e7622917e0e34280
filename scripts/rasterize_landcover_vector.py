"""Rules rasterize_landcover_vector and rasterize_scenario_landcover_vector (a land-use scenario's layer burnt as its
base year, params.year): map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.boundary import BoundarySpec
from cbindex.landcover.landuse_polygons import LandUseSpec
from cbindex.landcover.stage import rasterize_landcover_vector

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        rasterize_landcover_vector,
        city=smk.wildcards.city,
        year=smk.params.year,
        landuse=LandUseSpec(smk.input.polygons[0], **smk.params.landuse_spec),
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        legend_path=smk.input.legend,
        cell_size_m=smk.params.cell_size_m,
        block_rows=smk.params.block_rows,
        csv_encoding=smk.params.csv_encoding,
        raster_tif=smk.output.raster,
        class_areas_csv=smk.output.class_areas,
        check_csv=smk.output.check,
    )
