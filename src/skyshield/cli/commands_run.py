"""Commands about one exercise: ``run``, ``validate``, ``schema``, ``scenarios``, ``show`` and
``catalogue``."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from skyshield.cli.base import fail, load, out
from skyshield.cli.render import print_catalogue, print_scenarios, print_summary, run_progress
from skyshield.common.files import atomic_write_text
from skyshield.common.naming import default_run_dir

__all__ = ["catalogue", "run_cmd", "scenarios", "schema", "show", "validate"]


def run_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or YAML file")],
    seed: Annotated[int | None, typer.Option(help="root seed (default: the scenario's)",
                                             min=0)] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="run folder to write (default: runs/<scenario>-<seed>-<time>)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Run an exercise and write its run folder (events, truth, tracks, summary)."""
    sc = load(scenario)
    s = sc.seed if seed is None else seed
    if out_dir is None:
        out_dir = default_run_dir("run", sc.name, seed=s)
    if out_dir.exists():
        fail(f"{out_dir}: already exists; choose another --out")
    try:  # fail before the run, not after it, if the folder cannot be made or written
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"{out_dir}: cannot create the run folder's parent: {exc.strerror or exc}")
    try:
        with tempfile.TemporaryFile(dir=out_dir.parent):
            pass
    except OSError as exc:
        fail(f"{out_dir}: cannot write in {out_dir.parent}: {exc.strerror or exc}")
    from skyshield.api import run

    with run_progress(quiet) as bar:
        task = bar.add_task(sc.name, total=sc.duration)
        result = run(sc, seed=s, progress=lambda t: bar.update(task, completed=t))
    try:
        path = result.save(out_dir)
    except OSError as exc:
        fail(f"{out_dir}: cannot write the run folder: {exc.strerror or exc}")
    print_summary(result.summary)
    out.print(f"run folder: {path}", highlight=False)


def validate(
    scenario: Annotated[str, typer.Argument(help="scenario YAML file or built-in name")],
) -> None:
    """Check a scenario; print every problem as FILE:LINE path: message (got VALUE)."""
    from skyshield.scenario.loader import scenario_catalogue
    from skyshield.scenario.raids import altitude_lines

    sc = load(scenario)
    out.print(f"{scenario}: ok ({sc.name}: {len(sc.units)} units, {len(sc.threats)} threats, "
              f"{sum(r.count for r in sc.raids.values())} raid vehicles, "
              f"{len(sc.friendlies)} friendlies, "
              + (f"{len(sc.civil)} civil, " if sc.civil else "")
              + f"{sc.duration:g} s)", highlight=False)
    # each route's and raid's altitude reference, resolved at its first waypoint
    for text in altitude_lines(sc, scenario_catalogue(sc)):
        out.print(text, highlight=False, soft_wrap=True)


def schema(
    out_file: Annotated[Path | None, typer.Option("--out", help="write to this file")] = None,
) -> None:
    """Write the JSON Schema of the scenario format (for editor autocompletion)."""
    from skyshield.scenario.schema import Scenario

    text = json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n"
    if out_file is None:
        sys.stdout.write(text)
    else:
        try:
            atomic_write_text(out_file, text)
        except OSError as exc:
            fail(f"{out_file}: cannot write: {exc.strerror or exc}")
        out.print(f"wrote {out_file}")


def scenarios() -> None:
    """List the built-in scenarios."""
    from skyshield.scenario.loader import builtin_scenarios

    print_scenarios(builtin_scenarios())


def show(name: Annotated[str, typer.Argument(help="built-in scenario name")]) -> None:
    """Print a built-in scenario as YAML, to copy and edit."""
    from skyshield.scenario.errors import ScenarioError
    from skyshield.scenario.loader import builtin_scenario_text

    try:
        sys.stdout.write(builtin_scenario_text(name))
    except ScenarioError as exc:
        fail(exc)


def catalogue(
    extra: Annotated[list[Path] | None, typer.Argument(help="extra catalogue files")] = None,
) -> None:
    """List the system types of the catalogue (built-in plus any extra files)."""
    from skyshield.scenario.catalogue import load_catalogue
    from skyshield.scenario.errors import ScenarioError

    try:
        cat = load_catalogue(*(extra or []))
    except ScenarioError as exc:
        fail(exc)
    print_catalogue(cat)
