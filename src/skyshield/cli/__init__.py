"""The ``skyshield`` command (typer): ``app`` and ``main``.

The commands live by job: ``commands_run`` (run, validate, schema, scenarios, show, catalogue),
``commands_studies`` (montecarlo, sweep), ``commands_outputs`` (report, replay, export,
coverage, envelope, track) and ``commands_live`` (serve); what they print is in ``render``, the
app, the consoles and the exit-2 failure in ``base``. Each command imports the engine, pandas
and pyarrow inside its own function, so ``skyshield --help`` starts quickly.
"""

from __future__ import annotations

from typing import Annotated

import typer

from skyshield._version import __version__
from skyshield.cli import commands_live, commands_outputs, commands_run, commands_studies, render
from skyshield.cli.base import app, out
from skyshield.cli.render import print_aggregate, print_summary

__all__ = ["app", "main", "print_aggregate", "print_summary"]

# registered in this order, which is the order of ``skyshield --help``
for _command, _name in (
        (commands_run.run_cmd, "run"),
        (commands_studies.montecarlo, None),
        (commands_studies.sweep, None),
        (commands_outputs.report, None),
        (commands_outputs.replay, None),
        (commands_live.serve, None),
        (commands_outputs.export, None),
        (commands_run.validate, None),
        (commands_run.schema, None),
        (commands_run.scenarios, None),
        (commands_run.show, None),
        (commands_run.catalogue, None),
        (commands_outputs.coverage, None),
        (commands_outputs.envelope, None),
        (commands_outputs.track, None)):
    app.command(_name)(_command)


def _version(value: bool) -> None:
    if value:
        out.print(f"skyshield {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="print the version")] = False,
) -> None:
    """skyshield: air-defence exercise simulator."""


def main() -> None:
    app()


# the names cli.py had, for the tests and tools that use them
_listen = commands_live._listen  # --dis-listen [HOST:]PORT
_tick = render.tick  # a study's progress callback
