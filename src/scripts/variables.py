"""Variables: one text file per number the manuscript quotes (results and configuration values)."""

import argparse
from pathlib import Path

import paths
from rxnyield.report.aggregate import load_aggregate
from rxnyield.report.variables import write_variables

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--aggregate", type=Path, default=paths.aggregate)
parser.add_argument("--out-dir", type=Path, default=paths.output)
args = parser.parse_args()
config, per_split, summary = load_aggregate(args.aggregate)
write_variables(config, per_split, summary, args.out_dir)
