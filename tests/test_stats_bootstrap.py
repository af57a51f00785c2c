"""The seeded bootstrap interval of nmbook.stats: exact, reproducible, and right on
cases with a known answer."""

import numpy as np
import pytest

from nmbook.stats import bootstrap_ci


def test_constant_values_give_a_point():
    assert bootstrap_ci([3.0] * 10) == (3.0, 3.0)
    assert bootstrap_ci([3.0] * 10, "median") == (3.0, 3.0)


def test_seeded_and_reproducible():
    xs = np.random.default_rng(1).normal(size=30)
    assert bootstrap_ci(xs, seed=5) == bootstrap_ci(list(xs), seed=5)
    assert bootstrap_ci(xs, seed=5) != bootstrap_ci(xs, seed=6)


def test_matches_a_hand_written_resampling():
    xs = np.arange(12.0) ** 2
    means = np.random.default_rng(0).choice(xs, size=(4000, 12)).mean(axis=1)
    assert bootstrap_ci(xs) == (
        np.percentile(means, 2.5, method="lower"),
        np.percentile(means, 97.5, method="higher"),
    )


def test_mean_interval_close_to_normal_theory():
    # for 400 standard normal draws the 95% interval of the mean is about ±1.96/√400
    # around the sample mean
    xs = np.random.default_rng(2).normal(size=400)
    lo, hi = bootstrap_ci(xs)
    assert lo < xs.mean() < hi
    assert hi - lo == pytest.approx(2 * 1.96 * xs.std() / 20, rel=0.1)


def test_median_with_unsolved_runs():
    # a quarter of the runs never succeed (inf): the median's interval stays finite, the
    # upper end grows
    xs = [3, 4, 4, 5, 5, 5, 6, 6, 7, np.inf, np.inf, np.inf] * 2
    lo, hi = bootstrap_ci(xs, "median")
    assert 4 <= lo <= 5.5 <= hi and np.isfinite(hi)
    assert np.isinf(bootstrap_ci(xs, "mean")[1])


@pytest.mark.parametrize(
    ("args", "kwargs", "err", "name"),
    [
        (([1.0, 2.0],), {"statistic": "mode"}, ValueError, "statistic"),
        (([1.0, 2.0],), {"n_boot": 10}, ValueError, "n_boot"),
        (([1.0, 2.0],), {"seed": 1.5}, TypeError, "seed"),
        (([1.0],), {}, ValueError, "values"),
        (([[1.0, 2.0]],), {}, ValueError, "values"),
        (([1.0, float("nan")],), {}, ValueError, "values"),
    ],
)
def test_rejects_bad_input(args, kwargs, err, name):
    with pytest.raises(err, match=name):
        bootstrap_ci(*args, **kwargs)
