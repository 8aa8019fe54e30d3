"""The live exercise: ``serve`` (the wall-clock engine with its browser roles, journal and DIS
bridge)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from skyshield.cli.base import fail, load, out
from skyshield.common.files import atomic_write_text
from skyshield.common.naming import default_run_dir

__all__ = ["serve"]


def _hostport(text: str, what: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    try:
        p = int(port)
    except ValueError:
        p = -1
    if not sep or not host or not 0 < p < 65536:
        fail(f"{what}: expected HOST:PORT (got {text!r})")
    return host, p


def _listen(text: str | None, host: str) -> tuple[str, int] | None:
    """``--dis-listen [HOST:]PORT``: the address to bind, ``host`` if none is given."""
    if text is None:
        return None
    return _hostport(text, "--dis-listen") if ":" in text else _hostport(f"{host}:{text}",
                                                                           "--dis-listen")


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
        fail("the live server needs the web extra: pip install 'skyshield[web]'")
    from skyshield.sim.live import JournalError, read_meta

    # every option is checked before anything is created
    if approval_default not in ("approve", "deny"):
        fail(f"--approval-default: approve or deny (got {approval_default!r})")
    dis_target = _hostport(dis_to, "--dis") if dis_to else None
    listen = _listen(dis_listen, host)
    folder = resume or out_dir
    if resume is not None:
        if not (resume / "live.json").is_file():
            fail(f"{resume}: no live exercise to resume here (no live.json)")
        try:
            seed, appr = read_meta(resume)
        except JournalError as exc:
            fail(str(exc))
        sc = load(str(resume / "scenario.resolved.yaml") if scenario is None else scenario)
    else:
        if scenario is None:
            fail("give a SCENARIO (or --resume FOLDER)")
        sc = load(scenario)
        if folder is None:
            folder = default_run_dir("live", sc.name)
        if folder.exists() and any(folder.iterdir()):
            fail(f"{folder}: exists and is not empty; --resume {folder} continues it")
        appr = (approval_timeout, approval_default == "approve") if approval else None
    if tokens is not None:
        try:
            Roles.from_file(tokens, list(sc.units))
        except ValueError as exc:
            fail(str(exc))
    assert folder is not None
    created = None
    if resume is None:
        from skyshield.api import resolved_yaml

        created = folder if not folder.exists() else None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write_text(folder / "scenario.resolved.yaml",
                              resolved_yaml(sc, sc.seed if seed is None else seed))
        except OSError as exc:
            fail(f"{folder}: cannot create the exercise folder: {exc.strerror or exc}")

    def refused(message: str) -> NoReturn:
        # a start refused before the exercise began leaves no folder behind (else the next
        # start with the same --out would be told to resume it)
        if resume is None and folder is not None and not (folder / "commands.jsonl").exists() \
                and not (folder / "events.jsonl").exists():
            for name in ("scenario.resolved.yaml", "live.json", "tokens.json"):
                (folder / name).unlink(missing_ok=True)
            if created is not None:
                shutil.rmtree(created, ignore_errors=True)
        fail(message)

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
        fail(f"{folder / 'run'}: cannot write the run folder: {exc.strerror or exc}")
    out.print(f"stopped at T+{ex.t:.0f} s; run folder: {path}", highlight=False)
