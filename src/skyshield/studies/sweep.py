"""Parameter sweeps: a grid over scenario parameters, a Monte Carlo study at every point.

A parameter is a path into the scenario as the resolved YAML spells it
(``raids.cm_west.count``, ``units.s400.doctrine.salvo``, ``c2.kill_assessment_pd``) with the
values to take (``--set raids.cm_west.count=4,8,16``; each value is read as YAML, so ``25 km``
and ``0.9`` mean what they mean in a scenario file). A value is one number, word or quantity: a
mapping or a list (``{salvo: 2}``) is refused, set its fields by their own paths instead. The grid
is every combination; every point is validated like a scenario file before anything runs, and a
bad path or value is reported naming the ``--set`` it came from.

Every point runs with the same root seed (common random numbers: the replications of two points
differ by the parameter, not by luck), in its own resumable study folder under
``points/`` (``studies.montecarlo``). The sweep folder gets ``sweep.parquet`` (one row per
replication and point, the parameters as ``set:<path>`` columns), ``sweep.json`` (every point's
aggregate with its intervals) and, with matplotlib, one PNG per plotted metric against the first
parameter with its confidence band, one line per value of the others.

The sweep folder is created whole (``scenario.resolved.yaml`` and ``sweep_spec.json`` under a
temporary name, then renamed), and so is every point's study folder. ``--resume`` refuses a
damaged ``sweep_spec.json`` or a missing ``scenario.resolved.yaml``, and a scenario or ``--set``
other than the stored ones.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from skyshield.common.files import atomic_write_parquet, atomic_write_text
from skyshield.io.runfolder import to_jsonable
from skyshield.scenario.errors import Problem, ScenarioError
from skyshield.scenario.loader import parse_scenario
from skyshield.scenario.schema import Scenario
from skyshield.studies.montecarlo import (
    StudyError,
    _create_folder,
    _read_resolved,
    _write_json,
    load_study,
    montecarlo,
    read_folder_json,
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
            value = yaml.safe_load(v.strip())
        except yaml.YAMLError:
            value = v.strip()
        if isinstance(value, dt.date):  # a date or a time stays the text the scenario reads
            value = v.strip()
        values.append(value)
    problems = _not_scalars([(path, values)], f"--set {option}")
    if problems:
        raise ScenarioError(problems)
    return path, values


def _not_scalars(sets: Sequence[tuple[str, list[Any]]], origin: str) -> list[Problem]:
    """A problem for every swept value that is not one number, word or quantity."""
    return [Problem(origin, None, path,
                    "a swept value must be a single number, word or quantity (not a mapping or "
                    f"a list); set its fields by their own paths, e.g. {path}.FIELD=V1,V2", v)
            for path, values in sets for v in values
            if not isinstance(v, str | int | float | bool | None)]


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
    scalars = _not_scalars(sets, "--set")
    if scalars:
        raise ScenarioError(scalars)
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
    from skyshield.api import resolved_yaml

    root = Path(out)
    spec_path = root / "sweep_spec.json"
    if resume:
        spec = _read_spec(root)
        stored = _read_resolved(root)
        base = parse_scenario(stored, str(root / "scenario.resolved.yaml"))
        if scenario is not None and resolved_yaml(scenario, scenario.seed) != stored:
            raise StudyError(f"{root}: the sweep was run on another scenario (or other settings) "
                             "than the one given; resume it without a scenario")
        stored_sets = [(str(p), list(v)) for p, v in spec["sets"]]
        if sets and _as_json(sets) != _as_json(stored_sets):
            raise StudyError(f"{root}: the sweep was run with --set "
                             + " --set ".join(f"{p}={','.join(map(str, v))}"
                                              for p, v in stored_sets)
                             + "; resume it without --set (or with the same ones)")
        sets = stored_sets
        if n is not None and int(n) != spec["n"]:
            # extended (or lowered): the folder holds no results of the old n until it is done
            spec["n"] = int(n)
            _write_json(spec, spec_path)
            for stale in ("sweep.json", "sweep.parquet"):
                (root / stale).unlink(missing_ok=True)
        n = int(spec["n"])
    else:
        if scenario is None or not sets or n is None:
            raise StudyError("a sweep needs a scenario, at least one --set and n")
        base = scenario
    points = grid(base, sets)
    if not resume:
        text = resolved_yaml(base, base.seed)
        spec = {"kind": "skyshield.sweep", "sets": [[p, v] for p, v in sets], "n": n}

        def fill(tmp: Path) -> None:
            atomic_write_text(tmp / "scenario.resolved.yaml", text)
            _write_json(spec, tmp / spec_path.name)

        _create_folder(root, fill)
    total = len(points) * int(n)
    folders = [root / "points" / f"p{k:03d}" for k in range(len(points))]
    # replications already in the point folders (resume): reported once, before any runs, so a
    # progress display does not count them as done just now
    already = sum(_count_done(f, int(n)) if resume else 0 for f in folders)
    if progress:
        progress(already, total)
    ran = [0]  # replications run by this call, over all points
    frames, aggs = [], []
    for k, (assign, sc) in enumerate(points):
        folder = folders[k]
        again = resume and (folder / "study.json").is_file()
        last: list[int] = []  # the point's count at its last report (first: what it had)

        def step(done: int, _total: int, last: list[int] = last) -> None:
            if last:
                ran[0] += done - last[0]
                if progress:
                    progress(already + ran[0], total)
            last[:] = [done]

        df = montecarlo(None if again else sc, int(n), workers=workers, client=client,
                        out=folder, resume=again, root_seed=base.seed, progress=step)
        unknown = [m for m in metrics if m not in df.columns]
        if unknown:  # found at the first point; what ran is kept in the folder
            raise StudyError(
                f"--metrics: no metric {', '.join(map(repr, unknown))} in the replications "
                f"(some: {', '.join(PLOT_METRICS)}; every column of replications.parquet is "
                f"one); the points run so far are kept, --resume {root} continues")
        for p, v in assign.items():
            df.insert(0, f"set:{p}", [v] * len(df))
        df.insert(0, "point", k)
        frames.append(df)
        aggs.append({"point": k, "set": assign, **df.attrs["aggregate"]})
    table = pd.concat(frames, ignore_index=True)
    atomic_write_parquet(root / "sweep.parquet", _stringify_sets(table))
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


def _read_spec(root: Path) -> dict[str, Any]:
    """``root/sweep_spec.json``, checked: a damaged file is a StudyError saying so."""
    path = root / "sweep_spec.json"
    spec = read_folder_json(root, "sweep_spec.json", "sweep")
    sets = spec.get("sets") if isinstance(spec, dict) else None
    n = spec.get("n") if isinstance(spec, dict) else None
    if not isinstance(spec, dict):
        bad = "not a JSON object"
    elif spec.get("kind") != "skyshield.sweep":
        bad = f"kind is {spec.get('kind')!r}, not 'skyshield.sweep'"
    elif not (isinstance(n, int) and not isinstance(n, bool) and n >= 1):
        bad = f"n is {n!r}, not a whole number of replications"
    elif not (isinstance(sets, list) and sets and all(
            isinstance(s, list) and len(s) == 2 and isinstance(s[0], str) and s[0]
            and isinstance(s[1], list) and s[1] for s in sets)):
        bad = f"sets is {sets!r}, not a list of [path, [values]]"
    elif _not_scalars(sets, str(path)):
        bad = "a swept value is not a single number, word or quantity"
    else:
        return spec
    raise StudyError(f"{path}: not a sweep's specification ({bad}); the folder is damaged")


def _as_json(sets: Sequence[tuple[str, list[Any]]]) -> Any:
    """The parameters as they are stored in sweep_spec.json (for comparing)."""
    return json.loads(json.dumps(to_jsonable([[p, list(v)] for p, v in sets])))


def _count_done(folder: Path, n: int) -> int:
    """Replications (of the first n) already in a point's study folder."""
    if not (folder / "study.json").is_file():
        return 0
    _, df = load_study(folder)
    return int((df["replication"] < n).sum()) if len(df) else 0


def _stringify_sets(df: pd.DataFrame) -> pd.DataFrame:
    """Parameter columns whose values mix types (``25 km`` and 30000) as text, for Parquet."""
    out = df.copy()
    for c in out.columns:
        if c.startswith("set:") and out[c].map(type).nunique() > 1:
            out[c] = out[c].map(str)
    return out


def _slug(metric: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in metric)
