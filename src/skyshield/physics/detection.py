"""Detection probability of a square-law detector with non-coherent integration.

Convention: complex (I/Q) Gaussian noise of unit power per pulse; the detector sums
the N pulse powers, z = Σ|x_i|²; the threshold T is in units of the per-pulse noise
power, so under H0 z ~ Gamma(N, 1) and Pfa = Q(N, T) (regularised upper incomplete
gamma).  ``snr`` is the per-pulse signal-to-noise power ratio (mean over the target
fluctuation), given in dB.

Target models (Swerling 1959; Marcum 1960):
    0  non-fluctuating (also called Swerling 5)
    1  Rayleigh amplitude (σ exponential), constant within the dwell
    2  Rayleigh amplitude, independent pulse to pulse
    3  chi-square 4 degrees of freedom (dominant scatterer), constant within the dwell
    4  chi-square 4 degrees of freedom, independent pulse to pulse

References
----------
* M. A. Richards, "Fundamentals of Radar Signal Processing", 2nd ed. (2014), ch. 6.
* B. R. Mahafza, "Radar Systems Analysis and Design Using MATLAB", 3rd ed. (2013), ch. 6
  (exact Swerling I–IV expressions).
* J. V. DiFranco & W. L. Rubin, "Radar Detection" (1968).
* D. A. Shnidman, "Determination of required SNR values", IEEE Trans. AES 38(3), 2002.
* J. I. M. Albersheim, "A closed-form approximation to Robertson's detection
  characteristics", Proc. IEEE 69(7), 1981.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from skyshield.physics._util import FloatArray, as_float, db_to_lin, lin_to_db

__all__ = ["albersheim_snr_db", "pd", "shnidman_snr_db", "threshold", "required_snr_db"]

_TINY = 1e-300


def threshold(pfa: ArrayLike, n_pulses: ArrayLike = 1) -> FloatArray:
    """Normalised square-law threshold T for a given false-alarm probability.

        Pfa = Q(N, T) = 1 − P(N, T)   ⇒   T = P⁻¹(N, 1 − Pfa) = Q⁻¹(N, Pfa)

    (P, Q regularised incomplete gamma functions.)  N = 1 gives T = −ln Pfa.  T is in
    units of the per-pulse noise power for the sum of N pulse powers.  ``Q⁻¹`` is used
    directly so small Pfa keeps full precision.  Reference: Richards (2014) eq. 6.41.
    """
    return special.gammainccinv(as_float(n_pulses), as_float(pfa))


def _lower_gamma(n: FloatArray, x: FloatArray) -> FloatArray:
    """Regularised lower incomplete gamma P(n, x), with P(0, x) := 1 for x > 0."""
    safe_n = np.where(n > 0, n, 1.0)
    return np.where(n > 0, special.gammainc(safe_n, x), 1.0)


def _pd_swerling0(S: FloatArray, T: FloatArray, N: FloatArray) -> FloatArray:
    # Pd = Q_N(√(2NS), √(2T)) = P[χ'²(2N, λ = 2NS) > 2T]  (generalised Marcum Q)
    return stats.ncx2.sf(2.0 * T, 2.0 * N, 2.0 * N * S)


def _pd_swerling1(S: FloatArray, T: FloatArray, N: FloatArray) -> FloatArray:
    # N = 1:  Pd = exp(−T/(1+S))
    # N > 1:  Pd = 1 − P(N−1, T) + (1 + 1/(NS))^(N−1) · P(N−1, T/(1 + 1/(NS))) · e^(−T/(1+NS))
    NS = N * S
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        log_term = (
            (N - 1.0) * np.log1p(1.0 / NS)
            + np.log(_lower_gamma(N - 1.0, T / (1.0 + 1.0 / NS)))
            - T / (1.0 + NS)
        )
        multi = 1.0 - _lower_gamma(N - 1.0, T) + np.exp(log_term)
    single = np.exp(-T / (1.0 + S))
    return np.where(N <= 1.0, single, multi)


def _pd_swerling2(S: FloatArray, T: FloatArray, N: FloatArray) -> FloatArray:
    # Pd = Q(N, T/(1+S))
    return special.gammaincc(N, T / (1.0 + S))


def _pd_swerling3(S: FloatArray, T: FloatArray, N: FloatArray) -> FloatArray:
    # K0 = (1 + 2/(NS))^(N−2) · [1 + T/(1+NS/2) − 2(N−2)/(NS)] · e^(−T/(1+NS/2))
    # N ≤ 2:  Pd = K0
    # N > 2:  Pd = T^(N−1) e^(−T) / ((1+NS/2)(N−2)!) + 1 − P(N−1, T) + K0 · P(N−1, T/(1+2/(NS)))
    NS = N * S
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        bracket = 1.0 + T / (1.0 + NS / 2.0) - 2.0 * (N - 2.0) / NS
        log_k0 = (N - 2.0) * np.log1p(2.0 / NS) - T / (1.0 + NS / 2.0)
        k0 = bracket * np.exp(log_k0)
        log_first = (
            (N - 1.0) * np.log(T)
            - T
            - np.log1p(NS / 2.0)
            - special.gammaln(np.maximum(N - 1.0, 1.0))
        )
        log_tail = log_k0 + np.log(_lower_gamma(N - 1.0, T / (1.0 + 2.0 / NS)))
        multi = np.exp(log_first) + 1.0 - _lower_gamma(N - 1.0, T) + bracket * np.exp(log_tail)
    return np.where(N <= 2.0, k0, multi)


def _pd_swerling4(S: FloatArray, T: FloatArray, N: FloatArray) -> FloatArray:
    # Per pulse the detector MGF is (1+s)/(1+βs)², β = 1 + S/2; for N pulses
    # (1+s)^N/(1+βs)^(2N) = Σ_k C(N,k) c^k (1−c)^(N−k) (1+βs)^−(2N−k),  c = 1/β,
    # so Pd = Σ_{k=0..N} Binom(k; N, c) · Q(2N − k, T/β).  (Exact; equivalent to
    # Mahafza's Swerling IV series, written as a binomial mixture of gamma tails.)
    beta = 1.0 + S / 2.0
    c = 1.0 / beta
    n_max = int(np.max(N))
    total = np.zeros(np.broadcast(S, T, N).shape)
    for k in range(n_max + 1):
        w = stats.binom.pmf(k, N, c)  # zero for k > N
        shape = np.maximum(2.0 * N - k, 1.0)
        total = total + np.where(k <= N, w * special.gammaincc(shape, T / beta), 0.0)
    return total


_PD_BY_CASE = {
    0: _pd_swerling0,
    1: _pd_swerling1,
    2: _pd_swerling2,
    3: _pd_swerling3,
    4: _pd_swerling4,
    5: _pd_swerling0,
}


def pd(snr_db: ArrayLike, pfa: ArrayLike, n_pulses: ArrayLike = 1, swerling: int = 1) -> FloatArray:
    """Probability of detection, square-law detector, N pulses integrated non-coherently.

    T = Q⁻¹(N, Pfa) (see :func:`threshold`), S = 10^(snr_db/10) per pulse.

    * Swerling 0:  Pd = Q_N(√(2NS), √(2T)) = P[χ'²₂N(2NS) > 2T]  (generalised Marcum Q)
    * Swerling 1:  N = 1: Pd = e^(−T/(1+S)) = Pfa^(1/(1+S));
      N > 1: Pd = 1 − P(N−1,T) + (1+1/(NS))^(N−1) P(N−1, T/(1+1/(NS))) e^(−T/(1+NS))
    * Swerling 2:  Pd = Q(N, T/(1+S))
    * Swerling 3:  N ≤ 2: Pd = K0; N > 2: Pd = T^(N−1)e^(−T)/((1+NS/2)(N−2)!) + 1
      − P(N−1,T) + K0·P(N−1, T/(1+2/(NS))), with
      K0 = (1+2/(NS))^(N−2) [1 + T/(1+NS/2) − 2(N−2)/(NS)] e^(−T/(1+NS/2));
      N = 1 reduces to (1 + 2ST/(2+S)²) e^(−2T/(2+S)).
    * Swerling 4:  Pd = Σ_{k=0}^{N} C(N,k) c^k (1−c)^(N−k) Q(2N−k, T/β), β = 1+S/2, c = 1/β.

    P, Q are the regularised lower/upper incomplete gamma functions.  ``snr_db``, ``pfa``
    and ``n_pulses`` broadcast; ``swerling`` is an int in 0–4 (5 is accepted as 0).
    References: Richards (2014) sec. 6.2–6.3; Mahafza (2013) sec. 6.6; DiFranco & Rubin (1968).
    """
    case = int(swerling)
    if case not in _PD_BY_CASE:
        raise ValueError(f"swerling must be 0..4 (or 5 = 0), got {swerling!r}")
    if case in (1, 2) and np.ndim(n_pulses) == 0 and n_pulses == 1:
        # single pulse, Rayleigh-fluctuating: Pd = Pfa^(1/(1+S)) in closed form (no gamma calls)
        S1 = np.maximum(db_to_lin(snr_db), _TINY)
        return np.clip(as_float(pfa) ** (1.0 / (1.0 + S1)), 0.0, 1.0)
    S, Pfa, N = np.broadcast_arrays(
        np.maximum(db_to_lin(snr_db), _TINY), as_float(pfa), as_float(n_pulses)
    )
    T = threshold(Pfa, N)
    out = _PD_BY_CASE[case](S, T, N)
    return np.clip(out, 0.0, 1.0)


def albersheim_snr_db(pd: ArrayLike, pfa: ArrayLike, n_pulses: ArrayLike = 1) -> FloatArray:
    """Albersheim's required per-pulse SNR [dB] (linear detector, non-fluctuating target).

        A = ln(0.62/Pfa),  B = ln(Pd/(1 − Pd))
        SNR_dB = −5·log10(N) + (6.2 + 4.54/√(N + 0.44))·log10(A + 0.12·A·B + 1.7·B)

    Stated accuracy 0.2 dB for 1e-7 ≤ Pfa ≤ 1e-3, 0.1 ≤ Pd ≤ 0.9, 1 ≤ N ≤ 8096.
    Reference: Albersheim (1981); Richards (2014) eq. 6.51; MathWorks ``albersheim``.
    """
    Pd, Pfa, N = as_float(pd), as_float(pfa), as_float(n_pulses)
    A = np.log(0.62 / Pfa)
    B = np.log(Pd / (1.0 - Pd))
    return -5.0 * np.log10(N) + (6.2 + 4.54 / np.sqrt(N + 0.44)) * np.log10(
        A + 0.12 * A * B + 1.7 * B
    )


def shnidman_snr_db(
    pd: ArrayLike, pfa: ArrayLike, n_pulses: ArrayLike = 1, swerling: int = 0
) -> FloatArray:
    """Shnidman's required per-pulse SNR [dB] (square-law detector, Swerling 0–4).

        K = ∞, 1, N, 2, 2N for Swerling 0, 1, 2, 3, 4;   α = 0 (N ≤ 40), 1/4 (N > 40)
        η = √(−0.8 ln(4 Pfa(1 − Pfa))) + sgn(Pd − 0.5)·√(−0.8 ln(4 Pd(1 − Pd)))
        X∞ = η·(η + 2√(N/2 + α − 1/4))
        C1 = (((17.7006 Pd − 18.4496) Pd + 14.5339) Pd − 3.525) / K
        C2 = (1/K)·(e^(27.31 Pd − 25.14) + (Pd − 0.8)(0.7 ln(1e-5/Pfa) + (2N − 20)/80))
        C_dB = C1 (Pd ≤ 0.872),  C1 + C2 (Pd > 0.872);   SNR = 10^(C_dB/10) · X∞ / N

    The α switch follows MATLAB ``shnidman`` (N ≤ 40; Shnidman's paper writes N < 40) so
    that MATLAB's published outputs are reproduced.  Accuracy against the exact
    :func:`pd` is about 0.5 dB for Swerling 0 and within about 1 dB for Swerling 1–4 over
    0.1 ≤ Pd ≤ 0.99, 1e-9 ≤ Pfa ≤ 1e-3, 1 ≤ N ≤ 100.
    References: Shnidman (2002); Richards (2014) eq. 6.60–6.62; MathWorks ``shnidman``;
    the ``sdr`` package's ``sdr.shnidman``.
    """
    case = int(swerling)
    if case == 5:
        case = 0
    if case not in (0, 1, 2, 3, 4):
        raise ValueError(f"swerling must be 0..4 (or 5 = 0), got {swerling!r}")
    Pd, Pfa, N = np.broadcast_arrays(as_float(pd), as_float(pfa), as_float(n_pulses))
    inv_K = {0: 0.0 * N, 1: 1.0 + 0.0 * N, 2: 1.0 / N, 3: 0.5 + 0.0 * N, 4: 1.0 / (2.0 * N)}[case]
    alpha = np.where(N <= 40, 0.0, 0.25)
    eta = np.sqrt(-0.8 * np.log(4.0 * Pfa * (1.0 - Pfa))) + np.sign(Pd - 0.5) * np.sqrt(
        -0.8 * np.log(4.0 * Pd * (1.0 - Pd))
    )
    X_inf = eta * (eta + 2.0 * np.sqrt(N / 2.0 + (alpha - 0.25)))
    C1 = (((17.7006 * Pd - 18.4496) * Pd + 14.5339) * Pd - 3.525) * inv_K
    C2 = inv_K * (
        np.exp(27.31 * Pd - 25.14)
        + (Pd - 0.8) * (0.7 * np.log(1e-5 / Pfa) + (2.0 * N - 20.0) / 80.0)
    )
    C_db = np.where(Pd <= 0.872, C1, C1 + C2)
    return lin_to_db(db_to_lin(C_db) * X_inf / N)


def required_snr_db(
    pd_required: ArrayLike, pfa: ArrayLike, n_pulses: ArrayLike = 1, swerling: int = 1
) -> FloatArray:
    """Per-pulse SNR [dB] at which :func:`pd` reaches ``pd_required`` (the exact inverse).

    Pd is increasing in SNR, so the inverse is found by bisection on [−40, 80] dB with a fixed
    60 halvings (resolution 1e-16 of the bracket), vectorised over all arguments. Single-pulse
    Swerling 1 has the closed form S = ln(Pfa)/ln(Pd) − 1 (Richards 2014, eq. 7.36), used in
    the tests as the reference.
    """
    p, pf, n = np.broadcast_arrays(as_float(pd_required), as_float(pfa), as_float(n_pulses))
    lo = np.full(p.shape, -40.0)
    hi = np.full(p.shape, 80.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = pd(mid, pf, n, swerling) >= p
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return 0.5 * (lo + hi)
