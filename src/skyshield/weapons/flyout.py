"""Interceptors that fly: point-mass flyout with midcourse and terminal guidance.

Every interceptor in the air is a row of arrays (:class:`Interceptors`); one call of
:func:`fly` advances all of them by one guidance interval in RK4 sub-steps
(:mod:`skyshield.physics.flight`). Guidance, per row, against a *guidance target* (position,
velocity, acceleration) given by the caller for the start of the interval and extrapolated
inside it:

* midcourse — true PN (N′ of the airframe) toward the predicted intercept point: the
  air-picture track of the engaging unit extrapolated to the intercept time fire control
  planned (after that time, the track itself), which the command link carries (so losing the
  track, or the radar, matters; a changing track moves the point), lofted for the
  long-range missiles: the aim is raised by the row's loft factor × the horizontal distance to
  go while more than ``LOFT_END_FRACTION`` of the launch distance remains and the target is
  beyond the terminal hand-over (less drag high up, a longer reach; the factor is the
  trajectory programme fire control chose, ``weapons.envelope``);
* terminal — true PN against the seeker's (or, for command guidance, the engagement radar's)
  measurement of the real target: its true position plus a white noise of the missile's
  ``terminal_sigma_m`` per axis, drawn each guidance interval from the run's ``seeker`` stream.
* gravity is compensated (+g added to the command, then projected across the velocity).

After each sub-step the closest approach to the *real* target inside it is found
(:func:`skyshield.physics.flight.cpa_in_step`); when the range starts opening the warhead
fuzes at that point and the miss distance is final. An interceptor slower than ``min_speed``
after burnout, below the ground, or past its flight-time limit is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from skyshield.physics.flight import (
    AIRFRAME_FIELDS,
    FUZED,
    LOST,
    Airframe,
    FlightState,
    fly_guided,
)

__all__ = ["Interceptors", "Fuzed", "fly", "sample_targets", "airframe_table", "AIRFRAME_FIELDS",
           "MIN_SPEED_MPS", "SUB_STEP_S", "COMMAND_TERMINAL_M", "LOFT_END_FRACTION",
           "terminal_reach_m", "lofting",
           "MIN_ARRIVAL_MPS", "FUZE_RANGE_M"]

SUB_STEP_S = 0.05  # RK4 sub-step (s): autopilot lags are 0.1-0.3 s
MIN_SPEED_MPS = 250.0  # assumed: below this after burnout a missile can no longer manoeuvre
# assumed: an intercept counts as within reach only if the missile arrives at 500 m/s or more
# (energy to out-turn a manoeuvring target); the catalogue airframes are tuned on it
MIN_ARRIVAL_MPS = 500.0
FUZE_RANGE_M = 300.0  # assumed: a proximity fuze sees a closest approach within 300 m
COMMAND_TERMINAL_M = 10000.0  # assumed: command guidance switches to the precision track here
LOFT_END_FRACTION = 0.2  # assumed: the loft ends when a fifth of the launch distance remains


def terminal_reach_m(seeker_range_m: np.ndarray | float) -> np.ndarray:
    """Range at which the terminal phase can start: the seeker's acquisition range, or for
    command guidance (seeker range 0) the engagement radar's precision track."""
    r = np.asarray(seeker_range_m, dtype=float)
    return np.where(r > 0, r, COMMAND_TERMINAL_M)


def lofting(aim_pos_m: np.ndarray, pos_m: np.ndarray, launch_distance_m: np.ndarray,
            terminal_reach: np.ndarray) -> np.ndarray:
    """Rows still in the lofted midcourse: more than ``LOFT_END_FRACTION`` of the launch
    (ground) distance to go, and the aim beyond the terminal reach."""
    rel = aim_pos_m - pos_m
    return ((np.linalg.norm(rel[:, :2], axis=1) > LOFT_END_FRACTION * launch_distance_m)
            & (np.linalg.norm(rel, axis=1) > terminal_reach))


def airframe_table(rows: list[dict[str, float]]) -> Airframe:
    """An :class:`Airframe` from one dict of figures per missile type (catalogue values;
    ``ref_area_m2`` from ``diameter_m``)."""
    def col(k: str) -> np.ndarray:
        if k == "ref_area_m2":
            return np.array([np.pi * r["diameter_m"] ** 2 / 4 for r in rows], dtype=float)
        if k == "mass0_kg":
            return np.array([r["mass_kg"] for r in rows], dtype=float)
        return np.array([r[k] for r in rows], dtype=float)
    return Airframe(*(col(k) for k in AIRFRAME_FIELDS))


@dataclass
class Interceptors:
    """Interceptors launched in the run (rows never removed; ``alive`` marks those flying)."""

    types: Airframe  # one row per missile type
    nav_ratio: np.ndarray  # per type
    loft: np.ndarray  # per type
    seeker_range_m: np.ndarray  # per type (0: command guidance to the end)
    weapon_id: list[int] = field(default_factory=list)
    unit: list[int] = field(default_factory=list)
    missile: list[int] = field(default_factory=list)
    track_id: list[int] = field(default_factory=list)
    victim: list[int] = field(default_factory=list)  # truth id the terminal phase homes on
    t_launch_s: list[float] = field(default_factory=list)
    t_max_s: list[float] = field(default_factory=list)
    assessed: list[bool] = field(default_factory=list)
    loft_row: list[float] = field(default_factory=list)  # the programme's loft factor
    launch_dist_m: list[float] = field(default_factory=list)  # ground distance to the aim
    t_intercept_s: list[float] = field(default_factory=list)  # planned (nan: none)
    state: FlightState = field(default_factory=lambda: FlightState(
        np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0), np.zeros((0, 3)), np.zeros(0)))
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    terminal: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    fuzed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def launch(self, unit: int, missile: int, track_id: int, t_s: float, pos_m: np.ndarray,
               direction: np.ndarray, max_flight_s: float, launch_speed_mps: float = 40.0,
               loft: float = 0.0, launch_distance_m: float = 0.0,
               t_intercept_s: float = np.nan) -> int:
        wid = len(self.weapon_id) + 1
        self.t_intercept_s.append(t_intercept_s)
        self.loft_row.append(loft)
        self.launch_dist_m.append(launch_distance_m)
        self.weapon_id.append(wid)
        self.unit.append(unit)
        self.missile.append(missile)
        self.track_id.append(track_id)
        self.victim.append(-1)
        self.t_launch_s.append(t_s)
        self.t_max_s.append(t_s + max_flight_s)
        self.assessed.append(False)
        d = direction / max(float(np.linalg.norm(direction)), 1e-9)
        s = self.state
        self.state = FlightState(np.vstack([s.pos_m, pos_m[None]]),
                                 np.vstack([s.vel_mps, launch_speed_mps * d[None]]),
                                 np.append(s.mass_kg, self.types.mass0_kg[missile]),
                                 np.vstack([s.a_lat_mps2, np.zeros((1, 3))]),
                                 np.append(s.t_flight_s, 0.0))
        self.alive = np.append(self.alive, True)
        self.terminal = np.append(self.terminal, False)
        self.fuzed = np.append(self.fuzed, False)
        return wid

    def take(self, rows: np.ndarray) -> FlightState:
        return _take(self.state, rows)

    def put(self, rows: np.ndarray, sub: FlightState) -> None:
        _put(self.state, rows, sub)

    def in_flight(self) -> np.ndarray:
        return np.flatnonzero(self.alive)


@dataclass(frozen=True)
class Fuzed:
    """Rows that reached their closest approach in this interval: when and how close."""

    rows: np.ndarray
    t_s: np.ndarray
    miss_m: np.ndarray
    pos_m: np.ndarray


def sample_targets(fn: Callable[[float], tuple[np.ndarray, np.ndarray]], times_s: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Positions and velocities (K, n, 3) of a target function ``fn(t) -> (pos, vel)`` at the
    instants ``times_s`` (K,)."""
    out = [fn(float(t)) for t in times_s]
    return np.stack([o[0] for o in out]), np.stack([o[1] for o in out])


def fly(af: Airframe, s: FlightState, nav_ratio: np.ndarray, loft: np.ndarray,
        aim: Callable[[float], tuple[np.ndarray, np.ndarray]],
        real: Callable[[float], tuple[np.ndarray, np.ndarray]],
        midcourse: np.ndarray, t0_s: float, interval_s: float, sub_step_s: float = SUB_STEP_S,
        ground_alt_m: float = -np.inf, alt0_m: float = 0.0, earth_radius_m: float = np.inf
        ) -> tuple[FlightState, Fuzed, np.ndarray]:
    """Advance rows (all arrays (n, ...)) from ``t0_s`` by ``interval_s``.

    ``aim(t)`` gives the guidance target's position and velocity (n, 3) at time t, ``real(t)``
    the real target's (for the fuze); both are sampled at the sub-step instants and the
    interval is flown in one compiled call (:func:`skyshield.physics.flight.fly_guided`).
    ``midcourse`` (n,) marks rows still lofting toward the track. Returns the new state, the
    rows that fuzed (with time, miss and position) and a mask of rows lost (too slow after
    burnout, or below ``ground_alt_m``, altitudes from ``alt0_m`` and ``earth_radius_m`` as in
    :func:`skyshield.physics.flight.altitude_m`). Fuzed and lost rows are frozen where that
    happened; the others have flown the whole interval.
    """
    steps = max(1, int(round(interval_s / sub_step_s)))
    h = interval_s / steps
    times = t0_s + h * np.arange(steps + 1)
    aim_p, aim_v = sample_targets(aim, times)
    real_p, _ = sample_targets(real, times)
    new, res = fly_guided(af, s, nav_ratio, loft, midcourse, aim_p, aim_v, real_p, t0_s, h,
                          FUZE_RANGE_M, MIN_SPEED_MPS, ground_alt_m, alt0_m, earth_radius_m)
    rows = np.flatnonzero(res.status == FUZED)
    fz = Fuzed(rows, res.t_fuze_s[rows], res.miss_m[rows], res.pos_fuze_m[rows])
    return new, fz, res.status == LOST


def _take(s: FlightState, idx: np.ndarray) -> FlightState:
    return FlightState(s.pos_m[idx], s.vel_mps[idx], s.mass_kg[idx], s.a_lat_mps2[idx],
                       s.t_flight_s[idx])


def _put(s: FlightState, idx: np.ndarray, sub: FlightState) -> None:
    s.pos_m[idx], s.vel_mps[idx], s.mass_kg[idx] = sub.pos_m, sub.vel_mps, sub.mass_kg
    s.a_lat_mps2[idx], s.t_flight_s[idx] = sub.a_lat_mps2, sub.t_flight_s
