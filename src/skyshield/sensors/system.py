"""The sensing system: every radar's scans, with their jam strobes and first detections.

Each radar scans at its own revisit period while alive and radiating. A scan sees the air
vehicles present (their positions, heights above the ground, radar cross-sections and Swerling
cases), the jammers radiating, and the terrain's line of sight when the scenario has a terrain
grid; it returns its detections (range, azimuth, elevation in the radar's frame, with their
standard deviations) and its events: a strobe the radar sees from a jammer for the first time,
the scan itself (true detections and false alarms) and the first detection of each vehicle by
any radar. The strobes of each radar's latest scan are kept for fire control's jamming cue.

Random draws: ``radar:NAME`` (detections, noise, false alarms) and ``strobe:NAME`` (strobe
bearings), one stream per radar, so that one radar's draws never shift another's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from skyshield.engine.events import Event
from skyshield.engine.rng import stream
from skyshield.geo import enu_to_geodetic
from skyshield.physics.terrain import line_of_sight_clear
from skyshield.sensors.radar import Detections, Jammers, RadarSet, Strobes, scan, strobes

__all__ = ["Sensing", "Targets", "ScanResult"]


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

    def scan(self, t: float, i: int, tg: Targets, jam: Jammers) -> ScanResult:
        """Radar ``i`` scans at ``t`` (the caller checks that it radiates)."""
        rs = self.rs
        rs.last_emission_s[i] = t
        det = scan(rs, i, t, tg.pos_m, tg.alt_msl_m - self.terrain_m, tg.rcs_m2, tg.swerling,
                   tg.truth_id, jam, self.rng[i], self._terrain_clear(i, tg.pos_m, tg.alt_msl_m),
                   tg.vel_m_s)
        events: list[Event] = []
        if jam.pos_m.shape[0]:
            sb = strobes(rs, i, jam, self.rng_strobe[i])
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
