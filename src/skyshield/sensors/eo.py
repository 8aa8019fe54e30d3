"""Electro-optical tracking channels: what a fire unit's television or thermal tracker sees.

A unit's EO system (``EOSet``, one row per channel) is a narrow-field tracker, not a search
sensor: it is pointed by a cue (a direction from the unit's picture) and acquires the air
vehicle nearest the cue inside half its field of view, when that vehicle is within the range the
conditions allow (``physics.eo``):

* **television** (``tv``) needs daylight; its limit is the smaller of the contrast range
  R = ln(|C₀|/ε)/σ (Duntley's law, σ from the visibility as the WMO's meteorological optical
  range) and Johnson's resolution range R = d_c/(N₅₀·2·IFOV);
* **thermal** (``ir``) works by day and night; its limit is the smaller of the thermal range
  R = ln(ΔT₀/ΔT_th)/γ, γ the band's molecular absorption plus the aerosol extinction scaled from
  the visible by the Kruse/Kim wavelength law, and the same resolution range;

capped by the system's tracking range, above the 4/3-Earth horizon. The system uses the channel
that reaches farthest. The critical dimension of a vehicle is √(its presented area) (NVESD); its
inherent visible contrast and thermal contrast are by category (:data:`TV_CONTRAST`,
:data:`DELTA_T_K`, assumed). A channel is passive: noise jamming does not touch it.

It measures azimuth and elevation with the channel's angle noise, and range with the laser
rangefinder when there is one and the target is within its reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyshield.engine.names import CATEGORIES
from skyshield.geo import enu_to_aer
from skyshield.physics import eo, propagation

__all__ = ["EOSet", "EOLooks", "channel_range_m", "look", "TV_CONTRAST", "DELTA_T_K"]

# assumed: inherent contrast |C₀| of each category against the horizon sky in the visible
# (a grey airframe against a bright sky; Middleton's black object would be 1); by
# engine.names.CATEGORIES: uav, cruise_missile, aircraft, jammer, anti_radiation_missile, decoy
TV_CONTRAST = np.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
# assumed: apparent temperature difference ΔT₀ (K) against the sky background in the 8-12 µm
# window at zero range: a small UAV's engine and skin 3 K, a cruise missile's 5 K, jet aircraft
# with their exhaust and aerodynamic heating 10 K, an anti-radiation missile's heated skin 10 K,
# a MALD-class decoy's small turbojet as a cruise missile's 5 K (its radar augmentation does not
# make it look like an aircraft to a thermal imager)
DELTA_T_K = np.array([3.0, 5.0, 10.0, 10.0, 10.0, 5.0])
assert TV_CONTRAST.size == DELTA_T_K.size == len(CATEGORIES), "one figure per category"


@dataclass
class EOSet:
    """The EO channels of the exercise, one row per channel (arrays of shape (c,)), and the
    systems' figures per fire unit (arrays of shape (u,); ``has_eo`` False: none)."""

    unit: np.ndarray  # (c,) fire unit of each channel
    name: list[str]  # (c,) channel name (tv, ir)
    ir: np.ndarray  # (c,) bool: thermal (works at night), else television (daylight only)
    ifov_rad: np.ndarray
    fov_rad: np.ndarray
    cycles: np.ndarray  # Johnson N50 to acquire
    wavelength_m: np.ndarray
    threshold: np.ndarray  # contrast (tv) or temperature difference K (ir)
    molecular_per_m: np.ndarray
    angle_sigma_rad: np.ndarray
    has_eo: np.ndarray  # (u,)
    max_range_m: np.ndarray  # (u,)
    update_s: np.ndarray  # (u,)
    laser_range_m: np.ndarray  # (u,) 0: no rangefinder
    laser_sigma_m: np.ndarray  # (u,)


def channel_range_m(es: EOSet, channels: np.ndarray, area_m2: np.ndarray,
                    category: np.ndarray, visibility_m: float, daylight: bool) -> np.ndarray:
    """(c', m) range of each of ``channels`` against targets of presented areas ``area_m2`` and
    categories ``category`` (m,), in a visibility (MOR) ``visibility_m`` by day or night
    (module docstring; 0 for a television channel at night)."""
    ch = np.asarray(channels, dtype=np.int64)[:, None]
    ir = es.ir[ch]
    sigma_vis = eo.extinction_per_m(visibility_m)
    ext = np.where(ir, eo.aerosol_extinction_per_m(visibility_m, es.wavelength_m[ch])
                   + es.molecular_per_m[ch], sigma_vis + es.molecular_per_m[ch])
    signal = np.where(ir, DELTA_T_K[category][None, :], TV_CONTRAST[category][None, :])
    r = eo.detection_range_m(eo.critical_dimension_m(area_m2)[None, :], es.ifov_rad[ch],
                             es.cycles[ch], signal, es.threshold[ch], ext)
    return np.where(ir | daylight, r, 0.0)


@dataclass
class EOLooks:
    """What unit ``unit``'s EO system acquired on its cues (arrays of shape (k,), one per cue;
    ``target`` −1: nothing acquired). Angles in the frame ``rot`` of the unit."""

    target: np.ndarray  # index into the targets given to :func:`look`
    channel: np.ndarray  # the channel that acquired (index into the EOSet), −1 none
    range_m: np.ndarray  # true slant range
    az_rad: np.ndarray  # measured azimuth (clockwise from north, unit frame)
    el_rad: np.ndarray  # measured elevation
    sigma_angle_rad: np.ndarray
    lrf_range_m: np.ndarray  # measured range (NaN: no rangefinder or beyond its reach)


def look(es: EOSet, unit: int, pos_m: np.ndarray, rot: np.ndarray, height_agl_m: float,
         cue_pos_m: np.ndarray, tgt_pos_m: np.ndarray, tgt_agl_m: np.ndarray,
         tgt_area_m2: np.ndarray, tgt_category: np.ndarray, visibility_m: float,
         daylight: bool, rng: np.random.Generator, los_clear: np.ndarray | None = None
         ) -> EOLooks:
    """Point unit ``unit``'s EO system (sensor at ``pos_m``, local frame ``rot``, antenna
    height ``height_agl_m``) at each cue position ``cue_pos_m`` (k, 3) and acquire the target
    (of ``tgt_*``, (m,)) nearest the cue's direction inside the channel's half field of view,
    when within reach by the conditions and above the horizon (and ``los_clear``, terrain).
    Vectorised over cues and targets; draws the angle (and range) noise from ``rng``."""
    k = cue_pos_m.shape[0]
    out = EOLooks(np.full(k, -1, dtype=np.int64), np.full(k, -1, dtype=np.int64),
                  np.full(k, np.nan), np.full(k, np.nan), np.full(k, np.nan), np.full(k, np.nan),
                  np.full(k, np.nan))
    chans = np.flatnonzero(es.unit == unit)
    if k == 0 or chans.size == 0 or tgt_pos_m.shape[0] == 0:
        return out
    rel = (tgt_pos_m - pos_m) @ rot.T
    _, _, rng_m = enu_to_aer(rel)
    reach = channel_range_m(es, chans, tgt_area_m2, tgt_category, visibility_m, daylight)
    reach = np.minimum(reach, es.max_range_m[unit])  # (c', m)
    visible = rng_m <= propagation.horizon_range_m(height_agl_m, np.maximum(tgt_agl_m, 0.0))
    if los_clear is not None:
        visible &= los_clear
    # angle between each cue's line of sight and each target's (k, m)
    crel = (cue_pos_m - pos_m) @ rot.T
    cu = crel / np.maximum(np.linalg.norm(crel, axis=1), 1e-9)[:, None]
    tu = rel / np.maximum(rng_m, 1e-9)[:, None]
    off = np.arccos(np.clip(cu @ tu.T, -1.0, 1.0))
    # per channel: inside half its field and within its reach; the system's best channel
    ok = (off[None] <= es.fov_rad[chans][:, None, None] / 2) & (
        rng_m[None, None, :] <= reach[:, None, :]) & visible[None, None, :]  # (c', k, m)
    seen = ok.any(axis=0)  # (k, m)
    cand = np.where(seen, off, np.inf)
    best = np.argmin(cand, axis=1)
    got = np.isfinite(cand[np.arange(k), best])
    rows = np.flatnonzero(got)
    if rows.size == 0:
        return out
    tgt = best[rows]
    # the channel that acquired: the one with the longest reach on that target
    ch_ok = ok[:, rows, tgt]  # (c', r)
    ch_pick = np.argmax(np.where(ch_ok, reach[:, tgt], -1.0), axis=0)
    channel = chans[ch_pick]
    sig = es.angle_sigma_rad[channel]
    az, el, r = enu_to_aer(rel[tgt])
    noise = rng.standard_normal((3, rows.size))
    out.target[rows] = tgt
    out.channel[rows] = channel
    out.range_m[rows] = r
    out.az_rad[rows] = (az + sig * noise[0]) % (2 * np.pi)
    out.el_rad[rows] = el + sig * noise[1]
    out.sigma_angle_rad[rows] = sig
    lrf = es.laser_range_m[unit]
    out.lrf_range_m[rows] = np.where(r <= lrf, r + es.laser_sigma_m[unit] * noise[2], np.nan)
    return out
