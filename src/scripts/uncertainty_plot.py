"""Figure: calibration and error-retention curves of every predicted σ (UAM's σ head, MPNN's MC dropout)."""

import paths
from rxnyield.report.aggregate import script_arguments
from rxnyield.report.figures import uncertainty

args, results = script_arguments(__doc__, paths.aggregate, out=paths.figures / "uncertainty.pdf")
uncertainty(results.config, results.calibration, results.retention, args.out)
