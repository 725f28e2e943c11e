"""Table: each ablation against full UAM: R², paired ΔR² (trimean, median with bootstrap CI), Wilcoxon p."""

import paths
from rxnyield.report.aggregate import script_arguments
from rxnyield.report.tables import ablation_table

args, results = script_arguments(__doc__, paths.aggregate, out=paths.output / "ablation_table.tex")
args.out.parent.mkdir(parents=True, exist_ok=True)
args.out.write_text(ablation_table(results.config, results.summary, results.paired))
