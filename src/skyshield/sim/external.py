"""Entities of other simulators in a live exercise: DIS dead reckoning and their bounds.

An entity another simulator sends (a received DIS Entity State PDU, journaled as an ``external``
command: lat, lon in degrees, alt ellipsoidal metres, vel_enu m/s in the scenario's ENU frame)
joins the exercise as a vehicle whose route is the straight line it flies on if nothing changes
(IEEE 1278.1 dead reckoning F-P-W: constant velocity, in ECEF and so in the scenario's ENU frame),
re-drawn at every update. Its motion is the other simulator's, not checked against the catalogue
type, which gives it its signature only. The commands themselves are ``sim.live_commands``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skyshield.geo import enu_to_geodetic, geodetic_to_enu

__all__ = ["EXTERNAL_ALT_M", "EXTERNAL_DR_STEPS_S", "EXTERNAL_HORIZON_S",
           "EXTERNAL_MAX_DISTANCE_M", "EXTERNAL_MAX_SPEED_MPS", "EXTERNAL_TYPES",
           "dead_reckoned", "external_type"]

EXTERNAL_HORIZON_S = 600.0  # an external entity is dead-reckoned this far ahead
# waypoints on the dead-reckoned straight line, seconds after an update (then the horizon):
# close together first, so that the route (linear in latitude, longitude, altitude between
# waypoints) keeps to the line within centimetres at 250 m/s until the next update (a 5 s
# heartbeat); one long leg to the horizon put the entity 2.6 m/s off course at once
EXTERNAL_DR_STEPS_S = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0)
# assumed bounds of what another simulator may put into the exercise
EXTERNAL_MAX_SPEED_MPS = 5000.0
EXTERNAL_ALT_M = (-500.0, 100_000.0)
EXTERNAL_MAX_DISTANCE_M = 2_000_000.0
# assumed: catalogue types for entities that other simulators send (DIS kind 2 = munition)
EXTERNAL_TYPES = {("hostile", "munition"): "cruise_missile_subsonic",
                  ("hostile", "platform"): "strike_aircraft",
                  ("friendly", "munition"): "cruise_missile_subsonic",
                  ("friendly", "platform"): "mig29"}


def external_type(c: dict[str, Any]) -> str:
    """The catalogue type of an ``external`` command's entity: its own ``type``, else the one
    for its force and kind (``EXTERNAL_TYPES``; "" if none)."""
    return str(c.get("type") or EXTERNAL_TYPES.get((str(c.get("force")),
                                                    str(c.get("kind", "platform"))), ""))


def dead_reckoned(origin: tuple[float, float, float], c: dict[str, Any]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where an external entity will be if it flies on as it is: times after now (0,
    ``EXTERNAL_DR_STEPS_S``..., the horizon), latitudes and longitudes in radians and altitudes
    (clipped to ``EXTERNAL_ALT_M``) of points on its straight line. ``origin`` is the scenario's
    (lat rad, lon rad, alt m); ``c`` the ``external`` command. At rest, all points are the same
    place: the entity stays there until its next update."""
    lat0, lon0, alt0 = origin
    lat_r, lon_r = float(np.radians(c["lat"])), float(np.radians(c["lon"]))
    p = np.asarray(geodetic_to_enu(lat_r, lon_r, float(c["alt"]), lat0, lon0, alt0),
                   dtype=float).ravel()
    v = np.asarray(c["vel_enu"], dtype=float)
    horizon = EXTERNAL_HORIZON_S
    lo_, hi_ = EXTERNAL_ALT_M
    if v[2] > 0:  # stop the extrapolation at the altitude limits
        horizon = min(horizon, (hi_ - float(c["alt"])) / v[2])
    elif v[2] < 0:
        horizon = min(horizon, (lo_ - float(c["alt"])) / v[2])
    horizon = max(horizon, 1.0)
    tau = np.array([0.0, *(s for s in EXTERNAL_DR_STEPS_S if s < horizon), horizon])
    lat, lon, alt = enu_to_geodetic(p + v * tau[:, None], lat0, lon0, alt0)
    lat[0], lon[0] = lat_r, lon_r  # the received point itself
    alt = np.clip(alt, lo_, hi_)
    alt[0] = float(c["alt"])
    return tau, lat, lon, alt
