# The paper's workflow: validate -> featurize -> train -> aggregate -> figures/tables/variables -> ms.pdf.
# Run it through `make paper [PROFILE=quick]`; profiles only add a config file of overrides.
from pathlib import Path

from rxnyield.config import validate_config
from rxnyield.config.loading import config_sources
from rxnyield.report.catalog import PRODUCTS

configfile: "config/config.yaml"


# Checked (a problem is named with the file that sets it), with split families, ablations and curves expanded.
config.update(validate_config(config, config_sources(workflow.configfiles)))
RESULTS = config["results_dir"]
# The software the rules run: pyproject.toml pins it; environment.yml mirrors it for conda (showyourwork) users.
# Relative to workflow/rules/, where the rules are written.
ENVIRONMENT = "../../environment.yml"


wildcard_constraints:
    dataset="|".join(config["datasets"]),
    model="|".join(config["models"]),
    split="[A-Za-z0-9_]+",
    encoders="[a-z][a-z0-9_]*",


rule all:
    """Default target: the article, and every product of the report (the variable index is in no PDF)."""
    input:
        "ms.pdf",
        [path for product in PRODUCTS for path in product.outputs(config)],


include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/report.smk"


# Under `showyourwork build` showyourwork compiles the article itself; only our own top-level run does.
if Path(workflow.main_snakefile).resolve() == Path(workflow.basedir, "Snakefile").resolve():

    include: "workflow/rules/article.smk"
