"""Table: every model on every dataset, mean ± std and trimean [IQR] of R², MAE and RMSE across splits."""

import argparse
from pathlib import Path

import paths
from rxnyield.report.aggregate import load_aggregate
from rxnyield.report.tables import results_table

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--aggregate", type=Path, default=paths.aggregate)
parser.add_argument("--out", type=Path, default=paths.output / "results_table.tex")
args = parser.parse_args()
config, _, summary = load_aggregate(args.aggregate)
args.out.parent.mkdir(parents=True, exist_ok=True)
args.out.write_text(results_table(config, summary))
