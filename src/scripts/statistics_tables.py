"""Tables (appendix): mean ± std, median, trimean and IQR of R², MAE and RMSE for every model and ablation."""

import paths
from rxnyield.report.aggregate import script_arguments
from rxnyield.report.tables import DIGITS, statistics_table

args, results = script_arguments(__doc__, paths.aggregate, out_dir=paths.output)
args.out_dir.mkdir(parents=True, exist_ok=True)
for metric in DIGITS:
    (args.out_dir / f"statistics_{metric}.tex").write_text(statistics_table(results.config, results.summary, metric))
