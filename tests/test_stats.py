import numpy as np
import pytest

from rxnyield.stats import iqr, paired_comparison, regression_metrics, summarize, trimean


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


def test_paired_comparison_of_ten_splits_that_all_move_the_same_way():
    reference = np.linspace(0.90, 0.95, 10)
    result = paired_comparison(reference + np.arange(1, 11) / 1000, reference, 2000, 0, 0.95)
    assert result["p_wilcoxon"] == pytest.approx(2 / 2**10)  # exact: both all-positive and all-negative
    assert result["median"] == pytest.approx(0.0055)
    assert result["trimean"] == pytest.approx(0.0055)
    assert 0.001 <= result["ci_low"] < result["median"] < result["ci_high"] <= 0.010


def test_paired_comparison_p_value_matches_the_exact_signed_rank_distribution():
    # differences +1, +2, -3, +4: W- = 3; of the 16 sign patterns, those with W- <= 3 are
    # {}, {1}, {2}, {3}, {1,2}: 5, so the two-sided p = 2 * 5/16
    result = paired_comparison([1.0, 2.0, -3.0, 4.0], [0.0, 0.0, 0.0, 0.0], 500, 0, 0.95)
    assert result["p_wilcoxon"] == pytest.approx(10 / 16)


def test_identical_models_are_not_distinguishable_and_the_bootstrap_is_seeded():
    same = [0.9, 0.91, 0.92]
    assert paired_comparison(same, same, 500, 0, 0.95)["p_wilcoxon"] == 1.0
    a, b = [0.91, 0.93, 0.90, 0.95, 0.92], [0.90, 0.94, 0.90, 0.93, 0.91]
    assert paired_comparison(a, b, 500, 7, 0.9) == paired_comparison(a, b, 500, 7, 0.9)
    assert paired_comparison(a, b, 500, 7, 0.9)["ci_low"] <= paired_comparison(a, b, 500, 7, 0.9)["median"]
