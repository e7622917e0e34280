"""Rule compute_class_areas: map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.boundary import BoundarySpec
from cbindex.landcover.class_areas import compute_class_areas

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        compute_class_areas,
        city=smk.wildcards.city,
        year=int(smk.wildcards.year),
        raster=smk.input.raster,
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        legend_path=smk.input.legend,
        boundary_rule=smk.params.boundary_rule,
        block_rows=smk.params.block_rows,
        class_areas_csv=smk.output.class_areas,
        csv_encoding=smk.params.csv_encoding,
    )
