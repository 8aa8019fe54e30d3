"""The run folder: Parquet tables, JSON summary, resolved scenario and manifest, written atomically.

A run is written into a hidden temporary folder beside its destination and renamed into place
only when every file is complete, so an interrupted run never leaves a folder that looks
complete. ``manifest.json`` lists every file with its size and SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from skyshield.common.files import atomic_folder, atomic_write_parquet, atomic_write_text

__all__ = ["write_run_folder", "to_jsonable", "RUN_FILES", "read_run_folder", "RunFolder",
           "RunFolderError"]

RUN_FILES = ("events.parquet", "truth.parquet", "tracks.parquet", "summary.json",
             "scenario.resolved.yaml", "rings.json", "manifest.json")


def to_jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        f = float(obj)
        return f if np.isfinite(f) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_run_folder(dest: Path, events: pd.DataFrame, truth: pd.DataFrame, tracks: pd.DataFrame,
                     summary: dict[str, Any], resolved_yaml: str, manifest: dict[str, Any],
                     overwrite: bool = False, *, rings: dict[str, Any]) -> Path:
    """Write the run folder ``dest`` atomically and return it. ``rings``: the laydown's
    coverage rings as a JSON document (``skyshield.analysis.rings``), stored as ``rings.json``
    so the report and the replay draw them without rebuilding the scenario."""
    dest = Path(dest)
    if dest.exists() and not overwrite:
        raise FileExistsError(f"{dest} already exists")
    with atomic_folder(dest, overwrite=overwrite) as tmp:
        # no creation timestamps or writer-specific metadata: same data, same bytes
        atomic_write_parquet(tmp / "events.parquet", events)
        atomic_write_parquet(tmp / "truth.parquet", truth)
        atomic_write_parquet(tmp / "tracks.parquet", tracks)
        atomic_write_text(tmp / "summary.json",
                          json.dumps(to_jsonable(summary), indent=2, sort_keys=False) + "\n")
        atomic_write_text(tmp / "scenario.resolved.yaml", resolved_yaml)
        atomic_write_text(tmp / "rings.json",
                          json.dumps(to_jsonable(rings), separators=(",", ":")) + "\n")
        files = {}
        for name in RUN_FILES[:-1]:
            p = tmp / name
            files[name] = {"bytes": p.stat().st_size, "sha256": _sha256(p)}
        atomic_write_text(tmp / "manifest.json",
                          json.dumps(to_jsonable({**manifest, "files": files}), indent=2) + "\n")
    return dest


class RunFolderError(Exception):
    """A folder that is not a complete, readable run folder (the message says why)."""


@dataclass
class RunFolder:
    """A run folder read back: its tables, summary, manifest and resolved scenario (as data)."""

    path: Path
    events: pd.DataFrame
    truth: pd.DataFrame
    tracks: pd.DataFrame
    summary: dict[str, Any]
    manifest: dict[str, Any]
    scenario: dict[str, Any]


# what the report, the replay and the exports read: a folder without these is refused
SUMMARY_KEYS = ("scenario", "seed", "sim_duration_s", "events_total", "threats_total",
                "threats_destroyed", "threats_leaked", "missiles_fired", "fratricide", "threats")
TABLE_COLUMNS = {
    # the typed columns (engine.events.EVENT_SCHEMA): a folder written before them is refused
    "events.parquet": ("t_s", "kind", "source", "truth_id", "track_id", "weapon_id", "target",
                       "value", "info", "pk", "t_pred_s", "count", "tag"),
    "truth.parquet": ("t_s", "entity_id", "x_m", "y_m", "z_m", "lat_deg", "lon_deg", "alt_m",
                      "name", "kind"),
    "tracks.parquet": ("t_s", "track_id", "status", "x_m", "y_m", "z_m", "sigma_pos_m",
                       "truth_id"),
}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _check_manifest(root: Path, manifest: Any, verify: bool) -> None:
    where = root / "manifest.json"
    if not isinstance(manifest, dict):
        raise RunFolderError(f"{where}: not a run manifest (a JSON object expected, got "
                             f"{type(manifest).__name__})")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise RunFolderError(f"{where}: no 'files' object listing the run's files")
    for name in RUN_FILES[:-1]:
        info = files.get(name)
        if not isinstance(info, dict) or not isinstance(info.get("sha256"), str):
            raise RunFolderError(f"{where}: files.{name}: no SHA-256")
        if verify and _sha256(root / name) != info["sha256"]:
            raise RunFolderError(f"{root / name}: damaged (its SHA-256 differs from "
                                 "manifest.json)")


def _check_summary(root: Path, summary: Any) -> None:
    where = root / "summary.json"
    if not isinstance(summary, dict):
        raise RunFolderError(f"{where}: not a run summary (a JSON object expected)")
    missing = [k for k in SUMMARY_KEYS if k not in summary]
    if missing:
        raise RunFolderError(f"{where}: incomplete summary (missing {', '.join(missing)})")
    if not isinstance(summary["threats"], list) or not all(
            isinstance(t, dict) and "id" in t for t in summary["threats"]):
        raise RunFolderError(f"{where}: threats: a list of per-vehicle objects expected")
    if not _is_number(summary["sim_duration_s"]):
        raise RunFolderError(f"{where}: sim_duration_s: a number expected "
                             f"(got {summary['sim_duration_s']!r})")


def _check_scenario(root: Path, sc: Any) -> None:
    where = root / "scenario.resolved.yaml"
    if not isinstance(sc, dict):
        raise RunFolderError(f"{where}: not a scenario")
    o = sc.get("origin")
    if not isinstance(o, dict) or not all(_is_number(o.get(k)) for k in ("lat", "lon")):
        raise RunFolderError(f"{where}: origin: lat and lon expected")
    for key in ("units", "assets"):
        group = sc.get(key) or {}
        if not isinstance(group, dict):
            raise RunFolderError(f"{where}: {key}: a mapping expected")
        for name, item in group.items():
            if not isinstance(item, dict) or not all(_is_number(item.get(k))
                                                     for k in ("lat", "lon")):
                raise RunFolderError(f"{where}: {key}.{name}: lat and lon expected")


def _read(root: Path, name: str, load: Any) -> Any:
    try:
        return load(root / name)
    except (OSError, ValueError, yaml.YAMLError, pa.ArrowException) as exc:
        text = str(exc).strip()
        first = text.splitlines()[0] if text else type(exc).__name__
        raise RunFolderError(f"{root / name}: unreadable ({first})") from None


def read_run_folder(path: str | Path, verify: bool = True) -> RunFolder:
    """Read a run folder and check it: the manifest (an object listing every file with its
    SHA-256, checked against the file with ``verify``), the summary keys, the tables' columns
    and the resolved scenario's origin and sites. Anything missing, damaged or malformed raises
    :class:`RunFolderError` with a one-line message naming the file."""
    root = Path(path)
    if not root.is_dir():
        raise RunFolderError(f"{root}: no such run folder")
    missing = [f for f in RUN_FILES if not (root / f).is_file()]
    if missing:
        raise RunFolderError(f"{root}: not a complete run folder (missing {', '.join(missing)})")
    manifest = _read(root, "manifest.json", lambda p: json.loads(p.read_text(encoding="utf-8")))
    _check_manifest(root, manifest, verify)
    summary = _read(root, "summary.json", lambda p: json.loads(p.read_text(encoding="utf-8")))
    _check_summary(root, summary)
    scenario = _read(root, "scenario.resolved.yaml",
                     lambda p: yaml.safe_load(p.read_text(encoding="utf-8")))
    _check_scenario(root, scenario)
    tables = []
    for name in RUN_FILES[:3]:
        df = _read(root, name, lambda p: pq.read_table(p).to_pandas())
        lacking = [c for c in TABLE_COLUMNS[name] if c not in df.columns]
        if lacking:
            raise RunFolderError(f"{root / name}: missing columns {', '.join(lacking)}")
        tables.append(df)
    events, truth, tracks = tables
    return RunFolder(root, events, truth, tracks, summary, manifest, scenario)
