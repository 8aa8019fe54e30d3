"""The central tracker on crafted scenes: confirmation, association, coasting, false alarms."""

import numpy as np

from skyshield.engine.events import EventLog
from skyshield.tracking import association
from skyshield.tracking.tracker import CONFIRMED, TENTATIVE, ScanReport, Tracker, TrackerParams

R1 = np.diag([30.0, 30.0, 30.0]) ** 2


def _feed(tr, t, pts, truth, rng=None, sensor=(0.0, 0.0, 0.0), max_range=1e6, log=None):
    z = np.asarray(pts, dtype=float).reshape(-1, 3)
    if rng is not None:
        z = z + rng.normal(scale=30.0, size=z.shape)
    rep = tr.process(t, z, np.tile(R1, (len(z), 1, 1)), np.asarray(truth, dtype=np.int64),
                     np.asarray(sensor), max_range, "test")
    if log is not None:
        log.extend(rep.events)
    return rep


def test_two_crossing_targets_keep_their_tracks():
    rng = np.random.default_rng(3)
    tr = Tracker(TrackerParams(confirm_m=3, confirm_n=5, coast_s=20.0))
    v1, v2 = np.array([200.0, 0, 0]), np.array([0.0, 200, 0])
    p1, p2 = np.array([-20e3, 0, 3e3]), np.array([0.0, -20e3, 5e3])  # cross above the origin
    ids_seen = {0: set(), 1: set()}
    for k in range(200):
        t = 1.0 * k
        _feed(tr, t, [p1 + v1 * t, p2 + v2 * t], [0, 1], rng)
        conf = tr.live(CONFIRMED)
        for s in conf:
            ids_seen[int(tr.truth[s])].add(int(tr.track_id[s]))
    conf = tr.live(CONFIRMED)
    assert conf.size == 2
    # one track per target for the whole run (no swap, no break)
    assert all(len(v) == 1 for v in ids_seen.values())
    assert ids_seen[0] != ids_seen[1]
    for s in conf:
        truth_pos = (p1 + v1 * 199) if tr.truth[s] == 0 else (p2 + v2 * 199)
        assert np.linalg.norm(tr.x[s, :3] - truth_pos) < 60.0
        truth_vel = v1 if tr.truth[s] == 0 else v2
        assert np.linalg.norm(tr.x[s, 3:] - truth_vel) < 15.0


def test_m_of_n_confirmation_and_confirmed_event():
    log = EventLog()
    tr = Tracker(TrackerParams(confirm_m=3, confirm_n=5))
    p = np.array([10e3, 0, 1e3])
    rep = _feed(tr, 0.0, [p], [0], log=log)
    assert tr.status[tr.live()][0] == TENTATIVE
    assert list(rep.initiated) == [1] and rep.events == [] and rep.updated.size == 0
    rep = _feed(tr, 1.0, [p + [100, 0, 0]], [0], log=log)
    assert tr.live(CONFIRMED).size == 0
    assert list(rep.updated) == [1] and rep.confirmed.size == 0 and rep.initiated.size == 0
    rep = _feed(tr, 2.0, [p + [200, 0, 0]], [0], log=log)
    assert tr.live(CONFIRMED).size == 1
    assert list(rep.confirmed) == [1]
    c = log.columns()
    assert list(c["kind"]) == ["track_confirmed"]
    assert (c["t_s"][0], c["source"][0], c["track_id"][0], c["truth_id"][0]) == (2.0, "test", 1, 0)
    np.testing.assert_array_equal([c["x_m"][0], c["y_m"][0], c["z_m"][0]], tr.x[tr.live(), :3][0])


def test_isolated_false_alarms_never_confirm():
    rng = np.random.default_rng(5)
    tr = Tracker(TrackerParams())
    for k in range(50):
        pts = rng.uniform(-100e3, 100e3, size=(20, 3))
        _feed(tr, 2.0 * k, pts, [-1] * 20)
    assert tr.live(CONFIRMED).size == 0
    # tentative tracks die after N opportunities: only the last few scans' remain
    assert tr.live(TENTATIVE).size <= 20 * 5


def test_confirmed_track_coasts_then_drops():
    log = EventLog()
    tr = Tracker(TrackerParams(coast_s=10.0))
    p, v = np.array([0.0, 5e3, 1e3]), np.array([100.0, 0, 0])
    for k in range(5):
        _feed(tr, float(k), [p + v * k], [0], log=log)
    assert tr.live(CONFIRMED).size == 1
    last = tr.x[tr.live(CONFIRMED)[0], :3].copy()
    for k in range(5, 15):
        rep = _feed(tr, float(k), np.zeros((0, 3)), [], log=log)
        assert rep.events == [] and rep.dropped.size == 0
    assert tr.live(CONFIRMED).size == 1  # 10 s without update: still coasting
    rep = _feed(tr, 15.5, np.zeros((0, 3)), [], log=log)
    assert tr.live(CONFIRMED).size == 0
    assert list(rep.dropped) == [1] and [e.kind for e in rep.events] == ["track_dropped"]
    c = log.columns()
    assert list(c["kind"]) == ["track_confirmed", "track_dropped"]
    assert c["info"][1] == "coasted out" and c["tag"][1] == "coasted out"
    assert (c["t_s"][1], c["track_id"][1], c["truth_id"][1]) == (15.5, 1, 0)
    np.testing.assert_array_equal([c["x_m"][1], c["y_m"][1], c["z_m"][1]], last)


def test_association_picks_the_global_optimum_not_the_greedy_one():
    # tracks A at x=0 and B at x=10; plots at 9 and 20. Greedy nearest-neighbour gives B the
    # plot at 9 (distance 1) and A the plot at 20: 1² + 20² = 401. The global optimum gives A
    # the plot at 9 and B the plot at 20: 9² + 10² = 181.
    tr = Tracker(TrackerParams(confirm_m=1, confirm_n=1, q=1e-6))
    tr.process(0.0, np.array([[0.0, 0, 0], [10.0, 0, 0]]), np.tile(np.eye(3) * 400, (2, 1, 1)),
               np.array([0, 1]), np.zeros(3), 1e6, "s")
    tr.P[tr.live(), 3:, 3:] = np.eye(3) * 1e-9  # known to be stationary
    a, b = (int(tr.track_id[s]) for s in tr.live())
    tr.process(1.0, np.array([[9.0, 0, 0], [20.0, 0, 0]]), np.tile(np.eye(3) * 400, (2, 1, 1)),
               np.array([10, 11]), np.zeros(3), 1e6, "s")
    assert tr.truth[tr.slot_of(a)] == 10 and tr.truth[tr.slot_of(b)] == 11


def test_kd_tree_and_brute_force_candidates_agree(monkeypatch):
    def run(limit):
        monkeypatch.setattr(association, "_BRUTE_FORCE_PAIRS", limit)
        rng = np.random.default_rng(9)
        tr = Tracker(TrackerParams())
        truth = rng.uniform(-50e3, 50e3, size=(40, 3))
        vel = rng.normal(scale=150.0, size=(40, 3))
        for k in range(12):
            _feed(tr, 2.0 * k, truth + vel * 2.0 * k, list(range(40)), rng)
        s = tr.live()
        return tr.track_id[s].tolist(), tr.x[s].round(6).tolist()

    assert run(0) == run(10**9)


def test_blind_radars_do_not_use_up_a_tentative_tracks_chances():
    """A 1 Hz radar that cannot see a small target (no plots) covering it must not delete the
    tentative track that a 2 s radar keeps hitting: M-of-N runs on the initiating radar's scans."""
    tr = Tracker(TrackerParams(confirm_m=3, confirm_n=5))
    p, v = np.array([30e3, 0.0, 8e3]), np.array([-550.0, 0.0, -100.0])
    for k in range(6):
        t = 2.0 * k
        _feed(tr, t, [p + v * t], [5], sensor=(0, 0, 0))  # the radar that sees it, every 2 s
        for dt in (0.5, 1.5):  # two blind radars covering the same volume
            tr.process(t + dt, np.zeros((0, 3)), np.zeros((0, 3, 3)), np.zeros(0, np.int64),
                       np.zeros(3), 1e6, "blind-a" if dt < 1 else "blind-b")
    assert tr.live(CONFIRMED).size == 1


def test_a_tentative_track_leaving_coverage_does_not_live_forever():
    """Two plots moving out of a 10 km radar's reach: the tentative track is never covered again,
    so M-of-N never fails it; the coast time must still remove it."""
    tr = Tracker(TrackerParams(coast_s=30.0))
    p, v = np.array([9e3, 0.0, 1e3]), np.array([300.0, 0.0, 0.0])
    for k in range(2):
        _feed(tr, float(k), [p + v * k], [0], max_range=10e3)
    for k in range(2, 100):
        _feed(tr, float(k), np.zeros((0, 3)), [], max_range=10e3)
        if k <= 31:
            assert tr.live().size == 1
    assert tr.live().size == 0


def test_scan_report_names_every_track_started_confirmed_and_dropped():
    """Tentative tracks failing M-of-N are in ``dropped`` but not logged; a plot-less scan
    reports too; the report's events go to the log unchanged, in order."""
    log = EventLog()
    tr = Tracker(TrackerParams(confirm_m=2, confirm_n=2, coast_s=5.0))
    a, b = np.array([10e3, 0, 1e3]), np.array([-10e3, 0, 1e3])
    rep = _feed(tr, 0.0, [a, b], [0, 1], log=log)
    assert isinstance(rep, ScanReport) and (rep.t_s, rep.source) == (0.0, "test")
    assert sorted(rep.initiated) == [1, 2]
    rep = _feed(tr, 1.0, [a], [0], log=log)  # b misses its second chance
    assert list(rep.updated) == [1] and list(rep.confirmed) == [1] and list(rep.dropped) == [2]
    assert [e.kind for e in rep.events] == ["track_confirmed"]
    rep = tr.process(7.0, np.zeros((0, 3)), np.zeros((0, 3, 3)), np.zeros(0, np.int64),
                     np.zeros(3), 1e6, "other")
    log.extend(rep.events)
    assert rep.source == "other" and list(rep.dropped) == [1]
    assert [(e.kind, e.track_id, e.tag) for e in rep.events] == [("track_dropped", 1,
                                                                  "coasted out")]
    assert list(log.columns()["kind"]) == ["track_confirmed", "track_dropped"]
    assert not hasattr(tr, "log")
