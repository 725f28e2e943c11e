import numpy as np
import pytest

from rxnyield.stats import iqr, regression_metrics, summarize, trimean


def test_trimean_and_iqr_on_symmetric_data():
    assert trimean([1, 2, 3, 4, 5]) == 3.0
    assert iqr([1, 2, 3, 4, 5]) == 2.0


def test_trimean_ignores_an_outlier_that_moves_the_mean():
    values = [1, 2, 3, 4, 100]
    assert trimean(values) == 3.0
    assert summarize(values)["mean"] == 22.0


def test_quartiles_interpolate_linearly():
    # Q1 = 0.75, Q2 = 2, Q3 = 4.75 (numpy's default, Hyndman-Fan type 7)
    assert trimean([0, 1, 3, 10]) == pytest.approx((0.75 + 2 * 2 + 4.75) / 4)
    assert iqr([0, 1, 3, 10]) == pytest.approx(4.0)


def test_summary_uses_sample_standard_deviation():
    summary = summarize([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    assert summary["std"] == pytest.approx(np.std([2, 4, 4, 4, 5, 5, 7, 9], ddof=1))
    assert summary["median"] == 4.5
    assert summary["n"] == 8


def test_r2_is_the_coefficient_of_determination_not_squared_correlation():
    y = np.array([0.0, 1.0, 2.0, 3.0])
    shifted = y + 1.0  # perfectly correlated, but biased
    metrics = regression_metrics(y, shifted)
    assert metrics["r2"] == pytest.approx(1 - 4 / 5)
    assert metrics["mae"] == pytest.approx(1.0)
    assert metrics["rmse"] == pytest.approx(1.0)
