# The paper's workflow: validate -> featurize -> train -> aggregate -> figures/tables/variables -> ms.pdf.
# Run it through `make paper [PROFILE=quick]`; profiles only add a config file of overrides.
import os
from pathlib import Path

from rxnyield.config import load_config, profile_config_files, validate_config

# `showyourwork build` includes this file in its own workflow (scripts/showyourwork/, README). Both run in
# the repository's top level (showyourwork through its `workdir:`), where the paths below are.
TOP_LEVEL = Path(workflow.main_snakefile).resolve() == Path("Snakefile").resolve()

# Our settings are CONFIG, checked, with ablations (`variant_of`) expanded. Under showyourwork Snakemake's
# `config` holds showyourwork's own settings (its `datasets` are Zenodo deposits), so ours are read from the
# config files of the profile that RXNYIELD_PROFILE names (default paper), as src/scripts/paths.py does.
if TOP_LEVEL:

    configfile: "config/config.yaml"

    CONFIG = validate_config(config)
else:
    CONFIG = load_config(*profile_config_files(os.environ.get("RXNYIELD_PROFILE", "paper")))
RESULTS = CONFIG["results_dir"]


rule all:
    """Default target: the article."""
    input:
        "ms.pdf",


include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/report.smk"


# Under `showyourwork build` showyourwork compiles the article itself; only our own top-level run does.
if TOP_LEVEL:

    include: "workflow/rules/article.smk"
else:
    # showyourwork gives each rule without `conda:` the environment "environment.yml", which Snakemake
    # looks up next to the file that defines the rule (workflow/rules/, where there is none; Snakemake 7
    # reads it even without --use-conda): name the repository's.
    for own_rule in workflow.rules:
        if Path(own_rule.snakefile).parent.resolve() == Path("workflow/rules").resolve():
            own_rule.conda_env = str(Path("environment.yml").resolve())
