"""Figure: test R² of every split per model and dataset, with quartile boxes and the trimean marked."""

import paths
from rxnyield.report.aggregate import script_arguments
from rxnyield.report.figures import split_errors

args, results = script_arguments(__doc__, paths.aggregate, out=paths.figures / "split_errors.pdf")
split_errors(results.config, results.per_split, args.out)
