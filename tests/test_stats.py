"""Wilson intervals against closed forms and a textbook value."""

import math

import pytest

from nmbook.stats import (
    binomial_cdf,
    binomial_quantile,
    clopper_pearson,
    format_rate,
    live_floor,
    wilson_interval,
)

Z = 1.959963984540054


def test_all_successes_closed_form():
    # k = n: the lower bound is n / (n + z²), the upper bound 1.
    lo, hi = wilson_interval(20, 20)
    assert hi == 1.0
    assert lo == pytest.approx(20 / (20 + Z * Z), rel=1e-12)


def test_no_success_closed_form_and_symmetry():
    # k = 0: the upper bound is z² / (n + z²); the interval of n - k mirrors that of k.
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(Z * Z / (10 + Z * Z), rel=1e-12)
    a, b = wilson_interval(3, 10)
    c, d = wilson_interval(7, 10)
    assert a == pytest.approx(1 - d) and b == pytest.approx(1 - c)


def test_half_and_half_by_hand():
    # k/n = 1/2: centre 1/2, half-width z·sqrt(1/(4n) + z²/(4n²)) / (1 + z²/n).
    n = 16
    half = Z * math.sqrt(0.25 / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    lo, hi = wilson_interval(8, n)
    assert lo == pytest.approx(0.5 - half) and hi == pytest.approx(0.5 + half)


def test_format_and_bad_input():
    assert format_rate(20, 20) == "20/20 (95% CI 84–100%)"
    with pytest.raises(ValueError, match="k <= n"):
        wilson_interval(3, 2)
    with pytest.raises(ValueError, match="n > 0"):
        wilson_interval(0, 0)
    with pytest.raises(TypeError, match="integers"):
        wilson_interval(1.5, 4)


def test_median_interval_order_statistics_by_hand():
    from nmbook.stats import median_interval

    # n = 6: P(Bin(6, 1/2) = 0) = 1/64 ≈ 1.6% <= 2.5%, P(<= 1) = 7/64 > 2.5%: j = 1, the
    # extremes
    assert median_interval([5, 1, 4, 2, 6, 3]) == (1.0, 6.0)
    assert median_interval([1, 2, 3, 4, 5]) is None  # n = 5: 1/32 > 2.5%, no interval
    # n = 40: P(Bin(40, 1/2) <= 13) ≈ 1.9% and P(<= 14) ≈ 4.0%, so j = 14: the 14th and
    # 27th values
    assert median_interval(range(1, 41)) == (14.0, 27.0)


def test_median_interval_rejects_nan():
    import pytest

    from nmbook.stats import median_interval

    with pytest.raises(ValueError, match="NaN"):
        median_interval([1.0, float("nan")] * 4)


def test_clopper_pearson_closed_forms():
    # k = n: the lower end solves p^n = 0.025, so p = 0.025^(1/n); k = 0 mirrors it
    lo, hi = clopper_pearson(40, 40)
    assert lo == pytest.approx(0.025 ** (1 / 40), abs=1e-12) and hi == 1.0
    assert round(lo, 2) == 0.91
    lo0, hi0 = clopper_pearson(0, 20)
    assert lo0 == 0.0 and hi0 == pytest.approx(1 - 0.025 ** (1 / 20), abs=1e-12)


def test_clopper_pearson_one_of_two_by_hand():
    # k = 1, n = 2: P(X >= 1) = 1 - (1-p)^2 = 0.025 -> p = 1 - sqrt(0.975); the upper
    # end mirrors it
    lo, hi = clopper_pearson(1, 2)
    assert lo == pytest.approx(1 - 0.975**0.5, abs=1e-12)
    assert hi == pytest.approx(0.975**0.5, abs=1e-12)


def test_binomial_quantile_and_live_floor_by_hand():
    # Bin(2, 1/2): P(X<=0) = 1/4, P(X<=1) = 3/4
    assert binomial_quantile(0.2, 2, 0.5) == 0
    assert binomial_quantile(0.5, 2, 0.5) == 1
    assert binomial_quantile(0.8, 2, 0.5) == 2
    # 40/40 in a sweep -> p = 0.025^(1/40) = 0.9119; Bin(10, p): P(X<=5) = 9.2e-4
    # < 0.001 <= P(X<=6), so 10 live seeds may be required to give 6 successes
    p = 0.025 ** (1 / 40)
    assert binomial_cdf(5, 10, p) < 0.001 <= binomial_cdf(6, 10, p)
    assert live_floor(40, 40, 10) == 6


def test_exact_interval_bad_input():
    with pytest.raises(ValueError, match="k=3"):
        clopper_pearson(3, 2)
    with pytest.raises(TypeError, match="integers"):
        live_floor(1.5, 2, 10)
    with pytest.raises(ValueError, match="q must"):
        binomial_quantile(1.0, 3, 0.5)
