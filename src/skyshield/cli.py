"""The ``skyshield`` command."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, cast

import numpy as np
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from skyshield.api import __version__, load_scenario, run
from skyshield.common.files import atomic_write, atomic_write_text
from skyshield.scenario.catalogue import (
    CALIBRATION_PD,
    CALIBRATION_PFA,
    CALIBRATION_SWERLING,
    calibrated_range_m,
    load_catalogue,
)
from skyshield.scenario.errors import ScenarioError
from skyshield.scenario.loader import builtin_scenario_text, builtin_scenarios
from skyshield.scenario.schema import Scenario

app = typer.Typer(
    name="skyshield",
    help="Air-defence exercise simulator (training and analysis only; public nominal figures).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, soft_wrap=True)  # one problem per line, never wrapped


def _fail(problems: ScenarioError | str) -> NoReturn:
    if isinstance(problems, ScenarioError):
        for p in problems.problems:
            err.print(str(p), markup=False, highlight=False)
        n = len(problems.problems)
        err.print(f"{n} problem{'s' if n != 1 else ''} found", style="bold red")
    else:
        err.print(problems, markup=False, highlight=False)
    raise typer.Exit(2)


def _load(scenario: str) -> Scenario:
    try:
        return load_scenario(scenario)
    except ScenarioError as exc:
        _fail(exc)
        raise AssertionError from None  # unreachable


@app.command("run")
def run_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or YAML file")],
    seed: Annotated[int | None, typer.Option(help="root seed (default: the scenario's)",
                                             min=0)] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="run folder to write (default: runs/<scenario>-<seed>-<time>)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Run an exercise and write its run folder (events, truth, tracks, summary)."""
    sc = _load(scenario)
    s = sc.seed if seed is None else seed
    if out_dir is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out_dir = Path("runs") / f"{sc.name}-{s}-{stamp}"
    if out_dir.exists():
        _fail(f"{out_dir}: already exists; choose another --out")
    try:  # fail before the run, not after it, if the folder cannot be made
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"{out_dir}: cannot create the run folder's parent: {exc.strerror or exc}")
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed:>6.0f}/{task.total:.0f} s simulated"),
                  TimeElapsedColumn(), console=err, disable=quiet, transient=True) as bar:
        task = bar.add_task(sc.name, total=sc.duration)
        result = run(sc, seed=s, progress=lambda t: bar.update(task, completed=t))
    try:
        path = result.save(out_dir)
    except OSError as exc:
        _fail(f"{out_dir}: cannot write the run folder: {exc.strerror or exc}")
    print_summary(result.summary)
    out.print(f"run folder: {path}", highlight=False)


def print_summary(s: dict[str, Any]) -> None:
    """The summary tables a user reads after a run."""
    rate = s["sim_duration_s"] / s["wall_time_s"] if s["wall_time_s"] > 0 else float("inf")
    out.print(f"[bold]{s['scenario']}[/] seed {s['seed']}: {s['sim_duration_s']:.0f} s simulated "
              f"in {s['wall_time_s']:.2f} s ({rate:,.0f}x real time), {s['events_total']} events")
    t = Table(title="Threats by type")
    for c in ("type", "total", "detected", "engaged", "destroyed", "leaked", "survived",
              "1st detection km mean (min-max)"):
        t.add_column(c, justify="left" if c == "type" else "right")
    for typ, b in s["by_type"].items():
        r = b["first_detection_range_m"]
        rng = ("-" if r["mean"] is None else
               f"{r['mean'] / 1e3:.1f} ({r['min'] / 1e3:.1f}-{r['max'] / 1e3:.1f})")
        t.add_row(typ, *(str(b[k]) for k in ("total", "detected", "engaged", "destroyed",
                                              "leaked", "survived")), rng)
    t.add_row("[bold]all[/]", *(f"[bold]{s['threats_' + k]}[/]" for k in
                                ("total", "detected", "engaged", "destroyed", "leaked",
                                 "survived")), "")
    out.print(t)
    u = Table(title="Missiles fired per unit", min_width=40)
    u.add_column("unit")
    u.add_column("fired", justify="right")
    for name, n in s["missiles_fired_by_unit"].items():
        u.add_row(name, str(n))
    u.add_row("[bold]all[/]", f"[bold]{s['missiles_fired']}[/]")
    out.print(u)
    pk = s.get("pk_by_missile") or {}
    if pk:
        k = Table(title="Kill probability per missile type: achieved vs nominal")
        for c in ("missile", "end games", "kills", "Pk achieved", "Pk from miss distances",
                  "mean miss m", "Pk nominal"):
            k.add_column(c, justify="left" if c == "missile" else "right")
        for name, b in pk.items():
            k.add_row(name, str(b["end_games"]), str(b["kills"]), f"{b['pk_achieved']:.2f}",
                      "-" if b["pk_mean_of_end_games"] is None else
                      f"{b['pk_mean_of_end_games']:.2f}",
                      "-" if b["miss_mean_m"] is None else f"{b['miss_mean_m']:.1f}",
                      "-" if b["pk_nominal"] is None else f"{b['pk_nominal']:.2f}")
        out.print(k)
    style = "green" if s["friendly_engaged"] == 0 and s["fratricide"] == 0 else "bold red"
    out.print(f"intercepts: {s['intercepts_hit']} hit, {s['intercepts_missed']} missed, "
              f"{s.get('intercepts_no_target', 0)} with no target left (killed by an earlier "
              f"shot, or never acquired); "
              f"asset value lost: {s['value_lost']:g}; units destroyed: "
              f"{', '.join(s['units_destroyed']) or 'none'}", highlight=False)
    out.print(f"[{style}]friendly aircraft engaged: {s['friendly_engaged']} "
              f"(of {s['friendly_total']}); fratricide: {s['fratricide']}[/]")
    leaks = {k: v for k, v in (s.get("leakers_by_cause") or {}).items() if v}
    fc = s.get("fire_control") or {}
    mpk = s.get("missiles_per_kill")
    out.print(f"missiles per destroyed threat: {'-' if mpk is None else mpk}; leakers by cause: "
              f"{', '.join(f'{k} {v}' for k, v in leaks.items()) or 'none'}; assignment: "
              f"{fc.get('assignment_cycles', 0)} cycles, solver "
              f"{(fc.get('solver_time_mean_s') or 0) * 1e3:.1f} ms mean, gap max "
              f"{fc.get('gap_max') if fc.get('gap_max') is not None else '-'}", highlight=False)
    ap = s.get("air_picture") or {}
    if ap.get("samples"):
        si = ap["siap"]
        out.print(f"air picture: GOSPA {ap['gospa_mean_m']:g} m mean (c {ap['gospa_c_m']:g} m; "
                  f"localisation {ap['gospa_localisation_mean_m']:g} m, "
                  f"{ap['gospa_missed_mean']:g} missed, {ap['gospa_false_mean']:g} false per "
                  f"sample); SIAP completeness {si['completeness']}, ambiguity "
                  f"{si['ambiguity']}, spuriousness {si['spuriousness']}, "
                  f"{si['id_swaps']} ID swaps, {si['track_breaks']} breaks", highlight=False)


def _client(address: str | None) -> Any:
    if address is None:
        return None
    try:
        from distributed import Client
    except ImportError:
        _fail("--dask needs the distributed extra: pip install 'skyshield[distributed]'")
    import dask

    try:  # Dask's own connect time-out (DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT; 30 s)
        return Client(address, timeout=dask.config.get("distributed.comm.timeouts.connect"))
    except (OSError, TimeoutError, ValueError) as exc:
        _fail(f"--dask {address}: cannot reach the scheduler: {exc}")


def _study_failed(exc: BaseException, folder: Path, command: str) -> NoReturn:
    """How a study or a sweep that stopped is reported (exit 2, or 130 on Ctrl-C)."""
    from skyshield.studies.montecarlo import StudyError

    if isinstance(exc, StudyError):
        _fail(str(exc))
    if isinstance(exc, ScenarioError):
        _fail(exc)
    if isinstance(exc, OSError):
        _fail(f"{folder}: cannot write the folder: {exc.strerror or exc}")
    if isinstance(exc, KeyboardInterrupt):
        err.print(f"interrupted: finished batches are kept; continue with "
                  f"skyshield {command} --resume {folder}", markup=False)
        raise typer.Exit(130) from None
    raise exc


def _study_progress(label: str, quiet: bool) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                    TextColumn("{task.completed:>5.0f}/{task.total:.0f} replications"),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                    TextColumn("left"), TimeRemainingColumn(), console=err, disable=quiet,
                    transient=True)


def _tick(bar: Progress, label: str) -> Callable[[int, int], None]:
    """A study's progress callback. Its first report is what the folder already holds (a
    resume): the task starts there, so neither the rate nor the time left counts them."""
    state: list[Any] = []  # [task id, replications at the start, start time]

    def update(done: int, total: int) -> None:
        if not state:
            state.extend([bar.add_task(label, total=total, completed=done, rate=""), done,
                          bar.get_time()])
            return
        dt = bar.get_time() - state[2]
        rate = (done - state[1]) / dt if dt > 0 else 0.0
        bar.update(state[0], completed=done, total=total, rate=f"{rate:.2f}/s")
    return update


def print_aggregate(agg: dict[str, Any], title: str, everything: bool = False) -> None:
    """The aggregate table of a study: mean and 95 % interval of each metric."""
    from skyshield.studies.montecarlo import KEY_METRICS

    t = Table(title=f"{title}: {agg['replications']} replications, "
              f"{agg['level'] * 100:.0f} % confidence intervals")
    for c in ("metric", "mean", "interval", "low", "high", "min", "max"):
        t.add_column(c, justify="left" if c in ("metric", "interval") else "right")
    ms = agg["metrics"]
    names = sorted(ms) if everything else [k for k in KEY_METRICS if k in ms]
    for k in names:
        m = ms[k]
        f = (lambda v: "-" if v is None else f"{v:.4g}")  # noqa: E731
        t.add_row(k, f(m.get("mean")), m.get("interval") or "-", f(m.get("ci_low")),
                  f(m.get("ci_high")), f(m.get("min")), f(m.get("max")))
    out.print(t)


@app.command()
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
        _fail("give a SCENARIO and -n N (or --resume FOLDER)")
    sc = _load(scenario) if scenario is not None else None
    folder = resume if resume is not None else out_dir
    if folder is None:
        assert sc is not None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = Path("studies") / f"{sc.name}-mc-{stamp}"
    client = _client(dask)
    label = sc.name if sc is not None else str(folder)
    try:
        with _study_progress(label, quiet) as bar:
            df = run_study(sc, n, workers=workers, client=client, out=folder,
                           resume=resume is not None, root_seed=seed,
                           progress=_tick(bar, label))
    except BaseException as exc:
        _study_failed(exc, folder, "montecarlo")
    finally:
        if client is not None:
            client.close()
    print_aggregate(df.attrs["aggregate"], label, everything)
    out.print(f"study folder: {folder} (replications.parquet, aggregate.json)", highlight=False)


@app.command()
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
    from skyshield.studies.sweep import parse_set
    from skyshield.studies.sweep import sweep as run_sweep

    if resume is None and (scenario is None or not sets or n is None):
        _fail("give a SCENARIO, at least one --set PATH=V1,V2 and -n N (or --resume FOLDER)")
    sc = _load(scenario) if scenario is not None else None  # on --resume: checked against it
    try:
        parsed = [parse_set(x) for x in sets or []] or None
    except ScenarioError as exc:
        _fail(exc)
    folder = resume if resume is not None else out_dir
    if folder is None:
        assert sc is not None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = Path("studies") / f"{sc.name}-sweep-{stamp}"
    client = _client(dask)
    label = sc.name if sc is not None else str(folder)
    try:
        with _study_progress(label, quiet) as bar:
            table = run_sweep(sc, parsed, n, folder, workers=workers, client=client,
                              resume=resume is not None,
                              metrics=[m.strip() for m in metrics.split(",") if m.strip()],
                              progress=_tick(bar, label))
    except BaseException as exc:
        _study_failed(exc, folder, "sweep")
    finally:
        if client is not None:
            client.close()
    spec = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
    params = [p for p, _ in spec["sets"]]
    t = Table(title=f"sweep of {', '.join(params)}: {spec['n']} replications per point")
    for c in [*params, *(m for m in metrics.split(",") if m)]:
        t.add_column(c.strip(), justify="right")
    for pt in spec["points"]:
        row = [str(pt["set"][p]) for p in params]
        for m in (m.strip() for m in metrics.split(",") if m.strip()):
            d = pt["metrics"].get(m) or {}
            row.append("-" if d.get("mean") is None else
                       f"{d['mean']:.3g} [{d['ci_low']:.3g}, {d['ci_high']:.3g}]"
                       if d.get("ci_low") is not None else f"{d['mean']:.3g}")
        t.add_row(*row)
    out.print(t)
    out.print(f"sweep folder: {folder} ({len(table)} rows in sweep.parquet; plots *.png)",
              highlight=False)


def _run_folder(run_dir: Path) -> Any:
    from skyshield.io.runfolder import RunFolderError, read_run_folder

    try:
        return read_run_folder(run_dir)
    except RunFolderError as exc:
        _fail(str(exc))


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="a run folder (skyshield run --out)")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="HTML file to write (default: RUN_DIR/report.html)")] = None,
) -> None:
    """Write the after-action report: one self-contained HTML page (works offline)."""
    run = _run_folder(run_dir)
    try:
        from skyshield.report.aar import write_report
    except ImportError:
        _fail("the report needs matplotlib: pip install 'skyshield[plot]'")
    dest = out_file or run_dir / "report.html"
    try:
        write_report(run, dest)
    except OSError as exc:
        _fail(f"{dest}: cannot write: {exc.strerror or exc}")
    out.print(f"wrote {dest}", highlight=False)


@app.command()
def replay(
    run_dir: Annotated[Path, typer.Argument(help="a run folder (skyshield run --out)")],
    port: Annotated[int, typer.Option(help="port on 127.0.0.1", min=1, max=65535)] = 8765,
    host: Annotated[str, typer.Option(help="address to bind (default: loopback only)")] =
        "127.0.0.1",
) -> None:
    """Serve the browser replay of a run on 127.0.0.1 (works offline): map, symbols, trails,
    play / pause / speed / slider, an event list that jumps the clock."""
    run = _run_folder(run_dir)
    try:
        from skyshield.web.replay import serve
    except ImportError:
        _fail("the replay needs the web extra: pip install 'skyshield[web]'")
    out.print(f"replay of {run_dir}: http://{host}:{port}/  (Ctrl-C to stop)", highlight=False)
    try:
        serve(run, host=host, port=port)
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def _hostport(text: str, what: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    try:
        p = int(port)
    except ValueError:
        p = -1
    if not sep or not host or not 0 < p < 65536:
        _fail(f"{what}: expected HOST:PORT (got {text!r})")
    return host, p


def _listen(text: str | None, host: str) -> tuple[str, int] | None:
    """``--dis-listen [HOST:]PORT``: the address to bind, ``host`` if none is given."""
    if text is None:
        return None
    return _hostport(text, "--dis-listen") if ":" in text else _hostport(f"{host}:{text}",
                                                                           "--dis-listen")


@app.command()
def serve(
    scenario: Annotated[str | None, typer.Argument(
        help="built-in scenario name or YAML file (not needed with --resume)")] = None,
    speed: Annotated[float, typer.Option(help="simulated seconds per wall second",
                                         min=0.01, max=1000)] = 1.0,
    port: Annotated[int, typer.Option(help="port on 127.0.0.1", min=1, max=65535)] = 8766,
    host: Annotated[str, typer.Option(help="address to bind (put TLS in a reverse proxy)")] =
        "127.0.0.1",
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="exercise folder: journal, tokens, run folder at the end")] = None,
    resume: Annotated[Path | None, typer.Option(
        help="continue the exercise in this folder after a crash or a stop")] = None,
    dis_to: Annotated[str | None, typer.Option(
        "--dis", help="send DIS PDUs to HOST:PORT (UDP)")] = None,
    dis_listen: Annotated[str | None, typer.Option(
        help="take Entity State PDUs from other simulators on this UDP [HOST:]PORT (HOST: "
             "--host by default)")] = None,
    dis_exercise: Annotated[int | None, typer.Option(
        help="DIS exercise id: take only other simulators' PDUs of this exercise and send ours "
             "with it (default: take all, send as exercise 1)", min=1, max=255)] = None,
    tokens: Annotated[Path | None, typer.Option(
        help="file of 'ROLE: TOKEN' lines (default: new tokens, printed once)")] = None,
    approval: Annotated[bool, typer.Option(
        help="every engagement waits for its operator's approval")] = False,
    approval_timeout: Annotated[float, typer.Option(help="seconds (simulated) to decide",
                                                    min=1.0)] = 30.0,
    approval_default: Annotated[str, typer.Option(
        help="what a time-out decides: approve or deny")] = "deny",
    seed: Annotated[int | None, typer.Option(help="root seed (default: the scenario's)",
                                             min=0)] = None,
) -> None:
    """Run an exercise live against the wall clock: controller, operators and observers in
    the browser, a journal that survives a crash (--resume), DIS out and in."""
    import shutil
    import time

    try:
        from skyshield.web.live import Roles, serve_live
    except ImportError:
        _fail("the live server needs the web extra: pip install 'skyshield[web]'")
    from skyshield.sim.live import JournalError, read_meta

    # every option is checked before anything is created
    if approval_default not in ("approve", "deny"):
        _fail(f"--approval-default: approve or deny (got {approval_default!r})")
    dis_target = _hostport(dis_to, "--dis") if dis_to else None
    listen = _listen(dis_listen, host)
    folder = resume or out_dir
    if resume is not None:
        if not (resume / "live.json").is_file():
            _fail(f"{resume}: no live exercise to resume here (no live.json)")
        try:
            seed, appr = read_meta(resume)
        except JournalError as exc:
            _fail(str(exc))
        sc = _load(str(resume / "scenario.resolved.yaml") if scenario is None else scenario)
    else:
        if scenario is None:
            _fail("give a SCENARIO (or --resume FOLDER)")
        sc = _load(scenario)
        if folder is None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            folder = Path("live") / f"{sc.name}-{stamp}"
        if folder.exists() and any(folder.iterdir()):
            _fail(f"{folder}: exists and is not empty; --resume {folder} continues it")
        appr = (approval_timeout, approval_default == "approve") if approval else None
    if tokens is not None:
        try:
            Roles.from_file(tokens, list(sc.units))
        except ValueError as exc:
            _fail(str(exc))
    assert folder is not None
    created = None
    if resume is None:
        from skyshield.api import resolved_yaml

        created = folder if not folder.exists() else None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "scenario.resolved.yaml").write_text(
                resolved_yaml(sc, sc.seed if seed is None else seed), encoding="utf-8")
        except OSError as exc:
            _fail(f"{folder}: cannot create the exercise folder: {exc.strerror or exc}")

    def refused(message: str) -> NoReturn:
        # a start refused before the exercise began leaves no folder behind (else the next
        # start with the same --out would be told to resume it)
        if resume is None and folder is not None and not (folder / "commands.jsonl").exists() \
                and not (folder / "events.jsonl").exists():
            for name in ("scenario.resolved.yaml", "live.json", "tokens.json"):
                (folder / name).unlink(missing_ok=True)
            if created is not None:
                shutil.rmtree(created, ignore_errors=True)
        _fail(message)

    t0 = time.monotonic()
    try:
        ex = serve_live(sc, folder, host=host, port=port, speed=speed,
                        dis_target=dis_target, dis_listen=listen, dis_exercise=dis_exercise,
                        tokens_file=tokens,
                        approval=appr,
                        resume=resume is not None, seed=seed,
                        announce=lambda m: out.print(m, markup=False, highlight=False))
    except OSError as exc:
        refused(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    except (ValueError, RuntimeError, FileExistsError) as exc:
        refused(str(exc))
    wall = time.monotonic() - t0
    from skyshield.api import result_of

    # the run ran to where the exercise stood: its end, or where it was stopped
    result = result_of(sc, ex.output(), wall, sim_duration_s=ex.t)
    try:
        path = result.save(folder / "run", overwrite=True)
    except OSError as exc:
        _fail(f"{folder / 'run'}: cannot write the run folder: {exc.strerror or exc}")
    out.print(f"stopped at T+{ex.t:.0f} s; run folder: {path}", highlight=False)


@app.command()
def export(
    run_dir: Annotated[Path, typer.Argument(help="a run folder (skyshield run --out)")],
    fmt: Annotated[str, typer.Option("--format", "-f",
                                     help="czml (Cesium), kml (Google Earth) or acmi (Tacview)")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="file to write (default: RUN_DIR/<scenario>.<format>)")] = None,
) -> None:
    """Export a run for Cesium (CZML), Google Earth (KML with gx:Track) or Tacview (ACMI 2.2)."""
    from skyshield.io.exports import FORMATS, to_format

    if fmt not in FORMATS:
        _fail(f"--format: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    run = _run_folder(run_dir)
    text = to_format(run, fmt)
    name = str(run.summary.get("scenario", "run"))
    dest = out_file or run_dir / f"{name}.{'txt.acmi' if fmt == 'acmi' else fmt}"
    try:
        atomic_write_text(dest, text)
    except OSError as exc:
        _fail(f"{dest}: cannot write: {exc.strerror or exc}")
    out.print(f"wrote {dest} ({len(text.encode()):,} bytes)", highlight=False)


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="scenario YAML file or built-in name")],
) -> None:
    """Check a scenario; print every problem as FILE:LINE path: message (got VALUE)."""
    from skyshield.scenario.loader import scenario_catalogue
    from skyshield.scenario.raids import altitude_lines

    sc = _load(scenario)
    out.print(f"{scenario}: ok ({sc.name}: {len(sc.units)} units, {len(sc.threats)} threats, "
              f"{sum(r.count for r in sc.raids.values())} raid vehicles, "
              f"{len(sc.friendlies)} friendlies, {sc.duration:g} s)", highlight=False)
    # each route's and raid's altitude reference, resolved at its first waypoint
    for text in altitude_lines(sc, scenario_catalogue(sc)):
        out.print(text, highlight=False, soft_wrap=True)


@app.command()
def schema(
    out_file: Annotated[Path | None, typer.Option("--out", help="write to this file")] = None,
) -> None:
    """Write the JSON Schema of the scenario format (for editor autocompletion)."""
    text = json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n"
    if out_file is None:
        sys.stdout.write(text)
    else:
        try:
            out_file.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"{out_file}: cannot write: {exc.strerror or exc}")
        out.print(f"wrote {out_file}")


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    t = Table()
    t.add_column("name")
    t.add_column("description")
    for name, desc in builtin_scenarios().items():
        t.add_row(name, desc)
    out.print(t)


@app.command()
def show(name: Annotated[str, typer.Argument(help="built-in scenario name")]) -> None:
    """Print a built-in scenario as YAML, to copy and edit."""
    try:
        sys.stdout.write(builtin_scenario_text(name))
    except ScenarioError as exc:
        _fail(exc)


@app.command()
def catalogue(
    extra: Annotated[list[Path] | None, typer.Argument(help="extra catalogue files")] = None,
) -> None:
    """List the system types of the catalogue (built-in plus any extra files)."""
    try:
        cat = load_catalogue(*(extra or []))
    except ScenarioError as exc:
        _fail(exc)
        return
    for title, entries in (("fire units", cat.fire_units), ("radars", cat.radars),
                           ("missiles", cat.missiles), ("air vehicles", cat.air_vehicles)):
        t = Table(title=title)
        t.add_column("name")
        t.add_column("description")
        for name, e in entries.items():
            t.add_row(name, e.description)
        out.print(t)
    t = Table(title=f"radars against their reference targets (Pd {CALIBRATION_PD:g}, "
              f"Swerling {CALIBRATION_SWERLING}, Pfa {CALIBRATION_PFA:g}, one dwell)")
    for c in ("radar", "f GHz", "Pt kW", "NF dB", "reference target", "σ m²", "range km",
              "basis", "equation km", "ratio"):
        t.add_column(c, justify="left" if c in ("radar", "reference target", "basis") else "right")
    for name, r in cat.radars.items():
        ref, got = r.reference_target, calibrated_range_m(r)
        t.add_row(name, f"{r.freq_hz.value / 1e9:.2f}", f"{r.peak_power_w.value / 1e3:g}",
                  f"{r.noise_figure_db.value:g}", ref.description, f"{ref.rcs_m2.value:g}",
                  f"{ref.range_m.value / 1e3:g}",
                  "source" if ref.range_m.source else "assumed", f"{got / 1e3:.1f}",
                  f"{got / ref.range_m.value:.3f}")
    out.print(t)


@app.command()
def coverage(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or YAML file")],
    target_rcs: Annotated[float, typer.Option(help="target RCS (m²)", min=1e-6)] = 0.1,
    altitude: Annotated[float, typer.Option(help="target height above the terrain (m)",
                                            min=0.0)] = 50.0,
    pd_required: Annotated[float, typer.Option("--pd", help="single-scan Pd", min=0.01,
                                               max=0.99)] = 0.5,
    swerling: Annotated[int, typer.Option(help="target fluctuation, Swerling 0-4",
                                          min=0, max=4)] = 1,
    time: Annotated[float | None, typer.Option(
        help="instant (s) whose jammers count (default: half-way through the first jammer's "
             "flight)", min=0.0)] = None,
    out_file: Annotated[Path, typer.Option("--out", help="PNG to write")] = Path("coverage.png"),
) -> None:
    """Map each radar's detection range against a target at a height (horizon, jamming)."""
    from skyshield.analysis.coverage import coverage as compute
    from skyshield.sim.world import compile_world

    sc = _load(scenario)
    world = compile_world(sc)
    cov = compute(world, target_rcs, altitude, pd_required, swerling, time)
    t = Table(title=f"Detection range, km (σ = {target_rcs:g} m², {altitude:g} m above the "
              f"terrain, Pd {pd_required:g} per scan)")
    for c in ("radar", "clear min", "clear max", "jammed min", "jammed median", "jammed max"):
        t.add_column(c, justify="left" if c == "radar" else "right")
    for name, r, r0 in zip(cov.radar, cov.range_m, cov.range_no_jam_m, strict=True):
        t.add_row(name, *(f"{v / 1e3:.1f}" for v in (r0.min(), r0.max(), r.min(),
                                                      float(np.median(r)), r.max())))
    out.print(t)
    try:
        from skyshield.report.coverage_plot import plot_coverage

        when = "no jammer" if cov.t_s is None else f"jammers at t = {cov.t_s:.0f} s"
        plot_coverage(world, cov, f"{sc.name}: σ {target_rcs:g} m² at {altitude:g} m, "
                      f"Pd {pd_required:g}, {when}", out_file)
    except ImportError:
        _fail("the coverage map needs matplotlib: pip install 'skyshield[plot]'")
    except OSError as exc:
        _fail(f"{out_file}: cannot write: {exc.strerror or exc}")
    out.print(f"wrote {out_file}", highlight=False)


@app.command()
def envelope(
    missile: Annotated[str, typer.Argument(help="missile type in the catalogue")],
    target_speed: Annotated[float, typer.Option(help="target speed (m/s)", min=0.0,
                                                max=5000.0)] = 250.0,
    target_alt: Annotated[float, typer.Option(help="target height above the launcher (m)",
                                              min=0.0, max=40000.0)] = 50.0,
    catalogue_file: Annotated[Path | None, typer.Option("--catalogue",
                                                        help="extra catalogue YAML")] = None,
    nx: Annotated[int, typer.Option(help="down-range grid points", min=4, max=400)] = 40,
    ny: Annotated[int, typer.Option(help="cross-range grid points", min=2, max=200)] = 20,
    out_file: Annotated[Path, typer.Option("--out", help="PNG to write")] = Path(
        "envelope.png"),
    table_file: Annotated[Path | None, typer.Option("--table", help="CSV of the grid")] = None,
) -> None:
    """Launch acceptability region of MISSILE against a straight, level target (flyouts)."""
    from skyshield.scenario.catalogue import figure_values, load_catalogue
    from skyshield.weapons.envelope import missile_envelope

    try:
        cat = load_catalogue(*([catalogue_file] if catalogue_file else []))
    except ScenarioError as e:
        _fail(e)
    if missile not in cat.missiles:
        _fail(f"unknown missile type {missile!r}; the catalogue has: "
              + ", ".join(sorted(cat.missiles)))
    v = figure_values(cat.missiles[missile])
    if v["airframe"] is None:
        _fail(f"{missile} is a gun: it has no flyout envelope (its range is "
              f"{v['max_range_m'] / 1e3:g} km by the catalogue)")
    with out.status(f"flying {nx * ny} {missile} flyouts"):
        env = missile_envelope(v, target_speed, target_alt, nx=nx, ny=ny)
    t = Table(title=f"{missile} vs a {target_speed:g} m/s target at {target_alt:g} m: "
              "farthest launch down-range by cross-range")
    for c in ("cross-range km", "max launch down-range km", "time of flight s", "miss m",
              "loft programme"):
        t.add_column(c, justify="right")
    for j, y in enumerate(env.y_m):
        okj = np.flatnonzero(env.ok[:, j])
        if okj.size:
            i = okj[-1]
            t.add_row(f"{y / 1e3:.1f}", f"{env.x_m[i] / 1e3:.1f}", f"{env.tof_s[i, j]:.1f}",
                      f"{env.miss_m[i, j]:.2f}", f"{env.loft[i, j]:.2f}")
        else:
            t.add_row(f"{y / 1e3:.1f}", "-", "-", "-", "-")
    out.print(t)
    try:
        if table_file is not None:
            xx, yy = np.meshgrid(env.x_m, env.y_m, indexing="ij")
            rows = np.stack([xx.ravel(), yy.ravel(), env.ok.ravel(), env.tof_s.ravel(),
                             env.miss_m.ravel(), env.loft.ravel()], axis=1)
            np.savetxt(table_file, rows, delimiter=",", fmt="%.6g",
                       header="x_m,y_m,ok,tof_s,miss_m,loft", comments="")
            out.print(f"wrote {table_file}", highlight=False)
        from skyshield.report.envelope_plot import plot_envelope

        plot_envelope(env, f"{missile}: launch envelope vs {target_speed:g} m/s target at "
                      f"{target_alt:g} m", out_file)
    except ImportError:
        _fail("the envelope plot needs matplotlib: pip install 'skyshield[plot]'")
    except OSError as exc:
        _fail(f"{exc.filename or out_file}: cannot write: {exc.strerror or exc}")
    out.print(f"wrote {out_file}", highlight=False)


@app.command()
def track(
    plots: Annotated[Path, typer.Argument(help="plots in the shared .npz format (times, meas, "
                                               "meas_scan, sigma[, radar_pos])")],
    out_file: Annotated[Path, typer.Option("--out", help="tracks .npz to write")] = Path(
        "tracks.npz"),
    filter_name: Annotated[str, typer.Option("--filter", help="cmkf, ekf, ukf or imm")] = "cmkf",
    association: Annotated[str, typer.Option(help="gnn or jpda")] = "gnn",
    q: Annotated[float, typer.Option(help="horizontal white-acceleration PSD (m²/s³); "
                                          "vertical q/100", min=1e-9)] = 1.0,
) -> None:
    """Track one radar's polar plots; write each scan's confirmed tracks (scan, track_id,
    state = x, y, z, vx, vy, vz). The last line printed is a JSON timing record."""
    from skyshield.tracking.standalone import (
        benchmark_params,
        read_plots,
        track_scans,
        write_tracks,
    )

    try:
        d = read_plots(plots)
        params = benchmark_params(filter_name, association, q, d)
    except ValueError as exc:
        _fail(f"{plots}: {exc}")
        return
    res = track_scans(d["times"], d["meas"], d["meas_scan"], d["sigma"], d["radar_pos"], params)
    atomic_write(out_file, lambda f: write_tracks(cast(Any, f), res))  # numpy takes a file
    n_conf = int(np.unique(res.track_id).size)
    out.print(f"{len(res.scan_s)} scans, {n_conf} confirmed tracks, {res.scan_s.mean() * 1e3:.3f}"
              f" ms per scan ({params.filter}, {params.association}); wrote {out_file}")
    print(json.dumps({"scans": int(res.scan_s.size), "mean_scan_s": float(res.scan_s.mean()),
                      "total_s": float(res.scan_s.sum()), "confirmed_tracks": n_conf,
                      "filter": params.filter, "association": params.association}))


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


if __name__ == "__main__":
    main()
