"""Wilson intervals against closed forms and a textbook value."""

import math

import pytest

from nmbook.stats import format_rate, wilson_interval

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
