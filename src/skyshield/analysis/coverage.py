"""Radar coverage for planners: detection range against a reference target, by bearing.

For each radar of a scenario, the range at which a target of RCS σ flying at a height h above
the terrain is detected with probability ``pd_required`` on one scan, for every bearing: the
least of the instrumented range, the 4/3-Earth horizon √(2kR0·ha) + √(2kR0·ht), and the radar
equation solved for the SNR that gives ``pd_required`` (:func:`physics.detection.required_snr_db`)
with noise jamming from the scenario's jammers at a chosen instant:

    S(R) = S₁ · σ / R⁴ / (1 + J/N(bearing))  ⇒  R = (S₁·σ / ((1 + J/N)·S_req))^(1/4)

S₁ is the radar's dwell SNR for 1 m² at 1 m. J/N depends on the bearing: a jammer within half a
beamwidth of the beam enters through the main lobe, else through a sidelobe.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyshield.engine.motion import ragged_take, route_state
from skyshield.physics import detection, propagation
from skyshield.sensors.radar import Jammers, jam_to_noise
from skyshield.sim.world import World

__all__ = ["Coverage", "jammers_at", "default_jam_time_s", "detection_range_m", "pd_at_range",
           "coverage"]


def jammers_at(world: World, t_s: float) -> Jammers:
    """The jammers of the scenario in the air at ``t_s``, where their routes put them."""
    v = world.vehicles
    on = (v.jammer_power_w > 0) & (v.t_start_s <= t_s) & (t_s <= v.t_end_s)
    if v.jam_from_s is not None:  # switched on when on station
        on &= v.jam_from_s <= t_s
    j = np.flatnonzero(on)
    k, wp_start = ragged_take(v.wp_start, j)
    pos, _, alt = route_state(v.wp_t_s[k], v.wp_lat_rad[k], v.wp_lon_rad[k], v.wp_alt_m[k],
                              wp_start, t_s, world.origin)
    return Jammers(pos.reshape(-1, 3), alt - world.terrain_m, v.jammer_power_w[j],
                   v.jammer_gain_db[j], v.jammer_bandwidth_hz[j])


def default_jam_time_s(world: World) -> float | None:
    """Half-way through the first jammer's flight, or None if the scenario has no jammer."""
    v = world.vehicles
    j = np.flatnonzero(v.jammer_power_w > 0)
    if j.size == 0:
        return None
    return float(0.5 * (v.t_start_s[j[0]] + v.t_end_s[j[0]]))


def detection_range_m(world: World, radar: int, az_rad: np.ndarray, rcs_m2: float,
                      target_agl_m: float, pd_required: float = 0.5, swerling: int = 1,
                      jammers: Jammers | None = None) -> np.ndarray:
    """Single-scan detection range (m) of ``radar`` on each bearing ``az_rad`` (radar frame)."""
    rs = world.radars
    az = np.asarray(az_rad, dtype=float)
    s_req_db = float(detection.required_snr_db(pd_required, rs.pfa[radar], 1, swerling))
    jn = np.zeros(az.shape) if jammers is None else jam_to_noise(rs, radar, az, jammers)
    snr_db = rs.dwell_snr_1m_db[radar] + 10 * np.log10(rcs_m2) - 10 * np.log10(1.0 + jn)
    r_eq = 10 ** ((snr_db - s_req_db) / 40.0)
    r_hor = propagation.horizon_range_m(rs.height_agl_m[radar], max(target_agl_m, 0.0))
    r = np.minimum(np.minimum(r_eq, r_hor), rs.max_range_m[radar])
    return np.where(r >= rs.min_range_m[radar], r, 0.0)


def pd_at_range(world: World, radar: int, range_m: np.ndarray, az_rad: float, rcs_m2: float,
                target_agl_m: float, swerling: int = 1, jammers: Jammers | None = None
                ) -> np.ndarray:
    """Single-scan detection probability against range on one bearing (0 beyond the horizon
    or the instrumented range)."""
    rs = world.radars
    r = np.asarray(range_m, dtype=float)
    jn = 0.0 if jammers is None else float(jam_to_noise(rs, radar, np.array([az_rad]),
                                                        jammers)[0])
    snr_db = (rs.dwell_snr_1m_db[radar] + 10 * np.log10(rcs_m2 / r**4)
              - 10 * np.log10(1.0 + jn))
    p = detection.pd(snr_db, rs.pfa[radar], 1, swerling)
    visible = ((r <= propagation.horizon_range_m(rs.height_agl_m[radar],
                                                 max(target_agl_m, 0.0)))
               & (r <= rs.max_range_m[radar]) & (r >= rs.min_range_m[radar]))
    return np.where(visible, p, 0.0)


@dataclass(frozen=True)
class Coverage:
    radar: list[str]
    az_rad: np.ndarray  # (A,) bearings, clockwise from north
    range_m: np.ndarray  # (radars, A)
    range_no_jam_m: np.ndarray  # (radars, A)
    jammers: Jammers
    t_s: float | None


def coverage(world: World, rcs_m2: float, target_agl_m: float, pd_required: float = 0.5,
             swerling: int = 1, t_s: float | None = None, n_az: int = 720) -> Coverage:
    """Detection range of every radar on ``n_az`` bearings, with and without the jammers in
    the air at ``t_s`` (default: half-way through the first jammer's flight)."""
    t = default_jam_time_s(world) if t_s is None else t_s
    jam = jammers_at(world, t) if t is not None else jammers_at(world, -1.0)
    az = np.linspace(0.0, 2 * np.pi, n_az, endpoint=False)
    rs = world.radars
    with_jam = np.array([detection_range_m(world, i, az, rcs_m2, target_agl_m, pd_required,
                                           swerling, jam) for i in range(len(rs.name))])
    no_jam = np.array([detection_range_m(world, i, az, rcs_m2, target_agl_m, pd_required,
                                         swerling, None) for i in range(len(rs.name))])
    return Coverage(list(rs.name), az, with_jam, no_jam, jam, t)
