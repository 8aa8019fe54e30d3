"""Passive (angle-only) location of noise jammers from the jam strobes of several sites.

A jam strobe is a bearing only. Bearings from two or more sites cross at the jammer; the fix is
the weighted least-squares intersection of the bearing lines on the local ENU plane, its
covariance the inverse Fisher information of the bearings (the intersection geometry: GDOP).

Frames and symbols: sites s_i = (x, y) (m) on the local ENU plane, bearings θ_i clockwise from
north (rad) with standard deviations σ_i. Line i runs along u_i = (sin θ_i, cos θ_i) with normal
n_i = (cos θ_i, −sin θ_i); a point p lies on it when n_i·(p − s_i) = 0. At range r_i the
bearing's sensitivity is ∂θ_i/∂p = n_iᵀ/r_i, so

    J = Σ_i n_i n_iᵀ / (r_i σ_i)²          (Fisher information of the bearings)
    p̂ = argmin Σ_i (n_i·(p − s_i))² / (r_i σ_i)²  = J⁻¹ Σ_i n_i n_iᵀ s_i / (r_i σ_i)²
    P = J⁻¹                                (Cramér–Rao bound, attained by the ML fix)

The ranges r_i depend on p̂: the weights are iterated a fixed number of times from equal
weights (Stansfield's estimator, R. G. Stansfield, "Statistical theory of D.F. fixing",
J. IEE 94 (IIIA), 1947, pp. 762-770; the iterated form is the ML fix of D. J. Torrieri,
"Statistical theory of passive location systems", IEEE Trans. AES-20 (2), 1984, pp. 183-198,
eqs. 19-27). For two bearings crossing at γ the error along line 2 is the miss of line 1
moved along line 2: σ = r₁σ₁ / sin γ (and r₂σ₂ / sin γ along line 1).

Ghosts: two jammers seen from two sites give four crossings, two of them ghosts, and nothing
in two bearings tells them apart. :func:`locate` accepts a crossing of two sites only when
neither of its strobes crosses any other strobe validly (in front of both sites, inside their
reach, at a usable angle); a crossing confirmed by a strobe of a third site (the third line
passes within the gate of the fix) is accepted whatever the other crossings, in order of the
sites supporting it, then of its χ². A ghost of two jammers is confirmed by a third site only
if the third site also lies on a line through both ghosts' jammers (degenerate geometry).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import chi2 as _chi2

__all__ = ["line_normals", "intersect", "triangulate", "fix_covariance", "bearing_residuals",
           "merge_strobes", "extrapolate_bearings", "locate", "Fixes", "GATE_PROBABILITY",
           "MIN_CROSSING_RAD"]

GATE_PROBABILITY = 0.997  # a strobe supports a fix when its residual passes this χ² gate
# assumed: bearing lines crossing at under 0.5° give no fix (the range error is 115 times the
# cross-bearing error: a line, not a point)
MIN_CROSSING_RAD = float(np.radians(0.5))
_ITERATIONS = 4  # reweighting passes of the least-squares fix (fixed: stays vectorised)


def line_normals(az_rad: np.ndarray) -> np.ndarray:
    """Unit normals n = (cos θ, −sin θ) (..., 2) of bearing lines θ clockwise from north."""
    az = np.asarray(az_rad, dtype=float)
    return np.stack([np.cos(az), -np.sin(az)], axis=-1)


def intersect(sa_m: np.ndarray, az_a: np.ndarray, sb_m: np.ndarray, az_b: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Crossing of two bearing lines from sites ``sa_m``, ``sb_m`` (..., 2): the point (..., 2),
    the distances along each line to it (negative: behind the site) and |sin γ| of the crossing
    angle. Closed form: s_a + t_a u_a = s_b + t_b u_b solved by Cramer's rule."""
    ua = np.stack([np.sin(az_a), np.cos(az_a)], axis=-1)
    ub = np.stack([np.sin(az_b), np.cos(az_b)], axis=-1)
    d = np.asarray(sb_m, dtype=float) - np.asarray(sa_m, dtype=float)
    cross = ua[..., 0] * ub[..., 1] - ua[..., 1] * ub[..., 0]  # sin γ (signed)
    with np.errstate(divide="ignore", invalid="ignore"):
        ta = (d[..., 0] * ub[..., 1] - d[..., 1] * ub[..., 0]) / cross
        tb = (d[..., 0] * ua[..., 1] - d[..., 1] * ua[..., 0]) / cross
    p = np.asarray(sa_m, dtype=float) + ta[..., None] * ua
    return p, ta, tb, np.abs(cross)


def fix_covariance(sites_m: np.ndarray, sigma_rad: np.ndarray, p_m: np.ndarray,
                   weight: np.ndarray | None = None) -> np.ndarray:
    """P = J⁻¹ (..., 2, 2) of a fix at ``p_m`` (..., 2) from bearings of ``sites_m`` (..., n, 2)
    with standard deviations ``sigma_rad`` (..., n) (module docstring); ``weight`` (..., n) of
    0 leaves a line out."""
    rel = p_m[..., None, :] - sites_m
    r2 = np.maximum(np.einsum("...i,...i->...", rel, rel), 1.0)
    # ∂θ/∂p = (y, −x)/r² for θ = atan2(x, y)
    g = np.stack([rel[..., 1], -rel[..., 0]], axis=-1) / r2[..., None]
    w = 1.0 / np.square(sigma_rad)
    if weight is not None:
        w = w * weight
    J = np.einsum("...n,...ni,...nj->...ij", w, g, g)
    return np.asarray(np.linalg.inv(J))


def bearing_residuals(sites_m: np.ndarray, az_rad: np.ndarray, p_m: np.ndarray) -> np.ndarray:
    """Measured minus predicted bearing (..., n), wrapped to (−π, π]."""
    rel = p_m[..., None, :] - sites_m
    pred = np.arctan2(rel[..., 0], rel[..., 1])
    return np.asarray((np.asarray(az_rad) - pred + np.pi) % (2 * np.pi) - np.pi)


def triangulate(sites_m: np.ndarray, az_rad: np.ndarray, sigma_rad: np.ndarray,
                weight: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares fix of bearing lines from ``sites_m`` (..., n, 2), bearings ``az_rad`` and
    their σ (..., n) (``weight`` (..., n): 1 use, 0 leave out): the point (..., 2), its
    covariance P = J⁻¹ (..., 2, 2) and the χ² of the bearing residuals (..., ) with n − 2
    degrees of freedom (module docstring). Batched over the leading axes."""
    sites_m = np.asarray(sites_m, dtype=float)
    az = np.asarray(az_rad, dtype=float)
    sig = np.asarray(sigma_rad, dtype=float)
    w_on = np.ones(az.shape) if weight is None else np.asarray(weight, dtype=float)
    nrm = line_normals(az)
    c = np.einsum("...ni,...ni->...n", nrm, sites_m)  # n·s
    r = np.ones(az.shape)  # equal weights first (Stansfield's first pass)
    p = np.zeros(az.shape[:-1] + (2,))
    for _ in range(_ITERATIONS):
        w = w_on / np.square(r * sig)
        A = np.einsum("...n,...ni,...nj->...ij", w, nrm, nrm)
        b = np.einsum("...n,...ni,...n->...i", w, nrm, c)
        p = np.linalg.solve(A, b[..., None])[..., 0]
        r = np.maximum(np.linalg.norm(p[..., None, :] - sites_m, axis=-1), 1.0)
    P = fix_covariance(sites_m, sig, p, w_on)
    res = bearing_residuals(sites_m, az, p)
    return p, P, np.sum(w_on * np.square(res / sig), axis=-1)


def merge_strobes(az_rad: np.ndarray, sigma_rad: np.ndarray, gate: float = 3.0,
                  resolution_rad: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The strobes of one site's radars as one set of bearings: strobes closer than ``gate``
    combined standard deviations, or than ``resolution_rad`` (two sources inside one beam are
    one strobe to the radar), are one source, merged by inverse-variance weight (greedy, most
    precise first). Returns (az, σ) of the merged bearings and each strobe's merged index."""
    az = np.asarray(az_rad, dtype=float)
    sig = np.asarray(sigma_rad, dtype=float)
    order = np.argsort(sig)
    used = np.zeros(az.size, dtype=bool)
    group = np.full(az.size, -1, dtype=np.int64)
    out_az: list[float] = []
    out_sig: list[float] = []
    for k in order:
        if used[k]:
            continue
        d = np.abs((az - az[k] + np.pi) % (2 * np.pi) - np.pi)
        grp = np.flatnonzero(~used & (d <= np.maximum(gate * np.hypot(sig, sig[k]),
                                                       resolution_rad)))
        used[grp] = True
        group[grp] = len(out_az)
        w = 1.0 / np.square(sig[grp])
        # circular weighted mean about the group's most precise bearing
        off = (az[grp] - az[k] + np.pi) % (2 * np.pi) - np.pi
        out_az.append(float((az[k] + np.sum(w * off) / np.sum(w)) % (2 * np.pi)))
        out_sig.append(float(1.0 / np.sqrt(np.sum(w))))
    return np.array(out_az), np.array(out_sig), group


def extrapolate_bearings(t0_s: float, az0: np.ndarray, sig0: np.ndarray, t1_s: float,
                         az1: np.ndarray, sig1: np.ndarray, t_s: float, gate_rad: float,
                         rate_sigma_rad_s: float, accel_sigma_rad_s2: float = 0.0
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Bearings of a radar's latest strobes (``az1`` at ``t1_s``) brought to ``t_s``: each is
    paired with the nearest strobe of the scan before (``az0`` at ``t0_s``) within
    ``gate_rad``, and moved on at the bearing rate of the pair (two-point predictor:
    θ(t) = θ₁ + k(θ₁ − θ₀), k = (t − t₁)/(t₁ − t₀), σ² = (1 + k)²σ₁² + k²σ₀²); a strobe
    without a pair keeps its bearing, its σ grown by ``rate_sigma_rad_s``·(t − t₁). The bearing
    acceleration ``accel_sigma_rad_s2`` (σ of θ̈) adds the predictor's truncation error,
    ½·θ̈·(t − t₁)(t − t₀) (½·θ̈·(t − t₁)² without a pair)."""
    az1 = np.asarray(az1, dtype=float)
    sig1 = np.asarray(sig1, dtype=float)
    dt = t_s - t1_s
    az = az1.copy()
    sig = np.sqrt(np.square(sig1) + np.square(rate_sigma_rad_s * dt)
                  + np.square(0.5 * accel_sigma_rad_s2 * dt * dt))
    if az1.size == 0 or np.asarray(az0).size == 0 or t1_s <= t0_s:
        return az, sig
    d = (az1[:, None] - np.asarray(az0)[None, :] + np.pi) % (2 * np.pi) - np.pi
    j = np.argmin(np.abs(d), axis=1)
    near = np.abs(d[np.arange(az1.size), j])
    ok = near <= gate_rad
    k = dt / (t1_s - t0_s)
    dj = d[np.arange(az1.size), j]
    az[ok] = (az1[ok] + k * dj[ok]) % (2 * np.pi)
    sig[ok] = np.sqrt((1 + k) ** 2 * sig1[ok] ** 2 + k**2 * np.asarray(sig0)[j[ok]] ** 2
                      + (0.5 * accel_sigma_rad_s2 * dt * (t_s - t0_s)) ** 2)
    return az, sig


@dataclass
class Fixes:
    """Passive fixes: points (k, 2) on the ENU plane, covariances (k, 2, 2), χ² (k,), the
    number of sites behind each, and each fix's strobes as (site, strobe index) pairs."""

    xy_m: np.ndarray
    P: np.ndarray
    chi2: np.ndarray
    n_sites: np.ndarray
    members: list[list[tuple[int, int]]] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.chi2.size)


def _empty() -> Fixes:
    return Fixes(np.zeros((0, 2)), np.zeros((0, 2, 2)), np.zeros(0), np.zeros(0, np.int64), [])


def locate(sites_m: np.ndarray | list[np.ndarray], az_rad: list[np.ndarray],
           sigma_rad: list[np.ndarray], max_range_m: np.ndarray,
           gate_probability: float = GATE_PROBABILITY,
           min_crossing_rad: float = MIN_CROSSING_RAD) -> Fixes:
    """Fixes of the jammers seen by sites ``sites_m`` (S, 2) whose bearings are ``az_rad[s]``
    with σ ``sigma_rad[s]`` (one array per site; one strobe per source and site, see
    :func:`merge_strobes`); ``max_range_m`` (S,) how far each site can see a jammer (its
    horizon for the highest emitter assumed). Ghosts as in the module docstring. ``sites_m``
    may also give each strobe's own line origin, a list of (n_s, 2) arrays (a strobe's vertical
    plane meets the plane of the fixes a little off the site when the frames are tilted).

    1. every pair of strobes of two sites that crosses in front of both, within their ranges
       and at ≥ ``min_crossing_rad`` is a candidate;
    2. each candidate takes, from every other site, the strobe whose bearing lies nearest the
       candidate's if its residual passes the gate (σ² of the strobe plus the candidate's own
       bearing variance seen from that site); it is re-fixed on all its strobes and kept if the
       χ² of the residuals passes the gate (n − 2 degrees of freedom);
    3. candidates are taken most sites first, then least χ² per degree of freedom, each strobe
       used once; a two-site candidate only when neither strobe crosses another strobe not
       yet used by a fix.
    """
    S = len(az_rad)
    if isinstance(sites_m, list):
        org = [np.asarray(o, dtype=float).reshape(-1, 2) for o in sites_m]
    else:
        xy0 = np.asarray(sites_m, dtype=float).reshape(S, 2)
        org = [np.repeat(xy0[s][None], np.asarray(az_rad[s]).size, axis=0) for s in range(S)]
    g1 = float(_chi2.ppf(gate_probability, 1))
    cands: list[tuple[int, float, list[tuple[int, int]], np.ndarray, np.ndarray, float]] = []
    pairs: list[tuple[tuple[int, int], tuple[int, int]]] = []  # valid two-site crossings
    for a in range(S):
        for b in range(a + 1, S):
            na, nb = np.asarray(az_rad[a]).size, np.asarray(az_rad[b]).size
            if na == 0 or nb == 0:
                continue
            ga, gb = np.meshgrid(np.arange(na), np.arange(nb), indexing="ij")
            ia, ib = ga.ravel(), gb.ravel()
            p, ta, tb, sg = intersect(org[a][ia], np.asarray(az_rad[a])[ia], org[b][ib],
                                      np.asarray(az_rad[b])[ib])
            ok = ((ta > 0) & (tb > 0) & (sg >= np.sin(min_crossing_rad))
                  & (ta <= max_range_m[a]) & (tb <= max_range_m[b]))
            for k in np.flatnonzero(ok):
                ka, kb = (a, int(ia[k])), (b, int(ib[k]))
                pairs.append((ka, kb))
                sub = np.stack([org[a][ia[k]], org[b][ib[k]]])
                P2 = fix_covariance(sub, np.array([sigma_rad[a][ia[k]], sigma_rad[b][ib[k]]]),
                                    p[k])
                members = [ka, kb]
                for c in range(S):
                    if c in (a, b) or np.asarray(az_rad[c]).size == 0:
                        continue
                    rel = p[k] - org[c]  # (n_c, 2)
                    rng = np.hypot(rel[:, 0], rel[:, 1])
                    gvec = np.stack([rel[:, 1], -rel[:, 0]], axis=1) / np.maximum(
                        rng * rng, 1.0)[:, None]
                    var_pred = np.einsum("ni,ij,nj->n", gvec, P2, gvec)
                    res = bearing_residuals(org[c], np.asarray(az_rad[c]), p[k])
                    d2 = np.where(rng <= max_range_m[c],
                                  res**2 / (np.square(sigma_rad[c]) + var_pred), np.inf)
                    j = int(np.argmin(d2))
                    if d2[j] <= g1:
                        members.append((c, j))
                o_m = np.array([org[m[0]][m[1]] for m in members])
                az = np.array([az_rad[m[0]][m[1]] for m in members])
                sg_m = np.array([sigma_rad[m[0]][m[1]] for m in members])
                xy, P, x2 = triangulate(o_m, az, sg_m)
                dof = len(members) - 2
                if dof > 0 and x2 > _chi2.ppf(gate_probability, dof):
                    continue
                cands.append((len(members), float(x2) / max(dof, 1), members, xy, P,
                              float(x2)))
    if not cands:
        return _empty()
    cands.sort(key=lambda c: (-c[0], c[1]))
    used: set[tuple[int, int]] = set()
    out: list[tuple[np.ndarray, np.ndarray, float, int, list[tuple[int, int]]]] = []
    for n, _score, members, xy, P, x2c in cands:
        if any(m in used for m in members):
            continue
        if n == 2 and any(
                (q[0] in members or q[1] in members) and set(q) != set(members)
                and q[0] not in used and q[1] not in used for q in pairs):
            continue  # the strobes cross others too: a fix here cannot be told from a ghost
        used.update(members)
        out.append((xy, P, x2c, n, members))
    if not out:
        return _empty()
    return Fixes(np.array([o[0] for o in out]), np.array([o[1] for o in out]),
                 np.array([o[2] for o in out]), np.array([o[3] for o in out], dtype=np.int64),
                 [o[4] for o in out])
