"""Surface reflection kernels: permittivity table, Fresnel coefficients, roughness, divergence.

Authorities: ITU-R P.2040-3 (2023) Table 3 (ground: εr = a·f^b, σ = c·f^d, f in GHz, 1–10 GHz);
ITU-R P.368-9 / P.527-3 ground constants; the Fresnel equations (Blake 1986 ch. 6; Born & Wolf
sec. 1.5) with their closed-form limits (normal incidence, Brewster angle, grazing limit);
Ament (1953) and Miller–Brown–Vegh (1984) roughness factors; Kerr (1951) divergence factor.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.physics.surface import (
    SURFACES,
    ament_roughness_factor,
    complex_permittivity,
    divergence_factor,
    fresnel_reflection,
    miller_brown_vegh_roughness_factor,
    surface_constants,
)

C = 299792458.0


@pytest.mark.parametrize(
    ("surface", "a", "b", "c", "d"),
    [("very_dry_ground", 3.0, 0.0, 0.00015, 2.52),
     ("medium_dry_ground", 15.0, -0.1, 0.035, 1.63),
     ("wet_ground", 30.0, -0.4, 0.15, 1.30)],
)
@pytest.mark.parametrize("f_ghz", [1.0, 3.0, 5.6, 10.0])
def test_ground_p2040_table3(surface: str, a: float, b: float, c: float, d: float,
                             f_ghz: float) -> None:
    eps, sig = surface_constants(surface, f_ghz * 1e9)
    assert eps == pytest.approx(a * f_ghz**b, rel=1e-12)
    assert sig == pytest.approx(c * f_ghz**d, rel=1e-12)


def test_ground_below_1ghz_holds_low_frequency_constants() -> None:
    # P.368 / P.527-3 low-frequency constants (εr / σ): wet 30 / 1e-2, medium dry 15 / 1e-3,
    # very dry 3 / 1e-4
    for name, eps_lf, sig_lf in [("wet_ground", 30.0, 1e-2), ("medium_dry_ground", 15.0, 1e-3),
                                 ("very_dry_ground", 3.0, 1e-4)]:
        eps, sig = surface_constants(name, 30e6)
        assert eps == eps_lf
        assert sig == pytest.approx(sig_lf, rel=1e-12)
    # between: the P.2040 power law while it is above the plateau (wet ground at 500 MHz)
    _, sig = surface_constants("wet_ground", 500e6)
    assert sig == pytest.approx(0.15 * 0.5**1.3, rel=1e-12)
    # above 10 GHz: held at the 10 GHz values
    assert surface_constants("wet_ground", 35e9)[1] == surface_constants("wet_ground", 10e9)[1]


def test_water_constants_and_unknown_surface() -> None:
    assert surface_constants("sea_water", 3e9) == (70.0, 5.0)
    assert surface_constants("fresh_water", 170e6) == (80.0, 3e-3)
    assert set(SURFACES) == {"sea_water", "fresh_water", "wet_ground", "medium_dry_ground",
                             "very_dry_ground"}
    with pytest.raises(ValueError, match="unknown surface 'swamp'"):
        surface_constants("swamp", 1e9)


def test_complex_permittivity_60_lambda_sigma() -> None:
    # sea water at 3 GHz: λ = 0.0999 m -> ε'' = 60·λ·σ = 29.98
    eps = complex_permittivity(70.0, 5.0, 3e9)
    assert eps.real == 70.0
    assert eps.imag == pytest.approx(-60 * (C / 3e9) * 5.0, rel=1e-12)


def test_fresnel_normal_incidence() -> None:
    # ψ = 90°: Γ_H = (1 − √ε)/(1 + √ε), Γ_V = −Γ_H (the two planes coincide)
    eps = complex_permittivity(15.0, 0.01, 1e9)
    gh, gv = fresnel_reflection(np.pi / 2, eps)
    r = np.sqrt(eps)
    assert gh == pytest.approx((1 - r) / (1 + r), abs=1e-12)
    assert gv == pytest.approx(-gh, abs=1e-12)


def test_fresnel_brewster_angle_lossless() -> None:
    # lossless dielectric: Γ_V = 0 at tan ψ_B = 1/√εr (grazing angle)
    for er in (3.0, 15.0, 81.0):
        psi_b = np.arctan(1 / np.sqrt(er))
        _, gv = fresnel_reflection(psi_b, er + 0j)
        assert abs(gv) < 1e-12
        _, gv_off = fresnel_reflection(psi_b * 1.5, er + 0j)
        assert abs(gv_off) > 0.05


def test_fresnel_grazing_limit() -> None:
    # ψ → 0: both → −1; first order Γ_H ≈ −1 + 2ψ/√(ε − 1)
    eps = complex_permittivity(70.0, 5.0, 3e9)
    gh, gv = fresnel_reflection(1e-7, eps)
    assert gh == pytest.approx(-1.0, abs=1e-6)
    assert gv == pytest.approx(-1.0, abs=1e-5)
    psi = 1e-3
    gh, _ = fresnel_reflection(psi, eps)
    assert gh == pytest.approx(-1 + 2 * psi / np.sqrt(eps - 1), abs=1e-5)


@settings(max_examples=200, deadline=None)
@given(psi=st.floats(1e-6, np.pi / 2), er=st.floats(1.0, 100.0), sig=st.floats(0.0, 10.0),
       f=st.floats(30e6, 20e9))
def test_fresnel_is_passive(psi: float, er: float, sig: float, f: float) -> None:
    gh, gv = fresnel_reflection(psi, complex_permittivity(er, sig, f))
    assert abs(gh) <= 1.0 + 1e-12
    assert abs(gv) <= 1.0 + 1e-12
    assert abs(gv) <= abs(gh) + 1e-12        # vertical never reflects more than horizontal


def test_fresnel_vectorised() -> None:
    psi = np.linspace(0.001, 1.5, 7)
    eps = complex_permittivity(np.array([[15.0], [70.0]]), np.array([[0.01], [5.0]]), 1e9)
    gh, gv = fresnel_reflection(psi, eps)
    assert gh.shape == gv.shape == (2, 7)
    assert gh[1, 3] == fresnel_reflection(psi[3], eps[1, 0])[0]


def test_roughness_factors() -> None:
    f = 3e9
    lam = C / f
    # smooth surface or zero grazing angle: no loss
    assert ament_roughness_factor(0.0, 0.1, f) == 1.0
    assert miller_brown_vegh_roughness_factor(1.0, 0.0, f) == 1.0
    # choose 2g² = 1: Ament e^-1, MBV e^-1·I0(1) = 0.4657596...
    psi = 0.02
    sh = np.sqrt(0.5) * lam / (2 * np.pi * np.sin(psi))
    assert ament_roughness_factor(sh, psi, f) == pytest.approx(np.exp(-1.0), rel=1e-12)
    assert miller_brown_vegh_roughness_factor(sh, psi, f) == pytest.approx(
        np.exp(-1.0) * 1.2660658777520082, rel=1e-12)
    # MBV ≥ Ament, both decreasing in σh; MBV's large-argument tail ~ 1/√(2π·2g²)
    s = np.linspace(0.0, 5.0, 51)
    am = ament_roughness_factor(s, psi, f)
    mb = miller_brown_vegh_roughness_factor(s, psi, f)
    assert np.all(mb >= am) and np.all(np.diff(am) < 0) and np.all(np.diff(mb) < 0)
    z = 2 * (2 * np.pi * 5.0 * np.sin(psi) / lam) ** 2
    assert mb[-1] == pytest.approx(1 / np.sqrt(2 * np.pi * z), rel=0.02)


def test_divergence_factor() -> None:
    a = 4 / 3 * 6371e3
    # flat Earth: 1; near-zero grazing: → 0; the formula at a mid value
    assert divergence_factor(10e3, 20e3, 0.01, np.inf) == 1.0
    assert divergence_factor(10e3, 20e3, 0.0, a) == 0.0
    assert divergence_factor(10e3, 20e3, 1e-9, a) < 1e-3
    expected = (1 + 2 * 10e3 * 20e3 / (a * 30e3 * np.sin(0.01))) ** -0.5
    assert divergence_factor(10e3, 20e3, 0.01, a) == pytest.approx(expected, rel=1e-12)
