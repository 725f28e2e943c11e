# The paper's workflow: validate -> featurize -> train -> aggregate -> figures/tables/variables -> ms.pdf.
# Run it through `make paper [PROFILE=quick]`; profiles only add a config file of overrides.
import os
from pathlib import Path

from rxnyield.config import config_sources, load_config, profile_config_files, validate_config
from rxnyield.report.catalog import PRODUCTS

# `showyourwork build` includes this file in its own workflow (scripts/showyourwork/, README). Both run in
# the repository's top level (showyourwork through its `workdir:`), where the paths below are.
TOP_LEVEL = Path(workflow.main_snakefile).resolve() == Path("Snakefile").resolve()

# Our settings are CONFIG: checked (a problem is named with the file that sets it), with split families,
# ablations and learning curves expanded. Under showyourwork Snakemake's `config` holds showyourwork's own
# settings (its `datasets` are Zenodo deposits), so ours are read from the config files of the profile that
# RXNYIELD_PROFILE names (default paper), as src/scripts/paths.py does.
if TOP_LEVEL:

    configfile: "config/config.yaml"

    CONFIG = validate_config(config, config_sources(workflow.configfiles))
else:
    CONFIG = load_config(*profile_config_files(os.environ.get("RXNYIELD_PROFILE", "paper")))
RESULTS = CONFIG["results_dir"]
# The software the rules run: pyproject.toml pins it; environment.yml mirrors it for conda (showyourwork)
# users. Relative to workflow/rules/, where the rules are written (Snakemake resolves it from there).
ENVIRONMENT = "../../environment.yml"


wildcard_constraints:
    dataset="|".join(CONFIG["datasets"]),
    model="|".join(CONFIG["models"]),
    split="[A-Za-z0-9_]+",
    seed="[0-9]+",
    encoders="[a-z][a-z0-9_]*",
    scope="[A-Za-z0-9_]+",  # `all` (every reaction) or the split whose training reactions a pre-training saw


rule all:
    """Default target: the article, and every product of the report (the variable index is in no PDF)."""
    input:
        "ms.pdf",
        [path for product in PRODUCTS for path in product.outputs(CONFIG)],


include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/report.smk"


# Under `showyourwork build` showyourwork compiles the article itself; only our own top-level run does.
if TOP_LEVEL:

    include: "workflow/rules/article.smk"
