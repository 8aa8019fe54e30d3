"""A unit's loadout is checked against its launcher: the missile types its fire-unit type can
carry (the catalogue loadout's types plus ``compatible_missiles``) and the rounds it holds
(launchers × rounds_per_launcher, and a type's own limit where the catalogue gives one).

Each problem is reported as ``FILE:LINE path.to.field: message (got VALUE)``, in the style of
``test_bad_input.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skyshield.scenario.catalogue import load_catalogue
from skyshield.scenario.errors import Problem, ScenarioError
from skyshield.scenario.loader import parse_scenario
from skyshield.scenario.schema import loadout_limits

FILE = "loadout.yaml"

BASE = """\
name: loadout-test
origin: {lat: 44.9, lon: 20.2}
duration: 10 min
assets:
  base: {lat: 44.93, lon: 20.25, value: 100}
units:
  pantsir:
    type: pantsir_s1
    lat: 44.93
    lon: 20.27
  s400:
    type: s400_battalion
    lat: 44.99
    lon: 20.16
raids:
  r1:
    type: cruise_missile_subsonic
    count: 2
    from: {lat: 44.40, lon: 19.40}
    to: base
"""
PANTSIR = "    lon: 20.27\n"
S400 = "    lon: 20.16\n"


def with_loadout(anchor: str, loadout: str, extra: str = "") -> str:
    assert BASE.count(anchor) == 1
    return BASE.replace(anchor, f"{anchor}    loadout: {loadout}\n{extra}")


def line(text: str, needle: str) -> int:
    hits = [i for i, ln in enumerate(text.split("\n"), start=1) if needle in ln]
    assert hits, needle
    return hits[0]


def only(text: str, base_dir: Path | None = None) -> Problem:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, FILE, base_dir)
    (p,) = info.value.problems
    assert "\n" not in str(p)
    return p


def test_a_missile_the_launcher_cannot_carry_is_refused() -> None:
    text = with_loadout(PANTSIR, "{3M9: 4}")
    p = only(text)
    assert (p.file, p.line, p.path, p.got) == (FILE, line(text, "3M9"),
                                               "units.pantsir.loadout.3M9", 4)
    assert str(p) == (f"{FILE}:{line(text, '3M9')} units.pantsir.loadout.3M9: pantsir_s1 cannot "
                      "carry 3M9; it carries 57E6E, pantsir_30mm (got 4)")


@pytest.mark.parametrize("n", [13, 1000])
def test_more_rounds_of_a_type_than_its_module_holds_are_refused(n: int) -> None:
    # the Pantsir-S1's launch module holds 12 missiles; the 12 other slots are the gun's bursts
    text = with_loadout(PANTSIR, f"{{57E6E: {n}}}")
    p = only(text)
    assert (p.line, p.path, p.got) == (line(text, "57E6E"), "units.pantsir.loadout.57E6E", n)
    assert p.message == f"{n} rounds of 57E6E exceed what pantsir_s1 holds of that type, 12"


def test_more_rounds_than_the_launchers_hold_are_refused() -> None:
    # S-400 battalion: 8 launchers × 4 = 32 slots; 20 + 16 = 36
    text = with_loadout(S400, "{48N6E3: 20, 9M96E: 16}")
    p = only(text)
    assert (p.line, p.path) == (line(text, "loadout:"), "units.s400.loadout")
    assert p.message == ("36 rounds in all exceed the capacity of s400_battalion, 32 "
                         "(8 launchers x 4 rounds)")


def test_one_type_beyond_the_capacity_is_refused_at_the_type() -> None:
    text = with_loadout(S400, "{48N6E3: 33}")
    p = only(text)
    assert (p.path, p.got) == ("units.s400.loadout.48N6E3", 33)
    assert p.message == "33 rounds of 48N6E3 exceed what s400_battalion holds in all, 32"


@pytest.mark.parametrize("anchor,loadout", [
    (PANTSIR, "{57E6E: 12, pantsir_30mm: 12}"),  # full
    (PANTSIR, "{57E6E: 12}"),
    (PANTSIR, "{}"),
    (S400, "{48N6E3: 16, 9M96E: 16}"),  # a compatible type outside the catalogue's mix
    (S400, "{40N6E: 32}"),
])
def test_loadouts_the_launcher_carries_are_accepted(anchor: str, loadout: str) -> None:
    sc = parse_scenario(with_loadout(anchor, loadout), FILE)
    name = "pantsir" if anchor == PANTSIR else "s400"
    assert sc.units[name].loadout is not None


def test_overridden_launchers_change_the_capacity() -> None:
    text = with_loadout(S400, "{48N6E3: 40}", "    overrides: {launchers: 10}\n")
    assert parse_scenario(text, FILE).units["s400"].loadout == {"48N6E3": 40}
    p = only(with_loadout(S400, "{48N6E3: 41}", "    overrides: {launchers: 10}\n"))
    assert p.message == "41 rounds of 48N6E3 exceed what s400_battalion holds in all, 40"
    # a type's own limit does not grow with more launchers
    p = only(with_loadout(PANTSIR, "{57E6E: 13}", "    overrides: {launchers: 3}\n"))
    assert p.message == "13 rounds of 57E6E exceed what pantsir_s1 holds of that type, 12"


def test_every_catalogue_loadout_fits_its_own_launcher() -> None:
    for name, fut in load_catalogue().fire_units.items():
        capacity, limits = loadout_limits(fut)
        assert sum(f.value for f in fut.loadout.values()) <= capacity, name
        for m, f in fut.loadout.items():
            assert f.value <= limits[m], (name, m)


def test_the_limits_of_the_builtin_fire_units() -> None:
    cat = load_catalogue().fire_units
    assert loadout_limits(cat["pantsir_s1"]) == (24, {"57E6E": 12, "pantsir_30mm": 12})
    assert loadout_limits(cat["s400_battalion"]) == (
        32, {"48N6E3": 32, "40N6E": 32, "9M96E2": 32, "9M96E": 32})
    assert loadout_limits(cat["kub_m"]) == (9, {"3M9": 9})
    assert loadout_limits(cat["s125_neva_m1t"]) == (16, {"5V27": 16})


def test_a_compatible_missile_the_catalogue_lacks_is_a_catalogue_error(tmp_path: Path) -> None:
    cat = """\
version: 1
fire_units:
  my_fu:
    description: test unit
    radars: [kub_1s91]
    engagement_radar: kub_1s91
    target_channels: {value: 1, assumed: "test"}
    missile_channels: {value: 1, assumed: "test"}
    launchers: {value: 1, assumed: "test"}
    rounds_per_launcher: {value: 4, assumed: "test"}
    loadout:
      3M9: {value: 4, assumed: "test"}
    compatible_missiles:
      no_such_missile: {value: 2, assumed: "test"}
    reaction_time_s: {value: 5, assumed: "test"}
    launch_interval_s: {value: 2, assumed: "test"}
    reload_time_s: {value: 600, assumed: "test"}
"""
    (tmp_path / "cat.yaml").write_text(cat, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(BASE + "catalogue: [cat.yaml]\n", FILE, tmp_path)
    (p,) = info.value.problems
    assert (p.file, p.line, p.path, p.got) == (
        str((tmp_path / "cat.yaml").resolve()), line(cat, "no_such_missile"),
        "fire_units.my_fu.compatible_missiles.no_such_missile", "no_such_missile")
    assert p.message == "unknown missile type"


def test_a_user_fire_unit_carries_its_compatible_missiles(tmp_path: Path) -> None:
    cat = """\
version: 1
fire_units:
  my_kub:
    description: Kub-M battery that also fires 9M96E (test)
    radars: [kub_1s91]
    engagement_radar: kub_1s91
    target_channels: {value: 1, assumed: "test"}
    missile_channels: {value: 1, assumed: "test"}
    launchers: {value: 3, assumed: "test"}
    rounds_per_launcher: {value: 3, assumed: "test"}
    loadout:
      3M9: {value: 9, assumed: "test"}
    compatible_missiles:
      9M96E: {value: 3, assumed: "test"}
    reaction_time_s: {value: 5, assumed: "test"}
    launch_interval_s: {value: 2, assumed: "test"}
    reload_time_s: {value: 600, assumed: "test"}
"""
    (tmp_path / "cat.yaml").write_text(cat, encoding="utf-8")
    text = with_loadout(PANTSIR, "{3M9: 6, 9M96E: 3}").replace("type: pantsir_s1", "type: my_kub")
    sc = parse_scenario(text + "catalogue: [cat.yaml]\n", FILE, tmp_path)
    assert sc.units["pantsir"].loadout == {"3M9": 6, "9M96E": 3}
    text = with_loadout(PANTSIR, "{9M96E: 4}").replace("type: pantsir_s1", "type: my_kub")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text + "catalogue: [cat.yaml]\n", FILE, tmp_path)
    (p,) = info.value.problems
    assert p.message == "4 rounds of 9M96E exceed what my_kub holds of that type, 3"
