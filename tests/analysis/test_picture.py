"""The run's air-picture quality: GOSPA/OSPA/SIAP over the truth samples, interceptors left out."""

import numpy as np
import pytest

from skyshield.analysis.picture import picture_quality


def _tables():
    # two samples; air vehicles 0 and 1, an interceptor (entity −1) that must not count
    truth = {"t_s": np.array([0.0, 0.0, 0.0, 2.0, 2.0]),
             "entity_id": np.array([0, 1, -1, 0, 1]),
             "x_m": np.array([0.0, 10e3, 5e3, 100.0, 10e3]), "y_m": np.zeros(5),
             "z_m": np.full(5, 1000.0)}
    picture = {"t_s": np.array([0.0, 2.0, 2.0]), "track_id": np.array([7, 7, 9]),
               "x_m": np.array([30.0, 140.0, 10e3 + 300.0]), "y_m": np.zeros(3),
               "z_m": np.full(3, 1000.0)}
    return truth, picture


def test_picture_quality_by_hand():
    q = picture_quality(*_tables())
    # t=0: one pair at 30 m, truth 1 missed: 30 + 1000; t=2: pairs at 40 m and 300 m: 340
    assert q["samples"] == 2
    assert q["gospa_mean_m"] == pytest.approx((1030.0 + 340.0) / 2)
    assert q["gospa_missed_mean"] == pytest.approx(0.5)
    assert q["gospa_false_mean"] == 0.0
    # OSPA: t=0 (30 + 2000)/2, t=2 (40 + 300)/2
    assert q["ospa_mean_m"] == pytest.approx(((2030.0 / 2) + (340.0 / 2)) / 2)
    s = q["siap"]
    assert s["completeness"] == pytest.approx(3 / 4)
    assert s["spuriousness"] == 0.0 and s["ambiguity"] == 1.0
    assert s["truth_instants"] == 4  # the interceptor is not part of the air picture


def test_exercise_reports_its_air_picture(exercise_2019):
    q = exercise_2019.summary["air_picture"]
    assert q["samples"] > 1000
    assert 0.3 < q["siap"]["completeness"] <= 1.0
    assert q["gospa_localisation_mean_m"] < q["gospa_mean_m"]
    assert q["siap"]["positional_accuracy_m"] < 200.0
