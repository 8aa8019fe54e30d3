"""Nothing downstream of the simulation reads data out of an event's ``info`` text (issue 19):
what a consumer needs is in a typed column (``skyshield.engine.events.EVENT_SCHEMA``). Showing
``info`` to people (an event list, a reason as a sentence) is fine; splitting it, matching it,
comparing it or converting it to a number is not.

The check reads the source (AST) of every module of the consumer packages (analysis, report,
io, web, studies and the CLI): an *info value* is ``x["info"]`` (or ``x[col]`` with ``col``
bound to "info"), ``x.info`` (not a call such as ``log.info(...)``), anything derived from one
by a pass-through (``str(.)``, ``.astype(.)``, ``.to_numpy()``, ``.iloc[.]``, a mask ...), or
a name bound to one (``for w, info in zip(..., ev["info"])``). Flagged: the pandas ``.str``
accessor on it, string methods that take it apart (``split``, ``startswith``, ``find`` ...),
``.isin``, comparisons (``==``, ``!=``, ``in``), ``re`` functions, ``json.loads``, ``float``
and ``int`` of it. The replay's and the live page's scripts are checked for the same in
JavaScript (``.info`` followed by ``split``/``match``/``startsWith``/... ).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import skyshield

PKG = Path(skyshield.__file__).resolve().parent
CONSUMERS = ("analysis", "report", "io", "web", "studies", "cli")  # packages (cli: or module)
PASS_THROUGH = {"astype", "fillna", "to_numpy", "tolist", "copy", "lower", "upper", "strip",
                "values", "iloc", "loc", "array", "squeeze", "item", "unique", "dropna"}
TAKE_APART = {"split", "rsplit", "partition", "rpartition", "startswith", "endswith", "find",
              "rfind", "index", "rindex", "removeprefix", "removesuffix", "splitlines",
              "isin", "contains", "extract", "match", "fullmatch", "search", "findall",
              "replace", "isdigit", "isnumeric"}
JS_TAKE_APART = re.compile(
    r"\binfo\b\)?\s*\.\s*(split|match|matchAll|startsWith|endsWith|includes|indexOf|search|"
    r"replace|slice|substring|substr)\s*\(")


class _Scan(ast.NodeVisitor):
    def __init__(self) -> None:
        self.tainted: set[str] = set()  # names holding info text
        self.colnames: set[str] = set()  # names holding the column name "info"
        self.found: list[tuple[int, str]] = []

    def is_info_name(self, node: ast.AST) -> bool:
        return (isinstance(node, ast.Constant) and node.value == "info") or (
            isinstance(node, ast.Name) and node.id in self.colnames)

    # --- what carries an info string -----------------------------------------------------
    def is_info(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Subscript):
            if self.is_info_name(node.slice):
                return True
            return self.is_info(node.value)  # a mask or a position of an info column
        if isinstance(node, ast.Attribute):
            if node.attr == "info":
                return True
            return node.attr in PASS_THROUGH and self.is_info(node.value)
        if isinstance(node, ast.Name):
            return node.id in self.tainted
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in ("str", "repr") and node.args:
                return self.is_info(node.args[0])
            if isinstance(f, ast.Attribute) and f.attr in PASS_THROUGH:
                return self.is_info(f.value)
        return False

    def taint(self, target: ast.AST, value: ast.AST) -> None:
        if isinstance(target, ast.Name) and self.is_info(value):
            self.tainted.add(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            # for a, info in zip(x["kind"], x["info"]): the matching element
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                    and value.func.id == "zip" and len(value.args) == len(target.elts):
                for t, v in zip(target.elts, value.args, strict=True):
                    self.taint(t, v)
            elif isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
                for t, v in zip(target.elts, value.elts, strict=True):
                    self.taint(t, v)

    def name_column(self, target: ast.AST, value: ast.AST) -> None:
        """``col = "info"``; ``for kind, col in (("intercept", "info"), ...)``."""
        if isinstance(target, ast.Name) and self.is_info_name(value):
            self.colnames.add(target.id)
        elif isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List) \
                and len(value.elts) == len(target.elts):
            for t, v in zip(target.elts, value.elts, strict=True):
                self.name_column(t, v)

    def collect(self, tree: ast.AST) -> None:
        for _ in range(3):  # names bound from names bound from info
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        self.name_column(t, node.value)
                        self.taint(t, node.value)
                elif isinstance(node, ast.For | ast.comprehension):
                    it = node.iter
                    if isinstance(it, ast.Tuple | ast.List):  # over literal rows or names
                        for row in it.elts:
                            self.name_column(node.target, row)
                    # iterating over an info column yields info strings
                    if isinstance(node.target, ast.Name) and self.is_info(it):
                        self.tainted.add(node.target.id)
                    else:
                        self.taint(node.target, it)

    # --- what reads data out of it ---------------------------------------------------------
    def flag(self, node: ast.AST, what: str) -> None:
        self.found.append((getattr(node, "lineno", 0), what))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "str" and self.is_info(node.value):
            self.flag(node, "the .str accessor on info")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr in TAKE_APART and self.is_info(f.value):
            self.flag(node, f"info.{f.attr}(...)")
        args = [*node.args, *(k.value for k in node.keywords)]
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) \
                and f.value.id in ("re", "json") and any(self.is_info(a) for a in args):
            self.flag(node, f"{f.value.id}.{f.attr}(info)")
        if isinstance(f, ast.Name) and f.id in ("float", "int") and any(
                self.is_info(a) for a in args):
            self.flag(node, f"{f.id}(info)")
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        sides = [node.left, *node.comparators]
        if any(isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn) for op in node.ops) \
                and any(self.is_info(s) for s in sides):
            self.flag(node, "a comparison with info")
        self.generic_visit(node)


def info_reads(source: str) -> list[tuple[int, str]]:
    """(line, what) of every read of data out of ``info`` in Python ``source``."""
    tree = ast.parse(source)
    scan = _Scan()
    scan.collect(tree)
    scan.visit(tree)
    return sorted(scan.found)


def _modules() -> list[Path]:
    return sorted(p for d in CONSUMERS
                  for p in ((PKG / d).rglob("*.py") if (PKG / d).is_dir() else [PKG / f"{d}.py"]))


def test_the_consumer_packages_are_there():
    mods = _modules()
    for d in CONSUMERS:
        assert any(p.is_relative_to(PKG / d) or p == PKG / f"{d}.py" for p in mods), d
    assert all(p.is_file() for p in mods)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_no_module_reads_data_out_of_info(path):
    found = info_reads(path.read_text(encoding="utf-8"))
    assert not found, [f"{path.relative_to(PKG)}:{line}: {what}" for line, what in found]


def test_no_page_script_reads_data_out_of_info():
    found = []
    for js in sorted((PKG / "web" / "static").glob("*.js")):
        for n, line in enumerate(js.read_text(encoding="utf-8").splitlines(), 1):
            if JS_TAKE_APART.search(line):
                found.append(f"{js.name}:{n}: {line.strip()[:100]}")
    assert not found, found


# --- the check itself: it finds what it is meant to find, and only that ---------------------

@pytest.mark.parametrize("code", [
    'reason = intercepts["info"].astype(str).str.split(";").str[0]',
    'pk = intercepts["info"].astype(str).str.extract(r"pk=([0-9.]+)")[0]',
    'n = int(engages["info"].str.contains("autonomous").sum())',
    'impacts = ev[(kind == "impact") & (ev["info"] == "asset")]',
    'fr = sum(1 for k in kills.values() if k["info"] == "friendly")',
    'hit = ev["info"].astype(str).str.startswith("hit")',
    'hit = str(e["info"]).startswith("hit")',
    'for w, t, info in zip(sel["weapon_id"], sel["t_s"], sel["info"], strict=True):\n'
    '    what = str(info).split(";")[0]',
    'm = re.search(r"gap=([0-9.]+)", row["info"])',
    'gap = float(row.info)',
    'cmd = json.loads(e["info"])',
    'auto = "autonomous" in r["info"]',
    'x = ev.loc[ev["info"].isin(["on", "off"])]',
    'for s in ev["info"]:\n    parts = s.split(" ")',
    # io/aar.py before issue 19: the column named through a loop variable
    'for kind, info_col in (("intercept", "info"), ("interceptor_lost", "info")):\n'
    '    sel = ev[ev["kind"] == kind]\n'
    '    for w, t, info in zip(sel["weapon_id"], sel["t_s"], sel[info_col], strict=True):\n'
    '        what = str(info).split(";")[0] or "missed"',
])
def test_the_check_finds_each_way_of_parsing_info(code):
    assert info_reads(code), code


@pytest.mark.parametrize("code", [
    'cols = ["t_s", "kind", "info"]; rows = ev[cols]',
    'last = dict(zip(nf["truth_id"], nf["info"], strict=True))',
    'text = f"{e[\'kind\']}: {e[\'info\']}"',
    'log.info("started %s", name)',
    'info = files.get(name)\nok = isinstance(info, dict) and info.get("sha256")',
    'e.update(value=None, info="")',
    'hit = ev["tag"] == "hit"',
])
def test_the_check_leaves_display_and_other_uses_alone(code):
    assert not info_reads(code), code


def test_the_script_check_finds_parsing():
    assert JS_TAKE_APART.search('return `${String(e.info).split(";")[0]}`;')
    assert JS_TAKE_APART.search("if (e.info.startsWith('hit')) n++;")
    assert not JS_TAKE_APART.search("el('span', `${e.kind} ${e.info || ''}`)")
