"""Metrics of one split, robust summaries across splits, and paired comparisons of two models.

Quartiles use numpy's default linear interpolation (Hyndman & Fan type 7), stated in the manuscript.
"""

from __future__ import annotations

import numpy as np

METRICS = ("mae", "rmse", "r2")


def regression_metrics(y_true, y_pred) -> dict[str, float]:
    """MAE, RMSE and R² (scikit-learn's coefficient of determination, not squared Pearson r)."""
    # imported here: every Snakemake start imports this module (through the report rules' variable names),
    # and scikit-learn's import alone costs about a second of a no-op rebuild
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    return {
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "rmse": float(np.sqrt(mean_squared_error(y_true, y_pred))),
        "r2": float(r2_score(y_true, y_pred)),
    }


def trimean(values) -> float:
    """Tukey's trimean (Q1 + 2·Q2 + Q3) / 4."""
    q1, q2, q3 = np.percentile(np.asarray(values, dtype=float), [25, 50, 75])
    return float((q1 + 2 * q2 + q3) / 4)


def iqr(values) -> float:
    """Interquartile range Q3 − Q1."""
    q1, q3 = np.percentile(np.asarray(values, dtype=float), [25, 75])
    return float(q3 - q1)


def summarize(values) -> dict[str, float]:
    """Mean ± sample std (ddof=1, as papers report it) and the robust median, trimean and IQR."""
    values = np.asarray(values, dtype=float)
    return {
        "n": int(values.size),
        "mean": float(values.mean()),
        "std": float(values.std(ddof=1)) if values.size > 1 else float("nan"),
        "median": float(np.median(values)),
        "trimean": trimean(values),
        "iqr": iqr(values),
    }


def paired_comparison(candidate, reference, resamples: int, seed: int, confidence: float) -> dict[str, float]:
    """Per-split differences candidate − reference (same splits, same order): are they split noise?

    Two-sided Wilcoxon signed-rank test (scipy's default: the exact null distribution for small n
    without ties; zero differences dropped, Wilcoxon's convention), the median difference with a
    percentile bootstrap interval (`resamples` draws of the splits with replacement, seeded), and the
    summary of the differences.
    With n splits the smallest attainable p is 2/2**n: three splits can never give p < 0.05.
    """
    from scipy.stats import wilcoxon  # here, not at the top: every training job imports this module

    differences = np.asarray(candidate, dtype=float) - np.asarray(reference, dtype=float)
    if differences.size == 0:
        raise ValueError("paired comparison needs at least one shared split")
    nonzero = differences[differences != 0]
    p_value = float(wilcoxon(nonzero).pvalue) if nonzero.size else 1.0
    rng = np.random.default_rng(seed)
    draws = differences[rng.integers(0, differences.size, size=(resamples, differences.size))]
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(np.median(draws, axis=1), [tail, 100 - tail])
    return {**summarize(differences), "ci_low": float(low), "ci_high": float(high), "p_wilcoxon": p_value}


def seed_split_variance(groups) -> dict[str, float]:
    """How much of a model's spread over runs is its seeds' and how much its splits': `groups` holds one
    sequence per split, that split's values over seeds (at least two each).

    between_seed: the mean over splits of the sample variance (ddof=1) across seeds within a split;
    between_split: the sample variance (ddof=1) of the split means (NaN with one split). The split means
    still carry seed noise (between_seed / seeds of its expected value): the second part is what a reader
    of one-seed-per-split results would have seen as split noise, not a corrected variance component.
    """
    groups = [np.asarray(g, dtype=float) for g in groups]
    if not groups or min(g.size for g in groups) < 2:
        raise ValueError("the seed-variance split needs at least two seeds on every split")
    means = np.array([g.mean() for g in groups])
    return {"n_splits": len(groups), "n_seeds": min(g.size for g in groups),
            "between_seed": float(np.mean([g.var(ddof=1) for g in groups])),
            "between_split": float(means.var(ddof=1)) if means.size > 1 else float("nan")}
