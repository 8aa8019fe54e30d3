"""Angles: the one wrap of the package."""

from __future__ import annotations

import numpy as np

__all__ = ["wrap_angle"]


def wrap_angle(a: np.ndarray | float) -> np.ndarray:
    """Angle(s) (rad) wrapped to [−π, π)."""
    out: np.ndarray = (np.asarray(a) + np.pi) % (2 * np.pi) - np.pi
    return out
