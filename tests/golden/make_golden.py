"""Regenerate the golden summaries after an intended change of behaviour:

    python tests/golden/make_golden.py

Review the diff of the JSON files before committing them: every changed number is a changed
fight, and the commit message should say why.
"""

from __future__ import annotations

import json
from pathlib import Path

import skyshield
from skyshield.io.runfolder import to_jsonable

GOLDEN = {"slavic-shield-2019": 2019}
HERE = Path(__file__).parent


def golden_view(summary: dict) -> dict:
    """The parts of a summary that must not change silently (no wall-clock figures)."""
    view = {k: v for k, v in summary.items() if k != "wall_time_s"}
    view["fire_control"] = {k: v for k, v in summary["fire_control"].items()
                            if not k.startswith("solver_time")}  # wall-clock figures
    return to_jsonable(view)


def event_lines(events) -> list[str]:
    """The event log, one exact line per event (floats as their shortest round-trip repr), in
    the log's column order: what the golden event logs compare."""
    cols = list(events.columns)
    out = ["|".join(cols)]
    for row in events.itertuples(index=False):
        out.append("|".join(repr(float(x)) if isinstance(x, float) else repr(x) for x in row))
    return out


def event_digest(events) -> str:
    import hashlib

    return hashlib.sha256("\n".join(event_lines(events)).encode()).hexdigest()


def write_event_logs() -> None:
    """The golden event logs: the small after-action scenario's in full, the built-in's as a
    SHA-256 of the same lines (tests/golden/test_event_logs.py)."""
    r = skyshield.run(HERE.parent / "data" / "aar_small.yaml")
    path = HERE / "aar-small.events.txt"
    path.write_text("\n".join(event_lines(r.events)) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    for name, seed in GOLDEN.items():
        r = skyshield.run(name, seed=seed)
        path = HERE / f"{name}.seed{seed}.events.sha256"
        path.write_text(event_digest(r.events) + "\n", encoding="utf-8")
        print(f"wrote {path}")


def write_exports() -> None:
    """The export golden files of the small after-action scenario (tests/io/test_exports.py)."""
    import tempfile

    from skyshield.io.exports import FORMATS, to_format
    from skyshield.io.runfolder import read_run_folder

    with tempfile.TemporaryDirectory() as tmp:
        skyshield.run(HERE.parent / "data" / "aar_small.yaml").save(Path(tmp) / "run")
        run = read_run_folder(Path(tmp) / "run")
        for fmt in FORMATS:
            path = HERE / f"aar-small.{fmt}"
            path.write_text(to_format(run, fmt), encoding="utf-8")
            print(f"wrote {path}")


if __name__ == "__main__":
    for name, seed in GOLDEN.items():
        r = skyshield.run(name, seed=seed)
        path = HERE / f"{name}.seed{seed}.json"
        path.write_text(json.dumps(golden_view(r.summary), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    write_exports()
    write_event_logs()
