"""The Python API: load a scenario, run it, get pandas tables and a summary back."""

from __future__ import annotations

import hashlib
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from skyshield._version import __version__
from skyshield.analysis.chains import chain_summary
from skyshield.analysis.picture import picture_quality
from skyshield.analysis.scoring import ScoreWeights, score_exercise
from skyshield.analysis.summary import summarise
from skyshield.engine.names import CATEGORIES, SIDES
from skyshield.geo import enu_to_geodetic
from skyshield.io.runfolder import write_run_folder
from skyshield.physics.lethality import sspk_circular_normal
from skyshield.scenario.catalogue import Catalogue
from skyshield.scenario.loader import load_scenario as _load_scenario
from skyshield.scenario.loader import scenario_catalogue
from skyshield.scenario.schema import Scenario
from skyshield.sim.run import SimOutput, simulate

__all__ = ["load_scenario", "run", "RunResult", "resolved_yaml", "result_of", "__version__"]


def load_scenario(path_or_name: str | Path) -> Scenario:
    """A built-in scenario by name (``"slavic-shield-2019"``) or a scenario YAML file.

    Raises :class:`skyshield.ScenarioError` listing every problem with file and line.
    """
    return _load_scenario(path_or_name)


@dataclass
class RunResult:
    """One run: the event log, truth and tracks as DataFrames, and the summary."""

    scenario: Scenario
    seed: int
    events: pd.DataFrame
    truth: pd.DataFrame
    tracks: pd.DataFrame
    vehicles: pd.DataFrame
    summary: dict[str, Any]
    wall_time_s: float
    manifest: dict[str, Any] = field(default_factory=dict)

    def save(self, out_dir: str | Path, overwrite: bool = False) -> Path:
        """Write the run folder (atomically) and return its path; the laydown's coverage
        rings are computed here, once, and stored with the run (``rings.json``)."""
        from skyshield.analysis.rings import coverage_rings, rings_document
        from skyshield.sim.world import compile_world

        rings = rings_document(coverage_rings(compile_world(self.scenario)))
        return write_run_folder(Path(out_dir), self.events, self.truth, self.tracks,
                                self.summary, resolved_yaml(self.scenario, self.seed),
                                self.manifest, overwrite=overwrite, rings=rings)


def _used_catalogue(scenario: Scenario, cat: Catalogue) -> dict[str, Any]:
    fus = {u.type for u in scenario.units.values()}
    radars = {r for f in fus for r in cat.fire_units[f].radars}
    missiles = {m for f in fus for m in cat.fire_units[f].loadout}
    for u in scenario.units.values():
        missiles |= set(u.loadout or {})
    vehicles = {r.type for r in scenario.threats.values()} | \
        {r.type for r in scenario.friendlies.values()} | {r.type for r in scenario.raids.values()}
    dump = lambda d, keys: {k: d[k].model_dump(exclude_none=True) for k in sorted(keys)}  # noqa: E731
    return {"radars": dump(cat.radars, radars), "missiles": dump(cat.missiles, missiles),
            "fire_units": dump(cat.fire_units, fus), "air_vehicles": dump(cat.air_vehicles,
                                                                          vehicles)}


def resolved_yaml(scenario: Scenario, seed: int) -> str:
    """The scenario with every default filled in (SI units), the run's seed, and the catalogue
    entries it used with their sources, as YAML. The scenario part loads again as it is."""
    data = scenario.model_dump(mode="json", by_alias=True)
    if data.get("command") is None:  # no command chains: the file as before they existed
        data.pop("command", None)
    data["seed"] = int(seed)
    cat = scenario_catalogue(scenario)
    head = ("# Resolved scenario: every default filled in, SI units (m, m/s, s).\n"
            "# The catalogue entries used (with their sources) follow as comments.\n")
    used = yaml.safe_dump(_used_catalogue(scenario, cat), sort_keys=False, allow_unicode=True)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return head + body + "\n# catalogue entries used:\n" + "".join(
        f"# {line}\n" for line in used.splitlines())


def run(scenario: Scenario | str | Path, seed: int | None = None,
        progress: Callable[[float], None] | None = None) -> RunResult:
    """Run a scenario once. ``seed`` defaults to the scenario's own seed."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    t0 = time.perf_counter()
    out = simulate(sc, seed, progress)
    return result_of(sc, out, time.perf_counter() - t0)


def magazines_table(w: Any) -> pd.DataFrame:
    """One row per (unit, missile type) a unit holds at the start: rounds loaded, rounds on
    its transloaders, price per round (NaN: not known)."""
    u, mt = w.units, w.missiles
    cost = np.array([np.nan if w.catalogue.missiles[m].cost_usd is None
                     else w.catalogue.missiles[m].cost_usd.value for m in mt.name], dtype=float)
    inv0, stock0 = u.initial_inventory, u.initial_stock
    rows = [{"unit": u.name[i], "missile": mt.name[m], "loaded": int(inv0[i, m]),
             "reloads": int(stock0[i, m]), "cost_usd": cost[m]}
            for i in range(len(u.name)) for m in range(len(mt.name))
            if inv0[i, m] or stock0[i, m]]
    return pd.DataFrame(rows, columns=["unit", "missile", "loaded", "reloads", "cost_usd"])


def result_of(sc: Scenario, out: SimOutput, wall: float,
              sim_duration_s: float | None = None) -> RunResult:
    """The tables, summary and manifest of a finished simulation (a batch run's, or a live
    exercise's, ``sim.live.LiveExercise.output``). ``sim_duration_s``: the instant it ran to,
    if not the scenario's duration (a live exercise ended or stopped early)."""
    w = out.world
    v = w.vehicles
    vehicles = pd.DataFrame({
        "name": v.name, "type": v.type,
        "category": [CATEGORIES[c] for c in v.category],
        "side": [SIDES[s] for s in v.side],
        "t_start_s": v.t_start_s, "t_end_s": v.t_end_s,
    })
    vehicles.index.name = "id"
    events = pd.DataFrame(out.events)
    tracks = pd.DataFrame(out.tracks)
    truth = pd.DataFrame(out.truth)
    if len(truth):
        lat, lon, alt = enu_to_geodetic(truth[["x_m", "y_m", "z_m"]].to_numpy(), *w.origin)
        truth["lat_deg"], truth["lon_deg"], truth["alt_m"] = np.degrees(lat), np.degrees(lon), alt
    else:
        truth["lat_deg"] = truth["lon_deg"] = truth["alt_m"] = np.zeros(0)
    # entity names and kinds: air vehicles by truth id, interceptors (negative ids) by weapon id
    eid = truth["entity_id"].to_numpy()
    launches = events[events["kind"] == "launch"]
    wids = launches["weapon_id"].to_numpy()
    n_air, n_wpn = len(v.name), int(wids.max()) if wids.size else 0
    names = np.empty(n_air + n_wpn + 1, dtype=object)
    kinds = np.empty(n_air + n_wpn + 1, dtype=object)
    names[:n_air] = v.name
    kinds[:n_air] = [SIDES[s] for s in v.side]
    names[n_air + wids] = [f"{m}#{w}" for m, w in zip(launches["target"], wids, strict=True)]
    kinds[n_air:] = "interceptor"
    row = np.where(eid >= 0, eid, n_air - eid)
    truth["name"], truth["kind"] = names[row], kinds[row]
    summary = summarise(events, vehicles,
                        pd.DataFrame({"name": w.assets.name, "value": w.assets.value}),
                        sc.name, out.seed,
                        sc.duration if sim_duration_s is None else sim_duration_s, wall,
                        nominal_pk=dict(zip(w.missiles.name,
                                            np.where(w.missiles.is_gun, np.nan,
                                                     sspk_circular_normal(
                                                         w.missiles.lethal_radius_m,
                                                         w.missiles.terminal_sigma_m)),
                                            strict=True)),
                        magazines=magazines_table(w))
    summary["air_picture"] = picture_quality(out.truth, out.picture)
    if sc.command is not None:  # command chains: per post, and each post's own picture
        summary["command"] = chain_summary(
            events, {n: list(p.units) for n, p in sc.command.posts.items()}, sc.command.host)
        summary["command"]["post_pictures"] = {
            n: {k: v for k, v in picture_quality(out.truth, pic).items() if k != "series"}
            for n, pic in out.post_pictures.items()}
    # wall-clock figures come from the run's timing, never from the (deterministic) event log
    st = np.asarray(out.timing.get("solver_time_s", np.zeros(0)), dtype=float)
    summary["fire_control"]["solver_time_mean_s"] = round(float(st.mean()), 6) if st.size else None
    summary["fire_control"]["solver_time_max_s"] = round(float(st.max()), 6) if st.size else None
    sw = sc.scoring
    summary["scoring"] = score_exercise(
        events, summary["threats"], truth, list(w.units.name), w.units.pos_m[:, :2],
        w.reach_m if w.reach_m is not None else np.zeros(len(w.units.name)),
        dict(zip(w.assets.name, w.assets.value.astype(float), strict=True)),
        ScoreWeights(sw.kills, sw.leakers, sw.value, sw.economy, sw.reaction,
                     sw.reaction_reference, sw.fratricide_penalty))
    text = resolved_yaml(sc, out.seed)
    manifest = {
        "skyshield_version": __version__,
        "scenario": sc.name,
        "seed": out.seed,
        "scenario_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "wall_time_s": round(wall, 3),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    return RunResult(sc, out.seed, events, truth, tracks, vehicles, summary, wall, manifest)
