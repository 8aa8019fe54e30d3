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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float
from skyshield.physics.atmosphere import G0_MPS2, isa

__all__ = ["Airframe", "FlightState", "altitude_m", "cd_mach", "derivatives", "rk4_step",
           "lateral_limit", "true_pn", "cpa_in_step", "burst_pk", "hit_probability_circle"]

# assumed: a generic tactical-missile zero-lift drag curve (body + fins, power on/off averaged):
# about 0.3 subsonic, a transonic peak near 0.8 at Mach 1.1, falling as 1/M towards 0.3 at Mach 5
_CD_MACH = np.array([0.0, 0.6, 0.8, 0.95, 1.1, 1.3, 1.6, 2.0, 2.5, 3.0, 4.0, 5.0, 8.0])
_CD_VALUE = np.array([0.30, 0.30, 0.34, 0.55, 0.80, 0.74, 0.64, 0.55, 0.47, 0.42, 0.35, 0.30, 0.26])


def cd_mach(mach: ArrayLike) -> FloatArray:
    """Zero-lift drag coefficient against Mach number (the generic table, linear in between)."""
    return np.interp(as_float(mach), _CD_MACH, _CD_VALUE)


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
        r = np.asarray(rows)
        return Airframe(*(getattr(self, f)[r] for f in self.__dataclass_fields__))


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


def altitude_m(pos_m: FloatArray, alt0_m: float = 0.0, earth_radius_m: float = np.inf
               ) -> FloatArray:
    """Altitude of local-frame positions: z + the frame origin's altitude + the Earth's drop
    below the tangent plane, (x² + y²)/(2R) (a flat frame over a curved Earth: at 100 km the
    ground is 785 m below the plane)."""
    p = as_float(pos_m)
    return p[..., 2] + alt0_m + (p[..., 0] ** 2 + p[..., 1] ** 2) / (2.0 * earth_radius_m)


def _unit(v: FloatArray) -> tuple[FloatArray, FloatArray]:
    n = np.linalg.norm(v, axis=-1)
    return v / np.maximum(n, 1e-12)[..., None], n


def _perp(a: FloatArray, vhat: FloatArray) -> FloatArray:
    return a - np.sum(a * vhat, axis=-1, keepdims=True) * vhat


def lateral_limit(af: Airframe, speed_mps: ArrayLike, alt_m: ArrayLike, mass_kg: ArrayLike
                  ) -> FloatArray:
    """Largest lateral acceleration (m/s²): min(n_max·g0, C_N,max·q·S/m), q = ½ρV²."""
    rho = isa(np.clip(as_float(alt_m), -1000.0, 85000.0))[2]
    q = 0.5 * rho * as_float(speed_mps) ** 2
    return np.minimum(af.n_max_g * G0_MPS2, af.cn_max * q * af.ref_area_m2 / as_float(mass_kg))


def derivatives(af: Airframe, s: FlightState, a_cmd_mps2: FloatArray, drag: bool = True,
                gravity: bool = True, alt0_m: float = 0.0, earth_radius_m: float = np.inf,
                air: tuple[FloatArray, FloatArray] | None = None
                ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(dp/dt, dv/dt, dm/dt, da_L/dt) of the point-mass model (module docstring); the
    atmosphere (density, speed of sound) is ``air`` if given, else taken at
    :func:`altitude_m`."""
    vhat, speed = _unit(s.vel_mps)
    T = af.thrust_n(s.t_flight_s)
    burning = T > 0
    mdot = np.where(burning & (s.mass_kg > af.mass0_kg - af.propellant_kg),
                    -T / (G0_MPS2 * af.isp_s), 0.0)
    if drag:
        rho, a_snd = air if air is not None else _air(s.pos_m, alt0_m, earth_radius_m)
        D = 0.5 * rho * speed**2 * af.ref_area_m2 * af.cd_scale * cd_mach(speed / a_snd)
    else:
        D = np.zeros_like(speed)
    acc = ((T - D) / s.mass_kg)[:, None] * vhat + _perp(s.a_lat_mps2, vhat)
    if gravity:
        acc = acc + np.array([0.0, 0.0, -G0_MPS2])
    lag = af.tau_s[:, None]
    cmd = _perp(a_cmd_mps2, vhat)
    da = np.where(lag > 0, (cmd - s.a_lat_mps2) / np.where(lag > 0, lag, 1.0), 0.0)
    return s.vel_mps, acc, mdot, da


def _air(pos_m: FloatArray, alt0_m: float, earth_radius_m: float
         ) -> tuple[FloatArray, FloatArray]:
    _, _, rho, a_snd = isa(np.clip(altitude_m(pos_m, alt0_m, earth_radius_m), -1000.0, 85000.0))
    return rho, a_snd


def _limit(af: Airframe, s: FlightState, a_cmd: FloatArray, alt0_m: float,
           earth_radius_m: float) -> FloatArray:
    vhat, speed = _unit(s.vel_mps)
    a = _perp(a_cmd, vhat)
    lim = lateral_limit(af, speed, altitude_m(s.pos_m, alt0_m, earth_radius_m), s.mass_kg)
    n = np.linalg.norm(a, axis=-1)
    return a * np.minimum(1.0, lim / np.maximum(n, 1e-12))[:, None]


def rk4_step(af: Airframe, s: FlightState, a_cmd_mps2: FloatArray, dt: float,
             drag: bool = True, gravity: bool = True, limit: bool = True, alt0_m: float = 0.0,
             earth_radius_m: float = np.inf) -> FlightState:
    """One RK4 step of ``dt`` seconds with the guidance command held over the step. With τ = 0
    the applied lateral acceleration is the (limited, perpendicular) command itself.
    ``alt0_m`` and ``earth_radius_m`` place the local frame over the Earth for the atmosphere
    (:func:`altitude_m`); the dynamics stay flat-Earth."""
    a_cmd = _limit(af, s, a_cmd_mps2, alt0_m, earth_radius_m) if limit else a_cmd_mps2
    s0 = s.copy()
    direct = af.tau_s <= 0
    if direct.any():
        s0.a_lat_mps2[direct] = a_cmd[direct]

    def shifted(k: tuple[FloatArray, ...], h: float) -> FlightState:
        return FlightState(s0.pos_m + h * k[0], s0.vel_mps + h * k[1], s0.mass_kg + h * k[2],
                           s0.a_lat_mps2 + h * k[3], s0.t_flight_s + h)

    # the atmosphere once per step, at its start (density changes by well under 1 % over a
    # 0.05 s step; one ISA evaluation instead of four)
    air = _air(s0.pos_m, alt0_m, earth_radius_m) if drag else None
    def deriv(st: FlightState) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        return derivatives(af, st, a_cmd, drag, gravity, alt0_m, earth_radius_m, air)

    k1 = deriv(s0)
    k2 = deriv(shifted(k1, dt / 2))
    k3 = deriv(shifted(k2, dt / 2))
    k4 = deriv(shifted(k3, dt))
    inc = [(a + 2 * b + 2 * c + d) * (dt / 6) for a, b, c, d in zip(k1, k2, k3, k4, strict=True)]
    out = FlightState(s0.pos_m + inc[0], s0.vel_mps + inc[1],
                      np.maximum(s0.mass_kg + inc[2], af.mass0_kg - af.propellant_kg),
                      s0.a_lat_mps2 + inc[3], s0.t_flight_s + dt)
    if direct.any():
        out.a_lat_mps2[direct] = a_cmd[direct]
    return out


def true_pn(rel_pos_m: FloatArray, rel_vel_mps: FloatArray, n_prime: ArrayLike) -> FloatArray:
    """True proportional navigation command a_c = N′·Vc·(Ω × r̂) (module docstring); r, v are
    the target's position and velocity relative to the missile."""
    r = as_float(rel_pos_m)
    v = as_float(rel_vel_mps)
    rr = np.maximum(np.sum(r * r, axis=-1), 1e-12)
    omega = np.cross(r, v) / rr[..., None]
    rhat = r / np.sqrt(rr)[..., None]
    vc = -np.sum(r * v, axis=-1) / np.sqrt(rr)
    return (as_float(n_prime) * vc)[..., None] * np.cross(omega, rhat)


def cpa_in_step(rel0_m: ArrayLike, rel1_m: ArrayLike, dt: float) -> tuple[FloatArray, FloatArray]:
    """Closest approach inside one step, the relative motion taken as linear between its start
    ``rel0`` and end ``rel1`` (target minus missile): time τ in [0, dt] and distance. No
    target passes through a step unseen, however fast the closure."""
    r0 = as_float(rel0_m)
    d = as_float(rel1_m) - r0
    dd = np.sum(d * d, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(dd > 0, -np.sum(r0 * d, axis=-1) / np.where(dd > 0, dd, 1.0), 0.0)
    f = np.clip(f, 0.0, 1.0)
    return f * dt, np.linalg.norm(r0 + f[..., None] * d, axis=-1)


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
