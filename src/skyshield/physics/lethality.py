"""Warhead lethality: damage functions and single-shot / salvo kill probability.

References
----------
* R. E. Ball, "The Fundamentals of Aircraft Combat Survivability Analysis and Design",
  2nd ed. (2003), sec. 5.3 (cookie-cutter and Carleton damage functions).
* A. R. Washburn, "Search and Detection" / NPS OA notes: Gaussian (Carleton) damage
  function with circular-normal miss gives SSPK = b²/(b² + σ²).
* P. Zarchan, "Tactical and Strategic Missile Guidance", 6th ed. (2012), ch. 8.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float

__all__ = ["cookie_cutter_pk", "cumulative_pk", "gaussian_pk", "sspk_circular_normal"]


def gaussian_pk(miss_m: ArrayLike, lethal_radius_m: ArrayLike) -> FloatArray:
    """Carleton (Gaussian) damage function: Pk(r) = exp(−r²/(2b²)).

    r miss distance [m], b lethal radius parameter [m].  Reference: Ball (2003) sec. 5.3.
    """
    r = as_float(miss_m)
    b = as_float(lethal_radius_m)
    return np.exp(-(r * r) / (2.0 * b * b))


def cookie_cutter_pk(miss_m: ArrayLike, lethal_radius_m: ArrayLike) -> FloatArray:
    """Cookie-cutter damage function: Pk = 1 if r ≤ R_L else 0.

    Reference: Ball (2003) sec. 5.3.
    """
    return np.where(as_float(miss_m) <= as_float(lethal_radius_m), 1.0, 0.0)


def sspk_circular_normal(lethal_radius_m: ArrayLike, miss_sigma_m: ArrayLike) -> FloatArray:
    """Single-shot kill probability of a Carleton damage function against a circular
    normal miss distribution (std σ per axis, zero mean):

        SSPK = ∫∫ exp(−(x² + y²)/(2b²)) N(x; 0, σ²) N(y; 0, σ²) dx dy = b² / (b² + σ²)

    Reference: Washburn (NPS); Ball (2003) sec. 5.3.
    """
    b2 = as_float(lethal_radius_m) ** 2
    s2 = as_float(miss_sigma_m) ** 2
    return b2 / (b2 + s2)


def cumulative_pk(sspk: ArrayLike, n_shots: ArrayLike) -> FloatArray:
    """Kill probability of n independent shots: P = 1 − (1 − SSPK)^n.

    Reference: Zarchan (2012); Ball (2003) sec. 5.4.
    """
    return 1.0 - np.power(1.0 - as_float(sspk), as_float(n_shots))
