"""Figure: parity plots (predicted vs measured yield) of every headline model on the first split of each dataset."""

import pandas as pd

import paths
from rxnyield.report.aggregate import ALL_PREDICTIONS, script_arguments
from rxnyield.report.figures import parity

args, results = script_arguments(__doc__, paths.aggregate, out=paths.figures / "parity.pdf")
parity(results.config, pd.read_csv(args.aggregate / ALL_PREDICTIONS), args.out)
