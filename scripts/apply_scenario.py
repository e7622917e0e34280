"""Rule apply_scenario: map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.boundary import BoundarySpec
from cbindex.landcover.stage import apply_city_scenario

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        apply_city_scenario,
        scenario=dict(smk.params.scenario),
        years=list(smk.params.years),
        year_rasters=list(smk.input.years),
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        legend_path=smk.input.legend,
        block_rows=smk.params.block_rows,
        csv_encoding=smk.params.csv_encoding,
        raster_tif=smk.output.raster,
        changes_csv=smk.output.changes,
    )
