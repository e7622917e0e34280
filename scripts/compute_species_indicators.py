"""Rule compute_species_indicators: map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.boundary import BoundarySpec
from cbindex.species.stage import compute_species_indicators

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        compute_species_indicators,
        city=smk.wildcards.city,
        year=int(smk.wildcards.year),
        occurrences_path=smk.input.occurrences[0],
        non_native_path=smk.input.non_native[0] if smk.input.non_native else None,
        raster_path=smk.input.raster,
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        legend_path=smk.input.legend,
        method=dict(smk.params.method),
        occurrence_rules=dict(smk.params.occurrence_rules),
        block_rows=smk.params.block_rows,
        csv_encoding=smk.params.csv_encoding,
        indicators_csv=smk.output.indicators,
    )
