"""Gunnery kernels: a drag-and-gravity projectile trajectory, its time-of-flight table, the
converged fire-control (lead) solution and the kill probability of a burst.

Trajectory (point mass in the vertical plane of fire, x down range, z up, flat Earth)::

    dx/dt = vx,   dz/dt = vz
    dv/dt = −(D/m)·v̂ + g,         D = ½·ρ(h)·V²·S·C_D(M),  S = π·d²/4,  M = V/a(h)
    C_D(M) = i·C_D,G7(M)                                   (form factor i on the G7 function)

with ρ and a from the ISA (:func:`skyshield.physics.atmosphere.isa`) at h = h_gun + z; classical
RK4 at a fixed step (the point-mass trajectory and the standard-drag-function / form-factor
convention of McCoy, *Modern Exterior Ballistics*, Schiffer 1999; chapter and page not checked
here, the book was not in the stored corpora).

Lead (fire control against a constant-velocity target, r = target − gun, v its velocity)::

    t_f = TOF(|r + v·t_f|, θ)          solved by Newton's method on f(t) = TOF(R(t)) − t with
    f′(t) = (a·v)/(R·V_p(R)) − 1       a = r + v·t (the aim point), V_p the projectile speed there

a fixed number of iterations, vectorised over targets (the ``for iteration in 0,1,2`` habit of
skyfield's toposlib). The bore is raised above the line of sight to the aim point by the
superelevation asin(drop(R, θ)/R), drop being the projectile's distance below its line of
departure at slant range R.

Burst (n rounds, per-round dispersion σ_d = R·δ, one aim error b ~ N(offset, σ_a²·I₂) common to
every round of the burst, a target of presented area A taken as a Gaussian ("Carleton") damage
area of the same size, b_t² = A/(2π))::

    p(b)   = b_t²/(b_t² + σ_d²) · exp(−|b|²/(2(b_t² + σ_d²)))     (one round, given the aim error)
    E[hits] = n·b_t²/(b_t² + σ_d² + σ_a²) · exp(−|offset|²/(2(b_t² + σ_d² + σ_a²)))
    Pk     = 1 − E_b[(1 − p_k|h·p(b))^n]                (Gauss–Legendre over the Rice |b|)

(the Carleton damage function and its single-shot Pk b²/(b² + σ²) as in models.md
"Lethality"; given the aim error the rounds are independent, so the burst survives with the
binomial (1 − p_k|h·p)^n, averaged here over the aim error's distribution.) With σ_a = 0 the
rounds are independent and this is :func:`skyshield.physics.flight.burst_pk` with a Gaussian
instead of a cookie-cutter target (the two agree to O((A/2πσ²)²)); the common aim error and the
offset are what that kernel cannot express.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float
from skyshield.physics.atmosphere import G0_MPS2, isa

__all__ = ["CALIBRE_M", "FORM_FACTOR", "MUZZLE_VELOCITY_MPS", "PROJECTILE_MASS_KG",
           "BallisticTable", "LeadSolution", "burst_kill_probability", "cd_g7",
           "default_table", "lead_solution", "time_of_flight_table", "tof_at_range",
           "trajectory"]

# --- 30 x 165 mm HE-FI (2A38M / 2A72 / 2A42 family) ------------------------------------------
# source: muzzle velocity about 960 m/s of the 2A38-class 30 mm gun with HE-FI, the catalogue's
# own figure (default.yaml, pantsir_30mm.gun.muzzle_speed_mps, [P2] open secondary sources); no
# primary (KBP / Rosoboronexport / Jane's) page was found in the stored corpora, 2026-12-06
MUZZLE_VELOCITY_MPS = 960.0
# assumed: 0.39 kg HE-FI projectile, the mass commonly quoted for the 30 x 165 mm 3UOF8 round
# (389-390 g); no primary source found in the stored corpora on 2026-12-06
PROJECTILE_MASS_KG = 0.39
# source: the calibre is the ammunition's designation, 30 x 165 mm (TASS, "Russian Pantsyr-S1
# systems arrive in Serbia", 22 Feb 2020, https://tass.com/world/1123127: "two 30mm guns",
# accessed 2026-12-06)
CALIBRE_M = 0.030
# assumed: form factor of a fuzed 30 mm HE-FI shell on the G7 drag function (C_D = i·G7): a
# rounded ogive and short boat-tail, blunter than the G7 reference (i = 1); no published drag
# curve or firing table of the 3UOF8 was found; i = 1.2 gives C_D ≈ 0.30 at Mach 2.8, the usual
# level of a spin-stabilised HE shell at that speed (order of magnitude, not a cited figure)
FORM_FACTOR = 1.2

# source: the G7 standard drag function (Ballistic Research Laboratory reference projectile,
# 7.5-degree boat-tail, 10-calibre tangent ogive), C_D against Mach, as tabulated in
# py-ballisticcalc, py_ballisticcalc/drag_tables.py ``TableG7`` (github o-murphy/py-ballisticcalc,
# commit 0c92206b1840f796a6c2480b0fd83fa1f02b59ea, accessed 2026-12-06), every row; linear in
# between
_G7_MACH = np.array([
    0.00, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55,
    0.60, 0.65, 0.70, 0.725, 0.75, 0.775, 0.80, 0.825, 0.85, 0.875, 0.90, 0.925,
    0.95, 0.975, 1.0, 1.025, 1.05, 1.075, 1.10, 1.125, 1.15, 1.20, 1.25, 1.30,
    1.35, 1.40, 1.50, 1.55, 1.60, 1.65, 1.70, 1.75, 1.80, 1.85, 1.90, 1.95,
    2.00, 2.05, 2.10, 2.15, 2.20, 2.25, 2.30, 2.35, 2.40, 2.45, 2.50, 2.55,
    2.60, 2.65, 2.70, 2.75, 2.80, 2.85, 2.90, 2.95, 3.00, 3.10, 3.20, 3.30,
    3.40, 3.50, 3.60, 3.70, 3.80, 3.90, 4.00, 4.20, 4.40, 4.60, 4.80, 5.00])
_G7_CD = np.array([
    0.1198, 0.1197, 0.1196, 0.1194, 0.1193, 0.1194, 0.1194, 0.1194, 0.1193, 0.1193, 0.1194, 0.1193,
    0.1194, 0.1197, 0.1202, 0.1207, 0.1215, 0.1226, 0.1242, 0.1266, 0.1306, 0.1368, 0.1464, 0.1660,
    0.2054, 0.2993, 0.3803, 0.4015, 0.4043, 0.4034, 0.4014, 0.3987, 0.3955, 0.3884, 0.3810, 0.3732,
    0.3657, 0.3580, 0.3440, 0.3376, 0.3315, 0.3260, 0.3209, 0.3160, 0.3117, 0.3078, 0.3042, 0.3010,
    0.2980, 0.2951, 0.2922, 0.2892, 0.2864, 0.2835, 0.2807, 0.2779, 0.2752, 0.2725, 0.2697, 0.2670,
    0.2643, 0.2615, 0.2588, 0.2561, 0.2533, 0.2506, 0.2479, 0.2451, 0.2424, 0.2368, 0.2313, 0.2258,
    0.2205, 0.2154, 0.2106, 0.2060, 0.2017, 0.1975, 0.1935, 0.1861, 0.1793, 0.1730, 0.1672, 0.1618])

# table grid: bore elevations (rad) and slant ranges (m) of the resampled time-of-flight table
_ELEV_STEP_RAD = math.radians(2.5)
_ELEV_MIN_RAD = math.radians(-10.0)
_ELEV_MAX_RAD = math.radians(90.0)
_RANGE_STEP_M = 10.0


def cd_g7(mach: ArrayLike) -> FloatArray:
    """The G7 standard drag coefficient at Mach ``mach`` (linear in the table; constant past
    its ends)."""
    return np.interp(as_float(mach), _G7_MACH, _G7_CD)


# the ISA tabulated every 10 m from -1 km to 30 km for the integrator (linear in between: the
# density's relative error is below 1e-6 over 10 m of a 6-8 km scale height)
_ATM_ALT_M = np.arange(-1000.0, 30000.0 + 5.0, 10.0)
_, _, _ATM_RHO, _ATM_A = isa(_ATM_ALT_M)


def _rhs(y: FloatArray, k_area: float, form_factor: float, alt0_m: float, g: float
         ) -> FloatArray:
    """d/dt of y = (x, z, vx, vz) rows: drag along −v̂ and gravity (module docstring)."""
    vx, vz = y[:, 2], y[:, 3]
    speed = np.hypot(vx, vz)
    h = alt0_m + y[:, 1]
    rho, a = np.interp(h, _ATM_ALT_M, _ATM_RHO), np.interp(h, _ATM_ALT_M, _ATM_A)
    # D/m·(1/V) = ½ρ·V·S·C_D/m: multiplies the velocity vector
    c = k_area * rho * speed * form_factor * cd_g7(speed / a)
    return np.column_stack([vx, vz, -c * vx, -c * vz - g])


def trajectory(elevation_rad: ArrayLike, muzzle_velocity_mps: float = MUZZLE_VELOCITY_MPS,
               mass_kg: float = PROJECTILE_MASS_KG, calibre_m: float = CALIBRE_M,
               form_factor: float = FORM_FACTOR, alt0_m: float = 0.0, t_max_s: float = 12.0,
               dt_s: float = 0.01, gravity_mps2: float = G0_MPS2
               ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Fly projectiles fired at bore elevations ``elevation_rad`` (shape (n,)) from the origin
    (altitude ``alt0_m`` above mean sea level) for ``t_max_s`` with RK4 steps of ``dt_s``.

    Returns ``(t_s, x_m, z_m, vx_mps, vz_mps)``: t of shape (k,), the others (n, k) with x down
    range and z up. ``form_factor = 0`` turns drag off, ``gravity_mps2 = 0`` gravity."""
    el = np.atleast_1d(as_float(elevation_rad))
    k_area = 0.5 * (math.pi * calibre_m ** 2 / 4.0) / mass_kg
    steps = int(round(t_max_s / dt_s))
    y = np.column_stack([np.zeros_like(el), np.zeros_like(el),
                         muzzle_velocity_mps * np.cos(el), muzzle_velocity_mps * np.sin(el)])
    out = np.empty((steps + 1,) + y.shape)
    out[0] = y
    h = dt_s
    for i in range(steps):
        k1 = _rhs(y, k_area, form_factor, alt0_m, gravity_mps2)
        k2 = _rhs(y + 0.5 * h * k1, k_area, form_factor, alt0_m, gravity_mps2)
        k3 = _rhs(y + 0.5 * h * k2, k_area, form_factor, alt0_m, gravity_mps2)
        k4 = _rhs(y + h * k3, k_area, form_factor, alt0_m, gravity_mps2)
        y = y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        out[i + 1] = y
    t = np.arange(steps + 1, dtype=np.float64) * dt_s
    return t, out[:, :, 0].T, out[:, :, 1].T, out[:, :, 2].T, out[:, :, 3].T


@dataclass(frozen=True)
class BallisticTable:
    """Time of flight, remaining speed and drop by (bore elevation, slant range), resampled on
    a regular grid: ``elevation_rad`` (n_e,), ``range_m`` (n_r,), ``tof_s``, ``speed_mps`` and
    ``drop_m`` (n_e, n_r); NaN beyond a row's reach (past ``t_max_s`` or where the slant range
    stops growing). ``drop_m`` is the distance below the line of departure. The samples along
    each trajectory are kept as ``samples`` (range, tof, speed, drop; each (n_e, k))."""

    elevation_rad: FloatArray
    range_m: FloatArray
    tof_s: FloatArray
    speed_mps: FloatArray
    drop_m: FloatArray
    samples: tuple[FloatArray, FloatArray, FloatArray, FloatArray]
    alt0_m: float


def time_of_flight_table(muzzle_velocity_mps: float = MUZZLE_VELOCITY_MPS,
                         mass_kg: float = PROJECTILE_MASS_KG, calibre_m: float = CALIBRE_M,
                         form_factor: float = FORM_FACTOR, alt0_m: float = 0.0,
                         t_max_s: float = 12.0, dt_s: float = 0.01,
                         gravity_mps2: float = G0_MPS2, max_range_m: float = 8000.0
                         ) -> BallisticTable:
    """The ballistic table of a gun: :func:`trajectory` at bore elevations −10° to 90° every
    2.5°, sampled along each trajectory as (slant range, time of flight, speed, drop) and
    resampled every 10 m of slant range (linear in time between RK4 steps)."""
    el = np.arange(_ELEV_MIN_RAD, _ELEV_MAX_RAD + 1e-9, _ELEV_STEP_RAD)
    t, x, z, vx, vz = trajectory(el, muzzle_velocity_mps, mass_kg, calibre_m, form_factor,
                                 alt0_m, t_max_s, dt_s, gravity_mps2)
    rng = np.hypot(x, z)
    speed = np.hypot(vx, vz)
    drop = x * np.sin(el)[:, None] - z * np.cos(el)[:, None]
    tt = np.broadcast_to(t, rng.shape)
    top = min(max_range_m, float(np.nanmax(rng)))
    grid = np.arange(0.0, top + _RANGE_STEP_M / 2, _RANGE_STEP_M)
    tof_g, spd_g, drop_g = (np.full((el.size, grid.size), np.nan) for _ in range(3))
    for e in range(el.size):
        # keep the part of the row where the slant range still grows (monotonic for interp)
        grows = np.flatnonzero(np.diff(rng[e]) <= 0.0)
        k = grows[0] + 1 if grows.size else rng.shape[1]
        r = rng[e, :k]
        inside = grid <= r[-1]
        for dst, src in ((tof_g, tt[e, :k]), (spd_g, speed[e, :k]), (drop_g, drop[e, :k])):
            dst[e, inside] = np.interp(grid[inside], r, src)
    return BallisticTable(el, grid, tof_g, spd_g, drop_g, (rng, tt.copy(), speed, drop),
                          float(alt0_m))


@lru_cache(maxsize=16)
def default_table(alt0_m: float = 0.0) -> BallisticTable:
    """The 30 × 165 mm HE-FI table (module constants) for a gun at ``alt0_m`` (cached)."""
    return time_of_flight_table(alt0_m=float(alt0_m))


def _bilinear(table: BallisticTable, field: FloatArray, range_m: FloatArray,
              elevation_rad: FloatArray) -> FloatArray:
    r, e = np.broadcast_arrays(as_float(range_m), as_float(elevation_rad))
    bad = (r < 0) | (r > table.range_m[-1]) | ~np.isfinite(r) | ~np.isfinite(e)
    r, e = np.where(bad, 0.0, r), np.where(bad, 0.0, e)
    fe = (np.clip(e, table.elevation_rad[0], table.elevation_rad[-1]) - table.elevation_rad[0]
          ) / _ELEV_STEP_RAD
    fr = r / (table.range_m[1] - table.range_m[0])
    ie = np.clip(np.floor(fe).astype(np.int64), 0, table.elevation_rad.size - 2)
    ir = np.clip(np.floor(fr).astype(np.int64), 0, table.range_m.size - 2)
    we, wr = fe - ie, fr - ir
    out = ((1 - we) * ((1 - wr) * field[ie, ir] + wr * field[ie, ir + 1])
           + we * ((1 - wr) * field[ie + 1, ir] + wr * field[ie + 1, ir + 1]))
    return np.where(bad, np.nan, out)


def tof_at_range(range_m: ArrayLike, elevation_rad: ArrayLike,
                 table: BallisticTable | None = None) -> FloatArray:
    """Time of flight (s) to slant range ``range_m`` of a projectile fired at bore elevation
    ``elevation_rad`` (bilinear in the table; NaN beyond its reach). Default: the 30 mm table."""
    tb = default_table() if table is None else table
    return _bilinear(tb, tb.tof_s, as_float(range_m), as_float(elevation_rad))


def _speed_drop(table: BallisticTable, range_m: FloatArray, elevation_rad: FloatArray
                ) -> tuple[FloatArray, FloatArray]:
    return (_bilinear(table, table.speed_mps, range_m, elevation_rad),
            _bilinear(table, table.drop_m, range_m, elevation_rad))


@dataclass(frozen=True)
class LeadSolution:
    """Fire-control solution per target (shape (n,) or (n, 3)); NaN where none exists (out of
    the table's reach, or a target the projectile cannot catch)."""

    aim_m: FloatArray  # predicted point where the burst meets the target (same frame as input)
    tof_s: FloatArray  # time of flight to the aim point
    range_m: FloatArray  # slant range gun → aim point
    los_elevation_rad: FloatArray  # elevation of the line of sight to the aim point
    bore_elevation_rad: FloatArray  # gun elevation to lay: line of sight + superelevation
    superelevation_rad: FloatArray
    azimuth_rad: FloatArray  # of the aim point, atan2(east, north) (clockwise from north)
    speed_mps: FloatArray  # projectile speed at the aim point
    residual_s: FloatArray  # |TOF(|aim − gun|) − t_f| after the last iteration


def lead_solution(gun_pos_m: ArrayLike, target_pos_m: ArrayLike, target_vel_mps: ArrayLike,
                  table: BallisticTable | None = None, iterations: int = 8) -> LeadSolution:
    """Converged lead against constant-velocity targets: t_f = TOF(|r + v·t_f|) by Newton's
    method (a fixed ``iterations``), the bore raised by the superelevation for the drop.

    ``gun_pos_m`` (3,) or (n, 3), ``target_pos_m`` and ``target_vel_mps`` (n, 3) or (3,), in a
    local ENU frame (z up). Equations: module docstring."""
    tb = default_table() if table is None else table
    rel = np.atleast_2d(as_float(target_pos_m) - as_float(gun_pos_m))
    vel = np.broadcast_to(np.atleast_2d(as_float(target_vel_mps)), rel.shape)

    def geometry(t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        aim = rel + vel * t[:, None]
        rng = np.linalg.norm(aim, axis=1)
        eps = np.arctan2(aim[:, 2], np.hypot(aim[:, 0], aim[:, 1]))
        return aim, rng, eps

    def bore(rng: FloatArray, eps: FloatArray) -> FloatArray:
        th = eps
        for _ in range(3):  # θ = ε + asin(drop(R, θ)/R): drop changes slowly with θ
            _, dr = _speed_drop(tb, rng, th)
            th = eps + np.arcsin(np.clip(dr / np.maximum(rng, 1.0), -1.0, 1.0))
        return th

    # start: the intercept of a projectile flying at the table's mean speed s̄ to the nearer
    # of the target's range and 90 % of the table's reach, |r + v·t| = s̄·t (quadratic), so
    # that a target now beyond the reach but closing gets a start inside the table
    _, r0, e0 = geometry(np.zeros(rel.shape[0]))
    r_ref = np.minimum(r0, 0.9 * tb.range_m[-1])
    s_bar = r_ref / _bilinear(tb, tb.tof_s, r_ref, bore(r_ref, e0))
    qa = np.einsum("ij,ij->i", vel, vel) - s_bar ** 2
    qb = 2.0 * np.einsum("ij,ij->i", rel, vel)
    disc = qb * qb - 4.0 * qa * r0 ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (-qb - np.sqrt(disc)) / (2.0 * qa)
    t = np.where(np.isfinite(t) & (t > 0), t, r0 / s_bar)
    t = np.where(np.isfinite(t), t, 0.0)
    for _ in range(iterations):
        aim, rng, eps = geometry(t)
        th = bore(rng, eps)
        f = _bilinear(tb, tb.tof_s, rng, th) - t
        vp, _ = _speed_drop(tb, rng, th)
        # f′ = dTOF/dR · dR/dt − 1 = (aim·v)/(R·V_p) − 1; a closing-speed guard keeps the step
        # finite where the target runs away as fast as the projectile
        fp = np.einsum("ij,ij->i", aim, vel) / (np.maximum(rng, 1.0) * vp) - 1.0
        fp = np.minimum(np.where(np.isfinite(fp), fp, -1.0), -0.05)
        t = np.maximum(t - np.where(np.isfinite(f), f, 0.0) / fp, 0.0)
    aim, rng, eps = geometry(t)
    th = bore(rng, eps)
    tof = _bilinear(tb, tb.tof_s, rng, th)
    resid = np.abs(tof - t)
    ok = np.isfinite(tof) & (resid < 1e-3)
    vp, _ = _speed_drop(tb, rng, th)
    nan = np.where(ok, 1.0, np.nan)
    gun = np.broadcast_to(as_float(gun_pos_m), aim.shape)
    return LeadSolution(
        aim_m=(aim + gun) * nan[:, None], tof_s=t * nan, range_m=rng * nan,
        los_elevation_rad=eps * nan,
        bore_elevation_rad=th * nan, superelevation_rad=(th - eps) * nan,
        azimuth_rad=np.arctan2(aim[:, 0], aim[:, 1]) * nan, speed_mps=vp * nan,
        residual_s=resid)


_GL_CACHE: dict[int, tuple[FloatArray, FloatArray]] = {}


def _gauss_legendre(nodes: int) -> tuple[FloatArray, FloatArray]:
    if nodes not in _GL_CACHE:
        _GL_CACHE[nodes] = np.polynomial.legendre.leggauss(nodes)
    return _GL_CACHE[nodes]


def _i0e(x: FloatArray) -> FloatArray:
    """exp(−x)·I0(x) for x ≥ 0 (numpy's i0 below 50, the asymptotic series above: its next
    term is 225/(3072·x³) < 1e-6 relative; Abramowitz & Stegun 9.7.1)."""
    small = x < 50.0
    xs = np.where(small, x, 0.0)
    xl = np.where(small, 50.0, x)
    asym = (1.0 + 1.0 / (8.0 * xl) + 9.0 / (128.0 * xl ** 2)) / np.sqrt(2.0 * np.pi * xl)
    return np.where(small, np.i0(xs) * np.exp(-xs), asym)


def burst_kill_probability(range_m: ArrayLike, area_m2: ArrayLike, rounds: ArrayLike,
                           dispersion_rad: ArrayLike, aim_sigma_m: ArrayLike,
                           pk_given_hit: ArrayLike, offset_m: ArrayLike = 0.0,
                           nodes: int = 64) -> tuple[FloatArray, FloatArray]:
    """Expected hits and kill probability of one burst (module docstring): ``rounds`` rounds
    with per-round dispersion ``dispersion_rad`` (σ per axis at ``range_m``), one aim error
    N(``offset_m``, ``aim_sigma_m``² per axis) common to the burst, a target of presented area
    ``area_m2`` and ``pk_given_hit``. p(b) depends on |b| only, and |b| is Rice-distributed:
    the average over the aim error is a ``nodes``-point Gauss–Legendre rule in |b| over
    |offset| ± 10·σ_a (clipped at 0). Returns ``(expected_hits, pk)``."""
    R, A, n, dd, sa, q, off = np.broadcast_arrays(
        as_float(range_m), as_float(area_m2), as_float(rounds), as_float(dispersion_rad),
        as_float(aim_sigma_m), as_float(pk_given_hit), np.abs(as_float(offset_m)))
    bt2 = A / (2.0 * np.pi)
    s2 = bt2 + (R * dd) ** 2  # one round: Gaussian target convolved with the dispersion
    tot = s2 + sa ** 2
    hits = n * bt2 / tot * np.exp(-off ** 2 / (2.0 * tot))
    # Rice density of ρ = |b|: (ρ/σ_a²)·exp(−(ρ − d)²/(2σ_a²))·[exp(−x)·I0(x)], x = ρ·d/σ_a²
    x, w = _gauss_legendre(nodes)
    sa_ = np.maximum(sa, 1e-12)[..., None]
    lo = np.maximum(off - 10.0 * sa, 0.0)[..., None]
    hi = (off + 10.0 * sa)[..., None]
    rho = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
    dens = rho / sa_ ** 2 * np.exp(-(rho - off[..., None]) ** 2 / (2.0 * sa_ ** 2)) * _i0e(
        rho * off[..., None] / sa_ ** 2)
    p_rho = (bt2 / s2)[..., None] * np.exp(-rho ** 2 / (2.0 * s2[..., None]))
    survive = (1.0 - q[..., None] * p_rho) ** n[..., None]
    mean_survive = 0.5 * (hi - lo)[..., 0] * np.sum(w * survive * dens, axis=-1)
    # no aim error: every round about the offset itself
    p_off = bt2 / s2 * np.exp(-off ** 2 / (2.0 * s2))
    mean_survive = np.where(sa > 0, mean_survive, (1.0 - q * p_off) ** n)
    pk = 1.0 - mean_survive
    return hits, np.clip(pk, 0.0, 1.0)
