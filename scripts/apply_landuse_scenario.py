"""Rule apply_landuse_scenario: map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.boundary import BoundarySpec
from cbindex.landcover.landuse_scenarios import apply_city_landuse_scenario

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        apply_city_landuse_scenario,
        scenario=dict(smk.params.scenario),
        years=list(smk.params.years),
        year_layers=list(smk.input.years),
        landuse_spec=dict(smk.params.landuse_spec),
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        legend_path=smk.input.legend,
        landuse_gpkg=smk.output.landuse,
        changes_csv=smk.output.changes,
        csv_encoding=smk.params.csv_encoding,
    )
