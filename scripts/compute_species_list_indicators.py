"""Rule compute_species_list_indicators: map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.species.stage import compute_species_list_indicators

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    run_logged(
        smk.log[0],
        compute_species_list_indicators,
        city=smk.wildcards.city,
        species_lists_path=smk.input.species_lists[0],
        species_list_rules=dict(smk.params.species_list_rules),
        indicators_csv=smk.output.indicators,
        csv_encoding=smk.params.csv_encoding,
    )
