"""Property-based tests: whatever the file contains, the loader gives a Scenario or a clean error.

Mutated scenarios (structure-level, via the parsed YAML) and mutated text (character-level) are
thrown at :func:`parse_scenario`; the only acceptable outcomes are a :class:`Scenario` or a
:class:`ScenarioError` whose every problem is a one-line ``FILE[:LINE] path: message (got VALUE)``.
Any other exception fails the test (hypothesis reports the shrunk input).
"""

from __future__ import annotations

import copy
import math
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the fuzz generator, beside this file
from fuzzgen import _containers, _get  # noqa: E402

from skyshield import Scenario, ScenarioError, load_scenario
from skyshield.scenario.loader import builtin_scenario_text, parse_scenario
from skyshield.scenario.quantities import UNITS

FILE = "fuzz.yaml"
BUILTIN_TEXT = builtin_scenario_text("slavic-shield-2019")
BUILTIN_DATA = yaml.safe_load(BUILTIN_TEXT)

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same examples on every run: deterministic CI
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # an empty directory: random `catalogue:` entries resolve against it and are not found
    return tmp_path_factory.mktemp("fuzz")


def check_outcome(text: str, base: Path, raw: bytes | None = None) -> Scenario | ScenarioError:
    """Parse ``text`` (or load ``raw`` from a file); fail on anything but a Scenario or a
    well-formed ScenarioError."""
    file = FILE
    try:
        if raw is None:
            result = parse_scenario(text, FILE, base)
        else:
            path = base / "from-bytes.yaml"
            path.write_bytes(raw)
            file = str(path)
            result = load_scenario(path)
    except ScenarioError as exc:
        assert exc.problems, "ScenarioError without problems"
        n_lines = text.count("\n") + 1
        where = re.compile(re.escape(file) + r"(?::(\d+))? ")
        for p in exc.problems:
            s = str(p)
            assert p.file == file, s
            assert isinstance(p.message, str) and p.message.strip(), repr(p)
            assert s.startswith(file), s
            m = where.match(s)
            assert m is not None, s
            assert p.line is None or (isinstance(p.line, int) and 1 <= p.line <= n_lines), repr(p)
            assert (m.group(1) is None) == (p.line is None), s
            assert "\n" not in s, f"problem spans several lines: {s!r}"
            assert "Traceback" not in s
            assert str(exc)  # the whole error renders too
        return exc
    assert isinstance(result, Scenario)
    return result


# --- values to put into a scenario -------------------------------------------------------------

_ALL_UNITS = sorted({u for d in UNITS.values() for u in d}) + ["", "furlongs", "KM", "s/m", "°"]
_numbers = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from([0, -1, 1, 10**18, -(10**18), 2**63, 10**400, -(10**400)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, -0.0]),
)
_quantity_strings = st.builds(
    lambda x, sep, u: f"{x}{sep}{u}",
    st.one_of(st.integers(-(10**6), 10**6), st.floats(allow_nan=True, allow_infinity=True),
              st.sampled_from(["1e999", "-1e999", ".5", "5.", "1e-320", "nan", "0x10", ""])),
    st.sampled_from(["", " ", "  ", "\t"]),
    st.sampled_from(_ALL_UNITS),
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    _numbers,
    st.text(max_size=20),
    _quantity_strings,
    st.sampled_from(["s400_battalion", "pantsir_s1", "mig29", "batajnica", "neva", "weapons_free",
                     "", " ", "~", "null", "yes", "2019-10-01", "<<", "@x: y"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=10), st.integers(-5, 5)), inner, max_size=4),
    ),
    max_leaves=8,
)
_keys = st.one_of(
    st.text(min_size=1, max_size=15),
    st.sampled_from(["lattitude", "lat", "lon", "alt", "speed", "at", "type", "start", "target",
                     "waypoints", "to", "from", "via", "count", "units", "raids", "threats",
                     "catalogue", "overrides", "loadout", "doctrine", "salvo", "<<", "value"]),
    st.integers(-3, 3),
    st.none(),
    st.booleans(),
)


_catalogue_entries = st.lists(
    st.one_of(st.text(max_size=12), st.sampled_from(["a" * 300, "a\x00b", ".", "..", "/", "~", "",
                                                      "nope.yaml", "x/" * 200 + "c.yaml"])),
    max_size=3,
)


def _mutate(data: Any, draw: st.DataObject) -> None:
    """Apply one random mutation to ``data`` in place."""
    paths = _containers(data)
    if not paths:
        return
    target = _get(data, draw.draw(st.sampled_from(paths), label="container"))
    op = draw.draw(st.sampled_from(["delete", "replace", "rename", "insert", "duplicate",
                                    "quantity", "empty", "catalogue"]), label="op")
    if op == "catalogue" and isinstance(data, dict):  # extra catalogue files that do not exist
        data["catalogue"] = draw.draw(_catalogue_entries, label="catalogue")
        return
    if isinstance(target, dict):
        keys = list(target)
        if op == "insert" or not keys:
            target[draw.draw(_keys, label="new key")] = draw.draw(_values, label="new value")
            return
        key = draw.draw(st.sampled_from(keys), label="key")
        if op == "delete":
            del target[key]
        elif op == "rename":
            new = draw.draw(_keys, label="renamed to")
            target[new] = target.pop(key)
        elif op == "duplicate":
            target[key] = [copy.deepcopy(target[key])] * 2
        elif op == "quantity":
            target[key] = draw.draw(_quantity_strings, label="quantity")
        elif op == "empty":
            target[key] = draw.draw(st.sampled_from([[], {}, "", None]), label="empty value")
        else:
            target[key] = draw.draw(_values, label="value")
    else:  # a list
        if op == "insert" or not target:
            target.insert(draw.draw(st.integers(0, len(target)), label="at"),
                          draw.draw(_values, label="new item"))
            return
        i = draw.draw(st.integers(0, len(target) - 1), label="index")
        if op == "delete":
            del target[i]
        elif op in ("duplicate", "rename"):
            target.insert(i, copy.deepcopy(target[i]))
        elif op == "quantity":
            target[i] = draw.draw(_quantity_strings, label="quantity")
        elif op == "empty":
            target.clear()
        else:
            target[i] = draw.draw(_values, label="value")


def test_builtin_scenario_is_valid(base_dir: Path) -> None:
    """The starting point of the fuzzing is itself a valid scenario."""
    sc = check_outcome(yaml.safe_dump(BUILTIN_DATA, sort_keys=False), base_dir)
    assert isinstance(sc, Scenario)
    assert sc.name == "slavic-shield-2019"
    assert len(sc.units) == 4 and len(sc.threats) == 7 and len(sc.raids) == 2


@pytest.mark.slow
@FUZZ
@given(draw=st.data())
def test_mutated_structure_gives_scenario_or_clean_error(base_dir: Path,
                                                         draw: st.DataObject) -> None:
    data = copy.deepcopy(BUILTIN_DATA)
    for _ in range(draw.draw(st.integers(1, 4), label="mutations")):
        _mutate(data, draw)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    check_outcome(text, base_dir)


@pytest.mark.slow
@FUZZ
@given(draw=st.data())
def test_mutated_units_give_scenario_or_clean_error(base_dir: Path, draw: st.DataObject) -> None:
    """Every quantity of the built-in scenario replaced by a random number or unit string."""
    data = copy.deepcopy(BUILTIN_DATA)
    quantity_keys = {"alt", "speed", "at", "start", "duration", "radius", "spacing",
                     "lateral_spacing", "terrain_elevation", "truth_interval", "cycle",
                     "kill_assessment_delay", "lat", "lon", "value", "count", "seed"}
    spots = [p for p in _containers(data) if isinstance(_get(data, p), dict)]
    for _ in range(draw.draw(st.integers(1, 6), label="edits")):
        d = _get(data, draw.draw(st.sampled_from(spots), label="mapping"))
        keys = sorted(k for k in d if k in quantity_keys)
        if keys:
            k = draw.draw(st.sampled_from(keys), label="key")
            d[k] = draw.draw(st.one_of(_quantity_strings, _numbers), label="quantity")
    check_outcome(yaml.safe_dump(data, sort_keys=False), base_dir)


_EDIT_CHARS = st.one_of(
    st.sampled_from(list(":-{}[],#&*!|>'\"%@`?~ \t\n\r\\0123456789.e+") + ["\x00", "\x85",
                    "\ufeff", "\u2028", "é", "km", "m/s", "- ", ": ", "  ", "\n  "]),
    st.text(max_size=3),
)


@pytest.mark.slow
@FUZZ
@given(draw=st.data())
def test_mutated_text_gives_scenario_or_clean_error(base_dir: Path, draw: st.DataObject) -> None:
    if draw.draw(st.booleans(), label="byte-level edits, loaded from a file"):
        raw = bytearray(BUILTIN_TEXT.encode("utf-8"))
        for _ in range(draw.draw(st.integers(1, 5), label="byte edits")):
            i = draw.draw(st.integers(0, len(raw) - 1), label="byte position")
            op = draw.draw(st.sampled_from(["set", "insert", "delete", "flip"]), label="byte op")
            b = draw.draw(st.integers(0, 255), label="byte")
            if op == "set":
                raw[i] = b
            elif op == "insert":
                raw.insert(i, b)
            elif op == "delete":
                del raw[i]
            else:
                raw[i] ^= 1 << (b % 8)
        check_outcome(bytes(raw).decode("utf-8", errors="replace"), base_dir, bytes(raw))
        return
    text = BUILTIN_TEXT
    for _ in range(draw.draw(st.integers(1, 5), label="edits")):
        op = draw.draw(st.sampled_from(["insert", "delete", "replace", "dup_line", "del_line",
                                        "indent", "truncate"]), label="op")
        i = draw.draw(st.integers(0, len(text)), label="position")
        if op == "insert":
            text = text[:i] + draw.draw(_EDIT_CHARS, label="chars") + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + draw.draw(st.integers(1, 40), label="n"):]
        elif op == "replace":
            text = text[:i] + draw.draw(_EDIT_CHARS, label="chars") + text[i + 1:]
        elif op == "truncate":
            text = text[:i]
        else:
            lines = text.split("\n")
            j = min(text.count("\n", 0, i), len(lines) - 1)
            if op == "dup_line":
                lines.insert(j, lines[j])
            elif op == "del_line":
                del lines[j]
            else:
                lines[j] = " " * draw.draw(st.integers(1, 3), label="spaces") + lines[j]
            text = "\n".join(lines)
    check_outcome(text, base_dir)


def test_a_bare_number_string_is_a_number_in_si():
    """YAML 1.1 reads ``1e3`` (no decimal point) as a string; it still means 1000 m/s."""
    from skyshield.scenario.quantities import parse_quantity

    assert parse_quantity("1e3", "speed") == 1000.0
    assert parse_quantity(" 250 ", "length") == 250.0
