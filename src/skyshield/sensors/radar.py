"""Radar scans: who is detected, how well, and what false alarms appear.

A scan is instantaneous at its scheduled time (the revisit period sets the rate). For every target
in the exercise, vectorised: geometry in the radar's own local frame, the 4/3-Earth horizon, the
radar equation with coherent integration, noise jamming from every active jammer through the main
lobe or the sidelobes, a Swerling detection draw, and measurement noise that grows as SNR falls.
False alarms are a Poisson number of uniformly placed plots in the coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from skyshield.geo import enu_to_aer, wrap_angle
from skyshield.physics import detection, jamming, measurement, propagation, radar

__all__ = ["RadarSet", "Detections", "Jammers", "Strobes", "scan", "jam_to_noise", "strobes",
           "STROBE_JNR_DB"]

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

    @cached_property
    def n_cells(self) -> np.ndarray:
        """Resolution cells of one scan: range cells × azimuth beams × elevation beams."""
        return ((self.max_range_m - self.min_range_m) / self.range_resolution_m
                * (2 * np.pi / self.beamwidth_az_rad)
                * np.maximum(1.0, self.max_el_rad / self.beamwidth_el_rad))

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


def jam_to_noise(rs: RadarSet, i: int, az_rad: np.ndarray, jammers: Jammers) -> np.ndarray:
    """Total jammer noise over thermal noise (linear) received by radar ``i`` while its beam
    points at azimuths ``az_rad`` (radar frame): each jammer above the radar's horizon enters
    through the main lobe when within half a beamwidth of the beam, else through a sidelobe
    (gain − sidelobe level); receiver bandwidth 1/τ (see :func:`skyshield.physics.jamming.jnr_db`).
    """
    if jammers.pos_m.shape[0] == 0:
        return np.zeros(np.shape(az_rad))
    jrel = (jammers.pos_m - rs.pos_m[i]) @ rs.rot[i].T
    jaz, _, jr = enu_to_aer(jrel)
    jvisible = jr <= propagation.horizon_range_m(rs.height_agl_m[i],
                                                 np.maximum(jammers.height_agl_m, 0.0))
    in_main = np.abs(wrap_angle(np.asarray(az_rad)[..., None] - jaz)) <= rs.beamwidth_az_rad[i] / 2
    g_rx = np.where(in_main, rs.gain_db[i], rs.gain_db[i] - rs.sidelobe_db[i])
    jnr = jamming.jnr_db(jammers.power_w, jammers.gain_db, jammers.bandwidth_hz, rs.freq_hz[i],
                         np.maximum(jr, 1.0), g_rx, 1.0 / rs.pulse_width_s[i],
                         rs.system_temp_k[i])
    return np.where(jvisible, 10 ** (jnr / 10), 0.0).sum(axis=-1)


def strobes(rs: RadarSet, i: int, jammers: Jammers, rng: np.random.Generator) -> Strobes:
    """Jam strobes of one scan of radar ``i``: every jammer above the radar's horizon whose
    main-lobe J/N (the beam pointing at it) reaches :data:`STROBE_JNR_DB` gives its azimuth, with
    the monopulse angle noise of a source at that J/N (Barton's σθ = θ3dB/(km·√(2·J/N)), as for
    a plot). A strobe is a bearing only: no range, so a track is linked to it by azimuth."""
    if jammers.pos_m.shape[0] == 0:
        e = np.zeros(0)
        return Strobes(e, e, e, np.zeros(0, dtype=np.int64))
    jrel = (jammers.pos_m - rs.pos_m[i]) @ rs.rot[i].T
    jaz, _, jr = enu_to_aer(jrel)
    visible = jr <= propagation.horizon_range_m(rs.height_agl_m[i],
                                                np.maximum(jammers.height_agl_m, 0.0))
    jnr = jamming.jnr_db(jammers.power_w, jammers.gain_db, jammers.bandwidth_hz, rs.freq_hz[i],
                         np.maximum(jr, 1.0), rs.gain_db[i], 1.0 / rs.pulse_width_s[i],
                         rs.system_temp_k[i])
    k = np.flatnonzero(visible & (jnr >= STROBE_JNR_DB))
    sig = measurement.angle_sigma_rad(rs.beamwidth_az_rad[i], jnr[k])
    az = (jaz[k] + sig * rng.standard_normal(k.size)) % (2 * np.pi)
    return Strobes(az, sig, jnr[k], k)


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
) -> Detections:
    """One scan of radar ``i`` over the targets present (arrays of shape (m,)).

    ``terrain_clear`` (m,) masks targets hidden by terrain (see
    :func:`skyshield.physics.terrain.line_of_sight_clear`); the 4/3-Earth horizon always applies.
    """
    rel = (tgt_pos_m - rs.pos_m[i]) @ rs.rot[i].T
    az, el, rng_m = enu_to_aer(rel)
    horizon = propagation.horizon_range_m(rs.height_agl_m[i], tgt_agl_m)
    seen = (rng_m >= rs.min_range_m[i]) & (rng_m <= rs.max_range_m[i]) & (
        el <= rs.max_el_rad[i]) & (rng_m <= horizon)
    cov = np.flatnonzero(seen if terrain_clear is None else seen & terrain_clear)
    az, el, rng_m = az[cov], el[cov], rng_m[cov]
    # radar equation: SNR ∝ σ/R⁴, from the dwell SNR of 1 m² at 1 m
    snr = rs.dwell_snr_1m_db[i] + 10 * np.log10(tgt_rcs_m2[cov] / rng_m**4)
    if jammers.pos_m.shape[0] and cov.size:
        snr = snr - 10 * np.log10(1.0 + jam_to_noise(rs, i, az, jammers))  # S/(N+J)
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
        fa_az = rng.uniform(0, 2 * np.pi, n_fa)
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
