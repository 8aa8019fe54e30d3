"""Confidence intervals for Monte Carlo studies.

* :func:`wilson_interval` — a binomial proportion (leak probability, fratricide rate): Wilson's
  score interval, p̂ and n → (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n). It keeps its
  coverage near the nominal level for small n and for p near 0 or 1, where the normal
  ("Wald") interval collapses to zero width (Brown, Cai & DasGupta, "Interval Estimation for a
  Binomial Proportion", Statistical Science 16(2), 2001).
* :func:`t_interval` — a mean: x̄ ± t(1−α/2, n−1)·s/√n (Student).
* :func:`bootstrap_interval` — a mean by the percentile bootstrap (for skewed metrics), with a
  seeded generator so a study's table is reproducible.
* :func:`describe` — one metric column to a row of the aggregate table: a column whose values
  are all 0 or 1 is a proportion (Wilson), any other a mean (t).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = ["wilson_interval", "t_interval", "bootstrap_interval", "describe", "is_proportion"]


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def wilson_interval(successes: ArrayLike, n: ArrayLike, level: float = 0.95
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (low, high) for k successes in n trials (module docstring)."""
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    z = _z(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        centre = (p + z * z / (2 * m)) / (1 + z * z / m)
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def t_interval(x: ArrayLike, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval (low, high) of the mean of the finite values of x (nan for n < 2)."""
    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v)]
    if v.size < 2:
        return (float("nan"), float("nan"))
    m, s = float(v.mean()), float(v.std(ddof=1))
    h = float(stats.t.ppf(0.5 + level / 2, v.size - 1)) * s / np.sqrt(v.size)
    return (float(m - h), float(m + h))


def bootstrap_interval(x: ArrayLike, level: float = 0.95, n_boot: int = 2000,
                       seed: int = 0) -> tuple[float, float]:
    """Percentile-bootstrap interval (low, high) of the mean of the finite values of x."""
    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v)]
    if v.size < 2:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, (n_boot, v.size))].mean(axis=1)
    lo, hi = np.quantile(means, [0.5 - level / 2, 0.5 + level / 2])
    return (float(lo), float(hi))


def is_proportion(x: ArrayLike) -> bool:
    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v)]
    return bool(v.size) and bool(np.all((v == 0.0) | (v == 1.0)))


def describe(x: ArrayLike, level: float = 0.95, method: str = "t",
             proportion: bool | None = None) -> dict[str, Any]:
    """A metric's aggregate: n, mean, standard deviation, min, max and the interval — Wilson for
    a proportion (``proportion``; None: any metric whose values are all 0 or 1), else
    ``method`` ("t" or "bootstrap") for the mean."""
    v = np.asarray(x, dtype=float)
    fin = v[np.isfinite(v)]
    out: dict[str, Any] = {"n": int(fin.size)}
    if fin.size == 0:
        return out | {"mean": None, "std": None, "min": None, "max": None, "ci_low": None,
                      "ci_high": None, "interval": None}
    out |= {"mean": float(fin.mean()), "std": float(fin.std(ddof=1)) if fin.size > 1 else 0.0,
            "min": float(fin.min()), "max": float(fin.max())}
    if (is_proportion(fin) if proportion is None else proportion):
        lo, hi = wilson_interval(fin.sum(), fin.size, level)
        out |= {"ci_low": float(lo), "ci_high": float(hi), "interval": "wilson"}
    else:
        lo_, hi_ = (bootstrap_interval(fin, level) if method == "bootstrap"
                    else t_interval(fin, level))
        out |= {"ci_low": None if np.isnan(lo_) else lo_,
                "ci_high": None if np.isnan(hi_) else hi_, "interval": method}
    return out
