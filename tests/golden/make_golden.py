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
