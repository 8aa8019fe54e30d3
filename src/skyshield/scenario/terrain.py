"""Elevation grids named by scenarios (``terrain_grid: hills.npz``).

A grid file is a NumPy ``.npz`` archive holding ``z_m`` (a 2-D array of heights above mean sea
level, row 0 at ``lat_min_deg``, column 0 at ``lon_min_deg``) and the four scalars
``lat_min_deg``, ``lat_max_deg``, ``lon_min_deg``, ``lon_max_deg``. Nothing in it is executed
(loaded without pickle).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["TerrainGrid", "load_terrain_grid", "save_terrain_grid"]

_KEYS = ("lat_min_deg", "lat_max_deg", "lon_min_deg", "lon_max_deg")


@dataclass(frozen=True)
class TerrainGrid:
    z_m: np.ndarray
    lat_min_deg: float
    lat_max_deg: float
    lon_min_deg: float
    lon_max_deg: float

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return self.lat_min_deg, self.lat_max_deg, self.lon_min_deg, self.lon_max_deg


def load_terrain_grid(path: str | Path) -> TerrainGrid:
    """Read and check a grid file; raises ValueError saying what is wrong."""
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in ("z_m", *_KEYS) if k not in f.files]
            if missing:
                raise ValueError(f"terrain grid lacks {', '.join(missing)}")
            z = np.asarray(f["z_m"], dtype=float)
            b = [float(np.asarray(f[k]).reshape(())) for k in _KEYS]
    except (OSError, EOFError) as exc:
        raise ValueError(f"cannot read the terrain grid: {exc}") from None
    except (TypeError, ValueError) as exc:
        if "terrain grid" in str(exc):
            raise
        raise ValueError(f"not a terrain grid (.npz without pickles): {exc}") from None
    if z.ndim != 2 or min(z.shape) < 2:
        raise ValueError(f"z_m must be a 2-D grid of at least 2 × 2 (got shape {z.shape})")
    if not np.all(np.isfinite(z)) or not all(np.isfinite(b)):
        raise ValueError("terrain heights and bounds must be finite")
    if not (-90 <= b[0] < b[1] <= 90 and -180 <= b[2] < b[3] <= 360):
        raise ValueError(f"bounds must satisfy lat_min < lat_max and lon_min < lon_max "
                         f"(got {b})")
    return TerrainGrid(z, *b)


def save_terrain_grid(path: str | Path, grid: TerrainGrid) -> None:
    np.savez(path, z_m=grid.z_m, lat_min_deg=grid.lat_min_deg, lat_max_deg=grid.lat_max_deg,
             lon_min_deg=grid.lon_min_deg, lon_max_deg=grid.lon_max_deg)
