"""Where a command writes when it is not told: the default names of run, study, sweep and live
exercise folders (one policy for every command).

``runs/<scenario>-<seed>-<time>``, ``studies/<scenario>-mc-<time>``,
``studies/<scenario>-sweep-<time>`` and ``live/<scenario>-<time>``, relative to the working
folder, where ``<time>`` is the UTC instant as ``YYYYMMDDTHHMMSSZ`` (sorts as it reads).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["RUN_DIR_KINDS", "default_run_dir", "folder_name", "timestamp"]

# kind -> (parent folder, infix between the name and the time)
RUN_DIR_KINDS = {
    "run": ("runs", ""),
    "montecarlo": ("studies", "-mc"),
    "sweep": ("studies", "-sweep"),
    "live": ("live", ""),
}


def timestamp(now: datetime | None = None) -> str:
    """``now`` (default: the current instant) in UTC as ``YYYYMMDDTHHMMSSZ``."""
    t = datetime.now(UTC) if now is None else now.astimezone(UTC)
    return t.strftime("%Y%m%dT%H%M%SZ")


def default_run_dir(kind: str, name: str, now: datetime | None = None,
                    seed: int | None = None) -> Path:
    """The default folder of a ``kind`` (run, montecarlo, sweep or live) of the scenario
    ``name``; a run's name carries its ``seed``."""
    try:
        parent, infix = RUN_DIR_KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown folder kind {kind!r} (known: "
                         f"{', '.join(RUN_DIR_KINDS)})") from None
    if kind == "run":
        if seed is None:
            raise ValueError("a run folder's name needs the seed")
        infix = f"-{seed}"
    return Path(parent) / f"{folder_name(name)}{infix}-{timestamp(now)}"


def folder_name(name: str) -> str:
    """``name`` as one folder name: letters and digits of any script, '_' and '-' kept, every
    other run of characters (path separators, dots, spaces) one '_' — a scenario named
    ``../../x`` never writes outside its parent folder."""
    return re.sub(r"[^\w\-]+", "_", name).strip("_") or "scenario"
