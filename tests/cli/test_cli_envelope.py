"""`skyshield envelope`: a PNG and a grid table from flyouts; bad names exit 2 with a reason."""

import contextlib
from types import SimpleNamespace

import numpy as np
from typer.testing import CliRunner

from skyshield.cli import app


def _cli(tmp_path, *args):
    """``skyshield envelope ARGS`` in process, in ``tmp_path``; an exception that escaped the
    command is raised (it would have been a traceback)."""
    with contextlib.chdir(tmp_path):
        r = CliRunner().invoke(app, ["envelope", *args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return SimpleNamespace(returncode=r.exit_code, stdout=r.stdout, stderr=r.stderr)


def test_envelope_writes_a_png_and_a_grid(tmp_path):
    r = _cli(tmp_path, "57E6E", "--nx", "8", "--ny", "3", "--out", "e.png", "--table", "e.csv")
    assert r.returncode == 0, r.stderr
    png = (tmp_path / "e.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    grid = np.loadtxt(tmp_path / "e.csv", delimiter=",", skiprows=1)
    assert grid.shape == (24, 6)
    ok = grid[:, 2] > 0
    assert ok.any() and (~ok).any()  # a boundary inside the grid
    assert np.all(grid[ok, 4] <= 5.0)  # every success is inside the 57E6E's lethal radius
    assert np.all(grid[ok, 5] == 0.0) and np.all(np.isnan(grid[~ok, 5]))  # no loft programme
    assert "farthest launch" in r.stdout


def test_envelope_refuses_unknown_missiles_and_guns(tmp_path):
    r = _cli(tmp_path, "no_such_missile")
    assert r.returncode == 2 and "unknown missile type 'no_such_missile'" in r.stderr
    assert "57E6E" in r.stderr and "Traceback" not in r.stderr
    r = _cli(tmp_path, "pantsir_30mm")
    assert r.returncode == 2 and "is a gun" in r.stderr
    r = _cli(tmp_path, "57E6E", "--target-speed", "-5")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert not any(tmp_path.iterdir())
