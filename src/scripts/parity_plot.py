"""Figure: parity plots (predicted vs measured yield) of every model on the first split of each dataset."""

import argparse
from pathlib import Path

import pandas as pd

import paths
from rxnyield.report.aggregate import ALL_PREDICTIONS, load_aggregate
from rxnyield.report.figures import parity

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--aggregate", type=Path, default=paths.aggregate)
parser.add_argument("--out", type=Path, default=paths.figures / "parity.pdf")
args = parser.parse_args()
config, _, _ = load_aggregate(args.aggregate)
parity(config, pd.read_csv(args.aggregate / ALL_PREDICTIONS), args.out)
