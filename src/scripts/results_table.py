"""Table: every model on every dataset, mean ± std and trimean [IQR] of R², MAE and RMSE across splits."""

import paths
from rxnyield.report.aggregate import script_arguments
from rxnyield.report.tables import results_table

args, results = script_arguments(__doc__, paths.aggregate, out=paths.output / "results_table.tex")
args.out.parent.mkdir(parents=True, exist_ok=True)
args.out.write_text(results_table(results.config, results.summary))
