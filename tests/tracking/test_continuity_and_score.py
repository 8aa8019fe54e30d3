"""Issue 22: track-number continuity through a lost-and-found target, score-based (SPRT)
confirmation, and the standalone default (IMM of a quiet and a manoeuvre CV model)."""

import numpy as np
import pytest

from skyshield.tracking import imm
from skyshield.tracking.standalone import benchmark_params, track_scans
from skyshield.tracking.tracker import CONFIRMED, Tracker, TrackerParams

R1 = np.diag([10.0, 10.0, 10.0]) ** 2


def _feed(tr, t, pts, truth, rng):
    z = np.asarray(pts, dtype=float).reshape(-1, 3)
    z = z + rng.normal(scale=10.0, size=z.shape)
    return tr.process(t, z, np.tile(R1, (len(z), 1, 1)), np.asarray(truth, dtype=np.int64),
                      np.zeros(3), 1e6, "test")


def _corner_run(stitch: bool) -> set[int]:
    """A target at 200 m/s turning 90° at once (a route's vertex) under a 1 s, 10 m radar:
    the first plot after the corner is ~280 m off the prediction, far outside its gate."""
    rng = np.random.default_rng(5)
    tr = Tracker(TrackerParams(q=1.0, stitch=stitch))
    ids: set[int] = set()
    p, v = np.array([0.0, 0.0, 5e3]), np.array([200.0, 0.0, 0.0])
    for k in range(120):
        if k == 60:
            v = np.array([0.0, 200.0, 0.0])
        p = p + v
        _feed(tr, float(k), [p], [0], rng)
        ids |= {int(i) for i in tr.track_id[tr.live(CONFIRMED)]}
    assert tr.live(CONFIRMED).size == 1  # the old one is not left coasting beside the new
    return ids


def test_a_lost_and_found_target_keeps_its_track_number():
    assert len(_corner_run(stitch=False)) == 2  # the corner breaks the track ...
    assert len(_corner_run(stitch=True)) == 1  # ... and the number continues


def test_a_new_target_beside_a_held_one_gets_its_own_number():
    # a second aircraft appears 300 m from one whose track is updated every scan: the held
    # track has taken plots since the newcomer's first plot, so it is not a candidate
    rng = np.random.default_rng(6)
    tr = Tracker(TrackerParams(q=1.0))
    v = np.array([200.0, 0.0, 0.0])
    for k in range(40):
        a = np.array([0.0, 0.0, 5e3]) + v * k
        pts, truth = ([a, a + [0.0, 300.0, 0.0]], [0, 1]) if k >= 20 else ([a], [0])
        _feed(tr, float(k), pts, truth, rng)
    conf = tr.live(CONFIRMED)
    assert conf.size == 2
    assert sorted(tr.truth[conf]) == [0, 1]
    assert tr.track_id[conf][tr.truth[conf] == 0][0] == 1  # the first track kept its number


def test_a_far_new_track_does_not_take_a_coasting_number():
    rng = np.random.default_rng(7)
    tr = Tracker(TrackerParams(q=1.0, coast_s=30.0))
    v = np.array([200.0, 0.0, 0.0])
    for k in range(20):
        _feed(tr, float(k), [np.array([0.0, 0.0, 5e3]) + v * k], [0], rng)
    # target 0 vanishes; 10 s later a target appears 20 km away (beyond 2|v|Δt + 4σ)
    for k in range(20, 30):
        _feed(tr, float(k), [np.array([4e3 + 20e3, 0.0, 5e3]) + v * k], [1], rng)
    ids = sorted(int(i) for i in tr.track_id[tr.live(CONFIRMED)])
    assert ids == [1, 2]


def test_track_score_increments_follow_blackman_popoli():
    # hit: ln(Pd/λ) − (3/2) ln 2π − ½ ln|S| − d²/2; miss: ln(1 − Pd); thresholds by Wald
    p = TrackerParams(score_confirm=True, pd=0.8, clutter_density=1e-12, score_alpha=1e-3,
                      score_beta=0.05)
    tr = Tracker(p)
    assert tr._hit_score == pytest.approx(np.log(0.8 / 1e-12) - 1.5 * np.log(2 * np.pi))
    assert tr._score_confirm == pytest.approx(np.log(0.95 / 1e-3))
    rng = np.random.default_rng(1)
    z0 = np.array([[10e3, 0.0, 1e3]])
    _feed(tr, 0.0, z0, [0], rng)
    s = tr.live()[0]
    assert tr.score[s] == 0.0
    xp, Pp = tr.x[s].copy(), tr.P[s].copy()
    _feed(tr, 1.0, [], [], rng)  # an empty scan covering the track: a miss
    assert tr.score[s] == pytest.approx(np.log(0.2))
    z1 = z0 + [[150.0, 0.0, 0.0]]
    before = tr.score[s]
    tr.process(2.0, z1, R1[None], np.zeros(1, dtype=np.int64), np.zeros(3), 1e6, "test")
    from skyshield.tracking import kalman
    xq, Pq = kalman.cv_predict(xp[None], Pp[None], np.array([2.0]), p.q_axes)
    y, S = kalman.innovation(xq, Pq, z1, R1[None])
    d2, logdet = kalman.mahalanobis_sq(y, S)
    assert tr.score[s] - before == pytest.approx(tr._hit_score - 0.5 * (logdet[0] + d2[0]))


def _cluttered_scene(score: bool, seed: int = 2) -> tuple[int, int]:
    """10 straight targets in 300 false plots per scan spread over a 60 km cube, tracked by
    the default IMM (whose manoeuvre model opens wide gates): confirmed tracks on targets at
    the end and confirmations of tracks on clutter over 30 scans."""
    rng = np.random.default_rng(seed)
    lam = 300 / (60e3) ** 3
    tr = Tracker(benchmark_params(confirm_n=4, pd=0.9, clutter_density=lam,
                                  score_confirm=score))
    p0 = rng.uniform(0, 60e3, (10, 3))
    p0[:, 2] = rng.uniform(1e3, 10e3, 10)
    v = rng.uniform(-250, 250, (10, 3))
    v[:, 2] = 0
    false_confirmed = 0
    for k in range(30):
        t = 2.0 * k
        det = rng.random(10) < 0.9
        pts = (p0 + v * t)[det]
        clutter = rng.uniform(0, 60e3, (rng.poisson(300), 3))
        z = np.vstack([pts, clutter])
        truth = np.concatenate([np.flatnonzero(det), -np.ones(len(clutter), dtype=int)])
        z[:len(pts)] += rng.normal(scale=150.0, size=pts.shape)  # a radar's cross-range noise
        rep = tr.process(t, z, np.tile(np.eye(3) * 150.0**2, (len(z), 1, 1)), truth,
                         np.zeros(3), 1e6, "test")
        false_confirmed += sum(1 for e in rep.events
                               if e.kind == "track_confirmed" and e.truth_id < 0)
    conf = tr.live(CONFIRMED)
    return int((tr.truth[conf] >= 0).sum()), false_confirmed


def test_score_confirmation_cuts_false_tracks_in_clutter_and_keeps_the_true_ones():
    true_mn, false_mn = _cluttered_scene(score=False)
    true_sc, false_sc = _cluttered_scene(score=True)
    assert false_mn >= 3  # M-of-N alone confirms clutter here
    assert false_sc <= false_mn // 3
    assert true_sc >= true_mn - 1


def test_default_is_the_two_model_imm_with_score_confirmation():
    p = benchmark_params()
    assert p.filter == "imm" and p.score_confirm
    tr = Tracker(p)
    assert tr.models == (imm.ImmModel(0.0, (1.0, 1.0, 0.01)),
                         imm.ImmModel(0.0, (3000.0, 3000.0, 30.0)))
    with pytest.raises(ValueError, match="second model"):
        TrackerParams(filter="imm", imm_turn_rate_deg_s=0.0)


def _polar_scene(turn_deg_s: float, seed: int = 4):
    """8 targets at 250 m/s, straight for 20 scans then turning at ``turn_deg_s`` for 30,
    one radar (50 m, 2 mrad, Pd 0.9, 2 s), as the shared benchmark."""
    rng = np.random.default_rng(seed)
    n, S, dt = 8, 50, 2.0
    pos = np.column_stack([rng.uniform(30e3, 80e3, n), rng.uniform(-40e3, 40e3, n),
                           rng.uniform(2e3, 8e3, n)])
    hdg = rng.uniform(0, 2 * np.pi, n)
    w = np.radians(turn_deg_s) * rng.choice([-1.0, 1.0], n)
    truth = np.empty((S, n, 3))
    meas, scan = [], []
    sig = np.array([50.0, 0.002, 0.002])
    for k in range(S):
        truth[k] = pos
        r = np.linalg.norm(pos, axis=1)
        z = np.column_stack([r, np.arctan2(pos[:, 1], pos[:, 0]), np.arcsin(pos[:, 2] / r)])
        keep = rng.random(n) < 0.9
        meas.append(z[keep] + rng.standard_normal((int(keep.sum()), 3)) * sig)
        scan.append(np.full(int(keep.sum()), k))
        om = w if k >= 20 else np.zeros(n)
        pos = pos + 250.0 * dt * np.column_stack([np.cos(hdg + om * dt / 2),
                                                  np.sin(hdg + om * dt / 2), np.zeros(n)])
        hdg = hdg + om * dt
    return (np.arange(S) * dt, np.vstack(meas), np.concatenate(scan), sig), truth


def _mean_error(params, scene) -> float:
    (times, meas, scan, sig), truth = scene
    res = track_scans(times, meas, scan, sig, None, params)
    err = []
    for k in range(10, len(times)):
        est = res.at_scan(k)[:, :3]
        if len(est):
            d = np.linalg.norm(truth[k][:, None] - est[None], axis=-1).min(axis=1)
            err.append(np.minimum(d, 2000.0).mean())
    return float(np.mean(err))


def test_default_imm_follows_turns_and_matches_cv_on_straight_flight():
    turning, straight = _polar_scene(4.0), _polar_scene(0.0)
    imm_turn = _mean_error(benchmark_params(), turning)
    cv_turn = _mean_error(benchmark_params("cmkf"), turning)
    assert imm_turn < 0.6 * cv_turn
    imm_straight = _mean_error(benchmark_params(), straight)
    cv_straight = _mean_error(benchmark_params("cmkf"), straight)
    assert imm_straight < 1.05 * cv_straight


def test_a_plot_in_dense_clutter_scores_its_own_density():
    # the hit increment is ln(Pd/λ_plot) − (3/2) ln 2π − ½ ln|S| − d²/2 with the density where
    # the plot lies (a radar's false plots thin out as 1/r²): the same plot scores ln(λ1/λ2)
    # more where the clutter is λ2 than where it is λ1
    p = TrackerParams(score_confirm=True, pd=0.8, clutter_density=1e-12)
    gains = []
    for lam in (1e-9, 1e-15):
        tr = Tracker(p)
        rng = np.random.default_rng(1)
        z0 = np.array([[10e3, 0.0, 1e3]])
        _feed(tr, 0.0, z0, [0], rng)
        s = tr.live()[0]
        tr.process(2.0, z0 + [[150.0, 0.0, 0.0]], R1[None], np.zeros(1, dtype=np.int64),
                   np.zeros(3), 1e6, "test", None, np.array([lam]))
        gains.append(tr.score[s])
    assert gains[1] - gains[0] == pytest.approx(np.log(1e-9 / 1e-15))
    # with the density of the parameters it is the parameters' score
    tr = Tracker(p)
    _feed(tr, 0.0, np.array([[10e3, 0.0, 1e3]]), [0], np.random.default_rng(1))
    s = tr.live()[0]
    tr.process(2.0, np.array([[10.15e3, 0.0, 1e3]]), R1[None], np.zeros(1, dtype=np.int64),
               np.zeros(3), 1e6, "test", None, np.array([1e-12]))
    tr2 = Tracker(p)
    _feed(tr2, 0.0, np.array([[10e3, 0.0, 1e3]]), [0], np.random.default_rng(1))
    tr2.process(2.0, np.array([[10.15e3, 0.0, 1e3]]), R1[None], np.zeros(1, dtype=np.int64),
                np.zeros(3), 1e6, "test")
    assert tr.score[s] == pytest.approx(tr2.score[tr2.live()[0]])


def test_a_radar_that_did_not_start_the_track_does_not_score_its_misses():
    # the score's miss term ln(1 − Pd) is taken on the initiating radar's opportunities, as
    # M-of-N counts them: a fire-control radar scanning every second over a target beyond its
    # reach (empty scans) leaves the score of a track a 10 s surveillance radar started alone,
    # while that radar's own empty scan costs ln(1 − Pd)
    p = TrackerParams(score_confirm=True, pd=0.9, clutter_density=1e-12)
    tr = Tracker(p)
    rng = np.random.default_rng(1)
    _feed(tr, 0.0, np.array([[40e3, 0.0, 1e3]]), [0], rng)  # source "test"
    s = tr.live()[0]
    for k in range(1, 10):
        tr.process(float(k), np.zeros((0, 3)), np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64),
                   np.array([5e3, 0.0, 0.0]), 60e3, "fire-control")
    assert tr.score[s] == 0.0
    _feed(tr, 10.0, [], [], rng)
    assert tr.score[s] == pytest.approx(np.log(0.1))


def _turn_under_a_10s_radar(gate: str) -> tuple[int, int]:
    """A fighter at 194 m/s (700 km/h) on a straight leg for 300 s, then a 90° corner 1 s
    after a scan of a 10 s surveillance radar (σ 100 m). At the next scan the plot lies
    |v|·9·√2 ≈ 2.5 km off the constant-velocity prediction. The IMM's widest model, q = 3000
    m²/s³ over 10 s, predicts σ = √(q·T³/3) = 1.0 km per axis (plus the filter's own), so its
    χ²(3) 0.9997 gate (4.4 σ) holds the plot; the combined covariance, 90 % the quiet model's
    (q = 30: 0.1 km) and 10 % the manoeuvre model's, √0.1 · 1.0 km ≈ 0.32 km, gates at about
    1.5 km and does not. Returns (tracks confirmed on the target, plots it took)."""
    p = benchmark_params(q=30.0, imm_gate=gate)
    tr = Tracker(p)
    rng = np.random.default_rng(3)
    R = np.diag([100.0, 100.0, 100.0]) ** 2
    pos, v = np.array([0.0, 0.0, 6e3]), np.array([194.0, 0.0, 0.0])
    ids: set[int] = set()
    for k in range(1, 50):
        t = 10.0 * k
        if k == 31:   # the corner at 301 s, 1 s after a scan
            pos = pos + v * 1.0
            v = np.array([0.0, 194.0, 0.0])
            pos = pos + v * 9.0
        else:
            pos = pos + v * 10.0
        z = pos[None] + rng.normal(scale=100.0, size=(1, 3))
        tr.process(t, z, R[None], np.zeros(1, dtype=np.int64), np.zeros(3), 1e6, "radar")
        ids |= {int(i) for i in tr.track_id[tr.live(CONFIRMED)]}
    s = tr.live(CONFIRMED)
    return len(ids), int(tr.hits[s].max()) if s.size else 0


def test_the_imm_holds_a_turn_under_a_slow_radar_when_it_gates_with_its_widest_model():
    n_wide, hits_wide = _turn_under_a_10s_radar("widest")
    n_comb, _ = _turn_under_a_10s_radar("combined")
    assert n_wide == 1 and hits_wide == 49   # one track took every plot through the corner
    assert n_comb > 1 or _turn_under_a_10s_radar("combined")[1] < 49


def test_a_scan_that_did_not_look_at_a_track_is_no_opportunity():
    # a fire-control radar that searched another sector: its empty scans neither use up the
    # M-of-N opportunities of a track it started nor score its misses; a scan that looked does
    p = TrackerParams(score_confirm=True, pd=0.9)
    tr = Tracker(p)
    z = np.array([[30e3, 0.0, 1e3]])
    tr.process(0.0, z, R1[None], np.zeros(1, dtype=np.int64), np.zeros(3), 1e6, "fc")
    s = tr.live()[0]

    def away(pos):
        return np.zeros(len(pos), dtype=bool)

    for k in range(1, 8):
        tr.process(float(k), np.zeros((0, 3)), np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64),
                   np.zeros(3), 1e6, "fc", covers=away)
    assert tr.status[s] > 0 and tr.opps[s] == 1 and tr.score[s] == 0.0
    tr.process(8.0, np.zeros((0, 3)), np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64),
               np.zeros(3), 1e6, "fc", covers=lambda pos: np.ones(len(pos), dtype=bool))
    assert tr.opps[s] == 2 and tr.score[s] == pytest.approx(np.log(0.1))


def test_a_coasting_imm_track_gates_with_the_combined_prediction():
    # after a missed opportunity the widest (manoeuvre) gate is not used: a plot 6 km off the
    # prediction 20 s after the last plot (inside the manoeuvre model's gate, 4.4σ with
    # σ = √(3000·20³/3) = 2.8 km per axis; outside the combined one, whose manoeuvre share
    # μ ≲ 0.1 gives σ ≲ √0.1·2.8 = 0.9 km, 4.4σ ≈ 3.9 km) starts a new track instead of
    # capturing the old one
    p = benchmark_params(q=30.0, imm_gate="widest", coast_s=60.0)
    tr = Tracker(p)
    rng = np.random.default_rng(3)
    R = np.diag([100.0, 100.0, 100.0]) ** 2
    pos, v = np.array([0.0, 0.0, 6e3]), np.array([194.0, 0.0, 0.0])
    for k in range(1, 31):
        pos = pos + v * 10.0
        tr.process(10.0 * k, pos[None] + rng.normal(scale=100.0, size=(1, 3)), R[None],
                   np.zeros(1, dtype=np.int64), np.zeros(3), 1e6, "radar")
    s = tr.live(CONFIRMED)
    assert s.size == 1
    hits = int(tr.hits[s[0]])
    tr.process(310.0, np.zeros((0, 3)), np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64),
               np.zeros(3), 1e6, "radar")  # a miss: the track is coasting
    off = pos + v * 20.0 + np.array([0.0, 6000.0, 0.0])
    tr.process(320.0, off[None], R[None], np.full(1, -1, dtype=np.int64), np.zeros(3), 1e6,
               "radar")
    assert tr.status[s[0]] == CONFIRMED and int(tr.hits[s[0]]) == hits  # not taken by it
