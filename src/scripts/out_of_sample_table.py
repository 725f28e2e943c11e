"""Table: R² of every model on each unseen-additive test of BH, next to the published values (quoted)."""

import pandas as pd

import paths
from rxnyield.config import out_of_sample_datasets
from rxnyield.report.aggregate import script_arguments
from rxnyield.report.tables import out_of_sample_table

args, results = script_arguments(__doc__, paths.aggregate, quoted=paths.data / "quoted" / "out_of_sample.csv",
                                 out_dir=paths.output)
quoted = pd.read_csv(args.quoted, dtype=str)
args.out_dir.mkdir(parents=True, exist_ok=True)
for dataset in out_of_sample_datasets(results.config):
    table = out_of_sample_table(results.config, results.per_split, quoted, dataset)
    (args.out_dir / f"out_of_sample_{dataset}.tex").write_text(table)
