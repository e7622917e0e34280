"""Rules compute_overlay_indicators and compute_scenario_overlay_indicators (a scenario's land cover, overlay
changes and population): map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.boundary import BoundarySpec
from cbindex.overlays.stage import compute_overlay_indicators


def first(files):
    """The one file of an optional input, or None when the sheet leaves it empty."""
    return files[0] if files else None


if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        compute_overlay_indicators,
        city=smk.wildcards.city,
        year=int(smk.params.year),
        raster_path=smk.input.raster,
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        legend_path=smk.input.legend,
        method=dict(smk.params.method),
        overlay_rules=dict(smk.params.overlay_rules),
        overlay_paths={kind: first(getattr(smk.input, kind, [])) for kind in smk.params.overlay_kinds},
        coverage_layers=[dict(layer) for layer in smk.params.coverage_layers],
        overlay_layers=dict(smk.params.overlay_layers),
        overlay_encodings={kind: dict(spec) for kind, spec in smk.params.overlay_encodings.items()},
        population=smk.params.population,
        population_raster_path=first(smk.input.population_raster),
        equal_area_crs=smk.params.equal_area_crs,
        boundary_coverage_tolerance_percent=smk.params.boundary_coverage_tolerance_percent,
        block_rows=smk.params.block_rows,
        csv_encoding=smk.params.csv_encoding,
        indicators_csv=smk.output.indicators,
        overlays_gpkg=smk.output.overlays,
        scenario_changes=[dict(change) for change in smk.params.get("scenario_changes", [])],
        changes_csv=smk.output.get("changes"),
    )
