"""Radar scans: who is detected, how well, and what false alarms appear.

A scan is instantaneous at its scheduled time (the revisit period sets the rate). For every target
in the exercise, vectorised: geometry in the radar's own local frame, the 4/3-Earth horizon (a
hard cut, as before), the radar equation with coherent integration, the low-level terms of
:func:`low_level` (multipath F⁴ over the radar's surface, rain, land or sea clutter after the
radar's MTI or Doppler processing), noise jamming from every active jammer through the main lobe
or the sidelobes, S/(N + C + J) into a Swerling detection draw, and measurement noise that grows as
SNR falls. False alarms are a Poisson number of uniformly placed plots in the coverage.

Low-level terms (docs/propagation.md for the kernels):

* **Multipath**: the one-way pattern-propagation factor F of :func:`physics.multipath.
  propagation_factor` (spherical-Earth two-ray, the P.452/P.526 intermediate region) for the
  radar's height and the target's height above the terrain, the surface's Fresnel coefficient for
  the radar's polarisation and its roughness; the signal is multiplied by F⁴. The horizon stays a
  hard cut: beyond it the first-term diffraction loss is already < −40 dB two-way for the
  heights of the exercise, and the terrain grid, when there is one, masks as before.
  The antenna's elevation voltage pattern weights the reflected ray: a Gaussian main beam of the
  catalogue's elevation beamwidth, pointed at the target (assumed), f_r = exp(−2·ln2·(Δ/θel)²),
  Δ the angle between the direct ray and the reflected ray leaving the antenna (sidelobes
  neglected): ≈ 1 for low targets, 0 for a pencil beam looking up at a high one.
* **Rain** (scenario ``weather.rain_rate``): ITU-R P.838-3 specific attenuation, two-way, over
  the part of the path below the rain height, at the path's elevation and the polarisation tilt.
* **Clutter** (the surface's constant-γ class): σc = γ·sin ψc × R·θaz·ΔR·sec ψc, ψc the grazing
  angle of the ground cell at the target's range on the 4/3 Earth (none beyond the radar's own
  horizon), weighted by the two-way elevation pattern towards it; the clutter's own propagation
  factor is taken as 1 (assumed: folded into the measured γ). After processing the clutter is
  divided by the improvement factor I (``mti_improvement_db``) and the target multiplied by the
  processing gain: MTI, the N-delay canceller's response to the target's radial speed relative to
  its Doppler average (0 at v_r = 0 and at the blind speeds); Doppler, 0 inside the clutter notch
  |v_r| < ``notch_speed_m_s``, else 1; none, 1 (and I = 0 dB).

Roles (``RadarSet.fire_control``; catalogue ``role``): a surveillance, acquisition,
low-altitude or combined radar scans all round each period. A fire-control radar searches only
its sector (``sector_az_rad`` ± ``sector_half_rad``, about the unit's threat axis) and dwells on
the tracks it holds: the joint air picture cues it with its confirmed tracks inside the radar's
coverage, each takes a slot of its time budget (``max_tracks``) and is first measured
``acquisition_s`` after the cue (``sensors.system.Sensing.schedule``). A dwell's beam cluster
covers ±:data:`DWELL_WINDOW_BEAMS` beamwidths in azimuth and elevation about the cue's predicted
direction; whatever lies in the sector or in a dwell's cluster is measured (the radar equation,
horizon and terrain as for any radar), nothing else. It radiates only there: its jam strobes
(main-lobe J/N) come from those directions alone, and its false alarms from the sector's cells
(a dwell's range gate is a few cells: its false alarms are neglected).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from skyshield.geo import enu_to_aer, wrap_angle
from skyshield.physics import (
    clutter,
    detection,
    jamming,
    measurement,
    multipath,
    propagation,
    radar,
    rain,
)

__all__ = ["RadarSet", "Detections", "Jammers", "Strobes", "scan", "jam_to_noise", "strobes",
           "low_level", "LowLevel", "STROBE_JNR_DB", "MTI", "DOPPLER", "DWELL_WINDOW_BEAMS",
           "false_plot_density", "looked_at", "DEFAULT_SECTOR_DEG", "DEFAULT_ACQUISITION_S",
           "DEFAULT_MAX_TRACKS"]

MTI = "mti"
DOPPLER = "doppler"
_EARTH_RADIUS_M = 4.0 / 3.0 * propagation.EARTH_RADIUS_M  # the horizon's effective Earth

# assumed: a cued phased array acquires a designation by a small cluster of beams about the
# predicted direction (the designation's error is a fraction of a beamwidth to a few); the
# cluster reaches 1.5 beamwidths either side in azimuth and in elevation (3 x 3 beams)
DWELL_WINDOW_BEAMS = 1.5

# defaults of a fire-control radar whose catalogue entry gives no scheduling figures
# assumed: a planar array scanned electronically ±45° about its face (a 90° sector)
DEFAULT_SECTOR_DEG = 90.0
# assumed: designation to first track dwell of an electronically steered radar
DEFAULT_ACQUISITION_S = 2.0
DEFAULT_MAX_TRACKS = 0  # no limit: an entry without the figure keeps every cue

# assumed: a jammer is seen as a strobe on the display when the noise it puts into the beam that
# points at it stands 3 dB above the receiver noise (the noise floor visibly doubles)
STROBE_JNR_DB = 3.0


@dataclass
class RadarSet:
    """One row per radar instance in the exercise (arrays of shape (n,))."""

    name: list[str]
    unit: np.ndarray
    pos_m: np.ndarray  # (n, 3) scenario ENU of the antenna
    rot: np.ndarray  # (n, 3, 3) scenario ENU -> the radar's local ENU
    height_agl_m: np.ndarray
    freq_hz: np.ndarray
    peak_power_w: np.ndarray
    pulse_width_s: np.ndarray
    gain_db: np.ndarray
    sidelobe_db: np.ndarray
    system_temp_k: np.ndarray
    loss_db: np.ndarray
    n_pulses: np.ndarray
    pfa: np.ndarray
    period_s: np.ndarray
    beamwidth_az_rad: np.ndarray
    beamwidth_el_rad: np.ndarray
    range_resolution_m: np.ndarray
    min_range_m: np.ndarray
    max_range_m: np.ndarray
    max_el_rad: np.ndarray
    lat_deg: np.ndarray  # antenna site, for terrain profiles
    lon_deg: np.ndarray
    h_msl_m: np.ndarray  # antenna height above mean sea level
    alive: np.ndarray
    emitting: np.ndarray  # False while silent under emission control
    last_emission_s: np.ndarray  # time of the last scan that radiated
    # low-level propagation and clutter (module docstring)
    surface: list[str]  # physics.surface name under each radar (reflection)
    roughness_m: np.ndarray  # rms height of the surface
    clutter_gamma_db: np.ndarray  # constant-γ γ at the radar's frequency; -inf: no clutter
    vertical: np.ndarray  # bool: vertical polarisation (else horizontal)
    processing: list[str]  # "none", "mti" or "doppler"
    improvement_db: np.ndarray  # clutter improvement factor I
    prf_hz: np.ndarray  # mti: blind speeds (nan otherwise)
    canceller_order: np.ndarray  # mti: 1 or 2
    notch_m_s: np.ndarray  # doppler: clutter notch half-width in radial speed
    rain_rate_mm_h: float = 0.0
    rain_height_m: float = 3000.0  # top of the rain above the terrain
    jammer_path_cache: dict[int, tuple[tuple[bytes, bytes, bytes], np.ndarray]] = field(
        default_factory=dict, repr=False)
    # roles and scheduling (module docstring, Roles); None: every radar scans all round
    fire_control: np.ndarray | None = None  # (n,) bool
    sector_az_rad: np.ndarray | None = None  # (n,) centre of the search sector, radar frame
    sector_half_rad: np.ndarray | None = None  # (n,) half its width (π: all round)
    acquisition_s: np.ndarray | None = None  # (n,) from a cue to its first dwell
    max_tracks: np.ndarray | None = None  # (n,) int: tracks held at once (0: no limit)

    @cached_property
    def n_cells(self) -> np.ndarray:
        """Resolution cells of one scan: range cells × azimuth beams × elevation beams."""
        return ((self.max_range_m - self.min_range_m) / self.range_resolution_m
                * (2 * self.half_sector_rad / self.beamwidth_az_rad)
                * np.maximum(1.0, self.max_el_rad / self.beamwidth_el_rad))

    @property
    def half_sector_rad(self) -> np.ndarray:
        """Half the azimuth sector each radar searches (π: all round)."""
        if self.sector_half_rad is None:
            return np.full(self.freq_hz.shape, np.pi)
        return np.minimum(self.sector_half_rad, np.pi)

    @cached_property
    def dwell_snr_1m_db(self) -> np.ndarray:
        """SNR of one dwell (``n_pulses`` integrated coherently) for 1 m² at 1 m (dB)."""
        return radar.snr_db(self.peak_power_w, self.pulse_width_s, self.freq_hz, 1.0, 1.0,
                            self.gain_db, None, self.system_temp_k, self.loss_db) + \
            10 * np.log10(self.n_pulses)

    @cached_property
    def threshold_db(self) -> np.ndarray:
        """Detection threshold over the noise, the apparent SNR of a false alarm (dB)."""
        return 10 * np.log10(detection.threshold(self.pfa))


@dataclass
class Jammers:
    pos_m: np.ndarray  # (k, 3)
    height_agl_m: np.ndarray
    power_w: np.ndarray
    gain_db: np.ndarray
    bandwidth_hz: np.ndarray
    truth_id: np.ndarray | None = None  # for the event log only; the radar never knows it


@dataclass
class Strobes:
    """Jam strobes of one scan: bearing-only, azimuth clockwise from the radar's local north."""

    az_rad: np.ndarray
    sigma_az_rad: np.ndarray
    jnr_db: np.ndarray
    jammer: np.ndarray  # index into the Jammers given to :func:`strobes`


@dataclass
class Detections:
    """Plots of one scan of one radar, in that radar's local frame."""

    radar: int
    t_s: float
    range_m: np.ndarray
    az_rad: np.ndarray
    el_rad: np.ndarray
    sigma_range_m: np.ndarray
    sigma_az_rad: np.ndarray
    sigma_el_rad: np.ndarray
    snr_db: np.ndarray
    truth_id: np.ndarray  # -1 for a false alarm (for scoring only)
    true_range_m: np.ndarray

    def __len__(self) -> int:
        return int(self.range_m.size)


def jam_to_noise(rs: RadarSet, i: int, az_rad: np.ndarray, jammers: Jammers,
                 low_level_terms: bool = False) -> np.ndarray:
    """Total jammer noise over thermal noise (linear) received by radar ``i`` while its beam
    points at azimuths ``az_rad`` (radar frame): each jammer above the radar's horizon enters
    through the main lobe when within half a beamwidth of the beam, else through a sidelobe
    (gain − sidelobe level); receiver bandwidth 1/τ (see :func:`skyshield.physics.jamming.jnr_db`);
    with ``low_level_terms`` (as in a scan) the jammer's one-way multipath F² and rain apply to
    its noise; without, free space (the planner's coverage, ``analysis.coverage``).
    """
    if jammers.pos_m.shape[0] == 0:
        return np.zeros(np.shape(az_rad))
    jrel = (jammers.pos_m - rs.pos_m[i]) @ rs.rot[i].T
    jaz, jel, jr = enu_to_aer(jrel)
    jvisible = jr <= propagation.horizon_range_m(rs.height_agl_m[i],
                                                 np.maximum(jammers.height_agl_m, 0.0))
    in_main = np.abs(wrap_angle(np.asarray(az_rad)[..., None] - jaz)) <= rs.beamwidth_az_rad[i] / 2
    g_rx = np.where(in_main, rs.gain_db[i], rs.gain_db[i] - rs.sidelobe_db[i])
    jnr = jamming.jnr_db(jammers.power_w, jammers.gain_db, jammers.bandwidth_hz, rs.freq_hz[i],
                         np.maximum(jr, 1.0), g_rx, 1.0 / rs.pulse_width_s[i],
                         rs.system_temp_k[i])
    if low_level_terms:
        jnr = jnr + _one_way_db(rs, i, jr, jel, jammers.height_agl_m)
    return np.where(jvisible, 10 ** (jnr / 10), 0.0).sum(axis=-1)


def _one_way_db(rs: RadarSet, i: int, rng_m: np.ndarray, el_rad: np.ndarray,
                agl_m: np.ndarray) -> np.ndarray:
    """One-way multipath and rain of a jammer's noise (dB): half the two-way terms of
    :func:`low_level` (F², one-way rain), so that S/J sees the same propagation both ways."""
    if rng_m.size == 0:
        return np.zeros(rng_m.shape)
    # a scan asks twice (its J/N, then its strobes) for the same jammers: keep the last answer
    key = (rng_m.tobytes(), el_rad.tobytes(), np.asarray(agl_m, dtype=float).tobytes())
    hit = rs.jammer_path_cache.get(i)
    if hit is not None and hit[0] == key:
        return hit[1]
    low = low_level(rs, i, rng_m, el_rad, agl_m)
    out = 0.5 * (low.f4_db - low.rain_db)
    rs.jammer_path_cache[i] = (key, out)
    return out


def looked_at(rs: RadarSet, i: int, az_rad: np.ndarray, el_rad: np.ndarray,
              dwell_az_rad: np.ndarray | None = None, dwell_el_rad: np.ndarray | None = None
              ) -> np.ndarray:
    """Which directions (radar frame) radar ``i``'s beams cover in one scan: inside its search
    sector, or inside the beam cluster of one of its track dwells (``dwell_*``: the held
    tracks' predicted directions; module docstring, Roles). All round for a radar that
    scans 360°."""
    az = np.asarray(az_rad, dtype=float)
    half = float(rs.half_sector_rad[i])
    if half >= np.pi:
        return np.ones(az.shape, dtype=bool)
    assert rs.sector_az_rad is not None
    out = np.abs(wrap_angle(az - rs.sector_az_rad[i])) <= half
    if dwell_az_rad is not None and np.size(dwell_az_rad):
        el = np.asarray(el_rad, dtype=float)
        w_az = DWELL_WINDOW_BEAMS * rs.beamwidth_az_rad[i]
        w_el = DWELL_WINDOW_BEAMS * rs.beamwidth_el_rad[i]
        near = (np.abs(wrap_angle(az[..., None] - np.asarray(dwell_az_rad))) <= w_az) & (
            np.abs(el[..., None] - np.asarray(dwell_el_rad)) <= w_el)
        out = out | near.any(axis=-1)
    return np.asarray(out)


def strobes(rs: RadarSet, i: int, jammers: Jammers, rng: np.random.Generator,
            dwell_az_rad: np.ndarray | None = None, dwell_el_rad: np.ndarray | None = None
            ) -> Strobes:
    """Jam strobes of one scan of radar ``i``: every jammer above the radar's horizon whose
    main-lobe J/N (the beam pointing at it) reaches :data:`STROBE_JNR_DB` gives its azimuth, with
    the monopulse angle noise of a source at that J/N (Barton's σθ = θ3dB/(km·√(2·J/N)), as for
    a plot). A strobe is a bearing only: no range, so a track is linked to it by azimuth.
    A fire-control radar looks only into its sector and its dwells (:func:`looked_at`), so it
    sees the strobes of the jammers there."""
    if jammers.pos_m.shape[0] == 0:
        e = np.zeros(0)
        return Strobes(e, e, e, np.zeros(0, dtype=np.int64))
    jrel = (jammers.pos_m - rs.pos_m[i]) @ rs.rot[i].T
    jaz, jel, jr = enu_to_aer(jrel)
    visible = jr <= propagation.horizon_range_m(rs.height_agl_m[i],
                                                np.maximum(jammers.height_agl_m, 0.0))
    jnr = jamming.jnr_db(jammers.power_w, jammers.gain_db, jammers.bandwidth_hz, rs.freq_hz[i],
                         np.maximum(jr, 1.0), rs.gain_db[i], 1.0 / rs.pulse_width_s[i],
                         rs.system_temp_k[i]) + _one_way_db(rs, i, jr, jel, jammers.height_agl_m)
    k = np.flatnonzero(visible & (jnr >= STROBE_JNR_DB)
                       & looked_at(rs, i, jaz, jel, dwell_az_rad, dwell_el_rad))
    sig = measurement.angle_sigma_rad(rs.beamwidth_az_rad[i], jnr[k])
    az = (jaz[k] + sig * rng.standard_normal(k.size)) % (2 * np.pi)
    return Strobes(az, sig, jnr[k], k)


@dataclass
class LowLevel:
    """The low-level terms of one radar against targets (module docstring), all in dB."""

    f4_db: np.ndarray  # two-way multipath 40·log10 F
    region: np.ndarray  # multipath region (1 interference, 2 intermediate, 3 diffraction)
    rain_db: np.ndarray  # two-way rain attenuation (positive)
    processing_db: np.ndarray  # target gain of the MTI/Doppler processing
    cnr_db: np.ndarray  # clutter-to-noise after processing (-inf: no clutter)

    @property
    def signal_db(self) -> np.ndarray:
        """Added to the free-space SNR: F⁴ − rain + processing gain."""
        return self.f4_db - self.rain_db + self.processing_db


def _beam_voltage(off_rad: np.ndarray, beamwidth_rad: float) -> np.ndarray:
    """Gaussian main beam (voltage), 3 dB two-sided power width ``beamwidth_rad``."""
    return np.asarray(np.exp(-2.0 * np.log(2.0) * (off_rad / beamwidth_rad) ** 2))


def low_level(rs: RadarSet, i: int, rng_m: np.ndarray, el_rad: np.ndarray,
              tgt_agl_m: np.ndarray, radial_speed_m_s: np.ndarray | None = None) -> LowLevel:
    """Multipath, rain, processing gain and clutter of radar ``i`` against targets at slant
    ranges ``rng_m``, elevations ``el_rad`` (radar frame) and heights above the terrain
    ``tgt_agl_m``; ``radial_speed_m_s`` (None: unknown, no processing loss) for the MTI
    response and the Doppler notch. Vectorised over the targets (module docstring)."""
    r = np.maximum(np.asarray(rng_m, dtype=float), 1.0)
    el = np.asarray(el_rad, dtype=float)
    h1 = float(rs.height_agl_m[i])
    h2 = np.maximum(np.asarray(tgt_agl_m, dtype=float), 0.0)
    f = float(rs.freq_hz[i])
    bw_el = float(rs.beamwidth_el_rad[i])
    # multipath: the reflected ray leaves the antenna at a depression ψ + d1/a
    d = multipath.ground_range_from_slant_m(r, h1, h2)
    d1, _, _, _, psi = multipath.two_ray_geometry(d, h1, h2, _EARTH_RADIUS_M)
    f_r = _beam_voltage(el + psi + d1 / _EARTH_RADIUS_M, bw_el)
    # where the beam leaves the reflected ray out (f_r < 1e-6: |40·log10 F| < 2e-5 dB) the
    # target is high in the sky, in the interference region: F = 1 without the kernel's cost
    f4_db = np.zeros(r.shape)
    region = np.full(r.shape, multipath.REGION_INTERFERENCE, dtype=np.int64)
    m = np.flatnonzero(f_r >= 1e-6)
    if m.size:
        F, region[m] = multipath.propagation_factor(
            r[m], h1, h2[m], f, surface=rs.surface[i],
            polarization="V" if rs.vertical[i] else "H",
            rms_height_m=float(rs.roughness_m[i]), pattern_reflected=f_r[m])
        f4_db[m] = 40.0 * np.log10(np.maximum(F, 1e-15))
    # rain: the part of the path below the rain height, two-way
    rain_db = np.zeros(r.shape)
    if rs.rain_rate_mm_h > 0:
        top = rs.rain_height_m
        frac = np.where(h2 <= top, 1.0,
                        np.clip((top - h1) / np.maximum(h2 - h1, 1e-9), 0.0, 1.0))
        rain_db = rain.rain_attenuation_db(r * frac, rs.rain_rate_mm_h, f, np.abs(el),
                                           np.pi / 2 if rs.vertical[i] else 0.0)
    # processing: the target's response
    proc = rs.processing[i]
    gain = np.ones(r.shape)
    if radial_speed_m_s is not None and proc == MTI:
        gain = clutter.mti_target_gain(radial_speed_m_s, f, float(rs.prf_hz[i]),
                                       int(rs.canceller_order[i]))
    elif radial_speed_m_s is not None and proc == DOPPLER:
        gain = np.where(np.abs(radial_speed_m_s) < rs.notch_m_s[i], 0.0, 1.0)
    processing_db = 10.0 * np.log10(np.maximum(gain, 1e-30))
    # clutter of the ground cell at the target's range, inside the radar's own horizon
    cnr_db = np.full(r.shape, -np.inf)
    if np.isfinite(rs.clutter_gamma_db[i]):
        sin_psi = h1 / r + h1 * h1 / (2 * _EARTH_RADIUS_M * r) - r / (2 * _EARTH_RADIUS_M)
        inside = sin_psi > 0
        if inside.any():
            psi_c = np.arcsin(np.clip(sin_psi, 0.0, 1.0))
            sigma0 = clutter.constant_gamma_sigma0(rs.clutter_gamma_db[i], psi_c)
            sc = clutter.clutter_cell_rcs_m2(sigma0, r, rs.beamwidth_az_rad[i],
                                             rs.range_resolution_m[i], psi_c)
            f_c = _beam_voltage(el + psi_c + r / _EARTH_RADIUS_M, bw_el)
            c_lin = sc * f_c**4 / r**4
            with np.errstate(divide="ignore"):
                cnr_db = np.where(inside, rs.dwell_snr_1m_db[i] + 10.0 * np.log10(c_lin)
                                  - rs.improvement_db[i], -np.inf)
    return LowLevel(f4_db, region, rain_db, processing_db, cnr_db)


def _resolved(hit: np.ndarray, rng_m: np.ndarray, az: np.ndarray, el: np.ndarray,
              snr_db: np.ndarray, range_res_m: float, bw_az_rad: float, bw_el_rad: float
              ) -> np.ndarray:
    """The detections ``hit`` the radar resolves: of the targets that share a resolution cell
    (range resolution × azimuth beamwidth × elevation beamwidth, cells counted from the radar),
    one plot, the strongest return's (assumed: a real unresolved return is a blend of the
    echoes; the cell grid stands for the radar's resolution). A formation flying closer than
    the radar resolves is one plot, so the plots of a scan never outnumber the cells they fill
    (the tracker's work stays linear in the raid's size, however dense). Order is kept."""
    if hit.size < 2:
        return hit
    cell = np.stack([np.floor(rng_m[hit] / range_res_m), np.floor(az[hit] / bw_az_rad),
                     np.floor(el[hit] / bw_el_rad)], axis=1).astype(np.int64)
    _, first, inverse = np.unique(cell, axis=0, return_index=True, return_inverse=True)
    if first.size == hit.size:
        return hit
    inverse = inverse.reshape(-1)
    # strongest per cell: sort by (cell, -snr) and take each cell's first
    order = np.lexsort((-snr_db[hit], inverse))
    keep = order[np.r_[True, inverse[order][1:] != inverse[order][:-1]]]
    return hit[np.sort(keep)]


def false_plot_density(rs: RadarSet, i: int, range_m: np.ndarray, el_rad: np.ndarray
                       ) -> np.ndarray:
    """Density of radar ``i``'s false plots [per m³] at slant ranges ``range_m`` and elevations
    ``el_rad``: :func:`scan` draws Poisson(Pfa·N_cells) false alarms per scan uniform in
    range × azimuth × elevation over the coverage (a fire-control radar's sector), so in
    Cartesian space their density is Pfa·N_cells / (ΔR·Δaz·Δel) / (r²·cos el) (the volume
    element r²·cos el dr daz del).
    The tracker's score weighs a plot by ln(Pd/λ) (Blackman & Popoli 1999, eq. 6.12)."""
    r = np.maximum(np.asarray(range_m, dtype=float), 1.0)
    box = ((rs.max_range_m[i] - rs.min_range_m[i]) * 2 * float(rs.half_sector_rad[i])
           * max(float(rs.max_el_rad[i]), 1e-6))
    cos_el = np.maximum(np.cos(np.asarray(el_rad, dtype=float)), 1e-6)
    return np.asarray(rs.pfa[i] * rs.n_cells[i] / box / (r * r * cos_el))


def scan(
    rs: RadarSet,
    i: int,
    t_s: float,
    tgt_pos_m: np.ndarray,
    tgt_agl_m: np.ndarray,
    tgt_rcs_m2: np.ndarray,
    tgt_swerling: np.ndarray,
    tgt_id: np.ndarray,
    jammers: Jammers,
    rng: np.random.Generator,
    terrain_clear: np.ndarray | None = None,
    tgt_vel_m_s: np.ndarray | None = None,
    dwell_az_rad: np.ndarray | None = None,
    dwell_el_rad: np.ndarray | None = None,
) -> Detections:
    """One scan of radar ``i`` over the targets present (arrays of shape (m,)).

    ``terrain_clear`` (m,) masks targets hidden by terrain (see
    :func:`skyshield.physics.terrain.line_of_sight_clear`); the 4/3-Earth horizon always applies.
    ``tgt_vel_m_s`` (m, 3) scenario ENU velocities give the radial speeds the MTI and Doppler
    processing see (None: no processing loss). ``dwell_az_rad``/``dwell_el_rad``: the
    directions (radar frame) of a fire-control radar's track dwells this scan, besides its
    sector (:func:`looked_at`).
    """
    rel = (tgt_pos_m - rs.pos_m[i]) @ rs.rot[i].T
    az, el, rng_m = enu_to_aer(rel)
    horizon = propagation.horizon_range_m(rs.height_agl_m[i], tgt_agl_m)
    seen = (rng_m >= rs.min_range_m[i]) & (rng_m <= rs.max_range_m[i]) & (
        el <= rs.max_el_rad[i]) & (rng_m <= horizon) & looked_at(rs, i, az, el, dwell_az_rad,
                                                                dwell_el_rad)
    cov = np.flatnonzero(seen if terrain_clear is None else seen & terrain_clear)
    az, el, rng_m = az[cov], el[cov], rng_m[cov]
    # radar equation: SNR ∝ σ·F⁴/R⁴, from the dwell SNR of 1 m² at 1 m, less rain, with the
    # processing's response to the target; clutter after processing competes with the noise
    snr = rs.dwell_snr_1m_db[i] + 10 * np.log10(tgt_rcs_m2[cov] / rng_m**4)
    if cov.size:
        vr = None
        if tgt_vel_m_s is not None:
            vr = np.einsum("ij,ij->i", tgt_vel_m_s[cov] @ rs.rot[i].T, rel[cov]) / np.maximum(
                rng_m, 1.0)
        low = low_level(rs, i, rng_m, el, tgt_agl_m[cov], vr)
        interference = 10 ** (low.cnr_db / 10)  # C/N
        if jammers.pos_m.shape[0]:
            interference = interference + jam_to_noise(rs, i, az, jammers, True)  # + J/N
        snr = snr + low.signal_db - 10 * np.log10(1.0 + interference)  # S/(N+C+J)
    sw = tgt_swerling[cov]
    if sw.size and (sw == sw[0]).all():
        pd = detection.pd(snr, rs.pfa[i], 1, int(sw[0]))
    else:
        pd = np.zeros(cov.size)
        for case in np.unique(sw):
            sel = sw == case
            pd[sel] = detection.pd(snr[sel], rs.pfa[i], 1, int(case))
    hit = _resolved(np.flatnonzero(rng.random(cov.size) < pd), rng_m, az, el, snr,
                    float(rs.range_resolution_m[i]), float(rs.beamwidth_az_rad[i]),
                    float(rs.beamwidth_el_rad[i]))
    noise = rng.standard_normal((3, hit.size))
    # false alarms: a Poisson number over the resolution cells of the coverage, placed uniformly
    n_fa = int(rng.poisson(rs.pfa[i] * rs.n_cells[i]))
    if n_fa:
        fa_r = rng.uniform(rs.min_range_m[i], rs.max_range_m[i], n_fa)
        half = float(rs.half_sector_rad[i])  # over the sector searched
        if half >= np.pi or rs.sector_az_rad is None:
            fa_az = rng.uniform(0, 2 * np.pi, n_fa)
        else:
            fa_az = (rs.sector_az_rad[i] + rng.uniform(-half, half, n_fa)) % (2 * np.pi)
        fa_el = rng.uniform(0, rs.max_el_rad[i], n_fa)  # over the volume they are counted in
        snr_all = np.concatenate([snr[hit], np.full(n_fa, rs.threshold_db[i])])
        true_r = np.concatenate([rng_m[hit], fa_r])
        true_az = np.concatenate([az[hit], fa_az])
        true_el = np.concatenate([el[hit], fa_el])
        truth = np.concatenate([tgt_id[cov[hit]], np.full(n_fa, -1, dtype=np.int64)])
    else:
        snr_all, true_r, true_az, true_el = snr[hit], rng_m[hit], az[hit], el[hit]
        truth = tgt_id[cov[hit]]
    # measurement noise, from each plot's SNR (a false alarm sits at the threshold)
    s_r = measurement.range_sigma_m(rs.range_resolution_m[i], snr_all)
    s_az = measurement.angle_sigma_rad(rs.beamwidth_az_rad[i], snr_all)
    s_el = measurement.angle_sigma_rad(rs.beamwidth_el_rad[i], snr_all)
    m = hit.size
    r_meas, az_meas, el_meas = true_r.copy(), true_az.copy(), true_el.copy()
    r_meas[:m] += s_r[:m] * noise[0]
    az_meas[:m] = (az_meas[:m] + s_az[:m] * noise[1]) % (2 * np.pi)
    el_meas[:m] += s_el[:m] * noise[2]
    return Detections(radar=i, t_s=t_s, range_m=r_meas, az_rad=az_meas, el_rad=el_meas,
                      sigma_range_m=s_r, sigma_az_rad=s_az, sigma_el_rad=s_el, snr_db=snr_all,
                      truth_id=truth, true_range_m=true_r)
