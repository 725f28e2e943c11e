"""Figure: test R² of every split per model and dataset, with quartile boxes and the trimean marked."""

import argparse
from pathlib import Path

import paths
from rxnyield.report.aggregate import load_aggregate
from rxnyield.report.figures import split_errors

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--aggregate", type=Path, default=paths.aggregate)
parser.add_argument("--out", type=Path, default=paths.figures / "split_errors.pdf")
args = parser.parse_args()
config, per_split, _ = load_aggregate(args.aggregate)
split_errors(config, per_split, args.out)
