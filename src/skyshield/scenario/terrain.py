"""Elevation grids named by scenarios (``terrain_grid: hills.npz`` or ``srtm.tif``).

Two formats:

* a NumPy ``.npz`` archive holding ``z_m`` (a 2-D array of heights above mean sea level, row 0
  at ``lat_min_deg``, column 0 at ``lon_min_deg``) and the four scalars ``lat_min_deg``,
  ``lat_max_deg``, ``lon_min_deg``, ``lon_max_deg``; nothing in it is executed (no pickle);
* a single-band GeoTIFF in geographic coordinates (EPSG:4326 / WGS 84 longitude-latitude, as
  SRTM and Copernicus DEM tiles are distributed), georeferenced by ModelTiepointTag and
  ModelPixelScaleTag (GeoTIFF 1.0 spec §2.6.1, OGC 19-008r4). Row 0 of the image is the north
  edge. ``PixelIsArea`` rasters (the default) have their samples at pixel centres,
  ``PixelIsPoint`` rasters at the tie point itself (GeoTIFF spec §2.5.2.2). A nodata value
  (GDAL_NODATA tag) or NaN is refused rather than guessed. Projected GeoTIFFs must be warped to
  EPSG:4326 first (``gdalwarp -t_srs EPSG:4326``).
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


_TAG_PIXEL_SCALE, _TAG_TIEPOINT, _TAG_GEOKEYS, _TAG_GDAL_NODATA = 33550, 33922, 34735, 42113
_KEY_MODEL_TYPE, _KEY_RASTER_TYPE = 1024, 1025
_MODEL_GEOGRAPHIC, _RASTER_PIXEL_IS_POINT = 2, 2


def _geokeys(directory: tuple[int, ...]) -> dict[int, int]:
    """Short-valued keys of a GeoKeyDirectoryTag: header (4 shorts) then 4 shorts per key."""
    n = directory[3] if len(directory) >= 4 else 0
    out: dict[int, int] = {}
    for k in range(n):
        key, loc, count, value = directory[4 + 4 * k: 8 + 4 * k]
        if loc == 0 and count == 1:
            out[key] = value
    return out


def _load_geotiff(path: str | Path) -> TerrainGrid:
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages.first
            tags = {t.code: t.value for t in page.tags.values()}
            z = np.asarray(page.asarray(), dtype=float)
    except (OSError, ValueError, tifffile.TiffFileError) as exc:
        raise ValueError(f"cannot read the GeoTIFF: {exc}") from None
    if _TAG_PIXEL_SCALE not in tags or _TAG_TIEPOINT not in tags:
        raise ValueError("the TIFF has no georeference (ModelPixelScaleTag and "
                         "ModelTiepointTag are required)")
    keys = _geokeys(tuple(tags.get(_TAG_GEOKEYS, ())))
    model = keys.get(_KEY_MODEL_TYPE, _MODEL_GEOGRAPHIC)
    if model != _MODEL_GEOGRAPHIC:
        raise ValueError(f"the GeoTIFF is not in geographic coordinates (GTModelTypeGeoKey "
                         f"{model}); warp it to EPSG:4326 first")
    if z.ndim != 2:
        raise ValueError(f"the GeoTIFF must hold one band of heights (got shape {z.shape})")
    nodata = tags.get(_TAG_GDAL_NODATA)
    if nodata is not None:
        try:
            nd = float(str(nodata).strip("\x00 "))
        except ValueError:
            nd = None
        if nd is not None and np.any(z == nd):
            raise ValueError(f"the GeoTIFF has {int(np.sum(z == nd))} nodata samples ({nd:g}); "
                             f"fill the voids first")
    sx, sy = float(tags[_TAG_PIXEL_SCALE][0]), float(tags[_TAG_PIXEL_SCALE][1])
    i0, j0, _, lon0, lat0, _ = (float(v) for v in tags[_TAG_TIEPOINT][:6])
    if not (sx > 0 and sy > 0):
        raise ValueError(f"pixel scale must be positive (got {sx:g}, {sy:g})")
    # the sample at raster (col i, row j): (lon0 + (i − i0)·sx, lat0 − (j − j0)·sy), offset by
    # half a pixel for PixelIsArea (the tie point is the pixel's corner)
    half = 0.0 if keys.get(_KEY_RASTER_TYPE) == _RASTER_PIXEL_IS_POINT else 0.5
    rows, cols = z.shape
    lon_min = lon0 + (half - i0) * sx
    lat_max = lat0 - (half - j0) * sy
    grid = dict(lat_min_deg=lat_max - (rows - 1) * sy, lat_max_deg=lat_max,
                lon_min_deg=lon_min, lon_max_deg=lon_min + (cols - 1) * sx)
    return _checked(z[::-1].copy(), [grid[k] for k in _KEYS])


def load_terrain_grid(path: str | Path) -> TerrainGrid:
    """Read and check a grid file (.npz or GeoTIFF); raises ValueError saying what is wrong
    (a missing file: OSError). A damaged file — a broken zip, a truncated TIFF, anything a
    reader library raises on it — is a ValueError too, never another exception."""
    if not Path(path).is_file():
        return _load(path)  # OSError: not found (the caller says so)
    try:
        return _load(path)
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 — a reader's own error on a damaged file
        raise ValueError(f"cannot read the terrain grid ({type(exc).__name__}: {exc})"
                         ) from None


def _load(path: str | Path) -> TerrainGrid:
    if Path(path).suffix.lower() in (".tif", ".tiff"):
        return _load_geotiff(path)
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
    return _checked(z, b)


def _checked(z: np.ndarray, b: list[float]) -> TerrainGrid:
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
