"""Uncertainty metrics on synthetic predictions with known answers."""

import numpy as np
import pytest

from rxnyield.config import sigma_kinds
from rxnyield.uncertainty import (CALIBRATION_LEVELS, central_coverage, error_rank_correlation, gaussian_nll,
                                  miscalibration_area, retention_curve, uncertainty_metrics)


@pytest.fixture(scope="module")
def heteroscedastic():
    """Measurements drawn around μ with a known, varying σ: a perfectly calibrated σ."""
    rng = np.random.default_rng(0)
    sigma = rng.uniform(1, 10, 100_000)
    mu = rng.uniform(0, 100, sigma.size)
    return mu + sigma * rng.standard_normal(sigma.size), mu, sigma


def test_a_calibrated_sigma_covers_what_it_claims(heteroscedastic):
    y, mu, sigma = heteroscedastic
    np.testing.assert_allclose(central_coverage(y, mu, sigma), CALIBRATION_LEVELS, atol=0.01)
    assert miscalibration_area(y, mu, sigma) < 0.005
    assert central_coverage(y, mu, 10 * sigma, [0.5])[0] > 0.99  # ten times too wide: covers almost all
    assert miscalibration_area(y, mu, 10 * sigma) > 0.2


def test_gaussian_nll_matches_the_hand_computed_density():
    assert gaussian_nll([0.0], [0.0], [1.0]) == pytest.approx(0.5 * np.log(2 * np.pi))
    assert gaussian_nll([3.0], [1.0], [2.0]) == pytest.approx(0.5 * np.log(2 * np.pi * 4) + 4 / 8)


def test_the_true_sigma_ranks_errors_and_a_random_one_does_not(heteroscedastic):
    y, mu, sigma = heteroscedastic
    shuffled = np.random.default_rng(1).permutation(sigma)
    assert uncertainty_metrics(y, mu, sigma)["retention_gain"] > 0.3
    assert abs(uncertainty_metrics(y, mu, shuffled)["retention_gain"]) < 0.05
    assert error_rank_correlation(y, mu, sigma) > 0.3 > abs(error_rank_correlation(y, mu, shuffled))


def test_ordering_by_the_errors_themselves_is_the_oracle():
    y, mu = np.array([0.0, 0.0, 0.0, 0.0]), np.array([1.0, -3.0, 2.0, 4.0])
    error = np.abs(y - mu)
    np.testing.assert_allclose(retention_curve(y, mu, error, [0.25, 0.5, 1.0]),
                               [1.0, np.sqrt(2.5), np.sqrt(30 / 4)])
    assert uncertainty_metrics(y, mu, error)["retention_gain"] == pytest.approx(1.0)
    assert error_rank_correlation(y, mu, error) == pytest.approx(1.0)


def test_sigma_kinds_follow_the_model_settings(config):
    models = config["models"]
    assert sigma_kinds(models["mpnn"]) == ["total", "aleatoric", "epistemic"]  # σ head + MC dropout
    assert sigma_kinds(models["uam"]) == ["total"]                              # σ head only
    assert sigma_kinds(models["uam_no_uq"]) == []
    assert sigma_kinds(models["dft_rf"]) == []
    assert sigma_kinds(dict(models["uam_no_uq"], mc_samples=5)) == ["total", "epistemic"]
