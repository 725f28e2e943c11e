"""Tables: the UAM paper's amide-coupling results and ablations, quoted (not reproduced) from a data file."""

import argparse
from pathlib import Path

import pandas as pd

import paths
from rxnyield.report.tables import quoted_table

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--quoted", type=Path, default=paths.data / "quoted" / "uam_amide_coupling.csv")
parser.add_argument("--out-dir", type=Path, default=paths.output)
args = parser.parse_args()
quoted = pd.read_csv(args.quoted, dtype=str)
args.out_dir.mkdir(parents=True, exist_ok=True)
for table in ("main", "ablation"):
    (args.out_dir / f"amide_{table}.tex").write_text(quoted_table(quoted, table))
