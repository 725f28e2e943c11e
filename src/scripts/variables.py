"""Variables: one text file per number the manuscript quotes (results and configuration values)."""

import paths
from rxnyield.report.aggregate import script_arguments
from rxnyield.report.variables import write_variables

args, results = script_arguments(__doc__, paths.aggregate, out_dir=paths.output)
write_variables(results, args.out_dir)
