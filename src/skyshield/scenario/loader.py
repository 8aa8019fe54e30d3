"""Loading scenarios: built-in names or files, with every problem located in the file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from skyshield.scenario.catalogue import Catalogue, load_catalogue
from skyshield.scenario.errors import (
    LineMap,
    Problem,
    ScenarioError,
    _dotted,
    line_of,
    parse_yaml,
    problems_from_validation,
    read_source,
)
from skyshield.scenario.schema import Scenario
from skyshield.scenario.terrain import load_terrain_grid

__all__ = ["builtin_scenarios", "builtin_scenario_text", "load_scenario", "parse_scenario",
           "scenario_catalogue"]


def _builtin_dir() -> Path:
    return Path(str(resources.files("skyshield.scenario") / "builtin"))


def builtin_scenarios() -> dict[str, str]:
    """Name → one-line description of each built-in scenario."""
    out = {}
    for p in sorted(_builtin_dir().glob("*.yaml")):
        first = p.read_text(encoding="utf-8").splitlines()[0]
        out[p.stem] = first.lstrip("# ").strip()
    return out


def builtin_scenario_text(name: str) -> str:
    path = _builtin_dir() / f"{name}.yaml"
    if not path.is_file():
        raise ScenarioError([Problem(name, None, "", "no such built-in scenario; built-ins: "
                                     + ", ".join(builtin_scenarios()))])
    return path.read_text(encoding="utf-8")


def parse_scenario(text: str, file: str = "<scenario>", base_dir: Path | None = None) -> Scenario:
    """Validate scenario YAML text. Raises :class:`ScenarioError` listing every problem."""
    data, lines = parse_yaml(text, file)
    if data is None:
        raise ScenarioError([Problem(file, 1, "",
                                     "the file is empty: a scenario must be a YAML mapping")])
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, lines.get((), 1), "",
                                     "a scenario must be a YAML mapping", data)])
    base = base_dir if base_dir is not None else Path(".")
    extra = data.get("catalogue", [])
    cat_files: list[str] = []
    if isinstance(extra, list) and all(isinstance(x, str) for x in extra):
        missing = []
        for i, x in enumerate(extra):
            try:
                f = (base / x).resolve()
                found = f.is_file()
            except (OSError, ValueError):  # name too long, NUL byte, ...
                found = False
            if found:
                cat_files.append(str(f))
            else:
                missing.append(Problem(file, lines.get(("catalogue", i)), f"catalogue.{i}",
                                       "catalogue file not found", x))
        if missing:
            raise ScenarioError(missing)
        data = {**data, "catalogue": cat_files}
    grid = data.get("terrain_grid")
    if isinstance(grid, str):
        try:
            path = (base / grid).resolve()
            load_terrain_grid(path)
        except (OSError, ValueError) as exc:
            raise ScenarioError([Problem(file, lines.get(("terrain_grid",)), "terrain_grid",
                                         str(exc) if isinstance(exc, ValueError)
                                         else "terrain grid not found", grid)]) from None
        data = {**data, "terrain_grid": str(path)}
    cat = load_catalogue(*cat_files)
    try:
        return Scenario.model_validate(data, context={"catalogue": cat})
    except ValidationError as exc:
        problems = problems_from_validation(exc, lines, file)
        seen = {p.path for p in problems}
        problems += [p for p in _reference_problems(data, lines, file) if p.path not in seen]
        raise ScenarioError(problems) from None


def _reference_problems(data: dict[Any, Any], lines: LineMap, file: str) -> list[Problem]:
    """Targets naming no asset or unit, found in the raw data.

    The model's own check runs only once every field is valid and stops at the first bad
    reference; this one finds them all, so that every problem is reported at once.
    """
    assets, units = data.get("assets", {}), data.get("units", {})
    if not isinstance(assets, dict) or not isinstance(units, dict):
        return []
    targets = set(assets) | set(units)
    out = []
    for group, key in (("threats", "target"), ("raids", "to"), ("friendlies", "target")):
        entries = data.get(group)
        if not isinstance(entries, dict):
            continue
        for name, entry in entries.items():
            to = entry.get(key) if isinstance(entry, dict) else None
            if isinstance(to, str) and to not in targets:
                loc = (group, name, key)
                out.append(Problem(file, line_of(lines, loc), _dotted(loc),
                                   f"no asset or unit named {to!r}", to))
    return out


def load_scenario(path_or_name: str | Path) -> Scenario:
    """A built-in scenario by name (``"slavic-shield-2019"``) or a scenario YAML file."""
    p = Path(path_or_name)
    if p.suffix.lower() in (".yaml", ".yml", ".json") or p.is_file():
        file = str(path_or_name)
        text = read_source(p, file, "scenario")
        return parse_scenario(text, file, p.parent)
    name = str(path_or_name)
    return parse_scenario(builtin_scenario_text(name), f"{name} (built-in)")


def scenario_catalogue(scenario: Scenario) -> Catalogue:
    """The catalogue a validated scenario refers to."""
    return load_catalogue(*scenario.catalogue)
