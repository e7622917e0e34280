"""Rule compute_district_indicators: map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.barriers import BarrierSpec
from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.districts import DistrictsSpec
from cbindex.overlays.stage import compute_district_indicators


def first(files):
    """The one file of an optional input, or None when the sheet leaves it empty."""
    return files[0] if files else None


if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        compute_district_indicators,
        city=smk.wildcards.city,
        year=int(smk.wildcards.year),
        raster_path=smk.input.raster,
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        legend_path=smk.input.legend,
        method=dict(smk.params.method),
        block_rows=smk.params.block_rows,
        barriers=BarrierSpec.of_files(smk.input.barriers, rule=smk.params.barrier_rule, **smk.params.barriers_spec),
        districts=DistrictsSpec(
            first(smk.input.districts), population_csv=first(smk.input.district_population), **smk.params.districts_spec
        ),
        city_tables=list(smk.input.city_tables),
        previous_districts_csv=first(smk.input.previous),
        rule_set_path=smk.input.rule_set,
        overrides_path=first(smk.input.overrides),
        overlay_rules=dict(smk.params.overlay_rules),
        overlay_paths={kind: first(getattr(smk.input, kind, [])) for kind in smk.params.overlay_kinds},
        coverage_layers=[dict(layer) for layer in smk.params.coverage_layers],
        overlay_layers=dict(smk.params.overlay_layers),
        overlay_encodings={kind: dict(spec) for kind, spec in smk.params.overlay_encodings.items()},
        csv_encoding=smk.params.csv_encoding,
        districts_csv=smk.output.table,
        districts_gpkg=smk.output.layers,
    )
