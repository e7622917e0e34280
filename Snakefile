"""City Biodiversity Index workflow: configuration, validation, rule files, and the final targets."""

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/landcover.smk"
include: "workflow/rules/overlays.smk"
include: "workflow/rules/species.smk"
include: "workflow/rules/scoring.smk"
include: "workflow/rules/qgis.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        get_final_outputs(),
