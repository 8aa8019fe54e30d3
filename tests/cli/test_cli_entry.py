"""The ``skyshield`` command as a process: the installed entry point and ``python -m
skyshield.cli`` start, exit with their status, and print a bad file's problems whole on a narrow
terminal; and ``import skyshield`` (and the CLI's start) stays light. These need a real process:
what is tested is the process itself (its exit status, its terminal, its fresh ``sys.modules``).
Everything else about the commands is tested in process."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skyshield import __version__

HEAVY = ("numba", "pandas", "pyarrow", "dask", "distributed", "scipy", "matplotlib",
         "skyshield.api", "skyshield.sim", "skyshield.studies", "skyshield.engine")

BAD = """\
name: entry-test
origin: {lat: 44.9, lon: 20.2}
duration: 10 min
units:
  u1: {type: patriot, lat: 44.93, lon: 20.27}
"""


def test_import_skyshield_and_the_cli_start_import_nothing_heavy():
    code = ("import sys, json\n"
            "import skyshield\n"
            "after_package = sorted(sys.modules)\n"
            "import skyshield.cli\n"
            "print(json.dumps([after_package, sorted(sys.modules)]))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    after_package, after_cli = json.loads(r.stdout)
    for modules in (after_package, after_cli):
        loaded = [m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY
                  or any(m.startswith(h + ".") for h in HEAVY)]
        assert loaded == [], loaded
    # the package alone imports only its version; its public names come on first use
    assert [m for m in after_package if m.startswith("skyshield")] == ["skyshield",
                                                                        "skyshield._version"]


def test_public_names_are_imported_on_first_use():
    code = ("import sys, skyshield\n"
            "assert 'pandas' not in sys.modules\n"
            "assert skyshield.run.__module__ == 'skyshield.api'\n"
            "assert 'pandas' in sys.modules\n"
            "for name in skyshield.__all__:\n"
            "    getattr(skyshield, name)\n"
            "try:\n"
            "    skyshield.no_such_name\n"
            "except AttributeError as e:\n"
            "    print(e)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "module 'skyshield' has no attribute 'no_such_name'"


def test_the_entry_points_run_and_exit_with_their_status(tmp_path):
    exe = shutil.which("skyshield", path=str(Path(sys.executable).parent)) or shutil.which(
        "skyshield")
    if exe is None:
        pytest.skip("the skyshield script is not installed (pip install -e .)")
    r = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"skyshield {__version__}\n"
    # python -m skyshield.cli, on a narrow terminal: every problem on one line, exit 2
    (tmp_path / "bad.yaml").write_text(BAD)
    r = subprocess.run([sys.executable, "-m", "skyshield.cli", "validate", "bad.yaml"],
                       cwd=tmp_path, env={**os.environ, "COLUMNS": "40"}, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2, r
    assert r.stderr.splitlines() == [
        "bad.yaml:5 units.u1.type: unknown fire unit type; known types: kub_m, pantsir_s1, "
        "s125_neva_m1t, s400_battalion (got 'patriot')", "1 problem found"], r.stderr
    assert r.stdout == ""
