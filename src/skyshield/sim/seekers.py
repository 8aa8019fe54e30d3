"""Anti-radiation missiles' passive seekers: acquire an emitter, home on it, fly on memory.

An air vehicle whose catalogue type has a ``seeker`` (an anti-radiation missile) flies its
scripted route until, at one of its seeker samples (every ``SEEKER_STEP_S``), it hears an
emitter it may home on: a radar of its target unit (of any unit if it has none) that is in
action and radiating (``RadarSet.emitting``: emission control switches it), whose frequency is in
the seeker's band, within its field of view about the missile's velocity, and within the least
of three ranges — the seeker's acquisition range (the missile's reach), the one-way link range
at which the radar's sidelobe radiation reaches the seeker's sensitivity
(``physics.seeker.one_way_range_m``) and the 4/3-Earth radio horizon between the radar's antenna
and the missile (``physics.propagation.horizon_range_m``; terrain masking is not modelled for
the seeker). Of several it takes the strongest. Then it homes: pure pursuit of the emitter,
its path re-planned at each sample as a new straight route from where it is to the emitter at
its current speed (``Simulation.move_vehicle``, the same route machinery as every vehicle) when
the aim point moved.

When the emitter stops radiating (or is put out of action), the seeker flies on memory: it
re-plans once to the last known point displaced by the memory error of
``physics.seeker.memory_miss_m`` for the time from the last instant it heard the emitter to
impact, in a horizontal direction drawn from the named stream ``arm-memory`` (the magnitude is
the model's; the direction is random). If the emitter radiates again and is heard, it homes
again. At its route's end the missile bursts (``sim.effects``): a unit with a radar within
``ARM_LETHAL_RADIUS_M`` is put out of action if the seeker acquired an emitter during the flight;
an ARM whose seeker never acquired has no terminal guidance and its fuze is not armed (assumed:
the fuze is armed by the seeker's lock, so it hits nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyshield.engine.events import Event
from skyshield.engine.rng import stream
from skyshield.geo import enu_to_geodetic
from skyshield.physics.propagation import horizon_range_m
from skyshield.physics.seeker import (
    memory_miss_m,
    off_boresight_rad,
    one_way_range_m,
    received_power_dbm,
)
from skyshield.sim.world import World

__all__ = ["Seekers", "SEEKER_STEP_S", "ROUTE", "HOMING", "MEMORY"]

SEEKER_STEP_S = 0.5  # assumed: the seeker's guidance update (2 Hz) in the simulation
ROUTE, HOMING, MEMORY = 0, 1, 2
_REPLAN_M = 1.0  # re-plan when the aim point moved more than this


@dataclass
class _Figures:
    """One row per air vehicle; NaN where its type has no seeker."""

    acq_range_m: np.ndarray
    half_fov_rad: np.ndarray
    sensitivity_dbm: np.ndarray
    gain_dbi: np.ndarray
    band_min_hz: np.ndarray
    band_max_hz: np.ndarray
    angle_sigma_rad: np.ndarray
    dv_mps: np.ndarray
    bias_mps2: np.ndarray


def _figures(w: World, rows: range) -> _Figures:
    cols: dict[str, list[float]] = {k: [] for k in _Figures.__dataclass_fields__}
    for i in rows:
        sk = w.catalogue.air_vehicles[w.vehicles.type[i]].seeker
        vals = (np.nan,) * len(cols) if sk is None else (
            sk.acquisition_range_m.value, np.radians(sk.field_of_view_deg.value),
            sk.sensitivity_dbm.value, sk.antenna_gain_dbi.value, sk.band_min_hz.value,
            sk.band_max_hz.value, np.radians(sk.angle_sigma_deg.value),
            sk.memory_velocity_error_mps.value, sk.memory_accel_bias_mps2.value)
        for k, x in zip(cols, vals, strict=True):
            cols[k].append(float(x))
    return _Figures(**{k: np.array(v, dtype=float) for k, v in cols.items()})


class Seekers:
    """The seekers of the anti-radiation missiles in the exercise and what each is doing."""

    def __init__(self, world: World, seed: int):
        self.w = world
        self.rng = stream(seed, "arm-memory")
        self.f = _figures(world, range(len(world.vehicles)))
        n = len(world.vehicles)
        self.mode = np.zeros(n, dtype=np.int64)  # ROUTE, HOMING or MEMORY
        self.emitter = np.full(n, -1, dtype=np.int64)  # radar homed on (or last heard)
        self.acquired = np.zeros(n, dtype=bool)  # acquired an emitter at some point
        self.t_heard = np.full(n, -np.inf)  # last sample that heard the emitter
        self.r_heard = np.full(n, np.nan)  # slant range then (m)
        self.aim_m = np.full((n, 3), np.nan)  # the point its route now ends at

    def _grow(self) -> None:
        """Rows for vehicles added since (live injects)."""
        n0, n = self.mode.size, len(self.w.vehicles)
        if n == n0:
            return
        new = _figures(self.w, range(n0, n))
        for name in _Figures.__dataclass_fields__:
            setattr(self.f, name, np.concatenate([getattr(self.f, name), getattr(new, name)]))
        k = n - n0
        self.mode = np.concatenate([self.mode, np.zeros(k, dtype=np.int64)])
        self.emitter = np.concatenate([self.emitter, np.full(k, -1, dtype=np.int64)])
        self.acquired = np.concatenate([self.acquired, np.zeros(k, dtype=bool)])
        self.t_heard = np.concatenate([self.t_heard, np.full(k, -np.inf)])
        self.r_heard = np.concatenate([self.r_heard, np.full(k, np.nan)])
        self.aim_m = np.vstack([self.aim_m, np.full((k, 3), np.nan)])

    def has(self, i: int) -> bool:
        """Whether vehicle ``i`` carries a passive seeker."""
        self._grow()
        return bool(np.isfinite(self.f.acq_range_m[i]))

    def guided(self, i: int) -> bool:
        """Whether the seeker of vehicle ``i`` acquired an emitter during its flight (its fuze
        is armed)."""
        self._grow()
        return bool(self.acquired[i])

    # ------------------------------------------------------------------ what it hears
    def _radiating(self, radars: np.ndarray) -> np.ndarray:
        rs, u = self.w.radars, self.w.units
        ok: np.ndarray = rs.alive[radars] & rs.emitting[radars] & u.alive[rs.unit[radars]]
        return ok

    def audible(self, i: int, pos_m: np.ndarray, vel_mps: np.ndarray, alt_msl_m: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The radars seeker ``i`` hears from ``pos_m`` flying along ``vel_mps``: their indices,
        slant ranges (m) and received powers (dBm), strongest first."""
        w, f, rs = self.w, self.f, self.w.radars
        tu = int(w.vehicles.target_unit[i])
        cand = np.flatnonzero(rs.unit == tu) if tu >= 0 else np.arange(len(rs.name))
        cand = cand[self._radiating(cand) & (rs.freq_hz[cand] >= f.band_min_hz[i])
                    & (rs.freq_hz[cand] <= f.band_max_hz[i])]
        los = rs.pos_m[cand] - pos_m
        r = np.linalg.norm(los, axis=1)
        tx_gain = rs.gain_db[cand] - rs.sidelobe_db[cand]  # towards the missile: a sidelobe
        reach = np.minimum.reduce([
            np.full(cand.size, f.acq_range_m[i]),
            one_way_range_m(rs.peak_power_w[cand], tx_gain, rs.freq_hz[cand], f.gain_dbi[i],
                            f.sensitivity_dbm[i]),
            horizon_range_m(rs.height_agl_m[cand], alt_msl_m - w.terrain_m)])
        seen = (r <= reach) & (off_boresight_rad(vel_mps, los) <= f.half_fov_rad[i])
        cand, r = cand[seen], r[seen]
        p = received_power_dbm(rs.peak_power_w[cand], tx_gain[seen], rs.freq_hz[cand],
                               f.gain_dbi[i], r)
        order = np.argsort(-p, kind="stable")
        return cand[order], r[order], p[order]

    # ------------------------------------------------------------------ one sample
    def step(self, t: float, i: int, pos_m: np.ndarray, vel_mps: np.ndarray, alt_msl_m: float
             ) -> tuple[list[Event], np.ndarray | None]:
        """Seeker ``i``'s sample at ``t`` (the missile at ``pos_m`` ENU, flying ``vel_mps``):
        its events and the point to re-plan its route to (None: keep the route)."""
        self._grow()
        w, rs = self.w, self.w.radars
        speed = float(np.linalg.norm(vel_mps))
        e = int(self.emitter[i])
        if self.mode[i] == HOMING and self._radiating(np.array([e]))[0]:
            self.t_heard[i] = t
            self.r_heard[i] = float(np.linalg.norm(rs.pos_m[e] - pos_m))
            return [], self._aim(i, rs.pos_m[e])
        heard, ranges, _ = self.audible(i, pos_m, vel_mps, alt_msl_m)
        if heard.size:  # acquired (or acquired again, on memory or after losing it)
            e, r = int(heard[0]), float(ranges[0])
            self.mode[i], self.emitter[i], self.acquired[i] = HOMING, e, True
            self.t_heard[i], self.r_heard[i] = t, r
            aim = self._aim(i, rs.pos_m[e])
            return [Event(t, "seeker_acquired", source=rs.name[e], truth_id=i,
                          target=w.units.name[rs.unit[e]], value=r, pos_m=pos_m,
                          t_pred_s=t + r / max(speed, 1.0))], aim
        if self.mode[i] != HOMING:
            return [], None
        # the emitter fell silent: on memory to its last known point
        f = self.f
        self.mode[i] = MEMORY
        lkp = rs.pos_m[e]
        go = float(np.linalg.norm(lkp - pos_m))
        tau = (t - self.t_heard[i]) + go / max(speed, 1.0)
        miss = float(memory_miss_m(tau, self.r_heard[i], f.angle_sigma_rad[i], f.dv_mps[i],
                                   f.bias_mps2[i]))
        phi = float(self.rng.uniform(0.0, 2.0 * np.pi))
        aim_m = lkp + miss * np.array([np.cos(phi), np.sin(phi), 0.0])
        self.aim_m[i] = np.nan  # force the re-plan
        aim = self._aim(i, aim_m)
        t_hit = t + float(np.linalg.norm(aim_m - pos_m)) / max(speed, 1.0)
        return [Event(t, "seeker_memory", source=rs.name[e], truth_id=i,
                      target=w.units.name[rs.unit[e]], value=miss, pos_m=aim_m,
                      t_pred_s=t_hit)], aim

    def _aim(self, i: int, aim_m: np.ndarray) -> np.ndarray | None:
        """``aim_m`` if the route must be re-planned to it (it moved), else None."""
        if np.all(np.isfinite(self.aim_m[i])) and \
                np.linalg.norm(self.aim_m[i] - aim_m) <= _REPLAN_M:
            return None
        self.aim_m[i] = aim_m
        return np.asarray(aim_m, dtype=float)

    def route_to(self, t: float, pos_m: np.ndarray, aim_m: np.ndarray, speed_mps: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """A straight route from ``pos_m`` at ``t`` to ``aim_m`` at ``speed_mps``: waypoint
        times (s), latitudes, longitudes (rad) and altitudes (m), for ``move_vehicle``."""
        pts = np.vstack([pos_m, aim_m])
        lat, lon, h = enu_to_geodetic(pts, *self.w.origin)
        dt = max(float(np.linalg.norm(aim_m - pos_m)) / max(speed_mps, 1.0), 1e-3)
        return np.array([t, t + dt]), np.asarray(lat), np.asarray(lon), np.asarray(h)
