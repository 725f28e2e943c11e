"""Table: Spearman ρ(σ, |error|), retention gain, NLL, miscalibration and 95% coverage of every predicted σ."""

import paths
from rxnyield.report.aggregate import script_arguments
from rxnyield.report.tables import uncertainty_table

args, results = script_arguments(__doc__, paths.aggregate, out=paths.output / "uncertainty_table.tex")
args.out.parent.mkdir(parents=True, exist_ok=True)
args.out.write_text(uncertainty_table(results.config, results.uncertainty_summary))
