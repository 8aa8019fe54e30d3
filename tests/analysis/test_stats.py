"""Confidence intervals against an independent library, a published example and their
coverage over many simulated studies."""

import numpy as np
import pytest
from scipy import stats

from skyshield.analysis.stats import bootstrap_interval, describe, t_interval, wilson_interval


def test_wilson_interval_matches_newcombe_and_scipy():
    """Newcombe (1998), Statistics in Medicine 17:857, Table II: 81 of 263, score method
    0.2553 to 0.3662; and SciPy's binomtest(...).proportion_ci(method='wilson') everywhere."""
    lo, hi = wilson_interval(81, 263)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.2553, 0.3662)
    for k, n in ((0, 10), (1, 10), (10, 10), (3, 40), (97, 100)):
        ref = stats.binomtest(k, n).proportion_ci(method="wilson")
        lo, hi = wilson_interval(k, n)
        assert float(lo) == pytest.approx(ref.low, abs=1e-12)
        assert float(hi) == pytest.approx(ref.high, abs=1e-12)


def test_wilson_covers_a_known_p_at_the_nominal_rate():
    """A Bernoulli process with known p, 4000 studies per (p, n): Wilson's interval covers p
    in 95 % of them on average (its coverage oscillates with n, Brown-Cai-DasGupta 2001, so
    each case is only held to 92-98.5 %)."""
    rng = np.random.default_rng(2019)
    cover = []
    for p in (0.02, 0.1, 0.3, 0.5, 0.85):
        for n in (30, 60, 120, 250):
            k = rng.binomial(n, p, 4000)
            lo, hi = wilson_interval(k, n)
            c = float(((lo <= p) & (p <= hi)).mean())
            assert 0.92 <= c <= 0.985, (p, n, c)
            cover.append(c)
    assert np.mean(cover) == pytest.approx(0.95, abs=0.01)


def test_t_and_bootstrap_intervals_cover_a_known_mean():
    rng = np.random.default_rng(7)
    mu, hits_t, hits_b = 3.0, 0, 0
    trials = 600
    for _ in range(trials):
        x = rng.normal(mu, 2.0, 40)
        lo, hi = t_interval(x)
        hits_t += lo <= mu <= hi
        lo, hi = bootstrap_interval(x, n_boot=400, seed=int(rng.integers(1 << 30)))
        hits_b += lo <= mu <= hi
    assert hits_t / trials == pytest.approx(0.95, abs=0.025)
    assert hits_b / trials == pytest.approx(0.95, abs=0.035)  # percentile bootstrap: a little low
    # the t interval is the textbook formula
    x = np.array([2.0, 4.0, 4.0, 5.0, 7.0])
    h = stats.t.ppf(0.975, 4) * x.std(ddof=1) / np.sqrt(5)
    assert t_interval(x) == pytest.approx((4.4 - h, 4.4 + h))


def test_describe_picks_wilson_for_a_0_1_metric_and_t_otherwise():
    assert describe([0, 1, 1, 0, 1])["interval"] == "wilson"
    d = describe([1.5, 2.0, 2.5])
    assert d["interval"] == "t" and d["mean"] == pytest.approx(2.0)
    assert describe([np.nan, np.nan])["mean"] is None
