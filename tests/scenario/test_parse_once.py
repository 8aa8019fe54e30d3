"""A scenario file is parsed once, by libyaml's C parser when PyYAML has it (issue 20: a 19.5 MB
file took 162 s of CPU and 4.5 GB to validate, parsed twice in pure Python), with its nesting
bounded before anything recurses on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from skyshield import ScenarioError
from skyshield.scenario import errors
from skyshield.scenario.errors import MAX_DEPTH, MAX_FILE_BYTES, parse_yaml
from skyshield.scenario.loader import builtin_scenario_text, load_scenario, parse_scenario

BUILTIN = builtin_scenario_text("slavic-shield-2019")
LOADERS = [yaml.SafeLoader, yaml.Loader] + ([yaml.CSafeLoader, yaml.CLoader]
                                            if errors.LIBYAML else [])


@pytest.fixture(params=["libyaml", "python"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "libyaml":
        if not errors.LIBYAML:
            pytest.skip("PyYAML without libyaml")
    else:
        monkeypatch.setattr(errors, "_Loader", yaml.SafeLoader)
        monkeypatch.setattr(errors, "LIBYAML", False)
    return str(request.param)


def count_loaders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[type, Any]]:
    """Every YAML loader made from now on: its class and the text it parses."""
    made: list[tuple[type, Any]] = []
    for cls in LOADERS:
        def init(self: Any, stream: Any, _cls: type = cls, _init: Any = cls.__init__) -> None:
            made.append((_cls, stream))
            _init(self, stream)
        monkeypatch.setattr(cls, "__init__", init)
    return made


def test_a_scenario_is_parsed_once_by_the_c_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """One loader for the scenario's text (there were two, both pure Python); the catalogue's
    files are parsed on their own."""
    made = count_loaders(monkeypatch)
    sc = parse_scenario(BUILTIN, "s.yaml")
    assert sc.name == "slavic-shield-2019"
    assert [cls for cls, text in made if text is BUILTIN] == [
        yaml.CSafeLoader if errors.LIBYAML else yaml.SafeLoader]


def test_both_parsers_give_the_same_data_and_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    text = BUILTIN + "extra:\n  - &p {a: 1, b: [2, 3]}\n  - *p\n  - {<<: *p, c: 2019-10-01}\n"
    c_data, c_lines = parse_yaml(text, "s.yaml")
    monkeypatch.setattr(errors, "_Loader", yaml.SafeLoader)
    monkeypatch.setattr(errors, "LIBYAML", False)
    py_data, py_lines = parse_yaml(text, "s.yaml")
    assert c_data == py_data == yaml.safe_load(text)
    assert c_lines == py_lines
    assert c_lines[("threats", "arm_2", "waypoints", 1)] == text.count(
        "\n", 0, text.index("{lat: 44.8600, lon: 20.5300, alt: 100 m MSL}")) + 1
    assert c_lines[("extra", 2)] == text.count("\n") and ("extra", 2, "c") in c_lines


@pytest.mark.parametrize("opening", ["[", "{a: ", "- ", "a:\n"])
def test_deep_nesting_is_a_located_refusal(yaml_parser: str, opening: str) -> None:
    """100,000 levels: libyaml's own composer overflowed the C stack (a segfault); PyYAML's hit
    the recursion limit. Both now stop at MAX_DEPTH levels, on the line where that level opens."""
    n = 100_000
    if opening == "a:\n":
        body = "\n" + "".join(" " * i + "a:\n" for i in range(1, 300)) + " " * 300 + "b\n"
    elif opening == "- ":
        body = "\n" + "- " * 300 + "x\n"
    else:
        body = opening * n + "x" + ("]" if opening == "[" else "}") * n + "\n"
    text = "name: deep\nnested: " + body
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "deep.yaml")
    (p,) = info.value.problems
    assert p.message == f"nested more than {MAX_DEPTH} levels deep"
    # the field that is too deep; libyaml >= 0.2.6 (PyYAML 6.0.4's wheel) stops at its own
    # bound while scanning ahead, before the deeper levels' paths are known: "nested" itself
    assert p.path.split(".")[0] == "nested" and "\n" not in str(p)
    assert p.line == {"[": 2, "{a: ": 2, "- ": 3, "a:\n": 2 + MAX_DEPTH}[opening]


def test_nesting_up_to_the_bound_is_read(yaml_parser: str) -> None:
    data, _ = parse_yaml("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "f")
    depth = 0
    node = data["a"]
    while node:
        node, depth = node[0], depth + 1
    assert depth == MAX_DEPTH - 2


@pytest.mark.parametrize("text,line,message", [
    ("a: 1\nb:\n  c: 2\n  c: 3\n", 4, "b.c: duplicate key"),
    ("a: *nowhere\n", 1, "found undefined alias 'nowhere'"),
    ("a: &x 1\nb: &x 2\n", 2, "found duplicate anchor 'x'"),
    ("a: 1\n---\nb: 2\n", 2, "expected a single document in the stream"),
    ("a: !!python/object:os.system 1\n", 1, "could not determine a constructor"),
    ("? [a, b]\n: c\n", 1, "found unhashable key"),
])
def test_yaml_problems_are_located(yaml_parser: str, text: str, line: int, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "f.yaml")
    (p,) = info.value.problems
    assert p.line == line and message in str(p), str(p)


def test_a_self_referencing_alias_is_read_once(yaml_parser: str) -> None:
    data, lines = parse_yaml("a: &x [1, *x]\n", "f")
    assert data["a"][1] is data["a"] and lines[("a", 1)] == 1


def test_the_size_bound(yaml_parser: str) -> None:
    """Refused before parsing: a file one byte over MAX_FILE_BYTES, in bytes of UTF-8."""
    pad = "# " + "é" * ((MAX_FILE_BYTES - 2) // 2) + "\n"
    assert len(pad.encode()) == MAX_FILE_BYTES + 1
    with pytest.raises(ScenarioError, match=f"file larger than {MAX_FILE_BYTES} bytes"):
        parse_yaml(pad, "big.yaml")
    assert parse_yaml(pad[: MAX_FILE_BYTES // 2 - 2] + "\na: 1\n", "ok.yaml")[0] == {"a": 1}


def test_a_file_over_the_bound_is_not_read_whole(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """read_source reads at most one byte over the bound (it read any file whole)."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * (3 * MAX_FILE_BYTES) + b"\n")
    read: list[int] = []
    real_open = Path.open

    def spy_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        f = real_open(self, *args, **kwargs)
        real_read = f.read
        f.read = lambda n=-1: (read.append(n), real_read(n))[1]  # type: ignore[method-assign]
        return f

    monkeypatch.setattr(Path, "open", spy_open)
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(-1) or b"")
    with pytest.raises(ScenarioError, match=f"file larger than {MAX_FILE_BYTES} bytes"):
        load_scenario(path)
    assert read and all(0 <= n <= MAX_FILE_BYTES + 1 for n in read), read
    assert MAX_FILE_BYTES == 4 * 1024 * 1024


def test_many_problems_are_located_without_scanning_the_line_map() -> None:
    """Each missing field's line was found by scanning the whole map (a 0.5 MB file with 4,210
    problems took 20 s, 4 MiB would take some 20 min); now the map is indexed once."""
    head, rest = BUILTIN.split("\nthreats:\n", 1)
    routes = "".join(f"  t{i}:\n    typo: 1\n    start: {i} s\n    waypoints:\n"
                     f"      - {{lat: 44.0, lon: 19.0, alt: 50 m, speed: 800 km/h}}\n"
                     f"      - {{lat: 44.9, lon: 20.2, alt: 50 m}}\n" for i in range(300))
    text = head + "\nthreats:\n" + routes + rest
    scans = 0
    real_items = errors.LineMap.items

    def items(self: errors.LineMap) -> Any:
        nonlocal scans
        scans += 1
        return real_items(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(errors.LineMap, "items", items)
        with pytest.raises(ScenarioError) as info:
            parse_scenario(text, "many.yaml")
    problems = {p.path: p for p in info.value.problems}
    assert len(problems) >= 600
    line = text.count("\n", 0, text.index("  t299:\n")) + 2
    assert problems["threats.t299.type"].line == line - 1  # the entry's line: `type` is missing
    assert problems["threats.t299.typo"].line == line
    assert scans <= 1
