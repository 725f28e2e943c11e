"""Figure: test R² against the share of the data used for training (trimean across splits, IQR band)."""

import paths
from rxnyield.report.aggregate import script_arguments
from rxnyield.report.figures import learning_curves

args, results = script_arguments(__doc__, paths.aggregate, out=paths.figures / "learning_curves.pdf")
learning_curves(results.config, results.per_split, args.out)
