"""Parameter sweeps: a grid over scenario parameters, a Monte Carlo study at every point.

A parameter is a path into the scenario as the resolved YAML spells it
(``raids.cm_west.count``, ``units.s400.doctrine.salvo``, ``c2.kill_assessment_pd``) with the
values to take (``--set raids.cm_west.count=4,8,16``; each value is read as YAML, so ``25 km``
and ``0.9`` mean what they mean in a scenario file). The grid is every combination; every point
is validated like a scenario file before anything runs, and a bad path or value is reported
naming the ``--set`` it came from.

Every point runs with the same root seed (common random numbers: the replications of two points
differ by the parameter, not by luck), in its own resumable study folder under
``points/`` (``studies.montecarlo``). The sweep folder gets ``sweep.parquet`` (one row per
replication and point, the parameters as ``set:<path>`` columns), ``sweep.json`` (every point's
aggregate with its intervals) and, with matplotlib, one PNG per plotted metric against the first
parameter with its confidence band, one line per value of the others.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from skyshield.io.runfolder import to_jsonable
from skyshield.scenario.errors import Problem, ScenarioError
from skyshield.scenario.loader import parse_scenario
from skyshield.scenario.schema import Scenario
from skyshield.studies.montecarlo import (
    StudyError,
    _atomic_write,
    _write_json,
    _write_parquet,
    montecarlo,
)

__all__ = ["parse_set", "with_values", "grid", "sweep", "PLOT_METRICS"]

PLOT_METRICS = ("any_leak", "threats_leaked", "missiles_fired", "value_lost")


def parse_set(option: str) -> tuple[str, list[Any]]:
    """``path=v1,v2,...`` to (path, values); each value read as YAML."""
    path, sep, rhs = option.partition("=")
    path = path.strip()
    if not sep or not path or not rhs.strip():
        raise ScenarioError([Problem(f"--set {option}", None, "",
                                     "expected PATH=VALUE[,VALUE...], for example "
                                     "raids.cm_west.count=4,8,16", option)])
    values = []
    for v in rhs.split(","):
        try:
            values.append(yaml.safe_load(v.strip()))
        except yaml.YAMLError:
            values.append(v.strip())
    return path, values


def _set(data: Any, path: str, value: Any, origin: str) -> None:
    keys = path.split(".")
    node = data
    for depth, k in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[:depth + 1])
        if isinstance(node, dict):
            if k not in node:
                options = ", ".join(sorted(map(str, node))[:12])
                raise ScenarioError([Problem(origin, None, where,
                                             f"no such field (fields here: {options})", k)])
            if last:
                node[k] = value
            else:
                node = node[k]
        elif isinstance(node, list):
            if not k.isdigit() or int(k) >= len(node):
                raise ScenarioError([Problem(origin, None, where,
                                             f"not an index of a list of {len(node)}", k)])
            if last:
                node[int(k)] = value
            else:
                node = node[int(k)]
        else:
            raise ScenarioError([Problem(origin, None, where,
                                         "the path goes past a value", k)])


def with_values(scenario: Scenario, assignments: dict[str, Any]) -> Scenario:
    """The scenario with each path set to its value, validated as a scenario file would be;
    problems name the ``--set`` they came from."""
    data = scenario.model_dump(mode="json", by_alias=True)
    origin = "--set " + " ".join(f"{p}={v}" for p, v in assignments.items())
    for path, value in assignments.items():
        _set(data, path, value, origin)
    try:
        return parse_scenario(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                              origin)
    except ScenarioError as exc:
        # the dumped text's line numbers mean nothing to the user: report the paths alone
        raise ScenarioError([Problem(origin, None, p.path, p.message, p.got)
                             for p in exc.problems]) from None


def grid(scenario: Scenario, sets: Sequence[tuple[str, list[Any]]]
         ) -> list[tuple[dict[str, Any], Scenario]]:
    """Every combination of the swept values and its validated scenario (all checked first)."""
    paths = [p for p, _ in sets]
    if len(set(paths)) != len(paths):
        raise ScenarioError([Problem("--set", None, "", "a parameter is set twice",
                                     ", ".join(paths))])
    points = []
    problems: list[Problem] = []
    for combo in itertools.product(*(vals for _, vals in sets)):
        a = dict(zip(paths, combo, strict=True))
        try:
            points.append((a, with_values(scenario, a)))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return points


def sweep(scenario: Scenario | None, sets: Sequence[tuple[str, list[Any]]] | None, n: int | None,
          out: str | Path, *, workers: int = 1, client: Any = None, resume: bool = False,
          metrics: Sequence[str] = PLOT_METRICS,
          progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Run (or resume) a sweep into the folder ``out`` (module docstring); one row per
    replication and point."""
    root = Path(out)
    spec_path = root / "sweep_spec.json"
    if resume:
        try:
            spec = json.loads(spec_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise StudyError(f"{root}: no sweep_spec.json here, nothing to resume") from None
        stored = (root / "scenario.resolved.yaml").read_text(encoding="utf-8")
        base = parse_scenario(stored, str(root / "scenario.resolved.yaml"))
        sets = [(p, v) for p, v in spec["sets"]]
        n = int(spec["n"]) if n is None else int(n)
    else:
        if scenario is None or not sets or n is None:
            raise StudyError("a sweep needs a scenario, at least one --set and n")
        if root.exists() and any(root.iterdir()):
            raise StudyError(f"{root} exists and is not empty; resume it with --resume {root}, "
                             "or choose another folder")
        base = scenario
    points = grid(base, sets)
    if not resume:
        from skyshield.api import resolved_yaml

        root.mkdir(parents=True, exist_ok=True)
        text = resolved_yaml(base, base.seed)
        _atomic_write(root / "scenario.resolved.yaml",
                      lambda p: p.write_text(text, encoding="utf-8"))
        _write_json({"kind": "skyshield.sweep", "sets": [[p, v] for p, v in sets], "n": n},
                    spec_path)
    total = len(points) * int(n)
    frames, aggs = [], []
    for k, (assign, sc) in enumerate(points):
        folder = root / "points" / f"p{k:03d}"
        again = resume and (folder / "study.json").is_file()

        def step(done: int, _total: int, k: int = k) -> None:
            if progress:
                progress(k * int(n) + done, total)

        df = montecarlo(None if again else sc, int(n), workers=workers, client=client,
                        out=folder, resume=again, root_seed=base.seed, progress=step)
        for p, v in assign.items():
            df.insert(0, f"set:{p}", [v] * len(df))
        df.insert(0, "point", k)
        frames.append(df)
        aggs.append({"point": k, "set": assign, **df.attrs["aggregate"]})
    table = pd.concat(frames, ignore_index=True)
    _write_parquet(_stringify_sets(table), root / "sweep.parquet")
    _write_json({"sets": [[p, v] for p, v in sets], "n": n, "points": aggs}, root / "sweep.json")
    try:
        from skyshield.report.sweep_plot import plot_sweep
    except ImportError:  # matplotlib is the [plot] extra
        return table
    for m in metrics:
        if m in table:
            plot_sweep(to_jsonable(aggs), [p for p, _ in sets], m, root / f"{_slug(m)}.png",
                       base.name)
    return table


def _stringify_sets(df: pd.DataFrame) -> pd.DataFrame:
    """Parameter columns whose values mix types (``25 km`` and 30000) as text, for Parquet."""
    out = df.copy()
    for c in out.columns:
        if c.startswith("set:") and out[c].map(type).nunique() > 1:
            out[c] = out[c].map(str)
    return out


def _slug(metric: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in metric)
