"""Count the provenance of the catalogue's figures: how many are sourced, how many assumed, and
what kind of document each ``source:`` names.

    python bench/catalogue_sources.py [FILE ...] [--git REV] [--markdown FILE]

With no FILE, the built-in catalogue (``skyshield/scenario/catalogue/default.yaml``) is read.
``--git REV`` reads the built-in catalogue as it was at a git revision instead (for example
``--git HEAD~3``), so a before/after comparison needs no copy of the old file.

A *figure* is any mapping with a ``value`` key (the ``Figure`` model of
``skyshield.scenario.catalogue``). Each ``source:`` text is put in the first kind whose pattern
it matches, in the order of ``KINDS`` below; a source text that cites several documents counts
once, under the first kind that matches. "vague" marks the texts the sourcing rule bans (no named
document: "secondary sources", "hobby catalogues", "game databases", a blog, a bare Wikipedia
without a dated revision); the test ``tests/scenario/test_catalogue_sources.py`` keeps that
column at zero.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

BUILTIN = Path(__file__).resolve().parents[1] / "src/skyshield/scenario/catalogue/default.yaml"
BUILTIN_REL = "src/skyshield/scenario/catalogue/default.yaml"

# (kind, pattern) in priority order; the first match names the kind of a source text.
KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("vague (banned)", re.compile(
        r"secondary source|hobby|game database|bhaswanth|\be\.g\.|"
        r"^(?!.*oldid).*wikipedia", re.I | re.S)),
    ("Wikipedia, dated revision (oldid)", re.compile(r"oldid", re.I)),
    ("exporter / manufacturer", re.compile(
        r"rosoboronexport|almaz|KBP|instrument design bureau|general atomics|aerovironment|"
        r"lockheed|raytheon|mikoyan|manufacturer", re.I)),
    ("official statement / news agency or newspaper", re.compile(
        r"ministry of defen[cs]e|\bMoD\b|TASS|Reuters|press release|RIA Novosti|Tanjug|Sputnik|"
        r"Xinhua|People's Daily|ruwar\.org", re.I)),
    ("US government document", re.compile(
        r"U\.?S\.? Air Force|U\.?S\.? Navy|U\.?S\.? Army|Congressional Research|\bCRS\b|"
        r"\bGAO\b|Department of Defense|\bDoD\b|fact (sheet|file)", re.I)),
    ("IISS / Jane's", re.compile(r"IISS|Military Balance|Jane'?s", re.I)),
    ("textbook", re.compile(
        r"Skolnik|Mahafza|Zarchan|Barton|Richards|Blake|Stimson|Nathanson|Knott|Ball\b", re.I)),
    ("peer-reviewed paper", re.compile(
        r"doi|journal|IEEE|IEICE|proceedings|conference|Trans\.", re.I)),
]


def figures(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    """Every figure (a mapping with a ``value`` key) under ``node``, with its key path."""
    if isinstance(node, dict):
        if "value" in node:
            yield path, node
            return
        for k, v in node.items():
            yield from figures(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from figures(v, (*path, str(i)))


def kind_of(source: str) -> str:
    for name, pattern in KINDS:
        if pattern.search(source):
            return name
    return "other named document"


def section_of(path: tuple[str, ...]) -> str:
    """radars / missiles / missile airframes / fire units / air vehicles."""
    if path[0] == "missiles" and len(path) > 2 and path[2] in ("airframe", "gun"):
        return f"missiles: {path[2]}"
    return path[0]


def count(data: Any) -> tuple[Counter[str], Counter[str], Counter[str], int]:
    """(sourced per section, assumed per section, sourced per kind, figures)."""
    sourced: Counter[str] = Counter()
    assumed: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    n = 0
    for path, fig in figures(data):
        n += 1
        sec = section_of(path)
        if fig.get("source") is not None:
            sourced[sec] += 1
            kinds[kind_of(str(fig["source"]))] += 1
        if fig.get("assumed") is not None:
            assumed[sec] += 1
    return sourced, assumed, kinds, n


def load(args: argparse.Namespace) -> list[tuple[str, Any]]:
    if args.git:
        text = subprocess.run(["git", "show", f"{args.git}:{BUILTIN_REL}"], check=True,
                              capture_output=True, text=True,
                              cwd=BUILTIN.parents[4]).stdout
        return [(f"{BUILTIN_REL} at {args.git}", yaml.safe_load(text))]
    files = args.files or [BUILTIN]
    return [(str(f), yaml.safe_load(Path(f).read_text(encoding="utf-8"))) for f in files]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--git", metavar="REV", help="read the built-in catalogue at a git revision")
    ap.add_argument("--markdown", type=Path, help="also write the tables as markdown here")
    args = ap.parse_args()
    console = Console(record=bool(args.markdown))
    md: list[str] = []
    for name, data in load(args):
        sourced, assumed, kinds, n = count(data)
        t1 = Table(title=f"{name}: {n} figures, {sum(sourced.values())} sourced, "
                         f"{sum(assumed.values())} assumed")
        for col in ("section", "sourced", "assumed", "total"):
            t1.add_column(col, justify="left" if col == "section" else "right")
        md += [f"### {t1.title}", "",
               "| section | sourced | assumed | total |", "|---|---|---|---|"]
        for sec in sorted(set(sourced) | set(assumed)):
            row = [sec, str(sourced[sec]), str(assumed[sec]), str(sourced[sec] + assumed[sec])]
            t1.add_row(*row)
            md.append("| " + " | ".join(row) + " |")
        console.print(t1)
        t2 = Table(title="sourced figures by kind of document")
        t2.add_column("kind")
        t2.add_column("figures", justify="right")
        md += ["", "| kind of document | figures |", "|---|---|"]
        for kind, _ in [*KINDS, ("other named document", None)]:
            t2.add_row(kind, str(kinds[kind]))
            md.append(f"| {kind} | {kinds[kind]} |")
        console.print(t2)
        md.append("")
    if args.markdown:
        args.markdown.write_text("\n".join(md) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
