"""Scenario fuzz, the large run: N mutated scenarios (the fuzz test's generator,
tests/scenario/fuzzgen.py), each validated and, when it validates, run for a minute of simulated
time, in worker processes with a time budget and an address-space limit per case.

    python bench/fuzz_scenarios.py N [--seed S] [--start I] [--workers W] [--budget SECONDS]

Prints the classification (refused cleanly / ran / traceback / hang) by starting scenario and by
mutation, then every traceback and hang with the case index that rebuilds it
(``fuzzgen.make_case(index, seed)``). Exit status 1 if there was any traceback or hang.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "scenario"))
import fuzzgen  # noqa: E402

OUTCOMES = ("refused", "ran", "traceback", "hang")


def _one(index: int, seed: int, base_dir: str) -> tuple[str, str]:
    return fuzzgen.validate_and_run(index, seed, True, base_dir)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=fuzzgen.SEED)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds per case, validation and run (over it: a hang)")
    args = ap.parse_args()

    ctx = multiprocessing.get_context("fork")
    by_source: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    by_op: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    total: collections.Counter[str] = collections.Counter()
    bad: list[str] = []
    t0 = time.perf_counter()
    indices = list(range(args.start, args.start + args.n))
    with tempfile.TemporaryDirectory() as base_dir:
        pools = [ctx.Pool(1, initializer=fuzzgen.limit_memory) for _ in range(args.workers)]
        try:
            for chunk_start in range(0, len(indices), args.workers):
                chunk = indices[chunk_start:chunk_start + args.workers]
                jobs = [pools[k].apply_async(_one, (i, args.seed, base_dir))
                        for k, i in enumerate(chunk)]
                for k, (i, job) in enumerate(zip(chunk, jobs, strict=True)):
                    try:
                        outcome, detail = job.get(args.budget)
                    except multiprocessing.TimeoutError:
                        outcome, detail = "hang", f"over {args.budget:g} s"
                        pools[k].terminate()
                        pools[k] = ctx.Pool(1, initializer=fuzzgen.limit_memory)
                    if outcome == "valid":  # (not run: cannot happen with run=True)
                        outcome = "ran"
                    case = fuzzgen.make_case(i, args.seed)
                    total[outcome] += 1
                    by_source[case.source][outcome] += 1
                    for op in set(case.ops):
                        by_op[op][outcome] += 1
                    if outcome in ("traceback", "hang"):
                        bad.append(f"case {i} ({case.source}; {', '.join(case.ops)}): {outcome}\n"
                                   f"{detail[-1500:]}")
                done = chunk_start + len(chunk)
                if done % 500 == 0:
                    print(f"... {done} cases, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        finally:
            for p in pools:
                p.terminate()
    wall = time.perf_counter() - t0

    def row(name: str, c: collections.Counter[str]) -> str:
        return f"| {name} | " + " | ".join(str(c[o]) for o in OUTCOMES) + f" | {sum(c.values())} |"

    head = "| | " + " | ".join(OUTCOMES) + " | cases |\n|---|" + "---:|" * (len(OUTCOMES) + 1)
    print(f"scenario fuzz: seed {args.seed}, cases {args.start}..{args.start + args.n - 1}, "
          f"runs cut to {fuzzgen.RUN_CAP_S:g} simulated s, {args.budget:g} s budget per case, "
          f"{wall:.0f} s wall\n")
    print(head)
    for name in sorted(by_source):
        print(row(name, by_source[name]))
    print(row("**all**", total))
    print("\nby mutation (a case counts under each of its mutations)\n")
    print(head.replace("| |", "| mutation |", 1))
    for name in sorted(by_op):
        print(row(name, by_op[name]))
    for b in bad:
        print("\n" + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
