"""Issue 22: the printed air-picture line said ``0 ID swaps, 0 breaks`` for a run whose
``summary.json`` counted 23 track-number changes (``siap.id_changes``): the line left that
figure out. It now prints every SIAP figure, read from the same summary as summary.json."""

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from skyshield.cli import app

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"


def test_printed_siap_figures_agree_with_summary_json(tmp_path):
    r = CliRunner().invoke(app, ["run", str(SMALL), "--out", str(tmp_path / "run"), "-q"])
    assert r.exit_code == 0, (r.exception, r.stdout)
    text = " ".join(r.stdout.split())  # the console wraps long lines
    line = text[text.index("air picture:"):]
    si = json.loads((tmp_path / "run" / "summary.json").read_text())["air_picture"]["siap"]
    printed = {
        "completeness": re.search(r"completeness ([\d.]+)", line),
        "ambiguity": re.search(r"ambiguity ([\d.]+)", line),
        "spuriousness": re.search(r"spuriousness ([\d.]+)", line),
        "id_changes": re.search(r"(\d+) track-number changes", line),
        "id_swaps": re.search(r"\((\d+) ID swaps\)", line),
        "track_breaks": re.search(r"(\d+) breaks", line),
    }
    for key, m in printed.items():
        assert m is not None, f"{key} is not printed: {line}"
        assert float(m.group(1)) == float(si[key]), (key, m.group(1), si[key])
