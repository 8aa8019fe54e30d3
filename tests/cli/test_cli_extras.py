"""Issue 20: `skyshield report` and `skyshield replay` after the quick-start install (no `plot` or
`web` extra) ended in a 46-line traceback; like the other commands they give a one-line hint
and exit 2. The missing package is simulated in process (``sys.modules[name] = None`` makes
its import fail as if it were not installed)."""

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import skyshield
from skyshield.cli import app

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return skyshield.run(SMALL).save(tmp_path_factory.mktemp("extras") / "run")


@pytest.mark.parametrize(("command", "missing", "hint"), [
    ("report", "matplotlib", "the report needs matplotlib: pip install 'skyshield[plot]'"),
    ("replay", "uvicorn", "the replay needs uvicorn: pip install 'skyshield[web]'"),
    ("replay", "fastapi", "the replay needs fastapi: pip install 'skyshield[web]'"),
])
def test_a_missing_extra_is_a_one_line_hint(run_dir, monkeypatch, command, missing, hint):
    for name in list(sys.modules):
        if name == missing or name.startswith(missing + "."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, missing, None)
    for name in list(sys.modules):  # our modules that would bring it in are imported afresh
        if name.startswith(("skyshield.report", "skyshield.web")):
            monkeypatch.delitem(sys.modules, name)
    r = CliRunner().invoke(app, [command, str(run_dir), "--port", "1"] if command == "replay"
                           else [command, str(run_dir)])
    assert r.exit_code == 2, (r.exception, r.stdout)
    assert r.stderr.strip() == hint
