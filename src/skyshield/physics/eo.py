"""Electro-optical range: atmospheric extinction, contrast transmission and resolution.

Visible (TV) channel. A target of inherent contrast C₀ against the horizon sky, seen along a
horizontal path of uniform extinction coefficient σ, keeps the apparent contrast

    C_R = C₀·exp(−σ·R)                              (Duntley's law; Koschmieder 1924)

and is seen while |C_R| reaches the threshold contrast ε of the sensor (or eye), i.e. out to

    R_c = ln(|C₀| / ε) / σ.

With a black target (|C₀| = 1) and ε = 0.02 this is Koschmieder's visual range V = 3.912/σ
(the "meteorological range" of the AMS Glossary); the WMO's **meteorological optical range**
(MOR, WMO-No. 8, Vol. I ch. 9; CIE 17-31-018) is instead the path that transmits 5 % of a
collimated beam, MOR = −ln 0.05/σ = 2.996/σ. Reported visibility is MOR: a scenario's
``visibility`` is turned into σ with the 5 % threshold (:data:`MOR_THRESHOLD`) unless told
otherwise, and the constant 3.912 belongs to the 2 % (Koschmieder) convention only.

Resolution (Johnson 1958). An observer performs a discrimination task with 50 % probability
when the target's critical dimension d_c spans N₅₀ cycles (line pairs) of the imager, one cycle
being two pixels of angular size IFOV:

    R_N = d_c / (N₅₀ · 2 · IFOV)

with N₅₀ = 1.0 (detection), 1.4 (orientation), 4.0 (recognition), 6.4 (identification)
(:data:`JOHNSON_N50`). The critical dimension of a target seen from any aspect is taken as the
square root of its presented area (the NVESD convention).

The detection range is the smaller of the two limits, each a monotone function of range: past
R_c the apparent contrast is below threshold whatever the target's size, past R_N the target
spans fewer than N₅₀ cycles whatever its contrast (:func:`detection_range_m`).

Infrared channel. Beer–Lambert transmission τ = exp(−γ·R) over the path with the band's
extinction γ = γ_mol + σ_aer(λ): a band absorption (water vapour, CO₂: a catalogue figure) plus
the aerosol extinction scaled from the visible one with the Kruse/Kim wavelength law

    σ_aer(λ) = σ₅₅₀ · (λ / 550 nm)^(−q),
    q = 1.6 (V > 50 km), 1.3 (6–50 km), 0.16·V + 0.34 (1–6 km), V − 0.5 (0.5–1 km), 0 (< 0.5 km)

(V in km). The target's apparent temperature difference ΔT_R = ΔT₀·τ(R) must reach the
channel's threshold ΔT_th (its minimum resolvable temperature difference at the task's spatial
frequency), so the thermal limit is R_T = ln(ΔT₀/ΔT_th)/γ — the same root as the visible one,
:func:`attenuated_range_m`.

References
----------
* H. Koschmieder, "Theorie der horizontalen Sichtweite", Beitr. Phys. freien Atmos. 12,
  33–53 and 171–181 (1924); AMS Glossary of Meteorology, "meteorological range" (revision of
  25 April 2012: ε = 0.02) and "visual-range formula", https://glossary.ametsoc.org/.
* WMO, Guide to Instruments and Methods of Observation (WMO-No. 8), 2018 ed., Vol. I, ch. 9
  "Measurement of visibility" (MOR: 5 % of the luminous flux of a 2700 K collimated beam);
  CIE ILV 17-31-018 "meteorological optical range", http://cie.co.at/eilvterm/17-31-018.
* S. Q. Duntley, "The reduction of apparent contrast by the atmosphere", JOSA 38, 179 (1948).
* J. Johnson, "Analysis of image forming systems", Image Intensifier Symposium, Fort Belvoir,
  6–7 October 1958, pp. 249–273 (table of N₅₀: 1.0 ± 0.25, 1.4 ± 0.35, 4.0 ± 0.8, 6.4 ± 1.5).
* R. Vollmerhausen, E. Jacobs, "The Targeting Task Performance (TTP) Metric", NVESD
  AMSEL-NV-TR-230 (2004) (critical dimension √area).
* J. Meeus, Astronomical Algorithms, 2nd ed., Willmann-Bell 1998: ch. 7 (Julian day, eq. 7.1),
  ch. 12 (sidereal time at Greenwich, eq. 12.4; Examples 12.a, 12.b), ch. 25 (the Sun's apparent
  position to 0.01°, "low accuracy"; Example 25.a), ch. 13 (altitude, eq. 13.6) — the daylight a
  television channel needs (``sun_elevation_rad``; civil twilight, the Sun 6° below the horizon).
* P. W. Kruse, L. D. McGlauchlin, R. B. McQuistan, Elements of Infrared Technology, Wiley
  1962; I. I. Kim, B. McArthur, E. Korevaar, "Comparison of laser beam propagation at 785 nm
  and 1550 nm in fog and haze for optical wireless communications", Proc. SPIE 4214, 26–37
  (2001) (the q of visibility above).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float

__all__ = [
    "KOSCHMIEDER_THRESHOLD", "MOR_THRESHOLD", "JOHNSON_N50", "PIXELS_PER_CYCLE",
    "extinction_per_m", "visibility_m", "transmittance", "apparent_contrast",
    "attenuated_range_m", "resolution_range_m", "critical_dimension_m", "kim_q",
    "aerosol_extinction_per_m", "detection_range_m", "CIVIL_TWILIGHT_RAD",
    "julian_day", "sun_ra_dec_rad", "sidereal_time_rad", "sun_elevation_rad",
]

KOSCHMIEDER_THRESHOLD = 0.02  # Koschmieder's (1924) threshold contrast: V = −ln 0.02/σ = 3.912/σ
MOR_THRESHOLD = 0.05  # WMO MOR: 5 % of the flux transmitted, MOR = −ln 0.05/σ = 2.996/σ
# Johnson (1958), cycles across the critical dimension for 50 % probability of each task
JOHNSON_N50 = {"detection": 1.0, "orientation": 1.4, "recognition": 4.0, "identification": 6.4}
PIXELS_PER_CYCLE = 2.0  # one cycle (line pair) = two pixels of a staring array
_VISIBLE_M = 550e-9  # the wavelength visibility refers to (peak of photopic vision)


def extinction_per_m(visibility_m: ArrayLike, threshold: float = MOR_THRESHOLD) -> FloatArray:
    """Extinction coefficient σ (1/m) of an atmosphere of visibility ``visibility_m`` defined by
    the contrast (or transmission) ``threshold``: σ = −ln(threshold)/V. With the default, V is
    the WMO meteorological optical range (σ = 2.996/V); with :data:`KOSCHMIEDER_THRESHOLD` it
    is Koschmieder's visual range (σ = 3.912/V)."""
    return -math.log(threshold) / as_float(visibility_m)


def visibility_m(extinction: ArrayLike, threshold: float = MOR_THRESHOLD) -> FloatArray:
    """The visibility (m) of extinction coefficient ``extinction`` (1/m): the inverse of
    :func:`extinction_per_m`."""
    return -math.log(threshold) / as_float(extinction)


def transmittance(extinction: ArrayLike, range_m: ArrayLike) -> FloatArray:
    """Beer–Lambert transmittance τ = exp(−σ·R) of a uniform path."""
    return np.exp(-as_float(extinction) * as_float(range_m))


def apparent_contrast(c0: ArrayLike, extinction: ArrayLike, range_m: ArrayLike) -> FloatArray:
    """Apparent contrast against the horizon sky C_R = C₀·exp(−σ·R) (Duntley's law)."""
    return as_float(c0) * transmittance(extinction, range_m)


def attenuated_range_m(signal0: ArrayLike, threshold: ArrayLike, extinction: ArrayLike
                       ) -> FloatArray:
    """The range where an inherent signal (contrast |C₀| or temperature difference ΔT₀)
    attenuated as exp(−σ·R) falls to ``threshold``: R = ln(|signal₀|/threshold)/σ — the root of
    |C₀|·exp(−σR) = ε. 0 where the signal is at or below the threshold already; inf where
    σ = 0 (no extinction)."""
    s0 = np.abs(as_float(signal0))
    th = as_float(threshold)
    sig = as_float(extinction)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(s0 / th) / sig
    r = np.where(s0 <= th, 0.0, np.where(sig <= 0.0, np.inf, r))
    return np.asarray(r, dtype=float)


def resolution_range_m(critical_dimension: ArrayLike, ifov_rad: ArrayLike,
                       cycles: ArrayLike = JOHNSON_N50["detection"]) -> FloatArray:
    """Johnson's range: where the critical dimension d_c spans ``cycles`` cycles of an imager of
    pixel angle ``ifov_rad`` (two pixels a cycle), R = d_c/(N·2·IFOV)."""
    return as_float(critical_dimension) / (as_float(cycles) * PIXELS_PER_CYCLE
                                           * as_float(ifov_rad))


def critical_dimension_m(area_m2: ArrayLike) -> FloatArray:
    """The critical dimension of a target of presented area ``area_m2``: √area (NVESD)."""
    return np.sqrt(np.maximum(as_float(area_m2), 0.0))


def kim_q(visibility: ArrayLike) -> FloatArray:
    """The exponent q of the aerosol extinction's wavelength law for visibility ``visibility``
    (m) (Kim, McArthur, Korevaar 2001; Kruse 1962 above 6 km)."""
    v = as_float(visibility) / 1e3
    return np.select([v > 50.0, v > 6.0, v > 1.0, v > 0.5],
                     [1.6, 1.3, 0.16 * v + 0.34, v - 0.5], 0.0)


def aerosol_extinction_per_m(visibility: ArrayLike, wavelength_m: ArrayLike,
                             threshold: float = MOR_THRESHOLD) -> FloatArray:
    """Aerosol extinction (1/m) at ``wavelength_m`` of an atmosphere of visibility
    ``visibility`` (m): σ₅₅₀·(λ/550 nm)^(−q(V)), σ₅₅₀ from :func:`extinction_per_m`."""
    q = kim_q(visibility)
    return extinction_per_m(visibility, threshold) * (as_float(wavelength_m) / _VISIBLE_M) ** (-q)


def detection_range_m(critical_dimension: ArrayLike, ifov_rad: ArrayLike, cycles: ArrayLike,
                      signal0: ArrayLike, threshold: ArrayLike, extinction: ArrayLike
                      ) -> FloatArray:
    """The range out to which an imager performs the task of ``cycles`` (Johnson N₅₀) on a
    target: the smaller of the resolution limit (:func:`resolution_range_m`) and the
    contrast or thermal limit (:func:`attenuated_range_m` of ``signal0`` against
    ``threshold`` through ``extinction``)."""
    return np.minimum(resolution_range_m(critical_dimension, ifov_rad, cycles),
                      attenuated_range_m(signal0, threshold, extinction))


# daylight for a television channel: the Sun above civil twilight (6° below the horizon), when
# the sky still lights a target against the horizon (assumed threshold for the camera)
CIVIL_TWILIGHT_RAD = math.radians(-6.0)


def julian_day(year: int, month: int, day: float) -> float:
    """Julian day of a Gregorian calendar date (``day`` with its fraction), Meeus eq. 7.1."""
    if month <= 2:
        year, month = year - 1, month + 12
    a = year // 100
    b = 2 - a + a // 4
    return math.floor(365.25 * (year + 4716)) + math.floor(30.6001 * (month + 1)) + day + b \
        - 1524.5


def sun_ra_dec_rad(jd: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The Sun's apparent right ascension and declination (rad) at Julian day ``jd``, Meeus
    ch. 25 low accuracy (0.01°): geometric mean longitude L0 and mean anomaly M, the equation of
    the centre C, nutation and aberration by Ω, the corrected obliquity (eqs. 25.2-25.8)."""
    T = (as_float(jd) - 2451545.0) / 36525.0
    L0 = 280.46646 + 36000.76983 * T + 0.0003032 * T**2
    M = np.radians(357.52911 + 35999.05029 * T - 0.0001537 * T**2)
    C = ((1.914602 - 0.004817 * T - 0.000014 * T**2) * np.sin(M)
         + (0.019993 - 0.000101 * T) * np.sin(2 * M) + 0.000289 * np.sin(3 * M))
    omega = np.radians(125.04 - 1934.136 * T)
    lam = np.radians(L0 + C - 0.00569 - 0.00478 * np.sin(omega))
    eps0 = 23.0 + (26.0 + (21.448 - 46.8150 * T - 0.00059 * T**2 + 0.001813 * T**3) / 60) / 60
    eps = np.radians(eps0 + 0.00256 * np.cos(omega))
    ra = np.arctan2(np.cos(eps) * np.sin(lam), np.cos(lam)) % (2 * np.pi)
    return ra, np.arcsin(np.sin(eps) * np.sin(lam))


def sidereal_time_rad(jd_ut: ArrayLike) -> FloatArray:
    """Mean sidereal time at Greenwich (rad) at Julian day ``jd_ut`` (UT), Meeus eq. 12.4."""
    d = as_float(jd_ut) - 2451545.0
    T = d / 36525.0
    deg = 280.46061837 + 360.98564736629 * d + 0.000387933 * T**2 - T**3 / 38710000.0
    return np.radians(deg % 360.0)


def sun_elevation_rad(jd_ut: ArrayLike, lat_rad: ArrayLike, lon_rad: ArrayLike) -> FloatArray:
    """The Sun's elevation (rad, no refraction) seen from geodetic ``lat_rad``, ``lon_rad``
    (east positive) at Julian day ``jd_ut``: sin h = sin φ sin δ + cos φ cos δ cos H, H the
    local hour angle θ0 + L − α (Meeus eq. 13.6; TD taken as UT, about a minute apart)."""
    ra, dec = sun_ra_dec_rad(jd_ut)
    H = sidereal_time_rad(jd_ut) + as_float(lon_rad) - ra
    phi = as_float(lat_rad)
    return np.arcsin(np.sin(phi) * np.sin(dec) + np.cos(phi) * np.cos(dec) * np.cos(H))
