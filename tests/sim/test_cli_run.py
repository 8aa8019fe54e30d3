"""The quick-start path: `skyshield run` (of a small scenario; the built-in exercise itself is run
in-process by the golden tests), and the helper commands. In process (typer's CliRunner); the
entry point as a process is tested in tests/cli/test_cli_entry.py."""

import json
from pathlib import Path
from types import SimpleNamespace

from typer.testing import CliRunner

import skyshield
from skyshield.cli import app


def _cli(*args):
    """``skyshield ARGS`` in process; an exception that escaped the command is raised (it would
    have been a traceback)."""
    r = CliRunner().invoke(app, list(args))
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return SimpleNamespace(returncode=r.exit_code, stdout=r.stdout, stderr=r.stderr)


SMALL = str(Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml")


def test_run_writes_the_folder_and_prints_the_summary(tmp_path):
    out = tmp_path / "run"
    p = _cli("run", SMALL, "--seed", "2019", "--out", str(out), "-q")
    assert p.returncode == 0, p.stderr
    s = json.loads((out / "summary.json").read_text())
    assert "Threats by type" in p.stdout and "Missiles fired per unit" in p.stdout
    assert f"friendly aircraft engaged: {s['friendly_engaged']}" in p.stdout
    assert str(out) in p.stdout
    # a second run into the same folder is refused, and nothing is overwritten
    before = (out / "events.parquet").read_bytes()
    p2 = _cli("run", SMALL, "--out", str(out), "-q")
    assert p2.returncode == 2 and "already exists" in p2.stderr
    assert (out / "events.parquet").read_bytes() == before


def test_an_unwritable_out_is_refused_before_the_run(tmp_path, monkeypatch):
    """Issue 20: an --out whose parent cannot be written was refused only after the whole
    simulation had run. /proc cannot hold a file, even for root (whom permissions would not
    stop); the run itself must not start."""
    import skyshield.api

    def no_run(*_a, **_k):
        raise AssertionError("the simulation ran before the folder was checked")

    monkeypatch.setattr(skyshield.api, "run", no_run)
    p = _cli("run", SMALL, "--out", "/proc/skyshield-test-run", "-q")
    assert p.returncode == 2 and "cannot write in /proc" in p.stderr, p.stderr
    assert "\n" not in p.stderr.strip()


def test_scenarios_show_schema(tmp_path):
    p = _cli("scenarios")
    assert p.returncode == 0 and "slavic-shield-2019" in p.stdout
    p = _cli("show", "slavic-shield-2019")
    assert p.returncode == 0
    f = tmp_path / "copy.yaml"
    f.write_text(p.stdout)
    assert skyshield.load_scenario(f).name == "slavic-shield-2019"
    p = _cli("schema")
    schema = json.loads(p.stdout)
    assert {"origin", "units", "threats", "raids", "friendlies", "duration", "seed"} <= set(
        schema["properties"])
    p = _cli("show", "no-such-exercise")
    assert p.returncode == 2 and "no such built-in scenario" in p.stderr
