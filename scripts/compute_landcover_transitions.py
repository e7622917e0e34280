"""Rule compute_landcover_transitions: map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.boundary import BoundarySpec
from cbindex.landcover.transitions import compute_landcover_transitions

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        compute_landcover_transitions,
        city=smk.wildcards.city,
        year_from=int(smk.wildcards.year0),
        year_to=int(smk.wildcards.year1),
        raster_from=smk.input.raster_from,
        raster_to=smk.input.raster_to,
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        legend_from_path=smk.input.legend_from,
        legend_to_path=smk.input.legend_to,
        boundary_rule=smk.params.boundary_rule,
        block_rows=smk.params.block_rows,
        transitions_csv=smk.output.transitions,
        csv_encoding=smk.params.csv_encoding,
    )
