# The paper's workflow: validate -> featurize -> train -> aggregate -> figures/tables/variables -> ms.pdf.
# Run it through `make paper [PROFILE=quick]`; profiles only add a config file of overrides.
from pathlib import Path

from rxnyield.config import validate_config

configfile: "config/config.yaml"


config.update(validate_config(config))  # checked, with ablations (`variant_of`) expanded
RESULTS = config["results_dir"]


rule all:
    """Default target: the article."""
    input:
        "ms.pdf",


include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/report.smk"


# Under `showyourwork build` showyourwork compiles the article itself; only our own top-level run does.
if Path(workflow.main_snakefile).resolve() == Path(workflow.basedir, "Snakefile").resolve():

    include: "workflow/rules/article.smk"
