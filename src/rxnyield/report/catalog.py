"""Every figure, table and `\\variable` family of the manuscript, listed once.

Each product names the thin script that makes it (`src/scripts/<script>.py`, what `\\script{}` points
to), the files it writes (from the config), the aggregated tables and quoted data it reads, and the
function that renders one output. The Snakemake rules, `showyourwork.yml` and the tests read this list;
adding a figure costs a function, an entry here and its line in `ms.tex`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from rxnyield.config.layout import FIGURES, SCRIPTS, TEX_OUTPUT, aggregate_file
from rxnyield.config.queries import out_of_sample_datasets

if TYPE_CHECKING:  # the Snakefile imports this list: no scipy or matplotlib while Snakemake plans
    from rxnyield.report.aggregate import Aggregate

# Where each kind of product goes, and its suffix; the index lists every variable for a reader (not in the PDF).
KINDS = {"figure": (FIGURES, ".pdf"), "table": (TEX_OUTPUT, ".tex"), "variables": (TEX_OUTPUT, ".txt"),
         "index": (TEX_OUTPUT, ".md")}
VARIABLE_INPUTS = ("config", "per_split", "summary", "paired", "uncertainty", "uncertainty_summary", "sigma_paired")
@dataclass(frozen=True)
class OutsideDeparture:
    """A departure of UAM's released code that no entry of the build can switch (it sits in code every cached torch
    run is keyed by), measured outside it by a benchmark script (benchmarks/outside_build.py) into a committed file."""
    config_key: str  # the committed measurement file
    field: str       # a run's field naming its variant
    authors: str     # the variant that is the authors' code
    pipeline: str    # the variant that is the pipeline's own code, trained on the measuring machine
    prefix: str      # of its variables' names
    label: str       # as the reproduction table names it
    what: str        # a variant's description, "{}" its name


OUTSIDE_DEPARTURES = (
    OutsideDeparture("measured_uam_schedule", "schedule", "batch", "epoch", "uam_schedule",
                     "schedule per batch (authors')",
                     "with the cosine schedule stepped per {}"),
    OutsideDeparture("measured_uam_atom_features", "features", "authors", "pipeline", "uam_atom_features",
                     "atom and bond features (authors')", "with atom and bond features: {}"),
)


# Committed files (config keys) the variables quote: published values and measurements this build does not re-run.
VARIABLE_QUOTED = ("quoted_values", "quoted_reproduction", "measured_gpu", "measured_cpu_class",
                   "measured_other_cpu", "measured_yieldbert", *(d.config_key for d in OUTSIDE_DEPARTURES))


@dataclass(frozen=True)
class Product:
    script: str                                       # src/scripts/<script>.py makes it
    kind: str                                         # a key of KINDS: where it goes and its suffix
    description: str
    render: Callable[[Aggregate, str, Path], None]    # writes the output `name` to `path`
    reads: tuple[str, ...]                            # roles of the aggregated tables (AGGREGATE_FILES)
    names: Callable[[dict], list[str]] | None = None  # its output names; default: the script's name
    quoted: tuple[str, ...] = ()                      # config keys of the data files it quotes

    def output_names(self, config: dict) -> list[str]:
        return self.names(config) if self.names else [self.script]

    def outputs(self, config: dict) -> list[Path]:
        directory, suffix = KINDS[self.kind]
        return [directory / f"{name}{suffix}" for name in self.output_names(config)]

    def inputs(self, config: dict) -> list[Path]:
        """What a rebuild of this product follows besides the code: its aggregated tables and quoted files."""
        return ([aggregate_file(config["results_dir"], role) for role in self.reads]
                + [Path(config[key]) for key in self.quoted])

    @property
    def script_path(self) -> Path:
        return SCRIPTS / f"{self.script}.py"


def text(write: Callable[[Aggregate, str], str]) -> Callable[[Aggregate, str, Path], None]:
    """A table or variable: `write(results, name)` gives the text of output `name`."""
    def render(results: Aggregate, name: str, path: Path) -> None:
        path.write_text(write(results, name))
    return render


def quoted_csv(results: Aggregate, key: str):
    import pandas as pd

    return pd.read_csv(results.config[key], dtype=str)


def _figure(script: str, description: str, function: str, *reads: str) -> Product:
    """A figure drawn by `rxnyield.report.figures.<function>(config, *tables, path)`."""
    def render(results: Aggregate, name: str, path: Path) -> None:
        from rxnyield.report import figures

        getattr(figures, function)(results.config, *(getattr(results, role) for role in reads), path)
    return Product(script, "figure", description, render, ("config", *reads))


def _tables():
    from rxnyield.report import tables

    return tables


def _variables():
    from rxnyield.report import variables

    return variables


def variable_value(results: Aggregate, name: str) -> str:
    """One variable's text; the specs are built once per report (they read the quoted and measured files)."""
    if "variable_specs" not in results.__dict__:
        results.__dict__["variable_specs"] = _variables().variable_specs(results.config)
    return results.__dict__["variable_specs"][name](results)


STATISTICS_METRICS = ("r2", "mae", "rmse")
AMIDE_TABLES = ("main", "ablation")

PRODUCTS: tuple[Product, ...] = (
    _figure("parity", "Parity plots (predicted vs measured yield) of every headline model on the first split of "
            "each dataset.", "parity", "predictions"),
    _figure("split_errors", "Test R² of every split per model and dataset, with quartile boxes and the trimean "
            "marked.", "split_errors", "per_split"),
    _figure("ablations", "Every ablation beside full UAM on the same splits (paired lines) and its per-split "
            "differences, trimean and IQR marked.", "ablations", "per_split"),
    _figure("uncertainty", "Calibration and error-retention curves of every predicted σ.", "uncertainty",
            "calibration", "retention"),
    _figure("learning_curves", "Test R² against the share of the data used for training (trimean across splits, "
            "IQR band).", "learning_curves", "per_split"),
    Product("results_table", "table", "Every model on every dataset: mean ± std and trimean [IQR] of R², MAE and "
            "RMSE across splits.", text(lambda r, name: _tables().results_table(r.config, r.summary)),
            ("config", "summary")),
    Product("seed_variance_table", "table", "Each model run with several seeds: the standard deviation of its R² "
            "between seeds and between splits, the seeds' share of the variance and the CPU classes its runs "
            "were computed on.",
            text(lambda r, name: _tables().seed_variance_table(r.config, r.seed_variance)),
            ("config", "seed_variance")),
    Product("ablation_table", "table", "Each ablation against full UAM: R², paired ΔR² (trimean, median with "
            "bootstrap CI), Wilcoxon p.", text(lambda r, name: _tables().ablation_table(r.config, r.summary,
                                                                                        r.paired)),
            ("config", "summary", "paired")),
    Product("statistics_tables", "table", "Appendix: mean ± std, median, trimean and IQR of R², MAE and RMSE for "
            "every model and ablation.",
            text(lambda r, name: _tables().statistics_table(r.config, r.summary, name.removeprefix("statistics_"))),
            ("config", "summary"), names=lambda config: [f"statistics_{m}" for m in STATISTICS_METRICS]),
    Product("uncertainty_table", "table", "Spearman ρ(σ, |error|), retention gain, NLL, miscalibration and 95% "
            "coverage of every predicted σ.",
            text(lambda r, name: _tables().uncertainty_table(r.config, r.uncertainty_summary)),
            ("config", "uncertainty_summary")),
    Product("out_of_sample_table", "table", "R² of every model on each unseen-additive test, next to the "
            "published values (quoted).",
            text(lambda r, name: _tables().out_of_sample_table(r.config, r.per_split,
                                                                quoted_csv(r, "quoted_out_of_sample"),
                                                                name.removeprefix("out_of_sample_"))),
            ("config", "per_split"), names=lambda config: [f"out_of_sample_{d}" for d in out_of_sample_datasets(config)],
            quoted=("quoted_out_of_sample",)),
    Product("reproduction_table", "table", "Each re-implemented method's R² next to its published value on the "
            "same splits, the gap in published standard deviations and what each paired variant changes (the "
            "authors' per-batch schedule: measured outside the build).",
            text(lambda r, name: _tables().reproduction_table(r.config, r.summary, r.paired,
                                                                   quoted_csv(r, "quoted_reproduction"))),
            ("config", "summary", "paired"), quoted=("quoted_reproduction", *(d.config_key for d in OUTSIDE_DEPARTURES))),
    Product("quoted_tables", "table", "The UAM paper's amide-coupling results and ablations, quoted (not "
            "reproduced) from a data file.",
            text(lambda r, name: _tables().quoted_table(quoted_csv(r, "quoted_tables"), name.removeprefix("amide_"))),
            ("config",), names=lambda config: [f"amide_{t}" for t in AMIDE_TABLES], quoted=("quoted_tables",)),
    Product("compute_table", "table", "Appendix: the compute cost of this paper from Snakemake's benchmark of "
            "every heavy job, and the sentence that names where the time went.",
            text(lambda r, name: getattr(_tables(), name)(r.compute)), ("compute",),
            names=lambda config: ["compute_table", "compute_summary"]),
    Product("variables", "variables", "One text file per number the manuscript quotes (results and configuration "
            "values).", text(variable_value),
            VARIABLE_INPUTS, names=lambda config: _variables().variable_names(config),
            quoted=VARIABLE_QUOTED),
    Product("variable_index", "index", "Every variable's name, value and meaning (Markdown), to find what the "
            "manuscript's \\variable{} values are.", text(lambda r, name: _variables().variable_index(r)),
            VARIABLE_INPUTS, quoted=VARIABLE_QUOTED),
)
BY_SCRIPT = {product.script: product for product in PRODUCTS}


def products_of_kind(kind: str) -> list[Product]:
    return [p for p in PRODUCTS if p.kind == kind]


def showyourwork_dependencies(config: dict) -> dict[str, list[str]]:
    """`showyourwork.yml`'s `dependencies:`: each script and the files it reads (of the `paper` profile)."""
    return {product.script_path.as_posix(): [path.as_posix() for path in product.inputs(config)]
            for product in PRODUCTS}


def make(script: str, aggregate: Path, out_dir: Path | None = None) -> list[Path]:
    """Write every output of one product from the aggregated results in `aggregate`."""
    from rxnyield.report.aggregate import Aggregate

    product = BY_SCRIPT[script]
    results = Aggregate(aggregate)
    directory, suffix = KINDS[product.kind]
    out_dir = Path(out_dir or directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in product.output_names(results.config):
        path = out_dir / f"{name}{suffix}"
        product.render(results, name, path)
        written.append(path)
    return written


def run_script(script_file: str, default_aggregate: Path, root: Path) -> None:
    """What every script in src/scripts does: make the product named after the script (`--aggregate DIR`
    chooses whose results; `--out-dir` where the files go, by default the article's directory)."""
    script = Path(script_file).stem
    product = BY_SCRIPT[script]
    parser = argparse.ArgumentParser(description=product.description)
    parser.add_argument("--aggregate", type=Path, default=default_aggregate)
    parser.add_argument("--out-dir", type=Path, default=root / KINDS[product.kind][0])
    args = parser.parse_args()
    make(script, args.aggregate, args.out_dir)


def main(argv: list[str] | None = None) -> int:
    """`python -m rxnyield.report.catalog --showyourwork`: print showyourwork.yml's dependencies."""
    from rxnyield.config import load_config

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--showyourwork", action="store_true", required=True)
    parser.parse_args(argv)
    config = load_config("config/config.yaml")
    yaml.safe_dump({"dependencies": showyourwork_dependencies(config)}, sys.stdout, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
