"""Figure: every ablation beside full UAM on the same splits (paired lines) and its per-split differences,
trimean and IQR marked."""

import paths
from rxnyield.report.aggregate import script_arguments
from rxnyield.report.figures import ablations

args, results = script_arguments(__doc__, paths.aggregate, out=paths.figures / "ablations.pdf")
ablations(results.config, results.per_split, args.out)
