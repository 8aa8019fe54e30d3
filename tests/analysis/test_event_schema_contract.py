"""The event schema is a contract (``skyshield.engine.events``): every event the simulation
emits has a ``tag`` from its kind's vocabulary (:data:`EVENT_TAGS`) where its kind has one and
none where it has not, and fills only the columns :data:`EVENT_SCHEMA` lists for its kind; every
other column holds its null (-1, NaN or ""). ``info`` is free text for people on any kind and
is not checked here (nothing reads it: tests/analysis/test_no_info_parsing.py).

Three small runs: the after-action scenario, the Monte Carlo scenario, and the after-action
scenario with the Kub-M cut off from the command post at 1 s under cued emission control (link
loss, autonomous and duplicate engagements, radars switched on and off, aborted launches)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import skyshield
from skyshield.engine.events import EVENT_COLUMNS, EVENT_KINDS, EVENT_SCHEMA, EVENT_TAGS

DATA = Path(__file__).resolve().parents[1] / "data"
FLOAT_COLS = ("value", "x_m", "y_m", "z_m", "pk", "t_pred_s")
NULL = {"source": "", "target": "", "tag": "", "truth_id": -1, "track_id": -1,
        "weapon_id": -1, "count": -1}


def _cut_off(tmp: Path) -> Path:
    d = yaml.safe_load((DATA / "aar_small.yaml").read_text(encoding="utf-8"))
    d.setdefault("c2", {})["links_lost"] = [{"unit": "kub", "at": "1 s"}]
    d["units"]["kub"]["emcon"] = {"mode": "cued"}
    path = tmp / "aar_small_cut_off.yaml"
    path.write_text(yaml.safe_dump(d), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def logs(tmp_path_factory, aar_small_run) -> dict[str, pd.DataFrame]:
    tmp = tmp_path_factory.mktemp("contract")
    return {"aar_small": aar_small_run.events,
            "mc_small": skyshield.run(DATA / "mc_small.yaml").events,
            "aar_small_cut_off": skyshield.run(_cut_off(tmp), seed=2).events}


def _filled(col: pd.Series, name: str) -> np.ndarray:
    if name in FLOAT_COLS:
        return col.notna().to_numpy()
    return (col != NULL[name]).to_numpy()


def schema_violations(ev: pd.DataFrame) -> list[str]:
    """What in the log breaks the schema: unknown kinds or columns, tags outside the kind's
    vocabulary, columns filled that the kind's schema entry does not list."""
    out = [f"columns {list(ev.columns)} are not the log's {list(EVENT_COLUMNS)}"] \
        if tuple(ev.columns) != EVENT_COLUMNS else []
    for kind, g in ev.groupby("kind", sort=True):
        if kind not in EVENT_KINDS:
            out.append(f"{kind}: not a kind of the schema")
            continue
        listed = set(EVENT_SCHEMA[kind][1])
        if "x_m" in listed:  # a position is x, y and z
            listed |= {"y_m", "z_m"}
        vocab = set(EVENT_TAGS.get(kind, ()))
        tags = set(g["tag"].astype(str))
        if "tag" in listed and not tags <= vocab:
            out.append(f"{kind}: tags {sorted(tags - vocab)} outside {sorted(vocab)}")
        for c in EVENT_COLUMNS:
            if c in ("t_s", "kind", "info") or c in listed:
                continue
            filled = _filled(g[c], c)
            if filled.any():
                out.append(f"{kind}: fills {c} ({int(filled.sum())} of {len(g)}, e.g. "
                           f"{g[c].to_numpy()[filled][0]!r}), not in its schema entry")
    return out


def test_every_event_keeps_to_its_kinds_schema(logs):
    problems = {name: schema_violations(ev) for name, ev in logs.items()}
    assert not any(problems.values()), problems


def test_the_runs_exercise_the_vocabularies_they_are_checked_on(logs):
    """The contract is checked on events that have tags: outcomes of intercepts, sides,
    engagement modes, emission, assessments (a run that emitted none would prove nothing)."""
    ev = pd.concat(list(logs.values()), ignore_index=True)
    seen = {(k, t) for k, t in zip(ev["kind"], ev["tag"], strict=True) if t}
    for pair in [("intercept", "hit"), ("intercept", "missed"), ("kill", "hostile"),
                 ("spawn", "hostile"), ("spawn", "friendly"), ("engage", "joint"),
                 ("engage", "duplicate"), ("emission", "on"), ("emission", "off"),
                 ("kill_assessed", "killed"), ("impact", "asset"), ("launch", "missile"),
                 ("classified", "kinematics"), ("track_dropped", "coasted out")]:
        assert pair in seen, pair
    assert {"link_lost", "launch_aborted", "no_fire", "assignment"} <= set(ev["kind"])


def test_the_check_finds_what_breaks_the_contract(logs):
    ev = logs["aar_small"].copy()
    assert not schema_violations(ev)
    i = ev.index[ev["kind"] == "intercept"][0]
    j = ev.index[ev["kind"] == "scan"][0]
    k = ev.index[ev["kind"] == "spawn"][0]
    ev.loc[i, "tag"] = "hit; pk=0.5"  # a word outside the vocabulary
    ev.loc[j, "pk"] = 0.5  # a scan has no kill probability
    ev.loc[k, "track_id"] = 3  # a spawn has no track
    found = schema_violations(ev)
    assert len(found) == 3, found
    assert any("intercept: tags ['hit; pk=0.5']" in f for f in found)
    assert any(f.startswith("scan: fills pk") for f in found)
    assert any(f.startswith("spawn: fills track_id") for f in found)
