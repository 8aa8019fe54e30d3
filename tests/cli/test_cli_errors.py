"""``skyshield validate`` and ``run`` on bad files: every problem on stderr, exit 2, no traceback.

The commands run in process (typer's CliRunner: stdout and stderr apart, the exit status, and
any exception that escaped the command); a module fixture runs every case once, each in its own
folder, and each test checks one of them. The entry point itself (a real process, a narrow
terminal) is tested in test_cli_entry.py.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from skyshield.cli import app

GOOD = """\
name: cli-test
origin: {lat: 44.9, lon: 20.2}
duration: 10 min
assets:
  base: {lat: 44.93, lon: 20.25, value: 100}
units:
  u1:
    type: pantsir_s1
    lat: 44.93
    lon: 20.27
raids:
  r1:
    type: cruise_missile_subsonic
    count: 2
    from: {lat: 44.40, lon: 19.40}
    to: base
"""

MISSILE = """\
version: 1
missiles:
  my_sam:
    description: test missile
    kind: missile
    guidance: command
    min_range_m: {value: 50000, source: "test sheet"}
    max_range_m: {value: 20000, source: "test sheet"}
    min_alt_m: {value: 10, source: "test sheet"}
    max_alt_m: {value: 20000, source: "test sheet"}
    speed_mps: {value: 1000, source: "test sheet"}
    max_target_speed_mps: {value: 1000, assumed: "test"}
    lethal_radius_m: {value: 10, assumed: "test"}
    terminal_sigma_m: {value: 5, source: "test sheet"}
    seeker_basket_m: {value: 100, source: "test sheet"}
"""


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line(text: str, needle: str) -> int:
    hits = [i for i, ln in enumerate(text.split("\n"), start=1) if needle in ln]
    assert hits, needle
    return hits[0]


MULTI = edit(edit(edit(GOOD, "type: pantsir_s1", "type: patriot"), "    lat: 44.93\n",
                  "    lat: 95\n"), "    to: base", "    to: nowhere")
MULTI_LINES = [
    f"multi.yaml:{line(MULTI, 'type: patriot')} units.u1.type: unknown fire unit type; known "
    "types: kub_m, pantsir_s1, s125_neva_m1t, s400_battalion (got 'patriot')",
    f"multi.yaml:{line(MULTI, 'lat: 95')} units.u1.lat: Input should be less than or equal to "
    "90 (got 95)",
    f"multi.yaml:{line(MULTI, 'to: nowhere')} raids.r1.to: no asset or unit named 'nowhere' "
    "(got 'nowhere')",
]
RAID = edit(GOOD, "    to: base", "    to: nowhere")
RAID_LINE = f"raid.yaml:{line(RAID, 'to: nowhere')} raids.r1.to: no asset or unit named " \
            "'nowhere' (got 'nowhere')"
BRACKET = edit(GOOD, "origin: {lat: 44.9, lon: 20.2}", "origin: {lat: 44.9, lon: 20.2")
# the scenario is parsed by libyaml when PyYAML has it (issue 20: parsed once), which words the
# same error differently from the pure-Python parser; the line is the same
_BRACKET_SAID = ("did not find expected ',' or '}'" if getattr(yaml, "__with_libyaml__", False)
                 else "expected ',' or '}', but got ':'")
BRACKET_LINE = f"bracket.yaml:{line(BRACKET, 'duration:')} malformed YAML: while parsing a flow " \
               f"mapping (started on line {line(BRACKET, 'origin:')}): {_BRACKET_SAID}"
WITH_CAT = GOOD + "catalogue: [cat.yaml]\n"
# a loadout the launcher cannot carry: a Kub missile on a Pantsir, and more 57E6E than its module
LOADOUT = edit(GOOD, "    lon: 20.27\n", "    lon: 20.27\n    loadout: {3M9: 4}\n")
LOADOUT_LINE = f"loadout.yaml:{line(LOADOUT, '3M9')} units.u1.loadout.3M9: pantsir_s1 cannot " \
               "carry 3M9; it carries 57E6E, pantsir_30mm (got 4)"
TOO_MANY = edit(GOOD, "    lon: 20.27\n", "    lon: 20.27\n    loadout: {57E6E: 1000}\n")
TOO_MANY_LINE = f"too_many.yaml:{line(TOO_MANY, '57E6E')} units.u1.loadout.57E6E: 1000 rounds " \
                "of 57E6E exceed what pantsir_s1 holds of that type, 12 (got 1000)"
LATIN1 = GOOD.replace("cli-test", "caf\xe9").encode("latin-1")


@dataclass
class Done:
    args: list[str]
    cwd: Path
    returncode: int
    stdout: str
    stderr: str


CASES: dict[str, list[str]] = {
    "validate_multi": ["validate", "multi.yaml"],
    "run_multi": ["run", "multi.yaml", "--out", "out_multi", "--quiet"],
    "validate_raid": ["validate", "raid.yaml"],
    "run_raid_default_folder": ["run", "raid.yaml", "--quiet"],
    "validate_bracket": ["validate", "bracket.yaml"],
    "run_bracket": ["run", "bracket.yaml", "--out", "out_bracket"],
    "validate_catalogue": ["validate", "with_cat.yaml"],
    "validate_latin1": ["validate", "latin1.yaml"],
    "validate_missing": ["validate", "missing.yaml"],
    "run_empty": ["run", "empty.yaml", "--out", "out_empty"],
    "validate_builtin": ["validate", "slavic-shield-2019"],
    "validate_loadout": ["validate", "loadout.yaml"],
    "run_loadout": ["run", "loadout.yaml", "--out", "out_loadout", "--quiet"],
    "validate_too_many": ["validate", "too_many.yaml"],
}


FILES = {
    "multi.yaml": MULTI.encode(), "raid.yaml": RAID.encode(),
    "bracket.yaml": BRACKET.encode(), "with_cat.yaml": WITH_CAT.encode(),
    "cat.yaml": MISSILE.encode(), "latin1.yaml": LATIN1, "empty.yaml": b"",
    "loadout.yaml": LOADOUT.encode(), "too_many.yaml": TOO_MANY.encode(),
}


def invoke(args: list[str], cwd: Path) -> Done:
    """``skyshield ARGS`` in process, in the folder ``cwd``. An exception that escaped the
    command (it would have been a traceback) is raised here, with its own traceback."""
    with contextlib.chdir(cwd):
        r = CliRunner().invoke(app, args)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return Done(args, cwd, r.exit_code, r.stdout, r.stderr)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Done]:
    out = {}
    for name, args in CASES.items():
        cwd = tmp_path_factory.mktemp(name)  # each case in its own folder: no run folders
        for fname, data in FILES.items():
            (cwd / fname).write_bytes(data)
        out[name] = invoke(args, cwd)
    return out


def check_failure(r: Done, expected: list[str]) -> None:
    """Exit 2, exactly the expected problem lines then the count, no traceback, no run folder."""
    assert r.returncode == 2, r
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr
    n = len(expected)
    assert r.stderr.splitlines() == [*expected, f"{n} problem{'s' if n != 1 else ''} found"], \
        r.stderr
    assert sorted(p.name for p in r.cwd.iterdir() if p.is_dir()) == [], "a folder was created"
    assert not (r.cwd / "runs").exists()


@pytest.mark.parametrize("case", ["validate_multi", "run_multi"])
def test_every_problem_of_a_bad_file(results: dict[str, Done], case: str) -> None:
    check_failure(results[case], MULTI_LINES)


@pytest.mark.parametrize("case", ["validate_raid", "run_raid_default_folder"])
def test_raid_aimed_at_nothing(results: dict[str, Done], case: str) -> None:
    check_failure(results[case], [RAID_LINE])


@pytest.mark.parametrize("case", ["validate_loadout", "run_loadout"])
def test_loadout_the_launcher_cannot_carry(results: dict[str, Done], case: str) -> None:
    check_failure(results[case], [LOADOUT_LINE])


def test_loadout_beyond_the_launcher_capacity(results: dict[str, Done]) -> None:
    check_failure(results["validate_too_many"], [TOO_MANY_LINE])


@pytest.mark.parametrize("case", ["validate_bracket", "run_bracket"])
def test_malformed_yaml(results: dict[str, Done], case: str) -> None:
    check_failure(results[case], [BRACKET_LINE])


def test_catalogue_problem_names_the_catalogue_file(results: dict[str, Done]) -> None:
    r = results["validate_catalogue"]
    cat = (r.cwd / "cat.yaml").resolve()
    check_failure(r, [f"{cat}:{line(MISSILE, 'min_range_m:')} missiles.my_sam.min_range_m.value: "
                      "min_range_m must be below max_range_m (20000) (got 50000)"])


def test_non_utf8_file(results: dict[str, Done]) -> None:
    check_failure(results["validate_latin1"], [
        "latin1.yaml:1 cannot read scenario: not UTF-8 text (invalid continuation byte at byte 9) "
        "(got b'\\xe9')"])


def test_missing_file(results: dict[str, Done]) -> None:
    check_failure(results["validate_missing"],
                  ["missing.yaml cannot read scenario: No such file or directory"])


def test_empty_file(results: dict[str, Done]) -> None:
    check_failure(results["run_empty"],
                  ["empty.yaml:1 the file is empty: a scenario must be a YAML mapping"])


def test_validate_builtin_scenario_succeeds(results: dict[str, Done]) -> None:
    r = results["validate_builtin"]
    assert r.returncode == 0, r
    assert r.stderr == ""
    assert r.stdout.startswith("slavic-shield-2019: ok (slavic-shield-2019: 4 units, 7 threats, "
                               "14 raid vehicles, 1 friendlies, 5 civil, 3600 s)"), r.stdout
    # then each route's and raid's altitude reference, resolved at its first waypoint
    lines = r.stdout.splitlines()
    assert len(lines) == 1 + 7 + 1 + 5 + 2, r.stdout
    assert "civil.overflight_1: 10670 m MSL (10590 m AGL over 80 m terrain)" in lines
    assert "raids.cm_west: 50 m AGL (130 m MSL over 80 m terrain; type cruise height)" in lines
    assert "threats.recon_small: 50 m AGL (130 m MSL over 80 m terrain)" in lines
    assert "threats.recon_male: 3000 m MSL (2920 m AGL over 80 m terrain)" in lines
