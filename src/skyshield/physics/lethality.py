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

__all__ = ["cookie_cutter_pk", "cumulative_pk", "gaussian_pk", "sspk_circular_normal",
           "lethal_radius_for_target", "pk_by_class"]


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


def lethal_radius_for_target(lethal_radius_m: ArrayLike, class_factor: ArrayLike,
                             target_speed_mps: ArrayLike = 0.0,
                             speed_ref_mps: ArrayLike = np.inf) -> FloatArray:
    """Carleton lethal-radius parameter of a warhead against one target class:

        b_c = b · k_c / sqrt(1 + (V_t / V_ref)²)

    ``lethal_radius_m`` b is the missile's catalogue figure (against a fighter-size
    reference target, k = 1); ``class_factor`` k_c scales it by the class's vulnerability —
    b² grows with the vulnerable area A_v a fragment pattern must hit (Ball 2003, sec. 5.3:
    the Carleton function's area integral 2πb² is the lethal area, so b ∝ √A_v and
    k_c = √(A_v,c / A_v,ref)); a target faster than ``speed_ref_mps`` shortens the time the
    fragment cloud stays on it, taken here as a first-order reduction 1/√(1 + (V/V_ref)²)
    (assumed shape; V_ref = inf: no reduction). Broadcasts over missiles × classes."""
    b = as_float(lethal_radius_m) * as_float(class_factor)
    v = as_float(target_speed_mps) / as_float(speed_ref_mps)
    return b / np.sqrt(1.0 + v * v)


def pk_by_class(lethal_radius_m: ArrayLike, class_factor: ArrayLike,
                miss_sigma_m: ArrayLike) -> FloatArray:
    """Single-shot Pk of each missile (rows) against each target class (columns): the
    Carleton damage function of the class's lethal radius b_c = b·k_c against a circular
    normal miss of σ per axis, SSPK = b_c²/(b_c² + σ²) (:func:`sspk_circular_normal`).
    ``lethal_radius_m`` and ``miss_sigma_m`` are (M,), ``class_factor`` (C,) or (M, C)."""
    b = lethal_radius_for_target(as_float(lethal_radius_m)[:, None], class_factor)
    return sspk_circular_normal(b, as_float(miss_sigma_m)[:, None])
