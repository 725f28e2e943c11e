"""Paths of the article, as showyourwork's `paths` module gives them to scripts.

`RXNYIELD_PROFILE` (default `paper`) selects whose aggregated results the scripts read when they are
run without arguments (as showyourwork's own figure rules would run them); our Snakemake rules, which
showyourwork runs in their place, pass paths explicitly. Under `showyourwork build` the Snakefile reads
the same variable (scripts/showyourwork/build.py).
"""

import os
from pathlib import Path

root = Path(__file__).resolve().parents[2]
src = root / "src"
data = src / "data"
scripts = src / "scripts"
tex = src / "tex"
figures = tex / "figures"
output = tex / "output"
results = root / "results" / os.environ.get("RXNYIELD_PROFILE", "paper")
aggregate = results / "aggregate"
