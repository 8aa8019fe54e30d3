"""Golden event logs: a refactor that changes no outcome leaves every event, bit for bit.

The event log is the run's single source of truth; these compare it whole, not a summary of it:
the small after-action scenario line by line (a diff shows the first changed event) and the
built-in exercise at its golden seed by the SHA-256 of the same lines. After an intended change
of behaviour, regenerate with ``python tests/golden/make_golden.py`` and say why in the commit.
"""

import importlib.util
from pathlib import Path

GOLDEN_DIR = Path(__file__).parent


def _make_golden():
    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN_DIR / "make_golden.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_small_scenario_event_log_is_the_golden_one(aar_small_run):
    got = _make_golden().event_lines(aar_small_run.events)  # tests/data/aar_small.yaml
    want = (GOLDEN_DIR / "aar-small.events.txt").read_text(encoding="utf-8").splitlines()
    assert got[0] == want[0], "the event log's columns changed"
    for k, (a, b) in enumerate(zip(got, want, strict=False)):
        assert a == b, f"event {k - 1} differs:\n got  {a}\n want {b}"
    assert len(got) == len(want)


def test_builtin_event_log_digest_is_the_golden_one(exercise_2019):
    want = (GOLDEN_DIR / "slavic-shield-2019.seed2019.events.sha256").read_text().strip()
    assert _make_golden().event_digest(exercise_2019.events) == want
