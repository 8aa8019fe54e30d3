"""GeoTIFF elevation grids, written tag by tag from the GeoTIFF 1.0 specification (OGC 19-008r4).

The files are built here with raw TIFF tags, not with skyshield: ModelPixelScaleTag (33550),
ModelTiepointTag (33922, raster (I, J, K) → model (X, Y, Z)) and GeoKeyDirectoryTag (34735:
header 1, 1, 0, N then N × (key, location 0, count 1, value)). GTModelTypeGeoKey (1024) 2 is a
geographic model, GTRasterTypeGeoKey (1025) 1 PixelIsArea (the tie point is the corner of the
pixel, samples stand at pixel centres) and 2 PixelIsPoint (samples at the tie point),
GeographicTypeGeoKey (2048) 4326 WGS 84.
"""

import numpy as np
import pytest
import tifffile

from skyshield.physics.terrain import terrain_height_m
from skyshield.scenario.terrain import load_terrain_grid


def _write(path, z, lon0, lat0, dlon, dlat, raster_type=1, model_type=2, nodata=None,
           georef=True):
    keys = [1, 1, 0, 3, 1024, 0, 1, model_type, 1025, 0, 1, raster_type, 2048, 0, 1, 4326]
    tags = [(34735, "H", len(keys), keys, True)]
    if georef:
        tags += [(33550, "d", 3, (dlon, dlat, 0.0), True),
                 (33922, "d", 6, (0.0, 0.0, 0.0, lon0, lat0, 0.0), True)]
    if nodata is not None:
        tags.append((42113, "s", 0, str(nodata), True))
    tifffile.imwrite(path, z.astype(np.float32), extratags=tags)


Z = np.array([[0, 1, 2, 3], [100, 101, 102, 103], [200, 201, 202, 203]], dtype=float)  # row 0 north


def _height(g, lat, lon):
    return float(terrain_height_m(lat, lon, g.z_m, *g.bounds))


def test_pixel_is_area_samples_stand_at_pixel_centres(tmp_path):
    p = tmp_path / "dem.tif"
    _write(p, Z, lon0=20.0, lat0=45.0, dlon=0.01, dlat=0.01)
    g = load_terrain_grid(p)
    assert g.bounds == pytest.approx((44.975, 44.995, 20.005, 20.035))
    # the north-west pixel centre holds Z[0, 0], the south-east one Z[2, 3]
    assert _height(g, 44.995, 20.005) == pytest.approx(0.0)
    assert _height(g, 44.975, 20.035) == pytest.approx(203.0)
    assert _height(g, 44.985, 20.015) == pytest.approx(101.0)
    # half-way between two centres: the mean (bilinear)
    assert _height(g, 44.990, 20.005) == pytest.approx(50.0)


def test_pixel_is_point_samples_stand_at_the_tie_point(tmp_path):
    p = tmp_path / "dem.tiff"
    _write(p, Z, lon0=20.0, lat0=45.0, dlon=0.01, dlat=0.02, raster_type=2)
    g = load_terrain_grid(p)
    assert g.bounds == pytest.approx((44.96, 45.0, 20.0, 20.03))
    assert _height(g, 45.0, 20.0) == pytest.approx(0.0)
    assert _height(g, 44.96, 20.03) == pytest.approx(203.0)


@pytest.mark.parametrize("kwargs,message", [
    (dict(model_type=1), "EPSG:4326"),
    (dict(georef=False), "georeference"),
    (dict(nodata=-32768), "nodata"),
])
def test_unusable_geotiffs_are_refused_with_a_reason(tmp_path, kwargs, message):
    p = tmp_path / "dem.tif"
    z = Z.copy()
    if "nodata" in kwargs:
        z[1, 1] = -32768
    _write(p, z, 20.0, 45.0, 0.01, 0.01, **kwargs)
    with pytest.raises(ValueError, match=message):
        load_terrain_grid(p)


def test_a_file_that_is_not_a_tiff_is_refused(tmp_path):
    p = tmp_path / "dem.tif"
    p.write_bytes(b"GIF89a not a tiff")
    with pytest.raises(ValueError, match="GeoTIFF"):
        load_terrain_grid(p)
