"""The run folder: Parquet tables, JSON summary, resolved scenario and manifest, written atomically.

A run is written into a hidden temporary folder beside its destination and renamed into place
only when every file is complete, so an interrupted run never leaves a folder that looks
complete. ``manifest.json`` lists every file with its size and SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

__all__ = ["write_run_folder", "to_jsonable", "RUN_FILES", "read_run_folder", "RunFolder",
           "RunFolderError"]

RUN_FILES = ("events.parquet", "truth.parquet", "tracks.parquet", "summary.json",
             "scenario.resolved.yaml", "manifest.json")


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


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    # no creation timestamps or writer-specific metadata: same data, same bytes
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_run_folder(dest: Path, events: pd.DataFrame, truth: pd.DataFrame, tracks: pd.DataFrame,
                     summary: dict[str, Any], resolved_yaml: str, manifest: dict[str, Any],
                     overwrite: bool = False) -> Path:
    """Write the run folder ``dest`` atomically and return it."""
    dest = Path(dest)
    if dest.exists() and not overwrite:
        raise FileExistsError(f"{dest} already exists")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    try:
        _write_parquet(events, tmp / "events.parquet")
        _write_parquet(truth, tmp / "truth.parquet")
        _write_parquet(tracks, tmp / "tracks.parquet")
        (tmp / "summary.json").write_text(
            json.dumps(to_jsonable(summary), indent=2, sort_keys=False) + "\n", encoding="utf-8")
        (tmp / "scenario.resolved.yaml").write_text(resolved_yaml, encoding="utf-8")
        files = {}
        for name in RUN_FILES[:-1]:
            p = tmp / name
            files[name] = {"bytes": p.stat().st_size, "sha256": _sha256(p)}
        (tmp / "manifest.json").write_text(
            json.dumps(to_jsonable({**manifest, "files": files}), indent=2) + "\n",
            encoding="utf-8")
        for p in tmp.iterdir():
            with p.open("rb") as f:
                os.fsync(f.fileno())
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
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


def read_run_folder(path: str | Path, verify: bool = True) -> RunFolder:
    """Read a run folder; a missing or damaged file (its SHA-256 against the manifest, with
    ``verify``) raises :class:`RunFolderError` naming it."""
    root = Path(path)
    if not root.is_dir():
        raise RunFolderError(f"{root}: no such run folder")
    missing = [f for f in RUN_FILES if not (root / f).is_file()]
    if missing:
        raise RunFolderError(f"{root}: not a complete run folder (missing {', '.join(missing)})")
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        if verify:
            for name, info in (manifest.get("files") or {}).items():
                if _sha256(root / name) != info.get("sha256"):
                    raise RunFolderError(f"{root / name}: damaged (its SHA-256 differs from "
                                         "manifest.json)")
        summary = json.loads((root / "summary.json").read_text(encoding="utf-8"))
        scenario = yaml.safe_load((root / "scenario.resolved.yaml").read_text(encoding="utf-8"))
        events, truth, tracks = (pq.read_table(root / f).to_pandas() for f in RUN_FILES[:3])
    except RunFolderError:
        raise
    except (OSError, ValueError, yaml.YAMLError, pa.ArrowException) as exc:
        raise RunFolderError(f"{root}: unreadable run folder ({exc})") from None
    if not isinstance(scenario, dict):
        raise RunFolderError(f"{root / 'scenario.resolved.yaml'}: not a scenario")
    return RunFolder(root, events, truth, tracks, summary, manifest, scenario)
