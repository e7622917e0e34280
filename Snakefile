"""City Biodiversity Index workflow: configuration, validation, rule files, and the final targets."""

from snakemake.logging import logger
from snakemake.utils import min_version, validate

from cbindex.core import publication

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


# Never a lost result (cbindex.core.publication): each city's results/{city} is snapshotted when the run starts and
# put back exactly when the run fails before that city completed; `make run` resumes after a kill.
onstart:
    publication.snapshot("results", SHEET.cities)


onsuccess:
    publication.drop("results")


onerror:
    publication.recover(
        "results",
        SHEET.cities,
        final_targets=get_final_outputs(),
        unfinished_jobs=workflow.dag.needrun_jobs(),
        say=logger.warning,
    )
