"""Figures of the manuscript (matplotlib, Agg, PDF without creation dates)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from rxnyield.config import (compared_models, headline_models, model_seeds, random_split_datasets,  # noqa: E402
                             sigma_sources)
from rxnyield.report.curves import curve_points  # noqa: E402
from rxnyield.report.frames import by_run, paired_runs, rows  # noqa: E402
from rxnyield.stats import regression_metrics, trimean  # noqa: E402

plt.rcParams.update({"font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8, "legend.fontsize": 7})


def save(figure: plt.Figure, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, bbox_inches="tight", metadata={"CreationDate": None, "ModDate": None})
    plt.close(figure)


def parity(config: dict, predictions: pd.DataFrame, path: Path, columns: int = 4) -> None:
    """Predicted vs measured yield on the first split's test set (the model's first seed), one panel per
    headline (dataset, model)."""
    panels = [(d, m) for d in random_split_datasets(config) for m in headline_models(config, d)]
    rows_needed = -(-len(panels) // columns)
    figure, axes = plt.subplots(rows_needed, columns, figsize=(1.75 * columns, 1.75 * rows_needed),
                                squeeze=False, sharex=True, sharey=True)
    for ax, (dataset, model) in zip(axes.flat, panels):
        split = config["datasets"][dataset]["splits"][0]
        shown = rows(predictions, dataset=dataset, model=model, split=split, seed=model_seeds(config, model)[0])
        ax.plot([0, 100], [0, 100], color="0.6", lw=0.8, zorder=0)
        ax.hexbin(shown["y_true"], shown["y_pred"], gridsize=30, extent=(0, 100, 0, 100), mincnt=1,
                  cmap="viridis", linewidths=0)
        r2 = regression_metrics(shown["y_true"], shown["y_pred"])["r2"]
        ax.text(3, 100, f"$R^2$ = {r2:.3f}", va="top", fontsize=7)
        ax.set_title(f"{config['models'][model]['label']} ({dataset.upper()})", fontsize=7)
        ax.set_xlim(0, 100)
        ax.set_ylim(-5, 105)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("predicted (%)")
    for column in range(columns):
        visible = [ax for ax in axes[:, column] if ax.get_visible()]
        visible[-1].set_xlabel("measured (%)")
        visible[-1].xaxis.set_tick_params(labelbottom=True)
    save(figure, path)


def split_errors(config: dict, per_split: pd.DataFrame, path: Path, metric: str = "r2",
                 label: str = "$R^2$ (test)") -> None:
    """Per-run test metric of every headline model: box (quartiles), points (splits x seeds), diamond = trimean."""
    datasets = random_split_datasets(config)
    figure, axes = plt.subplots(len(datasets), 1, figsize=(7.0, 2.5 * len(datasets)), squeeze=False,
                                layout="constrained")
    rng = np.random.default_rng(0)  # horizontal jitter only
    for ax, dataset in zip(axes[:, 0], datasets):
        models = headline_models(config, dataset)
        values = [rows(per_split, dataset=dataset, model=m)[metric].to_numpy() for m in models]
        ax.boxplot(values, positions=range(len(models)), widths=0.5, showfliers=False, whis=(0, 100),
                   medianprops={"color": "0.3"})
        for k, v in enumerate(values):
            ax.scatter(k + rng.uniform(-0.12, 0.12, len(v)), v, s=10, alpha=0.7, zorder=3)
            ax.scatter([k], [trimean(v)], marker="D", s=30, color="black", zorder=4,
                       label="trimean" if k == 0 else None)
        ax.set_xticks(range(len(models)), [config["models"][m]["label"] for m in models], rotation=20, ha="right")
        ax.set_title(config["datasets"][dataset]["title"])
        ax.set_ylabel(label)
    axes[0, 0].legend(loc="lower left")
    save(figure, path)


def ablations(config: dict, per_split: pd.DataFrame, path: Path, metric: str = "r2",
              label: str = "$R^2$ (test)") -> None:
    """Per dataset, two panels. Top: each variant beside its reference, split by split (a grey line joins the
    two values of one pair: a split and seed, or a split with seeds averaged, as `paired_runs`). Bottom: the
    paired differences variant − reference on a symmetric-log axis, so that a drop of 0.6 and one of 0.003 are
    both visible. The variant's trimean (diamond) and IQR (bar)."""
    datasets = [d for d in config["datasets"] if compared_models(config, d)]
    figure, axes = plt.subplots(2 * len(datasets), 1, figsize=(7.0, 1.75 * 2 * len(datasets)), squeeze=False,
                                layout="constrained")
    for index, dataset in enumerate(datasets):
        values, deltas = axes[2 * index, 0], axes[2 * index + 1, 0]
        variants = compared_models(config, dataset)
        differences = []
        for k, model in enumerate(variants):
            pairs = paired_runs(*(by_run(rows(per_split, dataset=dataset, model=m), metric)
                                  for m in (config["models"][model]["compare_to"], model)))
            for reference_value, value in pairs.to_numpy():
                values.plot([k - 0.2, k + 0.2], [reference_value, value], color="0.7", lw=0.7, zorder=1)
            values.scatter(np.full(len(pairs), k - 0.2), pairs.iloc[:, 0], s=9, color="0.45", zorder=2,
                           label="its reference, same split" if k == 0 else None)
            values.scatter(np.full(len(pairs), k + 0.2), pairs.iloc[:, 1], s=9, color="tab:blue", zorder=2,
                           label="variant" if k == 0 else None)
            difference = pairs.iloc[:, 1] - pairs.iloc[:, 0]
            differences.append(difference)
            deltas.scatter(np.full(len(pairs), k), difference, s=9, color="tab:blue", zorder=2)
            for ax, shown, offset in ((values, pairs.iloc[:, 1], 0.32), (deltas, difference, 0.18)):
                q1, q3 = np.percentile(shown, [25, 75])
                ax.plot([k + offset] * 2, [q1, q3], color="black", lw=1.5, zorder=3,
                        label="variant IQR" if k == 0 and ax is values else None)
                ax.scatter([k + offset], [trimean(shown)], marker="D", s=22, color="black", zorder=4,
                           label="variant trimean" if k == 0 and ax is values else None)
        deltas.axhline(0.0, color="0.6", lw=0.8, zorder=0)
        symlog_axis(deltas, differences)
        values.set_xticks(range(len(variants)), [])
        deltas.set_xticks(range(len(variants)), [config["models"][m]["label"] for m in variants], rotation=20,
                          ha="right")
        values.set_title(config["datasets"][dataset]["title"])
        values.set_ylabel(label)
        deltas.set_ylabel("variant $-$ reference")
    axes[0, 0].legend(loc="lower left", ncols=2)
    save(figure, path)


def symlog_axis(ax: plt.Axes, differences: list[pd.Series], linear_within: float = 0.01) -> None:
    """Symmetric-log y axis over every difference, with plain-number ticks at 0 and ±powers of ten."""
    finite = pd.concat(differences).dropna()
    # limits at the next power of ten beyond the data, so that every point lies inside a labelled decade
    low = -(10.0 ** np.ceil(np.log10(max(-finite.min(), linear_within))))
    high = 10.0 ** np.ceil(np.log10(max(finite.max(), linear_within)))
    ax.set_yscale("symlog", linthresh=linear_within)
    ax.set_ylim(low, high)
    decades = [10.0 ** e for e in range(int(np.log10(linear_within)), int(np.log10(max(-low, high))) + 1)]
    ticks = [-d for d in reversed(decades) if -d >= low] + [0.0] + [d for d in decades if d <= high]
    ax.set_yticks(ticks, [f"{t:+g}" if t else "0" for t in ticks])
    ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())


def uncertainty(config: dict, calibration: pd.DataFrame, retention: pd.DataFrame, path: Path) -> None:
    """Per dataset: calibration curves (observed vs expected coverage of central intervals) and error-retention
    curves (RMSE of the predictions with the smallest σ; dashed: the oracle that keeps the smallest errors).
    Lines are means over splits."""
    datasets = [d for d in random_split_datasets(config) if sigma_sources(config, d)]
    figure, axes = plt.subplots(len(datasets), 2, figsize=(7.0, 2.9 * len(datasets)), squeeze=False,
                                layout="constrained")
    for (left, right), dataset in zip(axes, datasets):
        left.plot([0, 1], [0, 1], color="0.6", lw=0.8)
        oracle_drawn: set[str] = set()
        for index, (model, kind) in enumerate(sigma_sources(config, dataset)):
            color = f"C{index}"
            label = f"{config['models'][model]['label']}, {kind}"
            observed = rows(calibration, dataset=dataset, model=model, kind=kind).groupby("expected")["observed"].mean()
            left.plot(observed.index, observed.to_numpy(), marker="o", ms=2, color=color, label=label)
            curve = (rows(retention, dataset=dataset, model=model, kind=kind)
                     .groupby("retained")[["rmse", "oracle_rmse"]].mean())
            right.plot(curve.index, curve["rmse"], marker="o", ms=2, color=color, label=label)
            if model not in oracle_drawn:  # the oracle depends on the model's errors only, not on its σ
                right.plot(curve.index, curve["oracle_rmse"], ls="--", color=color, lw=0.8)
                oracle_drawn.add(model)
        left.set_title(f"{config['datasets'][dataset]['title']}: calibration")
        left.set_xlabel("expected coverage of the central interval")
        left.set_ylabel("observed coverage")
        right.set_title(f"{config['datasets'][dataset]['title']}: error retention (dashed: oracle)")
        right.set_xlabel("fraction retained (smallest $\\sigma$ first)")
        right.set_ylabel("RMSE of retained (yield %)")
        left.legend(loc="upper left")
    save(figure, path)


def learning_curves(config: dict, per_split: pd.DataFrame, path: Path) -> None:
    """Test R² against the fraction of the dataset used for training (log axis): trimean line, IQR band."""
    datasets = [d for d in random_split_datasets(config)
                if any(d in config["models"][m].get("datasets", config["datasets"])
                       for m in config["learning_curves"]["models"])]
    figure, axes = plt.subplots(1, len(datasets), figsize=(3.5 * len(datasets), 2.8), squeeze=False,
                                layout="constrained")
    for ax, dataset in zip(axes[0], datasets):
        for index, model in enumerate(config["learning_curves"]["models"]):
            if dataset not in config["models"][model].get("datasets", config["datasets"]):
                continue
            grouped = curve_points(config, per_split, dataset, model).groupby("fraction")["r2"]
            fractions = np.array(sorted(grouped.groups))
            middle = np.array([trimean(grouped.get_group(f)) for f in fractions])
            low, high = (np.array([np.percentile(grouped.get_group(f), q) for f in fractions]) for q in (25, 75))
            ax.plot(100 * fractions, middle, marker="o", ms=3, color=f"C{index}", label=config["models"][model]["label"])
            ax.fill_between(100 * fractions, low, high, color=f"C{index}", alpha=0.2, lw=0)
        ax.set_xscale("log")
        ticks = 100 * np.array([*config["learning_curves"]["dataset_fractions"], config["learning_curves"]["train_share"]])
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.set_xlabel("training data (% of the dataset)")
        ax.set_ylabel("$R^2$ (test)")
        ax.set_title(config["datasets"][dataset]["title"])
        ax.legend(loc="lower right")
    save(figure, path)
