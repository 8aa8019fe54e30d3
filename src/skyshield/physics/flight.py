"""Point-mass (3-DoF) interceptor flight, proportional navigation and the end-game geometry.

All kernels work on whole arrays of interceptors (rows), in a flat local frame (ENU, z up):

    dp/dt = v
    dv/dt = ((T − D)/m)·v̂ + a_L + g,            g = (0, 0, −g0)
    dm/dt = −T/(g0·Isp)
    da_L/dt = (a_c⊥ − a_L)/τ                     (first-order autopilot lag; τ = 0: a_L = a_c⊥)

T(t) is a boost thrust for ``t_boost`` then a sustain thrust for ``t_sustain``;
D = ½·ρ(h)·V²·S·C_D(M) with the ISA density and speed of sound; a_c⊥ is the guidance command
with its component along v removed (an airframe turns, it does not push along its axis) and
clipped to the lateral limit min(n_max·g0, C_N,max·q·S/m), which falls with dynamic pressure q
(high and slow, a missile cannot turn). The applied lateral acceleration is projected
perpendicular to v again inside every derivative evaluation, so with thrust and drag off the
speed changes only through gravity and KE + PE is conserved. Integration: classical RK4 at a
fixed step. (Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed., ch. 2 and 8; the
point-mass equations as in models.md.)

Guidance: true proportional navigation a_c = N′·Vc·(Ω × r̂) with Ω = (r × v)/|r|² the
line-of-sight rate vector and Vc = −(r·v)/|r| the closing speed (r, v target relative to
missile) — perpendicular to the line of sight, Zarchan's "true PN".

Implementation: the per-row equations are written once, as scalar functions compiled by numba
(``@njit``, the way poliastro's ``core`` is), and every public kernel here is a loop over rows
of them: :func:`rk4_step` for one step of any rows, :func:`fly_guided` for a whole guidance
interval of guided flight with the fuze and the loss checks (the hot path of the simulation,
one compiled call per interval instead of a few hundred numpy calls per sub-step). The ISA
density and speed of sound come from :func:`skyshield.physics.atmosphere.isa` tabulated every
10 m (linear interpolation; the density's relative error is below 1e-6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numba import njit
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float
from skyshield.physics.atmosphere import G0_MPS2, isa

__all__ = ["Airframe", "FlightState", "altitude_m", "cd_mach", "rk4_step", "fly_guided",
           "GuidedResult", "lateral_limit", "true_pn", "cpa_in_step", "burst_pk",
           "hit_probability_circle", "AIRFRAME_FIELDS", "FLYING", "FUZED", "LOST"]

_jit = njit(cache=True, nogil=True, error_model="numpy")

# assumed: a generic tactical-missile zero-lift drag curve (body + fins, power on/off averaged):
# about 0.3 subsonic, a transonic peak near 0.8 at Mach 1.1, falling as 1/M towards 0.3 at Mach 5
_CD_MACH = np.array([0.0, 0.6, 0.8, 0.95, 1.1, 1.3, 1.6, 2.0, 2.5, 3.0, 4.0, 5.0, 8.0])
_CD_VALUE = np.array([0.30, 0.30, 0.34, 0.55, 0.80, 0.74, 0.64, 0.55, 0.47, 0.42, 0.35, 0.30, 0.26])

# the same curve on a uniform 0.05 Mach grid (every knot above is a multiple of 0.05, so linear
# interpolation on it is the same function) for an O(1) look-up in the compiled kernels
_CD_DM = 0.05
_CD_GRID = np.interp(np.arange(0.0, _CD_MACH[-1] + _CD_DM / 2, _CD_DM), _CD_MACH, _CD_VALUE)

# the ISA (physics.atmosphere) tabulated for the compiled kernels, -1 km to 85 km every 50 m:
# rows of (density, 1/speed of sound), linear in between (density within 5e-6 of the ISA: the
# curvature over 50 m of an exponential with a 6-8 km scale height); 27 kB, in the L1 cache
_ATM_H0_M, _ATM_DH_M, _ATM_TOP_M = -1000.0, 50.0, 85000.0
_ATM_ALT_M = np.linspace(_ATM_H0_M, _ATM_TOP_M, int((_ATM_TOP_M - _ATM_H0_M) / _ATM_DH_M) + 1)
_ATM = np.ascontiguousarray(np.column_stack([isa(_ATM_ALT_M)[2], 1.0 / isa(_ATM_ALT_M)[3]]))
_ATM_N = _ATM_ALT_M.size

_T_EPS_S = 1e-7  # one-sided thrust look-ups at a step's ends (s)

# row states of fly_guided
FLYING, FUZED, LOST = 0, 1, 2

AIRFRAME_FIELDS = ("mass0_kg", "propellant_kg", "thrust_boost_n", "t_boost_s",
                   "thrust_sustain_n", "t_sustain_s", "isp_s", "ref_area_m2", "cd_scale",
                   "n_max_g", "cn_max", "tau_s")
# column of each field in the airframe matrix the compiled kernels read
_M0, _PROP, _TB, _TTB, _TS, _TTS, _ISP, _S, _CDS, _NMAX, _CN, _TAU = range(12)


@dataclass(frozen=True)
class Airframe:
    """Per-interceptor airframe parameters (arrays of shape (n,))."""

    mass0_kg: FloatArray
    propellant_kg: FloatArray
    thrust_boost_n: FloatArray
    t_boost_s: FloatArray
    thrust_sustain_n: FloatArray
    t_sustain_s: FloatArray
    isp_s: FloatArray
    ref_area_m2: FloatArray
    cd_scale: FloatArray
    n_max_g: FloatArray
    cn_max: FloatArray
    tau_s: FloatArray

    def thrust_n(self, t_flight_s: FloatArray) -> FloatArray:
        """Thrust at flight time t (zero before launch and after burnout)."""
        t = as_float(t_flight_s)
        boost = (t >= 0) & (t < self.t_boost_s)
        sustain = (t >= self.t_boost_s) & (t < self.t_boost_s + self.t_sustain_s)
        return np.where(boost, self.thrust_boost_n, np.where(sustain, self.thrust_sustain_n, 0.0))

    def take(self, rows: ArrayLike) -> Airframe:
        m = self.matrix[np.asarray(rows)]
        af = Airframe(*(m[..., j] for j in range(len(AIRFRAME_FIELDS))))
        af.__dict__["matrix"] = m  # the rows' kernel matrix, without stacking it again
        return af

    @cached_property
    def matrix(self) -> FloatArray:
        """The (n, 12) matrix of the fields in :data:`AIRFRAME_FIELDS` order (kernel input)."""
        return np.ascontiguousarray(np.column_stack(
            [np.broadcast_to(as_float(getattr(self, f)), np.shape(self.mass0_kg))
             for f in AIRFRAME_FIELDS]), dtype=np.float64)


@dataclass
class FlightState:
    """Position (n, 3), velocity (n, 3), mass (n,), applied lateral acceleration (n, 3) and time
    since launch (n,)."""

    pos_m: FloatArray
    vel_mps: FloatArray
    mass_kg: FloatArray
    a_lat_mps2: FloatArray
    t_flight_s: FloatArray

    def copy(self) -> FlightState:
        return FlightState(self.pos_m.copy(), self.vel_mps.copy(), self.mass_kg.copy(),
                           self.a_lat_mps2.copy(), self.t_flight_s.copy())

    def packed(self) -> FloatArray:
        """(n, 10) rows of x, y, z, vx, vy, vz, m, aLx, aLy, aLz (kernel input)."""
        return np.ascontiguousarray(np.column_stack(
            [self.pos_m, self.vel_mps, self.mass_kg, self.a_lat_mps2]), dtype=np.float64)

    @staticmethod
    def unpacked(y: FloatArray, t_flight_s: FloatArray) -> FlightState:
        return FlightState(y[:, 0:3].copy(), y[:, 3:6].copy(), y[:, 6].copy(),
                           y[:, 7:10].copy(), t_flight_s)


def altitude_m(pos_m: FloatArray, alt0_m: float = 0.0, earth_radius_m: float = np.inf
               ) -> FloatArray:
    """Altitude of local-frame positions: z + the frame origin's altitude + the Earth's drop
    below the tangent plane, (x² + y²)/(2R) (a flat frame over a curved Earth: at 100 km the
    ground is 785 m below the plane)."""
    p = as_float(pos_m)
    return p[..., 2] + alt0_m + (p[..., 0] ** 2 + p[..., 1] ** 2) / (2.0 * earth_radius_m)


# --------------------------------------------------------------------------------------------
# the per-row equations (compiled)


@_jit
def _air1(alt_m: float) -> tuple[float, float]:
    """ISA density and 1/(speed of sound) at a geometric altitude (the table, clipped to it)."""
    x = (min(max(alt_m, _ATM_H0_M), _ATM_TOP_M) - _ATM_H0_M) * (1.0 / _ATM_DH_M)
    i = min(int(x), _ATM_N - 2)
    f = x - i
    return (_ATM[i, 0] + f * (_ATM[i + 1, 0] - _ATM[i, 0]),
            _ATM[i, 1] + f * (_ATM[i + 1, 1] - _ATM[i, 1]))


@_jit
def _cd1(mach: float) -> float:
    """The C_D(M) table, linear in between and held beyond its ends (as numpy.interp)."""
    x = max(mach, 0.0) * (1.0 / _CD_DM)
    j = int(x)
    if j >= _CD_GRID.size - 1:
        return _CD_GRID[-1]
    return _CD_GRID[j] + (x - j) * (_CD_GRID[j + 1] - _CD_GRID[j])


@_jit
def _thrust1(af: FloatArray, i: int, t: float) -> float:
    if t < 0.0:
        return 0.0
    if t < af[i, _TTB]:
        return af[i, _TB]
    if t < af[i, _TTB] + af[i, _TTS]:
        return af[i, _TS]
    return 0.0


@_jit
def _lat_limit1(af: FloatArray, i: int, speed: float, rho: float, mass: float) -> float:
    """min(n_max·g0, C_N,max·q·S/m), q = ½ρV²."""
    q = 0.5 * rho * speed * speed
    return min(af[i, _NMAX] * G0_MPS2, af[i, _CN] * q * af[i, _S] / mass)


_State = tuple[float, float, float, float, float, float, float, float, float, float]


@_jit
def _rhs1(y: _State, thrust: float, m_dry: float, mdot_burn: float, k_area: float,
          alt0_m: float, inv_2r: float, inv_tau: float, g: float, cx: float, cy: float,
          cz: float) -> _State:
    """The derivative of one packed state (module docstring): ``thrust`` over the stage,
    ``mdot_burn`` = −T/(g0·Isp) while burning, ``k_area`` = ½·S·C_D scale (0: no drag; the
    atmosphere at the stage's altitude, :func:`altitude_m`), ``inv_tau`` = 1/τ (0: no lag
    state), ``g`` gravity."""
    vx, vy, vz = y[3], y[4], y[5]
    v2 = max(vx * vx + vy * vy + vz * vz, 1e-24)
    speed = math.sqrt(v2)
    m = y[6]
    mdot = mdot_burn if thrust > 0.0 and m > m_dry else 0.0
    dragf = 0.0
    if k_area > 0.0:
        rho, inv_a = _air1(y[2] + alt0_m + (y[0] * y[0] + y[1] * y[1]) * inv_2r)
        dragf = k_area * rho * v2 * _cd1(speed * inv_a)
    # one division: q = 1/(m·V³) gives 1/V² = q·m·V and (T − D)/(m·V) = (T − D)·q·V²
    q = 1.0 / (m * speed * v2)
    inv_v2 = q * m * speed
    w = (thrust - dragf) * q * v2  # ((T − D)/m)·v̂ = w·v
    ax, ay, az = y[7], y[8], y[9]
    d = (ax * vx + ay * vy + az * vz) * inv_v2  # a_L projected across v again (no work)
    dax = day = daz = 0.0
    if inv_tau > 0.0:
        dc = (cx * vx + cy * vy + cz * vz) * inv_v2
        dax = (cx - dc * vx - ax) * inv_tau
        day = (cy - dc * vy - ay) * inv_tau
        daz = (cz - dc * vz - az) * inv_tau
    return (vx, vy, vz, w * vx + ax - d * vx, w * vy + ay - d * vy, w * vz + az - d * vz - g,
            mdot, dax, day, daz)


@_jit
def _axpy(y: _State, h: float, k: _State) -> _State:
    return (y[0] + h * k[0], y[1] + h * k[1], y[2] + h * k[2], y[3] + h * k[3],
            y[4] + h * k[4], y[5] + h * k[5], y[6] + h * k[6], y[7] + h * k[7],
            y[8] + h * k[8], y[9] + h * k[9])


@_jit
def _rk4_1(af: FloatArray, i: int, y: _State, t: float, cx: float, cy: float, cz: float,
           h: float, drag: bool, gravity: bool, limit: bool, alt0_m: float, inv_2r: float
           ) -> _State:
    """One RK4 step of row ``i``, the command held over the step: taken across v and clipped
    to the lateral limit at the step's start (``limit``); with τ = 0 it is the applied lateral
    acceleration itself; the atmosphere is taken at each stage's altitude. ``inv_2r`` = 1/(2R)
    places the frame over the Earth (:func:`altitude_m`)."""
    if limit:
        vx, vy, vz = y[3], y[4], y[5]
        speed = math.sqrt(vx * vx + vy * vy + vz * vz)
        inv = 1.0 / max(speed, 1e-12)
        ux, uy, uz = vx * inv, vy * inv, vz * inv
        d = cx * ux + cy * uy + cz * uz
        cx, cy, cz = cx - d * ux, cy - d * uy, cz - d * uz
        n = math.sqrt(cx * cx + cy * cy + cz * cz)
        rho = _air1(y[2] + alt0_m + (y[0] * y[0] + y[1] * y[1]) * inv_2r)[0]
        s = min(1.0, _lat_limit1(af, i, speed, rho, y[6]) / max(n, 1e-12))
        cx, cy, cz = cx * s, cy * s, cz * s
    tau = af[i, _TAU]
    inv_tau = 1.0 / tau if tau > 0.0 else 0.0
    if inv_tau == 0.0:
        y = (y[0], y[1], y[2], y[3], y[4], y[5], y[6], cx, cy, cz)
    k_area = 0.5 * af[i, _S] * af[i, _CDS] if drag else 0.0
    g = G0_MPS2 if gravity else 0.0
    m_dry = af[i, _M0] - af[i, _PROP]
    # thrust is piecewise constant: the step's start takes the value just after t, its end the
    # value just before t + h, so a step ending on a burnout integrates the right impulse
    th0 = _thrust1(af, i, t + _T_EPS_S)
    th1 = _thrust1(af, i, t + 0.5 * h)
    th2 = _thrust1(af, i, t + h - _T_EPS_S)
    burn = -1.0 / (G0_MPS2 * af[i, _ISP])
    k1 = _rhs1(y, th0, m_dry, th0 * burn, k_area, alt0_m, inv_2r, inv_tau, g, cx, cy, cz)
    k2 = _rhs1(_axpy(y, 0.5 * h, k1), th1, m_dry, th1 * burn, k_area, alt0_m, inv_2r, inv_tau,
               g, cx, cy, cz)
    k3 = _rhs1(_axpy(y, 0.5 * h, k2), th1, m_dry, th1 * burn, k_area, alt0_m, inv_2r, inv_tau,
               g, cx, cy, cz)
    k4 = _rhs1(_axpy(y, h, k3), th2, m_dry, th2 * burn, k_area, alt0_m, inv_2r, inv_tau, g,
               cx, cy, cz)
    h6 = h / 6.0
    y = (y[0] + h6 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
         y[1] + h6 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
         y[2] + h6 * (k1[2] + 2.0 * k2[2] + 2.0 * k3[2] + k4[2]),
         y[3] + h6 * (k1[3] + 2.0 * k2[3] + 2.0 * k3[3] + k4[3]),
         y[4] + h6 * (k1[4] + 2.0 * k2[4] + 2.0 * k3[4] + k4[4]),
         y[5] + h6 * (k1[5] + 2.0 * k2[5] + 2.0 * k3[5] + k4[5]),
         max(y[6] + h6 * (k1[6] + 2.0 * k2[6] + 2.0 * k3[6] + k4[6]), m_dry),
         y[7] + h6 * (k1[7] + 2.0 * k2[7] + 2.0 * k3[7] + k4[7]),
         y[8] + h6 * (k1[8] + 2.0 * k2[8] + 2.0 * k3[8] + k4[8]),
         y[9] + h6 * (k1[9] + 2.0 * k2[9] + 2.0 * k3[9] + k4[9]))
    if inv_tau == 0.0:
        y = (y[0], y[1], y[2], y[3], y[4], y[5], y[6], cx, cy, cz)
    return y


@_jit
def _load(y: FloatArray, i: int) -> _State:
    return (y[i, 0], y[i, 1], y[i, 2], y[i, 3], y[i, 4], y[i, 5], y[i, 6], y[i, 7], y[i, 8],
            y[i, 9])


@_jit
def _store(y: FloatArray, i: int, v: _State) -> None:
    for j in range(10):
        y[i, j] = v[j]


@_jit
def _pn1(rx: float, ry: float, rz: float, vx: float, vy: float, vz: float, n_prime: float
         ) -> tuple[float, float, float]:
    """True PN (module docstring) for one row."""
    rn = math.sqrt(max(rx * rx + ry * ry + rz * rz, 1e-12))
    inv_rn = 1.0 / rn
    inv_rr = inv_rn * inv_rn
    wx = (ry * vz - rz * vy) * inv_rr
    wy = (rz * vx - rx * vz) * inv_rr
    wz = (rx * vy - ry * vx) * inv_rr
    ux, uy, uz = rx * inv_rn, ry * inv_rn, rz * inv_rn
    g = n_prime * (-(rx * vx + ry * vy + rz * vz) * inv_rn)
    return g * (wy * uz - wz * uy), g * (wz * ux - wx * uz), g * (wx * uy - wy * ux)


@_jit
def _cpa1(r0x: float, r0y: float, r0z: float, r1x: float, r1y: float, r1z: float, dt: float
          ) -> tuple[float, float]:
    """Closest approach inside a step, relative motion linear from r0 to r1: (τ, distance)."""
    dx, dy, dz = r1x - r0x, r1y - r0y, r1z - r0z
    dd = dx * dx + dy * dy + dz * dz
    f = 0.0
    if dd > 0.0:
        f = min(max(-(r0x * dx + r0y * dy + r0z * dz) / dd, 0.0), 1.0)
    cx, cy, cz = r0x + f * dx, r0y + f * dy, r0z + f * dz
    return f * dt, math.sqrt(cx * cx + cy * cy + cz * cz)


# --------------------------------------------------------------------------------------------
# row loops (compiled) and their array interfaces


@_jit
def _rk4_rows(af: FloatArray, y: FloatArray, t: FloatArray, cmd: FloatArray, h: float,
              drag: bool, gravity: bool, limit: bool, alt0_m: float, radius_m: float) -> None:
    inv_2r = 0.5 / radius_m
    for i in range(y.shape[0]):
        _store(y, i, _rk4_1(af, i, _load(y, i), t[i], cmd[i, 0], cmd[i, 1], cmd[i, 2], h, drag,
                            gravity, limit, alt0_m, inv_2r))


def rk4_step(af: Airframe, s: FlightState, a_cmd_mps2: FloatArray, dt: float,
             drag: bool = True, gravity: bool = True, limit: bool = True, alt0_m: float = 0.0,
             earth_radius_m: float = np.inf) -> FlightState:
    """One RK4 step of ``dt`` seconds with the guidance command held over the step. With τ = 0
    the applied lateral acceleration is the (limited, perpendicular) command itself.
    ``alt0_m`` and ``earth_radius_m`` place the local frame over the Earth for the atmosphere
    (:func:`altitude_m`); the dynamics stay flat-Earth."""
    y = s.packed()
    n = y.shape[0]
    cmd = np.ascontiguousarray(np.broadcast_to(as_float(a_cmd_mps2), (n, 3)))
    _rk4_rows(af.matrix, y, as_float(s.t_flight_s), cmd, float(dt), drag, gravity, limit,
              float(alt0_m), float(earth_radius_m))
    return FlightState.unpacked(y, s.t_flight_s + dt)


@_jit
def _lat_limit_rows(af: FloatArray, speed: FloatArray, alt: FloatArray, mass: FloatArray,
                    out: FloatArray) -> None:
    for i in range(out.size):
        out[i] = _lat_limit1(af, i, speed[i], _air1(alt[i])[0], mass[i])


def lateral_limit(af: Airframe, speed_mps: ArrayLike, alt_m: ArrayLike, mass_kg: ArrayLike
                  ) -> FloatArray:
    """Largest lateral acceleration (m/s²): min(n_max·g0, C_N,max·q·S/m), q = ½ρV²."""
    m = af.matrix
    n = m.shape[0]
    out = np.empty(n)
    def rows(x: ArrayLike) -> FloatArray:
        return np.ascontiguousarray(np.broadcast_to(as_float(x), n))

    _lat_limit_rows(m, rows(speed_mps), rows(alt_m), rows(mass_kg), out)
    return out


@_jit
def _cd_rows(mach: FloatArray, out: FloatArray) -> None:
    for i in range(mach.size):
        out[i] = _cd1(mach[i])


def cd_mach(mach: ArrayLike) -> FloatArray:
    """Zero-lift drag coefficient against Mach number (the generic table, linear in between)."""
    m = as_float(mach)
    out = np.empty(m.size)
    _cd_rows(np.ascontiguousarray(m.ravel()), out)
    return out.reshape(m.shape)


@_jit
def _pn_rows(r: FloatArray, v: FloatArray, n_prime: FloatArray, out: FloatArray) -> None:
    for i in range(r.shape[0]):
        out[i, 0], out[i, 1], out[i, 2] = _pn1(r[i, 0], r[i, 1], r[i, 2], v[i, 0], v[i, 1],
                                               v[i, 2], n_prime[i])


def true_pn(rel_pos_m: FloatArray, rel_vel_mps: FloatArray, n_prime: ArrayLike) -> FloatArray:
    """True proportional navigation command a_c = N′·Vc·(Ω × r̂) (module docstring); r, v are
    the target's position and velocity relative to the missile, arrays (..., 3)."""
    r = as_float(rel_pos_m)
    shape = np.broadcast_shapes(r.shape, np.shape(rel_vel_mps))
    r2 = np.ascontiguousarray(np.broadcast_to(r, shape).reshape(-1, 3))
    v2 = np.ascontiguousarray(np.broadcast_to(as_float(rel_vel_mps), shape).reshape(-1, 3))
    nn = np.ascontiguousarray(np.broadcast_to(as_float(n_prime), shape[:-1]).reshape(-1))
    out = np.empty_like(r2)
    _pn_rows(r2, v2, nn, out)
    return out.reshape(shape)


@_jit
def _cpa_rows(r0: FloatArray, r1: FloatArray, dt: float, t_out: FloatArray, d_out: FloatArray
              ) -> None:
    for i in range(r0.shape[0]):
        t_out[i], d_out[i] = _cpa1(r0[i, 0], r0[i, 1], r0[i, 2], r1[i, 0], r1[i, 1], r1[i, 2],
                                   dt)


def cpa_in_step(rel0_m: ArrayLike, rel1_m: ArrayLike, dt: float) -> tuple[FloatArray, FloatArray]:
    """Closest approach inside one step, the relative motion taken as linear between its start
    ``rel0`` and end ``rel1`` (target minus missile): time τ in [0, dt] and distance. No
    target passes through a step unseen, however fast the closure."""
    a, b = np.broadcast_arrays(as_float(rel0_m), as_float(rel1_m))
    shape = a.shape[:-1]
    r0 = np.ascontiguousarray(a.reshape(-1, 3))
    r1 = np.ascontiguousarray(b.reshape(-1, 3))
    t, d = np.empty(r0.shape[0]), np.empty(r0.shape[0])
    _cpa_rows(r0, r1, float(dt), t, d)
    return t.reshape(shape), d.reshape(shape)


@dataclass(frozen=True)
class GuidedResult:
    """What :func:`fly_guided` reports per row: ``status`` (FLYING, FUZED or LOST) and, for
    fuzed rows, the instant, the miss distance and the missile's position at the closest
    approach."""

    status: np.ndarray
    t_fuze_s: FloatArray
    miss_m: FloatArray
    pos_fuze_m: FloatArray


@_jit
def _guided_rows(af: FloatArray, y: FloatArray, t_fl: FloatArray, nav: FloatArray,
                 loft: FloatArray, mid: np.ndarray, aim_p: FloatArray, aim_v: FloatArray,
                 real_p: FloatArray, t0: float, h: float, ground_alt_m: float, alt0_m: float,
                 radius_m: float, fuze_range_m: float, min_speed_mps: float,
                 status: np.ndarray, t_fz: FloatArray, miss: FloatArray, p_fz: FloatArray
                 ) -> None:
    steps = aim_p.shape[0] - 1
    inv_2r = 0.5 / radius_m
    for i in range(y.shape[0]):
        yi = _load(y, i)
        t_burn = af[i, _TTB] + af[i, _TTS]
        for s in range(steps):
            px, py, pz = yi[0], yi[1], yi[2]
            rx, ry, rz = aim_p[s, i, 0] - px, aim_p[s, i, 1] - py, aim_p[s, i, 2] - pz
            if mid[i]:  # midcourse loft: the aim raised by loft × the ground distance to go
                rz += loft[i] * math.sqrt(rx * rx + ry * ry)
            cx, cy, cz = _pn1(rx, ry, rz, aim_v[s, i, 0] - yi[3], aim_v[s, i, 1] - yi[4],
                              aim_v[s, i, 2] - yi[5], nav[i])
            cz += G0_MPS2  # gravity compensation (then taken across v with the rest)
            yi = _rk4_1(af, i, yi, t_fl[i], cx, cy, cz, h, True, True, True, alt0_m, inv_2r)
            t_fl[i] += h
            # the closest approach to the real target inside this step; the fuze fires when
            # the range opens inside the step within its reach
            r0x, r0y, r0z = real_p[s, i, 0] - px, real_p[s, i, 1] - py, real_p[s, i, 2] - pz
            r1x = real_p[s + 1, i, 0] - yi[0]
            r1y = real_p[s + 1, i, 1] - yi[1]
            r1z = real_p[s + 1, i, 2] - yi[2]
            tau, d = _cpa1(r0x, r0y, r0z, r1x, r1y, r1z, h)
            opening = r1x * (r1x - r0x) + r1y * (r1y - r0y) + r1z * (r1z - r0z) > 0.0
            if opening and tau < h and d <= fuze_range_m:
                status[i] = FUZED
                t_fz[i] = t0 + s * h + tau
                miss[i] = d
                f = tau / h
                p_fz[i, 0] = px + (yi[0] - px) * f
                p_fz[i, 1] = py + (yi[1] - py) * f
                p_fz[i, 2] = pz + (yi[2] - pz) * f
                break
            speed = math.sqrt(yi[3] * yi[3] + yi[4] * yi[4] + yi[5] * yi[5])
            alt = yi[2] + alt0_m + (yi[0] * yi[0] + yi[1] * yi[1]) * inv_2r
            if (t_fl[i] > t_burn and speed < min_speed_mps) or alt < ground_alt_m:
                status[i] = LOST
                break
        _store(y, i, yi)


def fly_guided(af: Airframe, s: FlightState, nav_ratio: ArrayLike, loft: ArrayLike,
               midcourse: ArrayLike, aim_pos_m: FloatArray, aim_vel_mps: FloatArray,
               real_pos_m: FloatArray, t0_s: float, h_s: float, fuze_range_m: float,
               min_speed_mps: float, ground_alt_m: float = -np.inf, alt0_m: float = 0.0,
               earth_radius_m: float = np.inf) -> tuple[FlightState, GuidedResult]:
    """Guided flight of n rows over K sub-steps of ``h_s`` from ``t0_s``, one compiled loop.

    ``aim_pos_m``/``aim_vel_mps`` (K+1, n, 3) are the guidance targets at the sub-step instants
    (command: true PN on them, N′ = ``nav_ratio``, gravity compensated, the aim raised by
    ``loft`` × the ground distance to go where ``midcourse``); ``real_pos_m`` (K+1, n, 3) the
    real targets the fuze sees. After every RK4 sub-step the closest approach inside it
    (:func:`cpa_in_step`) fuzes the row if the range is opening and within ``fuze_range_m``;
    a row slower than ``min_speed_mps`` after burnout, or below ``ground_alt_m``
    (:func:`altitude_m`), is lost. Fuzed and lost rows stop where that happened."""
    y = s.packed()
    n = y.shape[0]
    t_fl = as_float(s.t_flight_s).copy()
    status = np.zeros(n, dtype=np.int8)
    t_fz = np.full(n, np.nan)
    miss = np.full(n, np.nan)
    p_fz = np.full((n, 3), np.nan)

    def rows(x: ArrayLike, dtype: type = np.float64) -> np.ndarray:
        return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=dtype), n))

    def steps(x: FloatArray) -> FloatArray:
        return np.ascontiguousarray(x, dtype=np.float64)

    _guided_rows(af.matrix, y, t_fl, rows(nav_ratio), rows(loft), rows(midcourse, np.bool_),
                 steps(aim_pos_m), steps(aim_vel_mps), steps(real_pos_m), float(t0_s),
                 float(h_s), float(ground_alt_m), float(alt0_m), float(earth_radius_m),
                 float(fuze_range_m), float(min_speed_mps), status, t_fz, miss, p_fz)
    return FlightState.unpacked(y, t_fl), GuidedResult(status, t_fz, miss, p_fz)


def hit_probability_circle(area_m2: ArrayLike, sigma_m: ArrayLike) -> FloatArray:
    """Probability that one round of a centred circular-normal impact pattern (σ per axis)
    falls inside a target of presented area A (taken as a circle): 1 − exp(−A/(2πσ²))."""
    return 1.0 - np.exp(-as_float(area_m2) / (2 * np.pi * as_float(sigma_m) ** 2))


def burst_pk(range_m: ArrayLike, area_m2: ArrayLike, rounds: ArrayLike, dispersion_rad: ArrayLike,
             aim_sigma_m: ArrayLike, pk_given_hit: ArrayLike) -> FloatArray:
    """Kill probability of a gun burst: each of n rounds independently hits with
    P = 1 − exp(−A/(2πσ²)), σ² = (R·dispersion)² + σ_aim², and a hit kills with
    ``pk_given_hit``: Pk = 1 − (1 − P·p_k|h)^n (independent rounds; the usual first-order
    burst model, e.g. Ball, *The Fundamentals of Aircraft Combat Survivability*, ch. 3)."""
    sig = np.sqrt((as_float(range_m) * as_float(dispersion_rad)) ** 2 + as_float(aim_sigma_m) ** 2)
    p = hit_probability_circle(area_m2, sig) * as_float(pk_given_hit)
    return 1.0 - (1.0 - p) ** as_float(rounds)
