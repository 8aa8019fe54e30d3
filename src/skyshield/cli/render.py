"""What the commands print: the rich tables and progress displays (data in, text out; no
command logic). Everything prints to the consoles of :mod:`skyshield.cli.base`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from skyshield.cli.base import err, out

if TYPE_CHECKING:
    from skyshield.analysis.coverage import Coverage
    from skyshield.scenario.catalogue import Catalogue
    from skyshield.weapons.envelope import Envelope

__all__ = ["print_aggregate", "print_catalogue", "print_coverage", "print_envelope",
           "print_scenarios", "print_summary", "print_sweep", "run_progress", "study_progress",
           "tick"]


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
    dc = s.get("decoys") or {}
    if dc.get("total"):
        out.print(f"decoys: {dc['total']}, {dc['engaged']} engaged, {dc['destroyed']} destroyed;"
                  f" missiles spent on them: {dc['missiles_spent']} "
                  f"({(dc.get('share_of_missiles') or 0) * 100:.0f} % of those fired)",
                  highlight=False)
    am = s.get("ammunition") or {}
    if am.get("by_unit"):
        left = ", ".join(
            f"{u} {sum(m['ready'] for m in ms.values())} ready"
            f"+{sum(m['being_loaded'] + m['on_transloaders'] for m in ms.values())} reloads"
            for u, ms in am["by_unit"].items())
        unknown = am.get("rounds_of_unknown_cost") or 0
        out.print(f"ammunition at the end: {left}; spent USD "
                  f"{(am.get('cost_spent_usd') or 0) / 1e6:.2f} m"
                  + (f" (+{unknown} rounds of unknown price)" if unknown else ""),
                  highlight=False)
    ap = s.get("air_picture") or {}
    if ap.get("samples"):
        si = ap["siap"]
        out.print(f"air picture: GOSPA {ap['gospa_mean_m']:g} m mean (c {ap['gospa_c_m']:g} m; "
                  f"localisation {ap['gospa_localisation_mean_m']:g} m, "
                  f"{ap['gospa_missed_mean']:g} missed, {ap['gospa_false_mean']:g} false per "
                  f"sample); SIAP completeness {si['completeness']}, ambiguity "
                  f"{si['ambiguity']}, spuriousness {si['spuriousness']}, "
                  f"{si['id_changes']} track-number changes ({si['id_swaps']} ID swaps), "
                  f"{si['track_breaks']} breaks", highlight=False)


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


def print_sweep(spec: dict[str, Any], metrics: str) -> None:
    """A sweep's points (``sweep.json``): each metric's mean [95 % interval] by point."""
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


def print_scenarios(scenarios: dict[str, str]) -> None:
    """The built-in scenarios, by name with their descriptions."""
    t = Table()
    t.add_column("name")
    t.add_column("description")
    for name, desc in scenarios.items():
        t.add_row(name, desc)
    out.print(t)


def print_catalogue(cat: Catalogue) -> None:
    """The catalogue's system types by kind, and every radar against its reference target
    (range from the radar equation at the calibration Pd and Pfa vs the published range)."""
    from skyshield.scenario.catalogue import (
        CALIBRATION_PD,
        CALIBRATION_PFA,
        CALIBRATION_SWERLING,
        calibrated_range_m,
    )

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


def print_coverage(cov: Coverage, target_rcs: float, altitude: float,
                   pd_required: float) -> None:
    """Each radar's detection range around it, clear and jammed."""
    import numpy as np

    t = Table(title=f"Detection range, km (σ = {target_rcs:g} m², {altitude:g} m above the "
              f"terrain, Pd {pd_required:g} per scan)")
    for c in ("radar", "clear min", "clear max", "jammed min", "jammed median", "jammed max"):
        t.add_column(c, justify="left" if c == "radar" else "right")
    for name, r, r0 in zip(cov.radar, cov.range_m, cov.range_no_jam_m, strict=True):
        t.add_row(name, *(f"{v / 1e3:.1f}" for v in (r0.min(), r0.max(), r.min(),
                                                      float(np.median(r)), r.max())))
    out.print(t)


def print_envelope(env: Envelope, missile: str, target_speed: float, target_alt: float) -> None:
    """The farthest launch down-range at each cross-range of a launch envelope."""
    import numpy as np

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


def run_progress(quiet: bool) -> Progress:
    """The progress bar of a run: simulated seconds (on stderr; none with ``quiet``)."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                    TextColumn("{task.completed:>6.0f}/{task.total:.0f} s simulated"),
                    TimeElapsedColumn(), console=err, disable=quiet, transient=True)


def study_progress(label: str, quiet: bool) -> Progress:
    """The progress bar of a study or a sweep: replications, rate, time left."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                    TextColumn("{task.completed:>5.0f}/{task.total:.0f} replications"),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                    TextColumn("left"), TimeRemainingColumn(), console=err, disable=quiet,
                    transient=True)


def tick(bar: Progress, label: str) -> Callable[[int, int], None]:
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
