"""Study commands: ``montecarlo`` (replications with confidence intervals) and ``sweep`` (a grid
of studies), locally or on a Dask cluster, resumable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from skyshield.cli.base import err, fail, load, out
from skyshield.cli.render import print_aggregate, print_sweep, study_progress, tick
from skyshield.common.naming import default_run_dir

__all__ = ["montecarlo", "sweep"]


def _study_folder(kind: str, sc: Any, resume: Path | None, out_dir: Path | None) -> Path:
    """The study's folder: the one resumed, the one given, or a new default one."""
    folder = resume if resume is not None else out_dir
    if folder is None:
        assert sc is not None
        folder = default_run_dir(kind, sc.name)
    return folder


def _client(address: str | None) -> Any:
    if address is None:
        return None
    try:
        from distributed import Client
    except ImportError:
        fail("--dask needs the distributed extra: pip install 'skyshield[distributed]'")
    import dask

    try:  # Dask's own connect time-out (DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT; 30 s)
        return Client(address, timeout=dask.config.get("distributed.comm.timeouts.connect"))
    except (OSError, TimeoutError, ValueError) as exc:
        fail(f"--dask {address}: cannot reach the scheduler: {exc}")


def _study_failed(exc: BaseException, folder: Path, command: str) -> NoReturn:
    """How a study or a sweep that stopped is reported (exit 2, or 130 on Ctrl-C)."""
    from skyshield.scenario.errors import ScenarioError
    from skyshield.studies.montecarlo import StudyError

    if isinstance(exc, StudyError):
        fail(str(exc))
    if isinstance(exc, ScenarioError):
        fail(exc)
    if isinstance(exc, OSError):
        fail(f"{folder}: cannot write the folder: {exc.strerror or exc}")
    if isinstance(exc, KeyboardInterrupt):
        err.print(f"interrupted: finished batches are kept; continue with "
                  f"skyshield {command} --resume {folder}", markup=False)
        raise typer.Exit(130) from None
    raise exc


def montecarlo(
    scenario: Annotated[str | None, typer.Argument(
        help="built-in scenario name or YAML file (not needed with --resume)")] = None,
    n: Annotated[int | None, typer.Option("-n", help="replications", min=1)] = None,
    workers: Annotated[int, typer.Option(help="local worker processes", min=1)] = 1,
    dask: Annotated[str | None, typer.Option(
        help="address of a Dask scheduler, e.g. tcp://HOST:8786")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="study folder (default: studies/<scenario>-mc-<time>)")] = None,
    resume: Annotated[Path | None, typer.Option(
        help="continue the study in this folder, skipping finished replications")] = None,
    seed: Annotated[int | None, typer.Option(help="root seed (default: the scenario's)",
                                             min=0)] = None,
    everything: Annotated[bool, typer.Option("--all", help="print every metric")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Replications of a scenario with 95 % confidence intervals (replications.parquet,
    aggregate.json), locally or on a Dask cluster; resumable."""
    from skyshield.studies.montecarlo import montecarlo as run_study

    if resume is None and (scenario is None or n is None):
        fail("give a SCENARIO and -n N (or --resume FOLDER)")
    sc = load(scenario) if scenario is not None else None
    folder = _study_folder("montecarlo", sc, resume, out_dir)
    client = _client(dask)
    label = sc.name if sc is not None else str(folder)
    try:
        with study_progress(label, quiet) as bar:
            df = run_study(sc, n, workers=workers, client=client, out=folder,
                           resume=resume is not None, root_seed=seed,
                           progress=tick(bar, label))
    except BaseException as exc:
        _study_failed(exc, folder, "montecarlo")
    finally:
        if client is not None:
            client.close()
    print_aggregate(df.attrs["aggregate"], label, everything)
    out.print(f"study folder: {folder} (replications.parquet, aggregate.json)", highlight=False)


def sweep(
    scenario: Annotated[str | None, typer.Argument(
        help="built-in scenario name or YAML file (not needed with --resume)")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="PATH=V1,V2,... into the scenario, e.g. raids.cm_west.count=4,8,16 "
        "(repeat for a grid)")] = None,
    n: Annotated[int | None, typer.Option("-n", help="replications per point", min=1)] = None,
    workers: Annotated[int, typer.Option(help="local worker processes", min=1)] = 1,
    dask: Annotated[str | None, typer.Option(
        help="address of a Dask scheduler, e.g. tcp://HOST:8786")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="sweep folder (default: studies/<scenario>-sweep-<time>)")] = None,
    resume: Annotated[Path | None, typer.Option(help="continue the sweep in this folder")] = None,
    metrics: Annotated[str, typer.Option(help="metrics to plot, comma-separated")] =
        "any_leak,threats_leaked,missiles_fired,value_lost",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """A grid over scenario parameters, a Monte Carlo study at every point: sweep.parquet,
    sweep.json and a PNG per metric with confidence bands."""
    from skyshield.scenario.errors import ScenarioError
    from skyshield.studies.sweep import parse_set
    from skyshield.studies.sweep import sweep as run_sweep

    if resume is None and (scenario is None or not sets or n is None):
        fail("give a SCENARIO, at least one --set PATH=V1,V2 and -n N (or --resume FOLDER)")
    sc = load(scenario) if scenario is not None else None  # on --resume: checked against it
    try:
        parsed = [parse_set(x) for x in sets or []] or None
    except ScenarioError as exc:
        fail(exc)
    folder = _study_folder("sweep", sc, resume, out_dir)
    client = _client(dask)
    label = sc.name if sc is not None else str(folder)
    try:
        with study_progress(label, quiet) as bar:
            table = run_sweep(sc, parsed, n, folder, workers=workers, client=client,
                              resume=resume is not None,
                              metrics=[m.strip() for m in metrics.split(",") if m.strip()],
                              progress=tick(bar, label))
    except BaseException as exc:
        _study_failed(exc, folder, "sweep")
    finally:
        if client is not None:
            client.close()
    print_sweep(json.loads((folder / "sweep.json").read_text(encoding="utf-8")), metrics)
    out.print(f"sweep folder: {folder} ({len(table)} rows in sweep.parquet; plots *.png)",
              highlight=False)
