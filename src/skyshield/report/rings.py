"""The rings of an after-action laydown, for the report and the replay, as the run folder
stores them: ``rings.json``, each radar's horizon-limited detection coverage against a reference
target at a low and at a high altitude, computed once when the run was written
(:mod:`skyshield.analysis.rings`). Nothing here rebuilds the scenario: the rings are the run's
own, whatever has become of its catalogue or terrain files since.

A run folder without ``rings.json`` (written before the file existed) is refused by
:func:`skyshield.io.runfolder.read_run_folder` as incomplete; run the scenario again (the same
seed gives the same fight).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from skyshield.analysis.rings import (
    COVERAGE_AGL_M,
    COVERAGE_PD,
    COVERAGE_RCS_M2,
    CoverageRing,
    rings_from_document,
)
from skyshield.io.runfolder import RunFolder, RunFolderError

__all__ = ["CoverageRing", "LaydownRings", "coverage_rings", "load_rings", "RINGS_FILE",
           "COVERAGE_RCS_M2", "COVERAGE_AGL_M", "COVERAGE_PD"]

RINGS_FILE = "rings.json"


@dataclass(frozen=True)
class LaydownRings:
    reference: dict[str, Any]  # rcs_m2, pd, agl_m (list), n_az
    rings: list[CoverageRing]


def load_rings(run: RunFolder) -> LaydownRings:
    """The run folder's ``rings.json``; unreadable or malformed, a :class:`RunFolderError`
    naming the file (one line)."""
    path = run.path / RINGS_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        reference, rings = rings_from_document(doc)
    except (OSError, ValueError) as exc:
        text = str(exc).strip()
        first = text.splitlines()[0] if text else type(exc).__name__
        raise RunFolderError(f"{path}: unreadable ({first})") from None
    return LaydownRings(reference, rings)


def coverage_rings(run: RunFolder) -> list[CoverageRing]:
    """Every radar's coverage polygon at each reference height, as the run stored them."""
    return load_rings(run).rings
