"""What every command shares: the typer app, the consoles, and how a command fails (exit 2).

Nothing heavy is imported here: a command imports the engine, pandas or pyarrow inside its own
function, so ``skyshield --help`` and ``--version`` start in a fraction of a second.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from skyshield.io.runfolder import RunFolder
    from skyshield.scenario.errors import ScenarioError
    from skyshield.scenario.schema import Scenario

__all__ = ["app", "err", "fail", "load", "out", "read_run"]

app = typer.Typer(
    name="skyshield",
    help="Air-defence exercise simulator (training and analysis only; public nominal figures).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, soft_wrap=True)  # one problem per line, never wrapped


def fail(problems: ScenarioError | str) -> NoReturn:
    """Print every problem (one per line, then their count) or the message; exit 2."""
    from skyshield.scenario.errors import ScenarioError

    if isinstance(problems, ScenarioError):
        for p in problems.problems:
            err.print(str(p), markup=False, highlight=False)
        n = len(problems.problems)
        err.print(f"{n} problem{'s' if n != 1 else ''} found", style="bold red")
    else:
        err.print(problems, markup=False, highlight=False)
    raise typer.Exit(2)


def need(modules: tuple[str, ...], what: str, extra: str) -> None:
    """Fail with a one-line hint (exit 2) unless every module imports: the optional extras
    (matplotlib, FastAPI, uvicorn) are imported deep inside the commands that use them, where
    a missing one was a traceback."""
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            fail(f"{what} needs {name}: pip install 'skyshield[{extra}]'")


def load(scenario: str) -> Scenario:
    """A built-in scenario or a scenario file; its problems end the command (exit 2)."""
    from skyshield.scenario.errors import ScenarioError
    from skyshield.scenario.loader import load_scenario

    try:
        return load_scenario(scenario)
    except ScenarioError as exc:
        fail(exc)


def read_run(run_dir: Path) -> RunFolder:
    """A run folder, read and checked; a damaged or incomplete one ends the command."""
    from skyshield.io.runfolder import RunFolderError, read_run_folder

    try:
        return read_run_folder(run_dir)
    except RunFolderError as exc:
        fail(str(exc))
