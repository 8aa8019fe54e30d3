"""The sensing system: every radar's scans, with their jam strobes and first detections.

Each radar scans at its own revisit period while alive and radiating. A scan sees the air
vehicles present (their positions, heights above the ground, radar cross-sections and Swerling
cases), the jammers radiating, and the terrain's line of sight when the scenario has a terrain
grid; it returns its detections (range, azimuth, elevation in the radar's frame, with their
standard deviations) and its events: a strobe the radar sees from a jammer for the first time,
the scan itself (true detections and false alarms) and the first detection of each vehicle by
any radar. The strobes of each radar's latest scan are kept for fire control's jamming cue.

A fire-control radar (``RadarSet.fire_control``) is also scheduled: before each scan
:meth:`Sensing.schedule` takes the joint picture's cues (confirmed tracks), gives those inside
the radar's coverage the slots of its time budget (``max_tracks``: the tracks the unit engages
first, then those it holds, then the nearest; a ``radar_cued`` event for each it takes), and
keeps the directions of the held tracks whose acquisition time has run since their cue; the
scan looks into its sector and those directions only. What each
radar illuminated at its latest scan is kept in :attr:`Sensing.emissions` (the emitter picture
an enemy's receiver sees; :meth:`Sensing.illuminates`).

Random draws: ``radar:NAME`` (detections, noise, false alarms) and ``strobe:NAME`` (strobe
bearings), one stream per radar, so that one radar's draws never shift another's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from skyshield.engine.events import Event
from skyshield.engine.rng import stream
from skyshield.geo import enu_to_aer, enu_to_geodetic
from skyshield.physics import propagation
from skyshield.physics.terrain import line_of_sight_clear
from skyshield.sensors.radar import (
    Detections,
    Jammers,
    RadarSet,
    Strobes,
    looked_at,
    scan,
    strobes,
)

__all__ = ["Sensing", "Targets", "ScanResult", "Cues", "Emission"]


@dataclass
class Cues:
    """The joint picture's confirmed tracks offered to a fire-control radar (rows = tracks)."""

    track_id: np.ndarray  # (k,) int
    pos_m: np.ndarray  # (k, 3) scenario ENU, predicted to the scan's instant
    first: np.ndarray | None = None  # (k,) bool: the unit engages it (held before the others)
    truth_id: np.ndarray | None = None  # (k,) the vehicle each follows (the event log only)


@dataclass
class Emission:
    """Where radar ``i`` radiated at its latest scan: its sector (half width π: all round)
    and the directions of its track dwells (radar frame)."""

    t_s: float
    sector_az_rad: float
    sector_half_rad: float
    dwell_az_rad: np.ndarray
    dwell_el_rad: np.ndarray


@dataclass
class Targets:
    """The air vehicles present at a scan (rows = ``truth_id``)."""

    truth_id: np.ndarray
    pos_m: np.ndarray  # (n, 3) scenario ENU
    alt_msl_m: np.ndarray  # (n,) altitude above mean sea level
    rcs_m2: np.ndarray
    swerling: np.ndarray
    vel_m_s: np.ndarray | None = None  # (n, 3) scenario ENU, for MTI/Doppler radial speeds


@dataclass
class ScanResult:
    detections: Detections
    events: list[Event]


class Sensing:
    """The radars of the exercise; ``scan`` runs one radar's scan."""

    def __init__(self, radars: RadarSet, seed: int, n_vehicles: int, *, terrain_m: float,
                 origin: tuple[float, float, float], terrain_grid: Any = None):
        self.rs = radars
        self.terrain_m = terrain_m  # the ground's height MSL under the defence
        self.origin = origin
        self.grid = terrain_grid  # ``z_m`` and ``bounds`` of an elevation grid, or None
        self.rng = [stream(seed, f"radar:{n}") for n in radars.name]
        # jam strobes: their own streams, so that they leave every other draw as it was
        self.rng_strobe = [stream(seed, f"strobe:{n}") for n in radars.name]
        self.strobes: dict[int, tuple[float, Strobes]] = {}  # radar -> latest scan's strobes
        self._strobe_seen: set[tuple[int, int]] = set()
        self.first_detected = np.zeros(n_vehicles, dtype=bool)
        # fire-control radars: track id -> instant its slot was granted (acquisition starts)
        self.held: dict[int, dict[int, float]] = {i: {} for i in range(len(radars.name))}
        self.dwells: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # radar -> next scan's
        self.emissions: dict[int, Emission] = {}

    def add_vehicles(self, n: int) -> None:
        self.first_detected = np.concatenate([self.first_detected, np.zeros(n, dtype=bool)])

    def radiating(self, i: int) -> bool:
        return bool(self.rs.alive[i] and self.rs.emitting[i])

    def _terrain_clear(self, i: int, pos_m: np.ndarray, alt_m: np.ndarray
                       ) -> np.ndarray | None:
        """Which targets the terrain grid leaves in radar ``i``'s line of sight (None: no grid)."""
        g = self.grid
        if g is None or pos_m.shape[0] == 0:
            return None
        rs = self.rs
        lat, lon, _ = enu_to_geodetic(pos_m, *self.origin)
        return line_of_sight_clear(rs.lat_deg[i], rs.lon_deg[i], rs.h_msl_m[i], np.degrees(lat),
                                   np.degrees(lon), alt_m, g.z_m, *g.bounds)

    def is_fire_control(self, i: int) -> bool:
        fc = self.rs.fire_control
        return fc is not None and bool(fc[i])

    def schedule(self, t: float, i: int, cues: Cues) -> list[Event]:
        """Fire-control radar ``i``'s track dwells for its scan at ``t`` (module docstring):
        the cues inside its coverage (instrumented range, elevation, the 4/3-Earth horizon at
        the track's height) hold its ``max_tracks`` slots — those the unit engages first, then
        those it already holds, then the nearest; a newly held cue starts its acquisition at
        ``t``.
        The azimuths and elevations (radar frame) of the held cues whose acquisition time has
        run are kept for the scan; returns a ``radar_cued`` event per newly held cue."""
        rs = self.rs
        assert rs.acquisition_s is not None and rs.max_tracks is not None
        held = self.held[i]
        k = cues.track_id.size
        if k == 0:
            held.clear()
            self.dwells[i] = (np.zeros(0), np.zeros(0))
            return []
        rel = (cues.pos_m - rs.pos_m[i]) @ rs.rot[i].T
        az, el, r = enu_to_aer(rel)
        _, _, alt = enu_to_geodetic(cues.pos_m, *self.origin)
        agl = np.maximum(np.asarray(alt) - self.terrain_m, 0.0)
        inside = ((r >= rs.min_range_m[i]) & (r <= rs.max_range_m[i]) & (el <= rs.max_el_rad[i])
                  & (r <= propagation.horizon_range_m(rs.height_agl_m[i], agl)))
        ids = cues.track_id.astype(np.int64)
        was = np.array([int(x) in held for x in ids], dtype=bool)
        first = np.zeros(k, dtype=bool) if cues.first is None else cues.first
        # priority: engaged by the unit, then held (no thrashing), then nearest
        order = np.lexsort((r, ~was, ~first))
        order = order[inside[order]]
        cap = int(rs.max_tracks[i])
        keep = order if cap <= 0 else order[:cap]
        new_held = {int(ids[j]): held.get(int(ids[j]), t) for j in keep}
        self.held[i] = new_held
        ready = np.array([t >= new_held[int(ids[j])] + rs.acquisition_s[i] for j in keep],
                         dtype=bool)
        on = keep[ready] if keep.size else keep
        self.dwells[i] = (az[on], el[on])
        truth = cues.truth_id
        return [Event(t, "radar_cued", source=rs.name[i], track_id=int(ids[j]),
                      truth_id=-1 if truth is None else int(truth[j]),
                      value=float(rs.acquisition_s[i]))
                for j in keep if int(ids[j]) not in held]

    def release(self, i: int) -> None:
        """Radar ``i`` stops radiating (silent, destroyed): it lets go of the tracks it held;
        radiating again, it acquires its cues anew."""
        self.held[i] = {}
        self.dwells.pop(i, None)

    def illuminates(self, i: int, az_rad: np.ndarray, el_rad: np.ndarray,
                    since_s: float = -np.inf) -> np.ndarray:
        """Whether radar ``i``'s latest scan, if at or after ``since_s``, put its beams on the
        directions ``az_rad``, ``el_rad`` (radar frame): the emitter picture an enemy receiver
        there sees (all round for a scanning radar; sector and dwells for a fire-control one)."""
        e = self.emissions.get(i)
        az = np.asarray(az_rad, dtype=float)
        if e is None or e.t_s < since_s:
            return np.zeros(az.shape, dtype=bool)
        return looked_at(self.rs, i, az, np.asarray(el_rad, dtype=float), e.dwell_az_rad,
                         e.dwell_el_rad)

    def covers(self, i: int) -> Callable[[np.ndarray], np.ndarray] | None:
        """Where radar ``i``'s latest scan looked, for the tracker's opportunities: a function
        of positions (k, 3) in the scenario frame (its sector and dwells), None for a radar
        that scans all round (the tracker's range test is enough)."""
        if not self.is_fire_control(i):
            return None
        rs = self.rs

        def looked(pos_m: np.ndarray) -> np.ndarray:
            az, el, _ = enu_to_aer((np.asarray(pos_m, dtype=float) - rs.pos_m[i]) @ rs.rot[i].T)
            return self.illuminates(i, az, el)
        return looked

    def scan(self, t: float, i: int, tg: Targets, jam: Jammers) -> ScanResult:
        """Radar ``i`` scans at ``t`` (the caller checks that it radiates); a fire-control
        radar looks into its sector and the dwells of its last :meth:`schedule` (none if it
        was not scheduled)."""
        rs = self.rs
        rs.last_emission_s[i] = t
        d_az, d_el = self.dwells.pop(i, (None, None)) if self.is_fire_control(i) else (None,
                                                                                        None)
        self.emissions[i] = Emission(
            t, 0.0 if rs.sector_az_rad is None else float(rs.sector_az_rad[i]),
            float(rs.half_sector_rad[i]), np.zeros(0) if d_az is None else d_az,
            np.zeros(0) if d_el is None else d_el)
        det = scan(rs, i, t, tg.pos_m, tg.alt_msl_m - self.terrain_m, tg.rcs_m2, tg.swerling,
                   tg.truth_id, jam, self.rng[i], self._terrain_clear(i, tg.pos_m, tg.alt_msl_m),
                   tg.vel_m_s, d_az, d_el)
        events: list[Event] = []
        if jam.pos_m.shape[0]:
            sb = strobes(rs, i, jam, self.rng_strobe[i], d_az, d_el)
            self.strobes[i] = (t, sb)
            assert jam.truth_id is not None
            for k, az in zip(sb.jammer, sb.az_rad, strict=True):
                key = (i, int(jam.truth_id[k]))
                if key not in self._strobe_seen:
                    self._strobe_seen.add(key)
                    events.append(Event(t, "jam_strobe", source=rs.name[i], truth_id=key[1],
                                        value=float(np.degrees(az)),
                                        info="bearing deg, radar frame"))
        n_true = int((det.truth_id >= 0).sum())
        events.append(Event(t, "scan", source=rs.name[i], value=n_true,
                            info=f"false={len(det) - n_true}", count=len(det) - n_true))
        new = det.truth_id[(det.truth_id >= 0)]
        for tid in new[~self.first_detected[new]]:
            self.first_detected[tid] = True
            events.append(Event(t, "first_detection", source=rs.name[i], truth_id=int(tid),
                                value=float(det.true_range_m[det.truth_id == tid][0]),
                                pos_m=tg.pos_m[tg.truth_id == tid][0]))
        return ScanResult(det, events)
