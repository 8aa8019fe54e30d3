"""Harder tracking scenarios in the shared format of ``shared/bench/stonesoup_peer.py``.

    python bench/hard_scenarios.py clutter|crossing|manoeuvring --out FILE.npz [--seed S]

* ``clutter``: 60 aircraft with 400 false alarms per scan packed into the same low-elevation
  volume (10–150 km, elevation 0–0.15 rad) instead of the whole hemisphere.
* ``crossing``: eight four-ship formations (line abreast, 300 m apart) flown in pairs across
  each other's paths at 60–120°, crossing near the middle of the run.
* ``manoeuvring``: 40 aircraft alternating straight legs with coordinated turns of 3–6 °/s
  (up to about 2.6 g at 250 m/s), exact constant-turn kinematics between scans.
* ``formations``: three formations of 20 aircraft (4 × 5 boxes, 400 m between members) that
  cross one another's paths near the middle of the run while turning at 2–4 °/s, rigid
  (members keep their places in the turn), in 150 false plots per scan packed into the
  formations' volume (20–120 km, elevation 0–0.2 rad).
* ``straight400``: 400 aircraft in straight level flight (150–300 m/s) in a 160 km square,
  the shared scenario's light clutter (5 per scan over the hemisphere).

Same radar, noise (50 m, 2 mrad, 2 mrad), Pd 0.9 and 2 s revisit as the shared scenarios;
every draw from a seeded numpy generator.
"""

from __future__ import annotations

import argparse

import numpy as np

SIGMA = np.array([50.0, 0.002, 0.002])
DT = 2.0


def _measure(truth: np.ndarray, rng: np.random.Generator, pd: float, clutter_rate: float,
             box: np.ndarray) -> dict[str, np.ndarray]:
    S, n, _ = truth.shape
    meas, meas_scan, meas_truth = [], [], []
    for k in range(S):
        p = truth[k, :, :3]
        r = np.linalg.norm(p, axis=1)
        z = np.column_stack([r, np.arctan2(p[:, 1], p[:, 0]), np.arcsin(p[:, 2] / r)])
        det = rng.random(n) < pd
        z = z[det] + rng.standard_normal((int(det.sum()), 3)) * SIGMA
        nc = rng.poisson(clutter_rate)
        zc = np.column_stack([rng.uniform(*box[i], nc) for i in range(3)])
        zk = np.vstack([z, zc])
        idk = np.concatenate([np.flatnonzero(det), -np.ones(nc, dtype=int)])
        order = rng.permutation(len(zk))
        zk, idk = zk[order], idk[order]
        zk[:, 1] = (zk[:, 1] + np.pi) % (2 * np.pi) - np.pi
        meas.append(zk)
        meas_truth.append(idk)
        meas_scan.append(np.full(len(zk), k))
    return dict(meas=np.vstack(meas), meas_scan=np.concatenate(meas_scan),
                meas_truth=np.concatenate(meas_truth))


def _pack(truth: np.ndarray, rng: np.random.Generator, seed: int, pd: float = 0.9,
          clutter_rate: float = 5.0, box: np.ndarray | None = None,
          q_truth: float = 0.0) -> dict[str, np.ndarray]:
    box = np.array([[0.0, 250e3], [-np.pi, np.pi], [0.0, np.pi / 2]]) if box is None else box
    S = truth.shape[0]
    out = dict(times=np.arange(S) * DT, truth=truth, sigma=SIGMA, pd=np.float64(pd),
               clutter_rate=np.float64(clutter_rate), dt=np.float64(DT),
               q_truth=np.float64(q_truth), seed=np.int64(seed), clutter_box=box,
               radar_pos=np.zeros(3))
    out.update(_measure(truth, rng, pd, clutter_rate, box))
    return out


def _ncv(n: int, scans: int, rng: np.random.Generator, half: float = 80e3
         ) -> np.ndarray:
    pos = np.column_stack([rng.uniform(-half, half, n), rng.uniform(-half, half, n),
                           rng.uniform(500.0, 10e3, n)])
    spd = rng.uniform(150.0, 300.0, n)
    hdg = rng.uniform(0, 2 * np.pi, n)
    vel = np.column_stack([spd * np.cos(hdg), spd * np.sin(hdg), np.zeros(n)])
    t = np.arange(scans)[:, None, None] * DT
    truth = np.empty((scans, n, 6))
    truth[:, :, :3] = pos[None] + vel[None] * t
    truth[:, :, 3:] = vel[None]
    return truth


def clutter(seed: int = 7, n: int = 60, scans: int = 60, rate: float = 400.0
            ) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = _ncv(n, scans, rng)
    box = np.array([[10e3, 150e3], [-np.pi, np.pi], [0.0, 0.15]])
    return _pack(truth, rng, seed, clutter_rate=rate, box=box)


def crossing(seed: int = 8, pairs: int = 4, ships: int = 4, spacing: float = 300.0,
             scans: int = 80) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(scans) * DT
    t_cross = t[scans // 2]
    tracks = []
    for _ in range(pairs):
        centre = np.array([rng.uniform(-50e3, 50e3), rng.uniform(-50e3, 50e3),
                           rng.uniform(3e3, 8e3)])
        h1 = rng.uniform(0, 2 * np.pi)
        for h in (h1, h1 + rng.uniform(np.pi / 3, 2 * np.pi / 3)):
            spd = rng.uniform(200.0, 280.0)
            v = np.array([spd * np.cos(h), spd * np.sin(h), 0.0])
            side = np.array([-np.sin(h), np.cos(h), 0.0])
            for j in range(ships):
                off = (j - (ships - 1) / 2) * spacing * side
                alt = np.array([0.0, 0.0, 150.0 * (h == h1)])  # the formations 150 m apart
                p = centre + off + alt + v * (t - t_cross)[:, None]
                tracks.append(np.hstack([p, np.broadcast_to(v, p.shape)]))
    truth = np.stack(tracks, axis=1)
    return _pack(truth, rng, seed)


def manoeuvring(seed: int = 9, n: int = 40, scans: int = 100) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    pos = np.column_stack([rng.uniform(-70e3, 70e3, n), rng.uniform(-70e3, 70e3, n),
                           rng.uniform(1e3, 9e3, n)])
    spd = rng.uniform(200.0, 300.0, n)
    hdg = rng.uniform(0, 2 * np.pi, n)
    truth = np.empty((scans, n, 6))
    omega = np.zeros(n)
    left = rng.integers(5, 15, n)  # scans until the next change of manoeuvre
    for k in range(scans):
        truth[k, :, :3] = pos
        truth[k, :, 3] = spd * np.cos(hdg)
        truth[k, :, 4] = spd * np.sin(hdg)
        truth[k, :, 5] = 0.0
        # exact constant-rate turn over DT
        w = omega
        straight = w == 0
        dx = np.where(straight, spd * np.cos(hdg) * DT,
                      spd / np.where(straight, 1, w) * (np.sin(hdg + w * DT) - np.sin(hdg)))
        dy = np.where(straight, spd * np.sin(hdg) * DT,
                      -spd / np.where(straight, 1, w) * (np.cos(hdg + w * DT) - np.cos(hdg)))
        pos = pos + np.column_stack([dx, dy, np.zeros(n)])
        hdg = hdg + w * DT
        left -= 1
        change = left <= 0
        turning = omega != 0
        # straight legs end in a turn of 3-6 °/s either way; turns end in a straight leg
        new_w = np.radians(rng.uniform(3.0, 6.0, n)) * rng.choice([-1.0, 1.0], n)
        omega = np.where(change, np.where(turning, 0.0, new_w), omega)
        left = np.where(change, np.where(turning, rng.integers(5, 15, n),
                                         rng.integers(8, 20, n)), left)
    return _pack(truth, rng, seed)


def _turning_path(rng: np.random.Generator, scans: int, speed: float, rates_deg_s: tuple[
        float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A horizontal path from the origin alternating turns (rate drawn in ``rates_deg_s``,
    either way) and straight legs, starting in a turn: positions (S, 2), headings (S,) and
    turn rates (S,) (rad/s), exact constant-rate kinematics between scans."""
    pos = np.zeros((scans, 2))
    hdg = np.empty(scans)
    rate = np.empty(scans)
    p, h = np.zeros(2), rng.uniform(0, 2 * np.pi)
    w = np.radians(rng.uniform(*rates_deg_s)) * rng.choice([-1.0, 1.0])
    left = int(rng.integers(8, 16))
    for k in range(scans):
        pos[k], hdg[k], rate[k] = p, h, w
        if w == 0:
            p = p + speed * DT * np.array([np.cos(h), np.sin(h)])
        else:
            p = p + speed / w * np.array([np.sin(h + w * DT) - np.sin(h),
                                          -(np.cos(h + w * DT) - np.cos(h))])
        h += w * DT
        left -= 1
        if left <= 0:
            turning = w != 0
            w = 0.0 if turning else (np.radians(rng.uniform(*rates_deg_s))
                                     * rng.choice([-1.0, 1.0]))
            left = int(rng.integers(4, 10) if turning else rng.integers(8, 16))
    return pos, hdg, rate


def formations(seed: int = 11, groups: int = 3, rows: int = 4, cols: int = 5,
               spacing: float = 400.0, scans: int = 60, rate: float = 150.0
               ) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t_cross = scans // 2
    meet = np.array([rng.uniform(40e3, 70e3), rng.uniform(-20e3, 20e3)])
    # member offsets in the formation's own axes (along, across the heading)
    a, c = np.meshgrid((np.arange(rows) - (rows - 1) / 2) * spacing,
                       (np.arange(cols) - (cols - 1) / 2) * spacing, indexing="ij")
    off = np.column_stack([a.ravel(), c.ravel()])  # (m, 2)
    tracks = []
    for g in range(groups):
        speed = rng.uniform(220.0, 280.0)
        path, hdg, w = _turning_path(rng, scans, speed, (2.0, 4.0))
        path = path - path[t_cross] + meet  # the groups meet near ``meet`` mid-run
        alt = 5e3 + 300.0 * g
        ch, sh = np.cos(hdg)[:, None], np.sin(hdg)[:, None]
        # rotate the offsets with the heading; rigid body: v = v_c + ω × r
        rx = off[None, :, 0] * ch - off[None, :, 1] * sh
        ry = off[None, :, 0] * sh + off[None, :, 1] * ch
        vx = speed * ch - w[:, None] * ry
        vy = speed * sh + w[:, None] * rx
        x, y = path[:, :1] + rx, path[:, 1:] + ry
        for j in range(off.shape[0]):
            tracks.append(np.column_stack([x[:, j], y[:, j], np.full(scans, alt), vx[:, j],
                                           vy[:, j], np.zeros(scans)]))
    truth = np.stack(tracks, axis=1)
    box = np.array([[20e3, 120e3], [-np.pi, np.pi], [0.0, 0.2]])
    return _pack(truth, rng, seed, clutter_rate=rate, box=box)


def straight400(seed: int = 12, n: int = 400, scans: int = 30) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return _pack(_ncv(n, scans, rng), rng, seed)


CASES = {"clutter": clutter, "crossing": crossing, "manoeuvring": manoeuvring,
         "formations": formations, "straight400": straight400}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    scen = CASES[a.case]() if a.seed is None else CASES[a.case](seed=a.seed)
    np.savez_compressed(a.out, **scen)
    print(f"{a.case}: {scen['truth'].shape[1]} targets, {scen['truth'].shape[0]} scans, "
          f"{len(scen['meas'])} plots -> {a.out}")


if __name__ == "__main__":
    main()
