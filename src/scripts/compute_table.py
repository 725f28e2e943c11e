"""Table (appendix): the compute cost of this paper, from Snakemake's benchmark of every heavy job, and the
sentence that names where the time went."""

import paths
from rxnyield.report.aggregate import script_arguments
from rxnyield.report.tables import compute_summary, compute_table

args, results = script_arguments(__doc__, paths.aggregate, out=paths.output / "compute_table.tex",
                                 summary=paths.output / "compute_summary.tex")
args.out.parent.mkdir(parents=True, exist_ok=True)
args.out.write_text(compute_table(results.compute))
args.summary.write_text(compute_summary(results.compute))
