"""Association on crafted cases: crossing targets, contention for one plot, JPDA marginals,
and the standalone tracker on the shared file format."""

import json
import subprocess
import sys

import numpy as np
import pytest

from skyshield.tracking import filters, jpda
from skyshield.tracking.metrics import gospa, siap
from skyshield.tracking.standalone import read_plots, track_scans
from skyshield.tracking.tracker import CONFIRMED, Tracker, TrackerParams


def _crossing_truth(scans=60, dt=2.0, sep_deg=20.0):
    """Two aircraft meeting head-on at a shallow angle (crossing at scan 30, same altitude)."""
    t = (np.arange(scans) - 30) * dt
    out = []
    for sgn in (1.0, -1.0):
        h = np.radians(90 + sgn * sep_deg / 2)
        v = 250.0 * np.array([np.cos(h), np.sin(h), 0.0]) * sgn
        p = np.array([50e3, 40e3, 5000.0]) + v * t[:, None]
        out.append(np.hstack([p, np.broadcast_to(v, p.shape)]))
    return np.stack(out, axis=1)  # (scans, 2, 6)


@pytest.mark.parametrize("association", ["gnn", "jpda"])
def test_crossing_targets_keep_their_track_numbers(association):
    rng = np.random.default_rng(11)
    truth = _crossing_truth()
    sig = np.array([50.0, 0.002, 0.002])
    tr = Tracker(TrackerParams(q=(1.0, 1.0, 0.01), init_speed_sigma_mps=(300, 300, 20),
                               association=association, clutter_density=1e-12))
    rows = []
    for k in range(truth.shape[0]):
        z = filters.polar_of(truth[k, :, :3]) + rng.standard_normal((2, 3)) * sig
        zc, Rc = filters.polar_to_cartesian(z, sig)
        tr.process(2.0 * k, zc, Rc, np.array([0, 1]), np.zeros(3), np.inf, "radar")
        for s in tr.live(CONFIRMED):
            rows.append((k, tr.track_id[s], *tr.x[s, :3]))
    rows = np.array(rows)
    S = truth.shape[0]
    r = siap(np.arange(S), np.repeat(np.arange(S), 2), np.tile([0, 1], S),
             truth[:, :, :3].reshape(-1, 3), rows[:, 0].astype(int), rows[:, 1].astype(int),
             rows[:, 2:5], threshold_m=500.0)
    assert r.id_swaps == 0 and r.id_changes == 0
    assert r.completeness > 0.9 and r.spuriousness == 0.0


def test_gnn_gives_a_contested_plot_to_the_nearer_track():
    tr = Tracker(TrackerParams(q=1.0, confirm_m=1, confirm_n=1))
    R = np.tile(np.eye(3) * 100.0, (2, 1, 1))
    tr.process(0.0, np.array([[0.0, 0, 0], [1000.0, 0, 0]]), R, np.array([0, 1]), np.zeros(3),
               np.inf, "r")
    # one plot at 400 m from the first track: it goes to the first, the second misses
    tr.process(1.0, np.array([[400.0, 0, 0]]), R[:1], np.array([0]), np.zeros(3), np.inf, "r")
    s = tr.live()
    updated = s[tr.t[s] == 1.0]
    assert list(tr.track_id[updated]) == [1]


def test_jpda_marginals_equal_hand_enumeration():
    # two tracks, one plot gated by both: events {} (miss²), {t1-d} (g1·miss), {t2-d} (g2·miss)
    g1, g2, miss = 3.0, 1.0, 0.2
    b = jpda.marginals(np.array([0, 1]), np.array([0, 0]), np.array([g1, g2]), miss)
    tot = miss * miss + g1 * miss + g2 * miss
    np.testing.assert_allclose(b, [g1 * miss / tot, g2 * miss / tot])
    # two tracks, two plots, all gated: the 7 feasible events
    g = np.array([4.0, 1.0, 1.0, 2.0])  # (t0,d0), (t0,d1), (t1,d0), (t1,d1)
    trk, det = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    ev = {(): miss**2, (0,): g[0] * miss, (1,): g[1] * miss, (2,): g[2] * miss,
          (3,): g[3] * miss, (0, 3): g[0] * g[3], (1, 2): g[1] * g[2]}
    tot = sum(ev.values())
    want = [sum(w for e, w in ev.items() if k in e) / tot for k in range(4)]
    np.testing.assert_allclose(jpda.marginals(trk, det, g, miss), want)


def _shared_file(path, n=8, scans=30, seed=3, with_truth=True):
    rng = np.random.default_rng(seed)
    sig = np.array([50.0, 0.002, 0.002])
    p0 = np.column_stack([rng.uniform(-60e3, 60e3, n), rng.uniform(-60e3, 60e3, n),
                          rng.uniform(1e3, 9e3, n)])
    hdg = rng.uniform(0, 2 * np.pi, n)
    v = np.column_stack([200 * np.cos(hdg), 200 * np.sin(hdg), np.zeros(n)])
    times = np.arange(scans) * 2.0
    truth = np.concatenate([p0[None] + v[None] * times[:, None, None],
                            np.broadcast_to(v, (scans, n, 3))], axis=2)
    meas, ms = [], []
    for k in range(scans):
        z = filters.polar_of(truth[k, :, :3]) + rng.standard_normal((n, 3)) * sig
        meas.append(z)
        ms.append(np.full(n, k))
    data = dict(times=times, meas=np.vstack(meas), meas_scan=np.concatenate(ms), sigma=sig,
                radar_pos=np.zeros(3))
    if with_truth:
        data.update(truth=truth, meas_truth=np.tile(np.arange(n), scans))
    np.savez(path, **data)
    return truth


def test_standalone_tracker_does_not_need_the_truth(tmp_path):
    truth = _shared_file(tmp_path / "plots.npz", with_truth=False)
    d = read_plots(tmp_path / "plots.npz")
    res = track_scans(d["times"], d["meas"], d["meas_scan"], d["sigma"], d["radar_pos"])
    g = [gospa(res.at_scan(k)[:, :3], truth[k, :, :3], 2000.0).distance / 8
         for k in range(10, 30)]
    assert np.mean(g) < 150.0  # per target: σ_cross-range ≈ 2 mrad × 60 km = 120 m per plot


def test_track_command_writes_tracks_and_a_json_timing_line(tmp_path):
    _shared_file(tmp_path / "plots.npz")
    out = tmp_path / "tracks.npz"
    p = subprocess.run([sys.executable, "-m", "skyshield.cli", "track", str(tmp_path / "plots.npz"),
                        "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    last = json.loads(p.stdout.strip().splitlines()[-1])
    assert last["scans"] == 30 and last["total_s"] > 0 and last["mean_scan_s"] > 0
    with np.load(out) as f:
        assert {"scan", "track_id", "state"} <= set(f.files)
        assert f["state"].shape[1] == 6 and f["scan"].shape == f["track_id"].shape
        assert set(np.unique(f["scan"])) <= set(range(30))


@pytest.mark.parametrize("content,message", [
    (b"not an npz", "cannot read"),
    (None, "lacks"),
])
def test_track_command_refuses_bad_files_with_status_2(tmp_path, content, message):
    bad = tmp_path / "bad.npz"
    if content is None:
        np.savez(bad, times=np.arange(3.0))
    else:
        bad.write_bytes(content)
    p = subprocess.run([sys.executable, "-m", "skyshield.cli", "track", str(bad),
                        "--out", str(tmp_path / "t.npz")], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2
    assert message in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "t.npz").exists()
