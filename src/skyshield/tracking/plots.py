"""Plots for the tracker: one radar's detections as measurements in the scenario frame.

A detection is range, azimuth (clockwise from the radar's north) and elevation in the radar's
local ENU frame, with their standard deviations. The converted-measurement filters take it as a
point in the scenario's ENU frame with the converted covariance (rotated from the radar's frame);
the EKF and UKF take the raw polar plot (range, mathematical azimuth, elevation) and its diagonal
covariance.
"""

from __future__ import annotations

import numpy as np

from skyshield.geo import aer_to_enu
from skyshield.tracking import kalman
from skyshield.tracking.tracker import PolarPlots

__all__ = ["to_plots"]


def to_plots(range_m: np.ndarray, az_rad: np.ndarray, el_rad: np.ndarray,
             sigma_range_m: np.ndarray, sigma_az_rad: np.ndarray, sigma_el_rad: np.ndarray,
             radar_pos_m: np.ndarray, rot: np.ndarray, polar: bool
             ) -> tuple[np.ndarray, np.ndarray, PolarPlots | None]:
    """Positions (n, 3) and covariances (n, 3, 3) in the scenario frame of the plots of a radar
    at ``radar_pos_m`` whose frame is ``rot`` (scenario ENU -> radar ENU); and the raw polar
    plots when ``polar`` (for the EKF and UKF)."""
    local = aer_to_enu(az_rad, el_rad, range_m)
    z = local @ rot + radar_pos_m  # rotᵀ·local, row-wise
    R_local = kalman.aer_to_enu_cov(range_m, az_rad, el_rad, sigma_range_m, sigma_az_rad,
                                    sigma_el_rad)
    R = rot.T[None] @ R_local @ rot[None]
    if not polar:
        return z, R, None
    n = range_m.size
    zp = np.column_stack([range_m, np.pi / 2 - az_rad, el_rad])  # mathematical azimuth
    Rp = np.zeros((n, 3, 3))
    Rp[:, 0, 0] = sigma_range_m**2
    Rp[:, 1, 1] = sigma_az_rad**2
    Rp[:, 2, 2] = sigma_el_rad**2
    return z, R, PolarPlots(zp, Rp, radar_pos_m, rot)
