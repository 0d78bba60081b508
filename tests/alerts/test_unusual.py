"""The statistic on inputs worked out by hand (math only, not the scipy calls it checks)."""

from __future__ import annotations

import math

import pytest

from alerts.unusual import against_previous, against_windows


def test_poisson_when_the_baseline_is_not_overdispersed():
    # Two posts every window: variance 0 ≤ mean, so Poisson(2). P(X ≥ 7) = 1 − Σ_{k<7} e⁻² 2ᵏ/k!.
    result = against_windows(7, [2] * 30)
    expected_p = 1 - sum(math.exp(-2) * 2 ** k / math.factorial(k) for k in range(7))
    assert result.method == "poisson" and result.windows == 30
    assert result.mean == 2 and result.variance == 2
    assert result.z == pytest.approx(5 / math.sqrt(2))
    assert result.p_value == pytest.approx(expected_p, rel=1e-9)


def test_negative_binomial_when_overdispersed():
    windows = [0, 2, 4, 0, 6, 0]            # mean 2, sample variance 32 / 5 = 6.4
    result = against_windows(9, windows)
    mean, variance = 2.0, 6.4
    size = mean ** 2 / (variance - mean)    # r = 4 / 4.4
    q = size / (size + mean)

    def pmf(k: int) -> float:
        return math.exp(math.lgamma(k + size) - math.lgamma(size) - math.lgamma(k + 1)
                        + size * math.log(q) + k * math.log(1 - q))

    assert result.method == "negbin"
    assert result.variance == pytest.approx(variance)
    assert result.z == pytest.approx((9 - mean) / math.sqrt(variance))
    assert result.p_value == pytest.approx(1 - sum(pmf(k) for k in range(9)), rel=1e-9)
    # Overdispersion makes the same count less surprising than Poisson would say.
    assert result.p_value > against_windows(9, [2] * 6).p_value


def test_no_statistic_without_baseline_posts():
    result = against_windows(5, [0] * 10)
    assert result.z is None and result.p_value is None and result.windows == 10
    assert against_windows(5, []).p_value is None


def test_spike_is_the_binomial_test_of_two_windows():
    up = against_previous(9, 1, "up")      # P(X ≥ 9 | 10, ½) = (C(10,9) + C(10,10)) / 2¹⁰
    assert up.method == "binomial" and up.p_value == pytest.approx(11 / 1024)
    assert up.z == pytest.approx(8 / math.sqrt(10))
    down = against_previous(1, 9, "down")  # P(X ≤ 1 | 10, ½), the mirror image
    assert down.p_value == pytest.approx(11 / 1024) and down.z == pytest.approx(-8 / math.sqrt(10))
    assert against_previous(0, 0, "up").p_value is None


def test_stored_form_is_rounded_json():
    stored = against_windows(7, [2] * 30).as_dict()
    assert stored["method"] == "poisson" and stored["z"] == round(5 / math.sqrt(2), 4)
    assert isinstance(stored["p_value"], float) and 0 < stored["p_value"] < 0.01

