"""Is a predicted σ useful? Calibration, likelihood, ranking and error retention of Gaussian predictions.

Every function takes measured yields y, predicted means μ and predicted standard deviations σ of one test
set. A central interval of level p is μ ± z σ with z = Φ⁻¹((1 + p)/2); a calibrated σ puts a fraction p
of the measurements inside it. Retention curves (Lakshminarayanan et al. 2017; Scalia et al. 2020) keep
the fraction f of predictions with the smallest σ and report their RMSE; the oracle keeps the smallest
errors instead, so it is the best any ordering can do.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm, spearmanr

CALIBRATION_LEVELS = np.round(np.linspace(0.05, 0.95, 19), 2)
RETAINED_FRACTIONS = np.round(np.linspace(0.1, 1.0, 10), 2)


def central_coverage(y, mu, sigma, levels=CALIBRATION_LEVELS) -> np.ndarray:
    """Observed fraction of measurements inside the central interval of each expected level."""
    z = norm.ppf(0.5 + np.asarray(levels) / 2)
    standardized = np.abs(np.asarray(y) - np.asarray(mu)) / np.asarray(sigma)
    return (standardized[None, :] <= z[:, None]).mean(axis=1)


def miscalibration_area(y, mu, sigma, levels=CALIBRATION_LEVELS) -> float:
    """Mean |observed − expected coverage| over the levels: 0 for a calibrated σ, at most 0.5."""
    return float(np.mean(np.abs(central_coverage(y, mu, sigma, levels) - np.asarray(levels))))


def gaussian_nll(y, mu, sigma) -> float:
    """Mean negative log-likelihood of the measurements under N(μ, σ²) (yield units, natural log)."""
    y, mu, sigma = (np.asarray(a, dtype=float) for a in (y, mu, sigma))
    return float(np.mean(0.5 * np.log(2 * np.pi * sigma**2) + (y - mu) ** 2 / (2 * sigma**2)))


def error_rank_correlation(y, mu, sigma) -> float:
    """Spearman ρ between σ and the absolute error: does a larger σ mean a larger error?"""
    return float(spearmanr(sigma, np.abs(np.asarray(y) - np.asarray(mu))).statistic)


def retention_curve(y, mu, order_key, fractions=RETAINED_FRACTIONS) -> np.ndarray:
    """RMSE of the predictions kept when only the fraction f with the smallest `order_key` is retained."""
    squared = (np.asarray(y, dtype=float) - np.asarray(mu, dtype=float)) ** 2
    ordered = squared[np.argsort(np.asarray(order_key), kind="stable")]
    kept = np.ceil(np.asarray(fractions) * len(ordered)).astype(int)
    return np.array([np.sqrt(ordered[:k].mean()) for k in kept])


def uncertainty_metrics(y, mu, sigma) -> dict[str, float]:
    """The scalar summaries of one test set; `retention_gain` is how much of the oracle's reduction of the
    mean retained RMSE (relative to keeping everything) the σ ordering achieves: 1 = oracle, 0 = random."""
    error = np.abs(np.asarray(y) - np.asarray(mu))
    by_sigma = retention_curve(y, mu, sigma)
    oracle = retention_curve(y, mu, error)
    everything = by_sigma[-1]
    return {
        "spearman": error_rank_correlation(y, mu, sigma),
        "nll": gaussian_nll(y, mu, sigma),
        "miscalibration": miscalibration_area(y, mu, sigma),
        "coverage_95": float(central_coverage(y, mu, sigma, [0.95])[0]),
        "retention_gain": float((everything - by_sigma.mean()) / (everything - oracle.mean())),
    }
