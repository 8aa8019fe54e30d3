"""Small shared helpers for the physics kernels (dB conversion, float coercion)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def as_float(x: ArrayLike) -> FloatArray:
    """Coerce to a float64 array (0-d for scalars)."""
    return np.asarray(x, dtype=np.float64)


def db_to_lin(x_db: ArrayLike) -> FloatArray:
    """Power ratio from decibels: x = 10^(x_dB/10)."""
    return np.power(10.0, as_float(x_db) / 10.0)


def lin_to_db(x: ArrayLike) -> FloatArray:
    """Decibels from a power ratio: x_dB = 10·log10(x)."""
    return 10.0 * np.log10(as_float(x))
