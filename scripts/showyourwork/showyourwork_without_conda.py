"""`showyourwork build`, its command line and workflow files unchanged, without conda; run by the Python of
the showyourwork environment (build.py sets it up).

showyourwork 0.4.3 puts `--use-conda --conda-frontend FRONTEND` on the Snakemake command line of both of
its steps (cli/commands/run_snakemake.py): every rule would then get a conda environment built from
environment.yml or envs/tectonic.yml, which needs conda and its channels. This removes those three
arguments and runs the rest of the command as showyourwork builds it, with this environment's Snakemake 7
(the project's own Snakemake 9 comes first on PATH, for the jobs). Without --use-conda Snakemake creates no
environment (it still reads the file it names; see the Snakefile), so the jobs run the programs on PATH.
"""

import importlib
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from showyourwork.cli.main import main

SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")


def run_without_conda(command, **kwargs):
    start = command.index("--use-conda")
    assert command[start + 1] == "--conda-frontend", command
    command = [SNAKEMAKE, *command[1:start], *command[start + 3:]]
    print("showyourwork runs:", " ".join(command), flush=True)
    return subprocess.run(command, **kwargs)


module = importlib.import_module("showyourwork.cli.commands.run_snakemake")
assert module.subprocess is subprocess
module.subprocess = SimpleNamespace(run=run_without_conda)
main(["build", *sys.argv[1:]])
