"""City Biodiversity Index workflow: configuration, validation, rule files, and the final targets."""

import os

from snakemake.logging import logger
from snakemake.utils import min_version

from cbindex.core import publication
from cbindex.core.config_files import validate_config
from cbindex.core.rule_runtime import exit_on_input_error

min_version("9.0")


configfile: "config/config.yaml"


# A key the schema does not know (a typo) or a bad value stops the run with one sentence, the closest valid key
# included; the schema's defaults are filled in. jsonschema's full report: .snakemake/log/validation.log.
with exit_on_input_error():
    validate_config(
        config,
        os.path.join(workflow.basedir, "workflow", "schemas", "config.schema.yaml"),
        config_files=workflow.configfiles,
        log_path=".snakemake/log/validation.log",
    )


include: "workflow/rules/common.smk"
include: "workflow/rules/landcover.smk"
include: "workflow/rules/overlays.smk"
include: "workflow/rules/scenarios.smk"
include: "workflow/rules/districts.smk"
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
