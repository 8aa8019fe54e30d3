"""GOSPA, OSPA and SIAP against hand-computed cases and Stone Soup 1.9.1's saved values."""

import json
from pathlib import Path

import numpy as np
import pytest

from skyshield.tracking.metrics import gospa, ospa, siap

DATA = Path(__file__).parents[1] / "data" / "gospa_stonesoup.json"


def test_gospa_hand_cases():
    # one pair 3-4-5 apart, c = 10, p = 1: localisation 5, nothing missed or false
    g = gospa(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]), c=10.0)
    assert (g.distance, g.localisation, g.missed, g.false) == (5.0, 5.0, 0.0, 0.0)
    # plus a false track: + c^p/2 = 5
    g = gospa(np.array([[0.0, 0.0], [50.0, 50.0]]), np.array([[3.0, 4.0]]), c=10.0)
    assert (g.distance, g.false, g.n_false) == (10.0, 5.0, 1)
    # a pair farther apart than c counts as one missed truth and one false track: c
    g = gospa(np.array([[0.0, 0.0]]), np.array([[30.0, 40.0]]), c=10.0)
    assert (g.distance, g.n_missed, g.n_false, g.localisation) == (10.0, 1, 1, 0.0)
    # p = 2: sqrt(5² + 2²·... ) with two pairs at 3 and 4 and one missed truth (c=10):
    # (9 + 16 + 100/2)^(1/2) = sqrt(75)
    g = gospa(np.array([[0.0, 0.0], [10.0, 0.0]]),
              np.array([[3.0, 0.0], [10.0, 4.0], [100.0, 100.0]]), c=10.0, p=2.0)
    assert g.distance == pytest.approx(np.sqrt(75.0))
    # empty sets
    assert gospa(np.empty((0, 3)), np.empty((0, 3)), c=10.0).distance == 0.0
    assert gospa(np.empty((0, 3)), np.zeros((3, 3)), c=10.0).distance == 15.0


def test_ospa_hand_cases():
    # Schuhmacher et al. (2008): m = 1, n = 2, perfect match plus one unmatched: (c·1)/2
    assert ospa(np.array([[0.0, 0.0]]), np.array([[0.0, 0.0], [100.0, 0.0]]), c=10.0) == 5.0
    assert ospa(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]), c=10.0) == 5.0
    assert ospa(np.empty((0, 2)), np.empty((0, 2)), c=10.0) == 0.0
    assert ospa(np.empty((0, 2)), np.ones((2, 2)), c=10.0) == 10.0


@pytest.mark.parametrize("case", json.loads(DATA.read_text())["cases"])
def test_gospa_and_ospa_equal_stone_soup(case):
    est, tru = np.array(case["est"]).reshape(-1, 3), np.array(case["truth"]).reshape(-1, 3)
    g = gospa(est, tru, case["c"], case["p"])
    assert g.distance == pytest.approx(case["distance"], rel=1e-9)
    assert g.localisation == pytest.approx(case["localisation"], rel=1e-9, abs=1e-9)
    assert g.missed == pytest.approx(case["missed"], abs=1e-9)
    assert g.false == pytest.approx(case["false"], abs=1e-9)
    assert ospa(est, tru, case["c"], case["p"]) == pytest.approx(case["ospa"], rel=1e-9)
    assert g.ospa == pytest.approx(case["ospa"], rel=1e-9)  # from GOSPA's own assignment


def _grid(n_times, tracks):
    """Truth 0 at x = 0 and truth 1 at x = 1000 for every time; tracks as (time, id, x)."""
    tt = np.repeat(np.arange(n_times), 2)
    tid = np.tile([0, 1], n_times)
    tpos = np.column_stack([np.tile([0.0, 1000.0], n_times), np.zeros(2 * n_times)])
    k = np.array([r[0] for r in tracks])
    kid = np.array([r[1] for r in tracks])
    kpos = np.column_stack([[r[2] for r in tracks], np.zeros(len(tracks))])
    return np.arange(n_times), tt, tid, tpos, k, kid, kpos


def test_siap_perfect_ambiguous_spurious_and_swapped_pictures():
    perfect = [(t, 1, 0.0) for t in range(4)] + [(t, 2, 1000.0) for t in range(4)]
    r = siap(*_grid(4, perfect), threshold_m=100.0)
    assert (r.completeness, r.ambiguity, r.spuriousness) == (1.0, 1.0, 0.0)
    assert (r.track_breaks, r.id_changes, r.id_swaps) == (0, 0, 0)
    # a duplicate track on truth 0 and a spurious one far away
    extra = perfect + [(t, 3, 10.0) for t in range(4)] + [(t, 4, 5e4) for t in range(4)]
    r = siap(*_grid(4, extra), threshold_m=100.0)
    assert r.ambiguity == pytest.approx(12 / 8)
    assert r.spuriousness == pytest.approx(4 / 16)
    # truth 1 unseen at times 1-2: two of eight truth-instants missed, one break
    gap = [(t, 1, 0.0) for t in range(4)] + [(t, 2, 1000.0) for t in (0, 3)]
    r = siap(*_grid(4, gap), threshold_m=100.0)
    assert r.completeness == pytest.approx(6 / 8) and r.track_breaks == 1
    # the two track numbers swap truths at time 2: two identity changes, both swaps
    swap = [(0, 1, 0.0), (1, 1, 0.0), (2, 1, 1000.0), (3, 1, 1000.0),
            (0, 2, 1000.0), (1, 2, 1000.0), (2, 2, 0.0), (3, 2, 0.0)]
    r = siap(*_grid(4, swap), threshold_m=100.0)
    assert (r.id_changes, r.id_swaps) == (2, 2)
    assert r.positional_accuracy_m == 0.0
