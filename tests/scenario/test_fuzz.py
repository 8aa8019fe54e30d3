"""A seeded scenario fuzz (issue 20): 1,200 mutated scenarios (tests/scenario/fuzzgen.py, seed
``fuzzgen.SEED``) are validated; a few of those that validate are run for a minute of simulated
time. Each case is refused cleanly (a located, one-line ScenarioError), valid (and, in the run
subset, ran), a traceback (any other exception, or a refusal that is not located) or a hang (over
its time budget). Asserts 0 tracebacks and 0 hangs, and prints the classification.

The larger run, every validating case run, is ``python bench/fuzz_scenarios.py N``.
"""

from __future__ import annotations

import collections
import multiprocessing
import signal
import sys
import time
from pathlib import Path
from types import FrameType

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fuzzgen  # noqa: E402

N_CASES = 1200
N_RUNS = 16  # of the cases that validate, the first N_RUNS are run
VALIDATE_BUDGET_S = 10.0  # per case (the largest cases, ~1 MB, validate in ~2 s)
RUN_BUDGET_S = 30.0  # per run of RUN_CAP_S simulated seconds (~1 s here)


class Hang(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")  # empty: `catalogue:` and `terrain_grid:` not found


@pytest.mark.slow
def test_seeded_fuzz_gives_no_traceback_and_no_hang(base_dir: Path) -> None:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    counts: collections.Counter[str] = collections.Counter()
    bad: list[str] = []
    to_run: list[int] = []
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for case in fuzzgen.cases(N_CASES):
            signal.setitimer(signal.ITIMER_REAL, VALIDATE_BUDGET_S)
            try:
                outcome, detail = fuzzgen.validate(case.text, base_dir, case.catalogue)
            except Hang:
                outcome, detail = "hang", f"validation over {VALIDATE_BUDGET_S} s"
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            counts[outcome] += 1
            if outcome == "valid" and len(to_run) < N_RUNS:
                to_run.append(case.index)
            if outcome in ("traceback", "hang"):
                bad.append(f"case {case.index} ({case.source}, {', '.join(case.ops)}): "
                           f"{outcome}: {str(detail)[-600:]}")
    finally:
        signal.signal(signal.SIGALRM, old)

    runs: collections.Counter[str] = collections.Counter()
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(1, initializer=fuzzgen.limit_memory)
    try:
        for index in to_run:
            job = pool.apply_async(fuzzgen.validate_and_run, (index, fuzzgen.SEED, True,
                                                              str(base_dir)))
            try:
                outcome, detail = job.get(RUN_BUDGET_S)
            except multiprocessing.TimeoutError:
                outcome, detail = "hang", f"run over {RUN_BUDGET_S} s"
                pool.terminate()
                pool = ctx.Pool(1, initializer=fuzzgen.limit_memory)
            runs[outcome] += 1
            if outcome in ("traceback", "hang"):
                bad.append(f"case {index} (run): {outcome}: {detail[-600:]}")
    finally:
        pool.terminate()

    print(f"\nscenario fuzz, seed {fuzzgen.SEED}, {N_CASES} cases: "
          f"refused cleanly {counts['refused']}, valid {counts['valid']}, "
          f"traceback {counts['traceback']}, hang {counts['hang']}; "
          f"of {len(to_run)} valid cases run for {fuzzgen.RUN_CAP_S:g} s: ran {runs['ran']}, "
          f"traceback {runs['traceback']}, hang {runs['hang']}; "
          f"{time.process_time() - cpu0:.1f} s CPU here, {time.perf_counter() - wall0:.1f} s wall")
    assert sum(counts.values()) == N_CASES >= 1000
    assert counts["valid"] >= N_RUNS and runs["ran"] + len(bad) >= N_RUNS
    assert not bad, "\n".join(bad)


def test_the_cases_are_a_function_of_the_seed_and_index() -> None:
    a, b = fuzzgen.make_case(123), fuzzgen.make_case(123)
    assert a == b and a.text != fuzzgen.make_case(123, seed=fuzzgen.SEED + 1).text
    assert fuzzgen.cases(3, start=122)[1] == a
