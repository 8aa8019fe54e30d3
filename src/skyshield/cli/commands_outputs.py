"""Commands that read a run or the catalogue and write something else: ``report``, ``replay``,
``export``, ``coverage``, ``envelope`` and ``track``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from skyshield.cli.base import fail, load, need, out, read_run
from skyshield.cli.render import print_coverage, print_envelope
from skyshield.common.files import atomic_write, atomic_write_text

__all__ = ["coverage", "envelope", "export", "replay", "report", "track"]


def report(
    run_dir: Annotated[Path, typer.Argument(help="a run folder (skyshield run --out)")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="HTML file to write (default: RUN_DIR/report.html)")] = None,
) -> None:
    """Write the after-action report: one self-contained HTML page (works offline)."""
    run = read_run(run_dir)
    need(("matplotlib",), "the report", "plot")
    from skyshield.report.aar import write_report

    dest = out_file or run_dir / "report.html"
    try:
        write_report(run, dest)
    except OSError as exc:
        fail(f"{dest}: cannot write: {exc.strerror or exc}")
    out.print(f"wrote {dest}", highlight=False)


def replay(
    run_dir: Annotated[Path, typer.Argument(help="a run folder (skyshield run --out)")],
    port: Annotated[int, typer.Option(help="port on 127.0.0.1", min=1, max=65535)] = 8765,
    host: Annotated[str, typer.Option(help="address to bind (default: loopback only)")] =
        "127.0.0.1",
) -> None:
    """Serve the browser replay of a run on 127.0.0.1 (works offline): map, symbols, trails,
    play / pause / speed / slider, an event list that jumps the clock."""
    run = read_run(run_dir)
    need(("fastapi", "uvicorn"), "the replay", "web")
    from skyshield.web.replay import serve

    out.print(f"replay of {run_dir}: http://{host}:{port}/  (Ctrl-C to stop)", highlight=False)
    try:
        serve(run, host=host, port=port)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


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
        fail(f"--format: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    run = read_run(run_dir)
    text = to_format(run, fmt)
    name = str(run.summary.get("scenario", "run"))
    dest = out_file or run_dir / f"{name}.{'txt.acmi' if fmt == 'acmi' else fmt}"
    try:
        atomic_write_text(dest, text)
    except OSError as exc:
        fail(f"{dest}: cannot write: {exc.strerror or exc}")
    out.print(f"wrote {dest} ({len(text.encode()):,} bytes)", highlight=False)


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

    sc = load(scenario)
    world = compile_world(sc)
    cov = compute(world, target_rcs, altitude, pd_required, swerling, time)
    print_coverage(cov, target_rcs, altitude, pd_required)
    try:
        from skyshield.report.coverage_plot import plot_coverage

        when = "no jammer" if cov.t_s is None else f"jammers at t = {cov.t_s:.0f} s"
        plot_coverage(world, cov, f"{sc.name}: σ {target_rcs:g} m² at {altitude:g} m, "
                      f"Pd {pd_required:g}, {when}", out_file)
    except ImportError:
        fail("the coverage map needs matplotlib: pip install 'skyshield[plot]'")
    except OSError as exc:
        fail(f"{out_file}: cannot write: {exc.strerror or exc}")
    out.print(f"wrote {out_file}", highlight=False)


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
    import numpy as np

    from skyshield.scenario.catalogue import figure_values, load_catalogue
    from skyshield.scenario.errors import ScenarioError
    from skyshield.weapons.envelope import missile_envelope

    try:
        cat = load_catalogue(*([catalogue_file] if catalogue_file else []))
    except ScenarioError as e:
        fail(e)
    if missile not in cat.missiles:
        fail(f"unknown missile type {missile!r}; the catalogue has: "
             + ", ".join(sorted(cat.missiles)))
    v = figure_values(cat.missiles[missile])
    if v["airframe"] is None:
        fail(f"{missile} is a gun: it has no flyout envelope (its range is "
             f"{v['max_range_m'] / 1e3:g} km by the catalogue)")
    with out.status(f"flying {nx * ny} {missile} flyouts"):
        env = missile_envelope(v, target_speed, target_alt, nx=nx, ny=ny)
    print_envelope(env, missile, target_speed, target_alt)
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
        fail("the envelope plot needs matplotlib: pip install 'skyshield[plot]'")
    except OSError as exc:
        fail(f"{exc.filename or out_file}: cannot write: {exc.strerror or exc}")
    out.print(f"wrote {out_file}", highlight=False)


def track(
    plots: Annotated[Path, typer.Argument(help="plots in the shared .npz format (times, meas, "
                                               "meas_scan, sigma[, radar_pos])")],
    out_file: Annotated[Path, typer.Option("--out", help="tracks .npz to write")] = Path(
        "tracks.npz"),
    filter_name: Annotated[str, typer.Option(
        "--filter", help="imm (the default), cmkf, ekf or ukf")] = "imm",
    association: Annotated[str, typer.Option(help="gnn or jpda")] = "gnn",
    q: Annotated[float, typer.Option(help="horizontal white-acceleration PSD (m²/s³); "
                                          "vertical q/100", min=1e-9)] = 1.0,
) -> None:
    """Track one radar's polar plots; write each scan's confirmed tracks (scan, track_id,
    state = x, y, z, vx, vy, vz). The last line printed is a JSON timing record."""
    import numpy as np

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
        fail(f"{plots}: {exc}")
    res = track_scans(d["times"], d["meas"], d["meas_scan"], d["sigma"], d["radar_pos"], params)
    atomic_write(out_file, lambda f: write_tracks(cast(Any, f), res))  # numpy takes a file
    n_conf = int(np.unique(res.track_id).size)
    out.print(f"{len(res.scan_s)} scans, {n_conf} confirmed tracks, {res.scan_s.mean() * 1e3:.3f}"
              f" ms per scan ({params.filter}, {params.association}); wrote {out_file}")
    print(json.dumps({"scans": int(res.scan_s.size), "mean_scan_s": float(res.scan_s.mean()),
                      "total_s": float(res.scan_s.sum()), "confirmed_tracks": n_conf,
                      "filter": params.filter, "association": params.association}))
