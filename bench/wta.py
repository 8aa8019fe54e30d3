"""Static weapon-target assignment: greedy, skyshield's solver and proven optima, side by side.

    python bench/wta.py [--sizes 10,20,50,100,200,400] [--seeds 5] [--andersen-seeds 10]
        [--exact-max 400] [--exact-limit 120] [--search 0.1] [--markdown FILE]
        [--rounds-seeds 3] [--milp-limit 120] [--only square|rounds] [--repeats 5]

Instances in the style of Ahuja et al. (2007): V_j ~ U[25, 100], p_ij ~ U[0.60, 0.90],
n weapons = n targets, one round each, numpy seeded (seed s → default_rng(1000·n + s)); and the
harder family of Andersen et al. (p_ij ~ U(0, 1), integer V_j in 1–99). The proven optimum comes
from skyshield's exact mode where it finishes within ``--exact-limit`` at a relative tolerance
of 1e-6 (tighter than the solver's default 1e-4): the Lagrangian bound alone when it meets the
heuristic's objective, else the outer-approximation MILP (HiGHS); "above optimum" is measured
against it, never against greedy. "skyshield" is ``solve()`` with its defaults (5 ms of
randomised restarts at most, 25 subgradient steps for the bound); "+restarts" gives the restarts
``--search`` seconds. The
``tuliotoffolo/wta`` instances found in ``bench/data/wta`` are compared with their published
optima (Andersen, Pavlikov & Toffolo 2022, logs/results.csv of that repository).

The second table is the regime of a real C2 cycle, many more rounds than targets: Ahuja-style
80 × 40 and 320 × 40 with distinct weapons; the same with 8 weapon types (identical Pk rows);
"C2 cycle", 8 launchers × 4 rounds of 3–4 weapon types (launchers of a type share a Pk row, 20 %
of the pairs out of the envelope, Pk U[0.3, 0.9]) against 3–12 targets; and "look-ahead", the
same cycles with a cost per round (U[1, 15] value units per type) and a later layer that lets
each target through with probability U[0.2, 1]. The reference optimum is the outer-approximation
MILP (HiGHS, ``--milp-limit`` s, tolerance 1e-6) started from the new solver's answer, which it
must prove or beat ("(not proven)" when it stops first: "above opt" is then against the best
objective known).
"new" is ``solve(tol=1e-9)``; "main" is the package as it was before the many-rounds work of
issue 21's second pass (``git show {MAIN_COMMIT}:src/skyshield/c2/wta/*``, imported into this
process as a package of its own), called the same way; "v1" is the solver as it was before the
package (``git show {V1_COMMIT}:src/skyshield/c2/wta.py``); on the look-ahead family v1 cannot
see costs: its assignment is scored on the objective with costs. Each solver runs once to warm
up, then ``--repeats`` times (default 5): the table gives the median and the minimum time
(the machine is shared; the median is the number to quote).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from skyshield.c2.wta import bounds, greedy, objective, solve

HERE = Path(__file__).resolve().parent
V1_COMMIT = "320c9f3"  # the last version of the single-module solver (before issue 21)
MAIN_COMMIT = "94df99b"  # main before the many-rounds solver's second pass
__doc__ = (__doc__ or "").replace("{V1_COMMIT}", V1_COMMIT).replace("{MAIN_COMMIT}", MAIN_COMMIT)


def load_main():  # type: ignore[no-untyped-def]
    """The ``c2.wta`` package at MAIN_COMMIT, from git, as the package ``skyshield_wta_main`` of
    this process (its imports of itself renamed; None without git)."""
    import importlib
    import subprocess
    import sys
    import tempfile

    root = Path(tempfile.mkdtemp())
    pkg = root / "skyshield_wta_main"
    pkg.mkdir()
    try:
        names = subprocess.run(["git", "-C", str(HERE.parent), "ls-tree", "--name-only",
                                f"{MAIN_COMMIT}:src/skyshield/c2/wta"], check=True,
                               capture_output=True, text=True).stdout.split()
        for name in names:
            if name.endswith(".py"):
                src = subprocess.run(["git", "-C", str(HERE), "show",
                                      f"{MAIN_COMMIT}:src/skyshield/c2/wta/{name}"],
                                     check=True, capture_output=True, text=True).stdout
                (pkg / name).write_text(src.replace("skyshield.c2.wta", "skyshield_wta_main"),
                                        encoding="utf-8")
    except (OSError, subprocess.CalledProcessError):
        return None
    sys.path.insert(0, str(root))
    return importlib.import_module("skyshield_wta_main")


def load_v1():  # type: ignore[no-untyped-def]
    """The previous solver, from git, as a module of this process (None without git)."""
    import importlib.util
    import subprocess
    import sys
    import tempfile

    try:
        src = subprocess.run(["git", "-C", str(HERE), "show",
                              f"{V1_COMMIT}:src/skyshield/c2/wta.py"], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "wta_v1.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("skyshield_wta_v1", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["skyshield_wta_v1"] = mod
    spec.loader.exec_module(mod)
    return mod


def many_rounds(n: int, m: int, seed: int, types: int | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ahuja-style values and Pk, n one-round weapons on m targets (``types``: identical rows)."""
    rng = np.random.default_rng(5000 * n + 31 * m + seed + (0 if types is None else 77))
    V = rng.uniform(25, 100, m)
    if types is None:
        return V, rng.uniform(0.6, 0.9, (n, m)), np.ones(n, dtype=np.int64)
    pt = rng.uniform(0.6, 0.9, (types, m))
    return V, pt[rng.integers(0, types, n)], np.ones(n, dtype=np.int64)


def c2_cycle(seed: int, look_ahead: bool = False):  # type: ignore[no-untyped-def]
    """8 launchers × 4 rounds of 3–4 weapon types against 3–12 targets; with ``look_ahead`` a
    cost per round and the later layers' survival."""
    rng = np.random.default_rng(9000 + seed)
    m, T = int(rng.integers(3, 13)), int(rng.integers(3, 5))
    V = rng.uniform(25, 100, m)
    pt = rng.uniform(0.3, 0.9, (T, m)) * (rng.random((T, m)) < 0.8)
    typ = rng.integers(0, T, 8)
    price, s = rng.uniform(1, 15, T)[typ], rng.uniform(0.2, 1.0, m)
    return V, pt[typ], np.full(8, 4), (price if look_ahead else None), (s if look_ahead
                                                                          else None)


def repeated(n: int, f, *a, **k):  # type: ignore[no-untyped-def]
    """One warm-up call, then ``n`` timed: (result, median s, min s)."""
    r = f(*a, **k)
    ts = []
    for _ in range(n):
        r, t = timed(f, *a, **k)
        ts.append(t)
    return r, float(np.median(ts)), float(np.min(ts))


def rounds_table(a, v1, main, con: Console) -> tuple[tuple[str, ...], list[list[str]]]:  # type: ignore[no-untyped-def]
    cols = ("family", "weapons×targets", "seed", "MILP optimum", "MILP s", "new obj",
            "new ms median (min)", "new certified gap", "new above opt %", "main obj",
            "main ms median (min)", "main certified gap", "main above opt %", "v1 obj",
            "v1 ms median (min)", "v1 certified gap", "v1 above opt %")
    t = Table(title="Many rounds on few targets: new solver vs main before the change vs v1 "
              "(same run), optimum from the outer-approximation MILP")
    for c in cols:
        t.add_column(c, justify="left" if c == "family" else "right")
    rows: list[list[str]] = []
    cases = []
    for seed in range(a.rounds_seeds):
        cases += [("random 80×40", *many_rounds(80, 40, seed), None, None, seed),
                  ("random 320×40", *many_rounds(320, 40, seed), None, None, seed),
                  ("8 types 80×40", *many_rounds(80, 40, seed, 8), None, None, seed),
                  ("8 types 320×40", *many_rounds(320, 40, seed, 8), None, None, seed)]
    for seed in range(2 * a.rounds_seeds):
        cases.append(("C2 cycle", *c2_cycle(seed), seed))
    for seed in range(2 * a.rounds_seeds):
        cases.append(("look-ahead", *c2_cycle(seed, True), seed))
    for name, V, p, r, c, s, seed in cases:
        n, m = p.shape
        h, th, th0 = repeated(a.repeats, solve, V, p, r, cost=c, survive_later=s, tol=1e-9)
        mr = mt = mt0 = None
        if main is not None:
            mr, mt, mt0 = repeated(a.repeats, main.solve, V, p, r, cost=c, survive_later=s,
                                   tol=1e-9)
        aa = -np.log(1 - p)
        x0 = h.counts(m)  # the MILP starts from the new answer and must prove or beat it
        (_, fo, lbo, proven), te = timed(bounds._oa_milp, V * (1 if s is None else s), aa, r,
                                         x0, h.objective, -np.inf,
                                         time.perf_counter() + a.milp_limit, 1e-6, c)
        v1r = v1t = v1t0 = None
        if v1 is not None:
            v1r, v1t, v1t0 = repeated(a.repeats, v1.solve, V * (1 if s is None else s), p, r)
        v1f = None if v1r is None else objective(V, p, v1r.counts(m), c, s)
        mf = None if mr is None else mr.objective
        ref = min(fo, h.objective, np.inf if v1f is None else v1f,
                  np.inf if mf is None else mf)  # best known if unproven
        row = [name, f"{n}×{m}" + (f" ({int(r.sum())} rounds)" if r.sum() != n else ""),
               str(seed), f"{fo:.9g}" + ("" if proven else f" (not proven, bound {lbo:.9g})"),
               f"{te:.2f}",
               f"{h.objective:.9g}", f"{th * 1e3:.1f} ({th0 * 1e3:.1f})",
               f"{h.gap:.1e}" + (" proven" if h.optimal else ""),
               f"{100 * (h.objective / ref - 1):.4f}",
               "-" if mr is None else f"{mr.objective:.9g}",
               "-" if mt is None else f"{mt * 1e3:.1f} ({mt0 * 1e3:.1f})",
               "-" if mr is None else f"{mr.gap:.1e}" + (" proven" if mr.optimal else ""),
               "-" if mr is None else f"{100 * (mr.objective / ref - 1):.4f}",
               "-" if v1f is None else f"{v1f:.9g}",
               "-" if v1t is None else f"{v1t * 1e3:.1f} ({v1t0 * 1e3:.1f})",
               "-" if v1r is None or c is not None else f"{v1r.gap:.1e}",
               "-" if v1f is None else f"{100 * (v1f / ref - 1):.4f}"]
        t.add_row(*row)
        rows.append(row)
        con.print(" | ".join(row), highlight=False)
    con.print(t)
    return cols, rows
# published optima (Andersen, Pavlikov & Toffolo 2022; tuliotoffolo/wta logs/results.csv)
PUBLISHED = {"wta_50x100x1": 1734.302278, "wta_50x100x2": 123.838458,
             "wta_50x100x3": 20.590016, "wta_100x200x1": 2862.302805,
             "wta_100x200x2": 116.057435}


def ahuja(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1000 * n + seed)
    return rng.uniform(25, 100, n), rng.uniform(0.6, 0.9, (n, n))


def andersen(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7000 * n + seed)
    return rng.integers(1, 100, n).astype(float), rng.uniform(0.0, 1.0, (n, n)) * 0.999999


def read_instance(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lines = path.read_text().split("\n")
    nw, nt, mu = (int(v) for v in lines[0].split())
    V = np.array([float(v) for v in lines[1:nt + 1]])
    p = np.zeros((nw, nt))
    rows = np.array([ln.split() for ln in lines[nt + 1:] if ln.strip()], dtype=float)
    p[rows[:, 0].astype(int), rows[:, 1].astype(int)] = rows[:, 2]
    return V, p, np.full(nw, mu, dtype=np.int64)


def timed(f, *a, **k):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    r = f(*a, **k)
    return r, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10,20,50,100,200,400")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--andersen-seeds", type=int, default=10)
    ap.add_argument("--exact-max", type=int, default=400)
    ap.add_argument("--search", type=float, default=0.1)
    ap.add_argument("--exact-limit", type=float, default=120.0)
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument("--rounds-seeds", type=int, default=3)
    ap.add_argument("--milp-limit", type=float, default=120.0)
    ap.add_argument("--only", choices=("square", "rounds"), default=None)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    con = Console(width=190)
    v1 = load_v1()
    main_before = load_main()
    solve(np.ones(2), np.full((3, 2), 0.5), cost=np.ones(3))  # compile the kernels first
    if main_before is not None:
        main_before.solve(np.ones(2), np.full((3, 2), 0.5), cost=np.ones(3))
    md = ""
    if a.only != "square":
        rcols, rrows = rounds_table(a, v1, main_before, con)
        md += ("| " + " | ".join(rcols) + " |\n" + "|---" * len(rcols) + "|\n" +
               "".join("| " + " | ".join(r) + " |\n" for r in rrows) + "\n")
    if a.only == "rounds":
        if a.markdown:
            a.markdown.write_text(md)
        return
    t = Table(title="Static WTA: greedy MMR vs skyshield (heuristic; exact) — objective, time, "
              "certified gap, distance above the proven optimum")
    cols = ("family", "n×n", "seed", "greedy obj", "greedy ms", "skyshield obj", "skyshield ms",
            "certified gap %", "proven optimum", "exact s", "greedy above opt %",
            "skyshield above opt %", "+restarts ms", "+restarts above opt %", "v1 ms",
            "v1 above opt %")
    for c in cols:
        t.add_column(c, justify="left" if c == "family" else "right")
    rows: list[list[str]] = []
    for family, gen in (("Ahuja", ahuja), ("Andersen", andersen)):
        sizes = [int(s) for s in a.sizes.split(",")] if family == "Ahuja" else [100]
        for n in sizes:
            for seed in range(a.seeds if family == "Ahuja" else a.andersen_seeds):
                V, p = gen(n, seed)
                (g, _), tg = timed(greedy, V, p)
                h, th = timed(solve, V, p)
                hs, ths = timed(solve, V, p, search_s=a.search)
                o1, to1 = (None, None) if v1 is None else timed(v1.solve, V, p)
                opt, te = None, None
                if n <= a.exact_max:
                    e, te = timed(solve, V, p, exact=True, time_limit_s=a.exact_limit,
                                  tol=1e-6)
                    opt = e.objective if e.optimal else None
                row = [family, f"{n}×{n}", str(seed), f"{g:.4f}", f"{tg * 1e3:.1f}",
                       f"{h.objective:.4f}", f"{th * 1e3:.1f}", f"{100 * h.gap:.3f}",
                       "-" if opt is None else f"{opt:.4f}",
                       "-" if te is None else f"{te:.2f}",
                       "-" if opt is None else f"{100 * (g / opt - 1):.3f}",
                       "-" if opt is None else f"{100 * (h.objective / opt - 1):.4f}",
                       f"{ths * 1e3:.1f}",
                       "-" if opt is None else f"{100 * (hs.objective / opt - 1):.4f}",
                       "-" if to1 is None else f"{to1 * 1e3:.1f}",
                       "-" if opt is None or o1 is None
                       else f"{100 * (o1.objective / opt - 1):.4f}"]
                t.add_row(*row)
                rows.append(row)
                con.print(" | ".join(row), highlight=False)
    for path in sorted((HERE / "data" / "wta").glob("wta_*.txt")):
        V, p, r = read_instance(path)
        h, th = timed(solve, V, p, r)
        hs, ths = timed(solve, V, p, r, search_s=a.search)
        o1, to1 = (None, None) if v1 is None else timed(v1.solve, V, p, r)
        e, te = timed(solve, V, p, r, exact=True, time_limit_s=a.exact_limit, tol=1e-6)
        pub = PUBLISHED.get(path.stem)
        row = [path.stem, f"{p.shape[0]}×{p.shape[1]}×{int(r[0])}", "-", "-", "-",
               f"{h.objective:.6f}", f"{th * 1e3:.1f}", f"{100 * h.gap:.3f}",
               f"{e.objective:.6f}{' (proven)' if e.optimal else f' (gap {100 * e.gap:.2f} %)'}",
               f"{te:.2f}", f"published {pub}" if pub else "-",
               "-" if pub is None else f"{100 * (h.objective / pub - 1):.4f}",
               f"{ths * 1e3:.1f}",
               "-" if pub is None else f"{100 * (hs.objective / pub - 1):.4f}",
               "-" if to1 is None else f"{to1 * 1e3:.1f}",
               "-" if pub is None or o1 is None else f"{100 * (o1.objective / pub - 1):.4f}"]
        t.add_row(*row)
        rows.append(row)
        con.print(" | ".join(row), highlight=False)
    con.print(t)
    if a.markdown:
        a.markdown.write_text(md + "| " + " | ".join(cols) + " |\n" + "|---" * len(cols) +
                              "|\n" + "".join("| " + " | ".join(r) + " |\n" for r in rows))


if __name__ == "__main__":
    main()
