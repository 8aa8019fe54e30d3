"""Every figure of the built-in catalogue names a specific document, or says why it is assumed.

The rule (docs/catalogue.md, "Sourcing rule"): a ``source:`` names one public document (title,
author or publisher, year, and a page/section/chapter, or an address with its access date); no
vague provenance ("secondary sources", "hobby catalogues", "game databases", blogs, "e.g.", a
Wikipedia article without a dated revision). What cannot be sourced is ``assumed:`` with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from skyshield.scenario.catalogue import builtin_catalogue_path

YEAR = re.compile(r"\b(1[89]|20)\d\d\b")
URL = re.compile(r"https?://\S+")
ACCESSED = re.compile(r"accessed \d{4}-\d{2}-\d{2}")
LOCATOR = re.compile(r"\b(p\.|pp\.|page|section|sec\.|ch\.|chapter|table)\s*\S", re.I)
BANNED = ("secondary source", "hobby", "game database", "bhaswanth", "e.g.")


def figures(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping with a ``value`` key, with its dotted key path."""
    if isinstance(node, dict):
        if "value" in node:
            yield ".".join(path), node
            return
        for k, v in node.items():
            yield from figures(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from figures(v, (*path, str(i)))


def source_problems(text: str) -> list[str]:
    """Why ``text`` does not name a specific document (empty when it does)."""
    problems = []
    low = text.lower()
    for phrase in BANNED:
        if phrase in low:
            problems.append(f"vague phrase {phrase!r}")
    if "wikipedia" in low and "oldid" not in low:
        problems.append("Wikipedia without a dated revision (oldid)")
    if not YEAR.search(text):
        problems.append("no 4-digit year")
    if URL.search(text):
        if not ACCESSED.search(text):
            problems.append("address without 'accessed YYYY-MM-DD'")
    elif not LOCATOR.search(text):
        problems.append("neither an address nor a page/section/chapter")
    return problems


def _catalogue() -> list[tuple[str, dict[str, Any]]]:
    data = yaml.safe_load(builtin_catalogue_path().read_text(encoding="utf-8"))
    return list(figures(data))


def test_the_catalogue_has_figures():
    figs = _catalogue()
    assert len(figs) > 300
    assert sum("source" in f for _, f in figs) > 20


def test_every_figure_has_exactly_one_non_empty_provenance():
    bad = []
    for path, fig in _catalogue():
        given = [k for k in ("source", "assumed") if fig.get(k) is not None]
        if len(given) != 1 or not str(fig[given[0]]).strip():
            bad.append(path)
    assert bad == []


def test_every_source_names_a_specific_document():
    bad = {path: source_problems(str(fig["source"]))
           for path, fig in _catalogue() if fig.get("source") is not None}
    assert {p: v for p, v in bad.items() if v} == {}


@pytest.mark.parametrize("text", [
    # the kinds of text the catalogue held before the sourcing rule (issue "Sources are weak")
    "Wikipedia 'S-400 missile system' (system figure) [P] (600 km detection range)",
    "open secondary sources on S-400 missile families (hobby catalogues, game databases) [P2]",
    "public typical-RCS table, e.g. bhaswanth.in 'Radar Cross Section' (small fighter 1-5 m^2)",
    "secondary sources: S-125 Neva-M1T effective range about 25 km [P2]",
    "TASS article on the Pantsir-S1, https://tass.com/world/1123127",  # no year, no access date
    "Skolnik, Introduction to Radar Systems, 2001",  # no chapter or page
])
def test_vague_sources_are_rejected(text):
    assert source_problems(text)


@pytest.mark.parametrize("text", [
    "M. I. Skolnik, Introduction to Radar Systems, 3rd ed., McGraw-Hill, 2001, ch. 2",
    "TASS, 'Russian Pantsyr-S1 systems arrive in Serbia', 22 February 2020, "
    "https://tass.com/world/1123127, accessed 2026-12-06",
    "Wikipedia, 'S-400 missile system', https://en.wikipedia.org/w/index.php?oldid=1 "
    "(revision of 2026-11-30), accessed 2026-12-06",
])
def test_specific_sources_are_accepted(text):
    assert source_problems(text) == []
