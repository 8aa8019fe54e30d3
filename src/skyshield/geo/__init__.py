"""Geodesy kernels (WGS 84): pure numpy functions over arrays, SI units."""

from skyshield.geo.angles import wrap_angle
from skyshield.geo.wgs84 import (
    WGS84_A_M,
    WGS84_B_M,
    WGS84_E2,
    WGS84_F,
    aer_to_enu,
    ecef_to_enu,
    ecef_to_geodetic,
    ecef_velocity_to_enu,
    enu_rotation,
    enu_to_aer,
    enu_to_ecef,
    enu_to_geodetic,
    enu_velocity_to_ecef,
    geodetic_to_ecef,
    geodetic_to_enu,
)

__all__ = [
    "WGS84_A_M",
    "WGS84_B_M",
    "WGS84_E2",
    "WGS84_F",
    "aer_to_enu",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "ecef_velocity_to_enu",
    "enu_rotation",
    "enu_to_aer",
    "enu_to_ecef",
    "enu_to_geodetic",
    "enu_velocity_to_ecef",
    "geodetic_to_ecef",
    "geodetic_to_enu",
    "wrap_angle",
]
