"""Command chains' pictures (``tracking.joint``): latency and registration bias in the joint
picture, worked out by hand and scored by ``analysis.picture`` (GOSPA, SIAP); track-number
correlation of one aircraft seen by both posts.

The set-up: one aircraft flies east at v = 250 m/s, 5 km up; post A's radar is at the origin,
post B's 20 km south; each scans every second and sees it with exact plots (σ = 30 m in the
covariance). Post A is the host: the joint post sits with it. Its picture is recorded every
second from 20 s to 60 s (the tracks long confirmed and settled) and scored against the truth.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from skyshield.analysis.picture import picture_quality
from skyshield.tracking import kalman
from skyshield.tracking.joint import ID_BLOCK, JointPicture, correlate, register
from skyshield.tracking.tracker import CONFIRMED, Tracker, TrackerParams

V = np.array([250.0, 0.0, 0.0])
P0 = np.array([-30_000.0, 10_000.0, 5_000.0])
SITES = np.array([[0.0, 0.0, 0.0], [0.0, -20_000.0, 0.0]])
SIGMA_M = 30.0
SAMPLES = np.arange(20.0, 61.0)


def truth_at(t: float) -> np.ndarray:
    return P0 + V * t


def fly(latency_s: float = 0.0, extrapolate: bool = True, bias_b: tuple[float, float] = (0, 0),
        a_sees: bool = False, link_cut_at: float | None = None,
        radar_bias: dict[int, tuple[float, float]] | None = None, sigma_a_m: float = SIGMA_M
        ) -> tuple[JointPicture, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Run both posts' trackers over the flight; the joint picture and the truth at SAMPLES."""
    trackers = [Tracker(TrackerParams()), Tracker(TrackerParams())]
    jp = JointPicture(trackers, ["ra", "rb"], np.array([0, 1]), 0, latency_s, extrapolate,
                      0.9997, radar_pos_m=SITES, radar_rot=np.tile(np.eye(3), (2, 1, 1)),
                      bias=[(0.0, 0.0), (bias_b[0], np.radians(bias_b[1]))],
                      radar_bias=radar_bias)
    R = np.eye(3)[None] * SIGMA_M**2
    pic: dict[str, list[float]] = {"t_s": [], "track_id": [], "x_m": [], "y_m": [], "z_m": []}
    for t in np.arange(0.0, 61.0):
        if link_cut_at is not None and t >= link_cut_at and jp.link_up:
            jp.set_link(False)
        for k, (name, sees) in enumerate((("ra", a_sees), ("rb", True))):
            z = truth_at(t)[None] if sees else np.zeros((0, 3))
            Rk = R * (sigma_a_m / SIGMA_M) ** 2 if k == 0 else R
            trackers[k].process(t, z, Rk[: len(z)], np.zeros(len(z), dtype=np.int64), SITES[k],
                                300_000.0, name)
            jp.sent(k, t)
        jp.refresh(t)
        if t in SAMPLES:
            j = jp.joint
            s = j.live(CONFIRMED)
            pos = j.state_at(s, t)[:, :3]
            pic["t_s"] += [t] * s.size
            pic["track_id"] += j.track_id[s].tolist()
            for c, col in enumerate(("x_m", "y_m", "z_m")):
                pic[col] += pos[:, c].tolist()
    tp = np.array([truth_at(t) for t in SAMPLES])
    truth = {"t_s": SAMPLES.copy(), "entity_id": np.zeros(SAMPLES.size, dtype=np.int64),
             "x_m": tp[:, 0], "y_m": tp[:, 1], "z_m": tp[:, 2],
             "sample": np.ones(SAMPLES.size, dtype=bool)}
    picture = {k: np.asarray(v, dtype=np.int64 if k == "track_id" else float)
               for k, v in pic.items()}
    return jp, truth, picture


def test_an_uncompensated_latency_shows_as_latency_times_speed_in_gospa():
    # only post B sees the aircraft: the joint post holds it by B's reports, L seconds old;
    # shown where it was when sent, it is L·v behind: 0, 500 and 1000 m at L = 0, 2, 4 s
    loc = []
    for L in (0.0, 2.0, 4.0):
        _, truth, pic = fly(latency_s=L, extrapolate=False)
        q = picture_quality(truth, pic)
        assert q["gospa_missed_mean"] == 0 and q["gospa_false_mean"] == 0
        assert q["gospa_localisation_mean_m"] == pytest.approx(L * 250.0, abs=5.0)
        assert q["siap"]["positional_accuracy_m"] == pytest.approx(L * 250.0, abs=5.0)
        loc.append(q["gospa_localisation_mean_m"])
    assert loc[0] < loc[1] < loc[2]
    # dead-reckoned over its age, a straight flight comes back to where it is (CV model)
    _, truth, pic = fly(latency_s=4.0, extrapolate=True)
    assert picture_quality(truth, pic)["gospa_localisation_mean_m"] < 5.0


def test_a_range_bias_shows_as_itself_and_an_azimuth_bias_as_range_times_angle():
    _, truth, pic = fly(bias_b=(300.0, 0.0))
    assert picture_quality(truth, pic)["gospa_localisation_mean_m"] == pytest.approx(
        300.0, abs=5.0)
    # 0.5° of azimuth: the chord 2·ρ_h·sin(β/2) at the aircraft's horizontal range from B
    _, truth, pic = fly(bias_b=(0.0, 0.5))
    tp = np.column_stack([truth["x_m"], truth["y_m"]]) - SITES[1, :2]
    expect = float(np.mean(2 * np.linalg.norm(tp, axis=1) * np.sin(np.radians(0.25))))
    assert expect == pytest.approx(313.0, abs=5.0)  # ρ_h from 36 to 42 km
    assert picture_quality(truth, pic)["gospa_localisation_mean_m"] == pytest.approx(
        expect, abs=5.0)


def test_a_radar_of_its_own_bias_overrides_its_posts():
    _, truth, pic = fly(bias_b=(300.0, 0.0), radar_bias={1: (100.0, 0.0)})
    assert picture_quality(truth, pic)["gospa_localisation_mean_m"] == pytest.approx(
        100.0, abs=5.0)


def test_register_moves_a_point_by_the_range_bias_along_the_line_of_sight():
    rot = np.tile(np.eye(3), (1, 1, 1))
    x = np.array([[3000.0, 4000.0, 0.0, 10.0, 0.0, 0.0]])
    out = register(x, np.zeros((1, 3)), rot, 100.0, 0.0)
    assert out[0, :3] == pytest.approx([3060.0, 4080.0, 0.0])
    out = register(x, np.zeros((1, 3)), rot, 0.0, np.pi / 2)  # 90° clockwise: north -> east
    assert out[0, :3] == pytest.approx([4000.0, -3000.0, 0.0], abs=1e-9)
    assert out[0, 3:] == pytest.approx([0.0, -10.0, 0.0], abs=1e-9)
    two = register(np.vstack([x, x]), np.zeros((2, 3)), np.tile(np.eye(3), (2, 1, 1)),
                   np.array([100.0, 0.0]), np.array([0.0, np.pi / 2]))  # one bias per row
    assert two[0, :3] == pytest.approx([3060.0, 4080.0, 0.0])
    assert two[1, :3] == pytest.approx([4000.0, -3000.0, 0.0], abs=1e-9)


def _gate_d2(jp: JointPicture, t: float) -> float:
    """d² of B's track (registered) against A's at ``t``: Δᵀ(P_A + P_B)⁻¹Δ."""
    a, b = jp.trackers
    sa, sb = a.live(CONFIRMED), b.live(CONFIRMED)
    xa = jp.registered(0, sa)
    xb = jp.registered(1, sb)
    S = a.P[sa, :3, :3][0] + b.P[sb, :3, :3][0]
    d = xb[0, :3] + xb[0, 3:] * (t - b.t[sb][0]) - (xa[0, :3] + xa[0, 3:] * (t - a.t[sa][0]))
    return float(d @ np.linalg.solve(S, d))


def test_one_aircraft_seen_by_both_posts_is_one_joint_track_unless_the_bias_exceeds_the_gate():
    gamma = chi2.ppf(0.9997, 3)  # 18.99
    # small bias: the two posts' tracks of the aircraft correlate; B's number maps to A's
    jp, truth, pic = fly(bias_b=(50.0, 0.0), a_sees=True, latency_s=2.0)
    d2 = _gate_d2(jp, 60.0)
    assert d2 < gamma
    a_id = int(jp.trackers[0].track_id[jp.trackers[0].live(CONFIRMED)][0])
    b_id = int(jp.trackers[1].track_id[jp.trackers[1].live(CONFIRMED)][0])
    assert a_id < ID_BLOCK <= b_id  # numbers from disjoint blocks
    assert jp.slot_of(b_id) == jp.slot_of(a_id) >= 0 and set(pic["track_id"]) == {a_id}
    q = picture_quality(truth, pic)
    assert q["siap"]["ambiguity"] == 1.0 and q["gospa_false_mean"] == 0
    # the gate in metres along the line of sight: each track's position σ is about 20 m
    # (30 m plots every second), so √(γ·(σ_A² + σ_B²)) ≈ √19 · 28 m ≈ 120 m; a bias of 1.5 km
    # is far outside it: B's track stays a track of its own, a dual track in the joint picture
    sa = jp.trackers[0].live(CONFIRMED)
    sig = float(np.sqrt(np.trace(jp.trackers[0].P[sa, :3, :3][0]) / 3))
    assert 5.0 < sig < 40.0
    jp, truth, pic = fly(bias_b=(1500.0, 0.0), a_sees=True, latency_s=2.0)
    assert _gate_d2(jp, 60.0) > gamma
    assert jp.slot_of(b_id) != jp.slot_of(a_id)
    assert set(pic["track_id"]) == {a_id, b_id}
    q = picture_quality(truth, pic)
    # two tracks on one aircraft within the SIAP threshold (2 km): ambiguity 2; GOSPA counts
    # the dual as a false track, and localisation stays A's own (unbiased) track's
    assert q["siap"]["ambiguity"] == 2.0 and q["gospa_false_mean"] == 1.0
    assert q["gospa_localisation_mean_m"] < 5.0


def test_the_joint_track_shows_the_better_of_the_two_posts_tracks():
    # A's plots are ten times coarser (300 m): the joint track is B's, 50 m off by B's bias;
    # with A's as good as B's and B's two seconds old, it is A's own (0 m)
    jp, truth, pic = fly(bias_b=(50.0, 0.0), a_sees=True, sigma_a_m=300.0)
    q = picture_quality(truth, pic)
    assert q["siap"]["ambiguity"] == 1.0 and len(set(pic["track_id"])) == 1
    assert q["gospa_localisation_mean_m"] == pytest.approx(50.0, abs=5.0)
    _, truth, pic = fly(bias_b=(50.0, 0.0), a_sees=True, latency_s=2.0)
    assert picture_quality(truth, pic)["gospa_localisation_mean_m"] < 5.0


def test_a_cut_link_leaves_the_joint_picture_with_the_host_tracks_only():
    jp, truth, pic = fly(link_cut_at=40.0)  # only B sees the aircraft
    held = np.unique(pic["t_s"])
    assert held.min() == 20.0 and held.max() < 40.0  # nothing arrives after the cut
    b = jp.posts[1]
    assert b.live(CONFIRMED).size == 1  # B still holds it in its own picture
    q = picture_quality(truth, pic)
    assert q["siap"]["completeness"] == pytest.approx(20 / 41, abs=1e-3)


def test_correlate_keeps_a_pair_while_it_gates_and_pairs_the_rest_by_nearest_neighbour():
    P = np.tile(np.diag([100.0, 100.0, 100.0, 10.0, 10.0, 10.0]), (2, 1, 1))
    xl = np.zeros((2, 6))
    xl[1, 0] = 30.0
    xr = np.zeros((2, 6))
    xr[0, 0], xr[1, 0] = 28.0, 2.0  # each nearer the other local track
    assert correlate(xl, P, xr, P, chi2.ppf(0.9997, 3)).tolist() == [1, 0]
    kept = correlate(xl, P, xr, P, chi2.ppf(0.9997, 3), keep=np.array([0, -1]))
    assert kept.tolist() == [0, 1]  # the earlier pair holds; the other takes what is left
    far = xr.copy()
    far[:, 0] += 1000.0
    assert correlate(xl, P, far, P, chi2.ppf(0.9997, 3), keep=np.array([0, 1])).tolist() == \
        [-1, -1]
    # the gate is the Mahalanobis distance of the difference with the summed covariances
    y, S = kalman.innovation(xl[:1], P[:1], xr[:1, :3], P[:1, :3, :3])
    assert float(kalman.mahalanobis_sq(y, S)[0][0]) == pytest.approx(28.0**2 / 200.0)


def test_a_latency_beyond_the_gate_makes_a_dual_track_too():
    # both posts hold the aircraft; B's reports shown where they were sent: 0 s old they
    # correlate (one track); 6 s old they are 6 × 250 = 1500 m behind, far outside the gate
    # (about 120 m, above) yet inside SIAP's 2 km: two tracks on one aircraft
    amb, false = [], []
    for L in (0.0, 6.0):
        _, truth, pic = fly(latency_s=L, extrapolate=False, a_sees=True)
        q = picture_quality(truth, pic)
        amb.append(q["siap"]["ambiguity"])
        false.append(q["gospa_false_mean"])
        assert q["gospa_localisation_mean_m"] < 5.0  # A's own track is the better one
    assert amb == [1.0, 2.0] and false == [0.0, 1.0]


def test_a_number_merged_and_on_its_own_again_names_its_own_slot():
    jp = JointPicture([Tracker(TrackerParams()), Tracker(TrackerParams())], ["ra", "rb"],
                      np.array([0, 1]), 0, 0.0, True, 0.9997)
    a = jp._new_slot(1)
    b = jp._new_slot(ID_BLOCK + 1)
    jp._attach(0, 1, a)
    jp._attach(1, ID_BLOCK + 1, b)
    jp._detach(1, ID_BLOCK + 1)  # B's track joins A's: its number follows A's
    jp._attach(1, ID_BLOCK + 1, a)
    jp._alias[ID_BLOCK + 1] = 1
    assert jp.slot_of(ID_BLOCK + 1) == a
    jp._detach(1, ID_BLOCK + 1)  # the pair no longer gates: B's track on its own again
    c = jp._new_slot(ID_BLOCK + 1)
    jp._attach(1, ID_BLOCK + 1, c)
    assert jp.slot_of(ID_BLOCK + 1) == c != a and jp.slot_of(1) == a
