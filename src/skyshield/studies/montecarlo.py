"""Monte Carlo studies: replications of one scenario with confidence intervals, on one process,
a local process pool or a Dask distributed cluster, resumable.

Seeds. Replication r runs with the seed ``replication_seed(root, r)``: the first 63 bits of
``numpy.random.SeedSequence(root, spawn_key=(r,))``, a function of the root seed and r only.
Every random draw inside a run comes from named streams of that seed (``engine.rng``), so a
replication's row is the same whichever worker runs it, in whatever order, on however many
workers, locally or on Dask.

A study folder (``--out``) holds:

* ``study.json`` — what the study is (scenario name and hash, root seed, n, version) and whether
  it is ``complete``;
* ``scenario.resolved.yaml`` — the scenario exactly as run (it loads again, for ``--resume``);
* ``parts/part-FIRST-LAST.parquet`` — one file per finished batch of replications, each written
  to a temporary name and renamed, so a killed study leaves only whole batches;
* ``replications.parquet`` and ``aggregate.json`` — written (atomically) only when every
  replication is in, after which ``study.json`` says ``complete: true``.

The folder is built under a temporary name beside ``--out`` (``.NAME.*.partial``) and renamed
when ``study.json`` is in it, so a study killed while it is being created leaves no folder that
cannot be resumed or reused (at most a hidden ``.partial`` one, which may be deleted).

Resuming reads the parts, skips the replications they hold and runs the rest: none is lost or
counted twice, and a part from another study (other scenario or seed: each part records the
SHA-256 of the resolved scenario in its Parquet metadata) is refused. A damaged ``study.json``
or a missing or altered ``scenario.resolved.yaml`` is a ``StudyError`` that says so, and so are
options that differ from the stored study's (another root seed or scenario). Resuming a study
that is already complete runs nothing and rewrites nothing.

One row per replication: ``replication``, ``seed``, every numeric figure of the run's summary
flattened to a dotted column name (``by_type.cruise_missile_subsonic.leaked``; lists become a
``_count``), the derived 0/1 outcomes ``any_leak``, ``any_fratricide`` and ``any_unit_lost``,
and ``wall_s`` — the replication's wall time, the one column that is not reproducible (the
solver-time figures of the summary are left out for the same reason).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from skyshield.analysis.stats import describe
from skyshield.api import __version__, load_scenario, resolved_yaml, run
from skyshield.common.files import (
    atomic_folder,
    atomic_write_parquet,
    atomic_write_text,
    remove_partials,
)
from skyshield.io.runfolder import to_jsonable
from skyshield.scenario.loader import parse_scenario
from skyshield.scenario.schema import Scenario

__all__ = ["replication_seed", "summary_row", "run_replications", "montecarlo", "StudyError",
           "aggregate", "load_study", "KEY_METRICS", "NOT_REPRODUCIBLE"]

# the figures a printed aggregate shows first (all of them are in aggregate.json)
KEY_METRICS = ("any_leak", "scoring.joint.score", "threats_leaked", "threats_destroyed",
               "missiles_fired", "missiles_per_kill", "value_lost", "any_fratricide",
               "any_unit_lost", "air_picture.gospa_mean_m", "ammunition.rounds_left",
               "ammunition.cost_spent_usd")
NOT_REPRODUCIBLE = ("wall_s",)
# the 0/1 outcomes of a replication: their mean is a probability (Wilson interval); every other
# figure is a count or a measure (t interval of its mean), even where a sample is all 0 and 1
PROPORTIONS = frozenset({"any_leak", "any_fratricide", "any_unit_lost"})
_SKIP = {"scenario", "seed", "wall_time_s", "threats"}
_SKIP_NESTED = {"series", "formula", "weights"}  # time series and scoring constants


class StudyError(Exception):
    """A study folder that cannot be created or resumed (the message says why)."""


def replication_seed(root_seed: int, r: int) -> int:
    """The seed of replication r: 63 bits of SeedSequence(root_seed, spawn_key=(r,))."""
    ss = np.random.SeedSequence(entropy=int(root_seed), spawn_key=(int(r),))
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def _flatten(x: Any, prefix: str, out: dict[str, float]) -> None:
    if isinstance(x, dict):
        for k, v in x.items():
            if not prefix and k in _SKIP:
                continue
            if prefix == "fire_control." and str(k).startswith("solver_time"):
                continue  # wall-clock figures
            if prefix and k in _SKIP_NESTED:
                continue
            _flatten(v, f"{prefix}{k}.", out)
    elif isinstance(x, list | tuple):
        out[prefix[:-1] + "_count"] = float(len(x))
    elif isinstance(x, bool | np.bool_):
        out[prefix[:-1]] = float(x)
    elif isinstance(x, int | float | np.integer | np.floating):
        out[prefix[:-1]] = float(x)
    elif x is None:
        out[prefix[:-1]] = float("nan")


def summary_row(summary: dict[str, Any]) -> dict[str, float]:
    """One replication's summary as a flat row of numbers (module docstring)."""
    row: dict[str, float] = {}
    _flatten(summary, "", row)
    row["any_leak"] = float(summary.get("threats_leaked", 0) > 0)
    row["any_fratricide"] = float(summary.get("fratricide", 0) > 0)
    row["any_unit_lost"] = float(len(summary.get("units_destroyed", [])) > 0)
    return row


def run_replications(scenario: Scenario, root_seed: int, reps: Sequence[int]
                     ) -> list[dict[str, Any]]:
    """Run replications ``reps`` of ``scenario`` (a task: one batch) and return their rows."""
    rows = []
    for r in reps:
        seed = replication_seed(root_seed, r)
        t0 = time.perf_counter()
        res = run(scenario, seed=seed)
        rows.append({"replication": int(r), "seed": int(seed), **summary_row(res.summary),
                     "wall_s": time.perf_counter() - t0})
    return rows


# --- the study folder --------------------------------------------------------------------

def _frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Rows to a table with one column order whatever order the rows came in: replication,
    seed, the metrics by name, wall_s."""
    df = pd.DataFrame(list(rows))
    if df.empty:
        return df
    first = [c for c in ("replication", "seed") if c in df]
    last = [c for c in NOT_REPRODUCIBLE if c in df]
    df = df[first + sorted(c for c in df.columns if c not in first and c not in last) + last]
    for c in first:
        df[c] = df[c].astype("int64")
    return df


def _write_json(obj: Any, path: Path) -> None:
    atomic_write_text(path, json.dumps(to_jsonable(obj), indent=1) + "\n")


@dataclass
class _Folder:
    root: Path
    meta: dict[str, Any]

    @property
    def parts(self) -> Path:
        return self.root / "parts"

    def done(self) -> pd.DataFrame:
        """Every replication in the folder's whole parts (partial files are ignored)."""
        remove_partials(self.parts)  # writes the last run did not finish
        files = sorted(self.parts.glob("part-*.parquet"))
        if not files:
            return pd.DataFrame()
        frames = []
        for f in files:
            try:
                table = pq.read_table(f)
            except (OSError, pa.ArrowException) as exc:
                raise StudyError(f"{f}: unreadable part file ({exc}); remove it and resume to "
                                 "run its replications again") from None
            frames.append(table.to_pandas())
            stamp = (table.schema.metadata or {}).get(_PART_SCENARIO, b"")
            stamp = stamp.decode(errors="replace")
            if stamp != self.meta["scenario_sha256"]:
                raise StudyError(f"{f}: a part from another scenario than this study's "
                                 f"(scenario SHA-256 {stamp[:12] or 'not recorded'}, the study's "
                                 f"{self.meta['scenario_sha256'][:12]}); remove it and resume")
        df = pd.concat(frames, ignore_index=True)
        if not {"replication", "seed"} <= set(df.columns):
            raise StudyError(f"{self.parts}: parts without replication and seed columns")
        seeds = df["replication"].map(lambda r: replication_seed(self.meta["root_seed"], r))
        if df["replication"].duplicated().any() or not (seeds == df["seed"]).all():
            raise StudyError(f"{self.parts}: parts that do not belong to this study "
                             "(duplicated replications or other seeds)")
        return df

    def save_part(self, rows: list[dict[str, Any]]) -> None:
        reps = [int(r["replication"]) for r in rows]
        atomic_write_parquet(self.parts / f"part-{min(reps):07d}-{max(reps):07d}.parquet",
                             _frame(rows),
                             metadata={_PART_SCENARIO.decode(): self.meta["scenario_sha256"]})


_PART_SCENARIO = b"skyshield.scenario_sha256"  # Parquet metadata key of a part's scenario hash


def read_folder_json(folder: Path, name: str, what: str) -> Any:
    """``folder/name`` parsed as JSON: a missing file says there is nothing to resume, an
    unreadable one that the ``what`` folder is damaged (both StudyError)."""
    path = folder / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StudyError(f"{folder}: no {name} here, nothing to resume") from None
    except (OSError, ValueError) as exc:  # ValueError: bad JSON or bad UTF-8
        raise StudyError(f"{path}: unreadable, the {what} folder is damaged ({exc})") from None


def _read_meta(out: Path) -> dict[str, Any]:
    """``out/study.json``, checked: a damaged or foreign file is a StudyError saying so."""
    path = out / "study.json"
    meta = read_folder_json(out, "study.json", "study")

    def whole(v: Any, low: int) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= low

    if not isinstance(meta, dict):
        bad = "not a JSON object"
    elif meta.get("kind") != "skyshield.montecarlo":
        bad = f"kind is {meta.get('kind')!r}, not 'skyshield.montecarlo'"
    elif not whole(meta.get("n"), 1):
        bad = f"n is {meta.get('n')!r}, not a whole number of replications"
    elif not whole(meta.get("root_seed"), 0):
        bad = f"root_seed is {meta.get('root_seed')!r}, not a seed"
    elif not (isinstance(meta.get("scenario_sha256"), str)
              and len(meta["scenario_sha256"]) == 64):
        bad = f"scenario_sha256 is {meta.get('scenario_sha256')!r}, not a SHA-256"
    elif not isinstance(meta.get("complete"), bool):
        bad = f"complete is {meta.get('complete')!r}, not true or false"
    else:
        return meta
    raise StudyError(f"{path}: not a study's metadata ({bad}); the study folder is damaged")


def _read_resolved(out: Path, sha256: str | None = None) -> str:
    """``out/scenario.resolved.yaml`` (checked against its hash when one is given)."""
    path = out / "scenario.resolved.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StudyError(f"{path} is missing: the folder is damaged and cannot be "
                         "resumed") from None
    except (OSError, ValueError) as exc:
        raise StudyError(f"{path}: unreadable, the folder is damaged ({exc})") from None
    if sha256 is not None and hashlib.sha256(text.encode()).hexdigest() != sha256:
        raise StudyError(f"{path} is not the scenario the study was run on (its SHA-256 "
                         "differs from study.json's); the folder is damaged")
    return text


def _create_folder(out: Path, fill: Callable[[Path], None]) -> None:
    """Build a results folder under a temporary name beside ``out`` (``fill`` writes its
    files) and rename it to ``out``, so a kill part way leaves no half-made ``out``; an empty
    ``out`` is replaced."""
    if out.exists() and not out.is_dir():
        raise StudyError(f"{out} is a file, not a folder; choose another folder")
    if out.exists() and any(out.iterdir()):
        raise StudyError(f"{out} exists and is not empty; resume it with --resume {out}, or "
                         "choose another folder")
    with atomic_folder(out) as tmp:  # an empty ``out`` is replaced
        fill(tmp)


def _open_folder(out: Path | None, resume: bool, scenario: Scenario | None, n: int | None,
                 root_seed: int | None) -> tuple[_Folder | None, Scenario, int, int]:
    """The study folder (created, or opened to resume) and the scenario, n and root seed."""
    if out is None:
        if scenario is None or n is None:
            raise StudyError("a study needs a scenario and n (or a folder to resume)")
        return None, scenario, n, scenario.seed if root_seed is None else int(root_seed)
    if resume:
        meta = _read_meta(out)
        text = _read_resolved(out, meta["scenario_sha256"])
        stored = parse_scenario(text, str(out / "scenario.resolved.yaml"))
        if root_seed is not None and int(root_seed) != meta["root_seed"]:
            raise StudyError(f"{out}: the study's root seed is {meta['root_seed']}, not "
                             f"{root_seed}; resume it without --seed, or start a new study")
        if scenario is not None and resolved_yaml(scenario, meta["root_seed"]) != text:
            raise StudyError(f"{out}: the study was run on another scenario (or other settings) "
                             f"than the one given; resume it without a scenario")
        if not (out / "parts").is_dir():
            raise StudyError(f"{out / 'parts'} is missing: the folder is damaged and cannot be "
                             "resumed")
        if n is not None and n != meta["n"]:
            # a study may be extended (or its target lowered) on resume: until the new target
            # is met, the folder says it is not complete and holds no results of the old one
            meta["n"] = int(n)
            meta["complete"] = False
            _write_json(meta, out / "study.json")
            for stale in ("aggregate.json", "replications.parquet"):
                (out / stale).unlink(missing_ok=True)
        return _Folder(out, meta), stored, int(meta["n"]), int(meta["root_seed"])
    if scenario is None or n is None:
        raise StudyError("a study needs a scenario and n")
    root = scenario.seed if root_seed is None else int(root_seed)
    text = resolved_yaml(scenario, root)
    meta = {"kind": "skyshield.montecarlo", "skyshield_version": __version__,
            "scenario": scenario.name,
            "scenario_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "root_seed": root, "n": int(n), "complete": False,
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds")}

    def fill(tmp: Path) -> None:
        (tmp / "parts").mkdir()
        atomic_write_text(tmp / "scenario.resolved.yaml", text)
        _write_json(meta, tmp / "study.json")

    _create_folder(out, fill)
    return _Folder(out, meta), scenario, int(n), root


def aggregate(df: pd.DataFrame, level: float = 0.95) -> dict[str, Any]:
    """Every metric column's aggregate with its interval (``analysis.stats.describe``)."""
    skip = {"replication", "seed", *NOT_REPRODUCIBLE}
    return {"replications": int(len(df)), "level": level,
            "metrics": {c: describe(df[c].to_numpy(dtype=float), level,
                                    proportion=c in PROPORTIONS)
                        for c in df.columns if c not in skip}}


def _batches(reps: list[int], size: int) -> list[list[int]]:
    return [reps[i:i + size] for i in range(0, len(reps), size)]


def montecarlo(scenario: Scenario | str | Path | None = None, n: int | None = None, *,
               workers: int = 1,
               client: Any = None, out: str | Path | None = None, resume: bool = False,
               root_seed: int | None = None, batch_size: int | None = None,
               pool: bool | None = None,
               progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Run (or resume) a study of n replications; one row per replication, sorted.

    ``workers`` > 1 runs batches on a local process pool (``pool=True``: a pool even of one
    worker process; by default one worker runs in this process); ``client`` (a
    ``dask.distributed.Client``) submits them to a Dask cluster instead. ``out`` keeps the
    study folder (module docstring) so it can be resumed (``resume=True``, scenario and n then
    optional). ``progress(done, total)`` is called as batches finish. The aggregate with its
    confidence intervals is in ``df.attrs["aggregate"]``. ``scenario`` may be a built-in
    name or a YAML file.
    """
    if isinstance(scenario, str | Path):
        scenario = load_scenario(scenario)
    folder, sc, n_total, root = _open_folder(None if out is None else Path(out), resume,
                                             scenario, n, root_seed)
    was_complete = folder is not None and folder.meta["complete"] is True
    done = folder.done() if folder is not None else pd.DataFrame()
    have = set(done["replication"].astype(int)) if len(done) else set()
    todo = [r for r in range(n_total) if r not in have]
    rows: list[dict[str, Any]] = ([{str(k): v for k, v in r.items()}
                                     for r in done.to_dict("records")] if len(done) else [])
    rows = [row for row in rows if int(row["replication"]) < n_total]
    slots = max(1, int(workers)) if client is None else max(1, sum(client.nthreads().values()))
    size = batch_size or max(1, min(50, math.ceil(len(todo) / (4 * slots)) if todo else 1))
    total = n_total
    count = len(rows)
    if progress:
        progress(count, total)

    def finished(batch_rows: list[dict[str, Any]]) -> None:
        nonlocal count
        if folder is not None:
            folder.save_part(batch_rows)
        rows.extend(batch_rows)
        count += len(batch_rows)
        if progress:
            progress(count, total)

    batches = _batches(todo, size)
    if not batches:
        pass
    elif client is not None:
        _run_dask(client, sc, root, batches, finished)
    elif slots == 1 and not pool:
        for b in batches:
            finished(run_replications(sc, root, b))
    else:
        _run_pool(slots, sc, root, batches, finished)

    df = _frame(rows).sort_values("replication", kind="stable").reset_index(drop=True)
    agg = aggregate(df)
    # resuming a complete study runs nothing and rewrites nothing
    untouched = (folder is not None and was_complete and not batches
                 and all((folder.root / f).is_file()
                         for f in ("replications.parquet", "aggregate.json")))
    if folder is not None and not untouched:
        atomic_write_parquet(folder.root / "replications.parquet", df)
        _write_json(agg, folder.root / "aggregate.json")
        folder.meta["complete"] = True
        folder.meta["finished_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
        _write_json(folder.meta, folder.root / "study.json")
    df.attrs["aggregate"] = agg
    return df


def _pool_context() -> BaseContext:
    """Worker processes forked from a clean fork server that has imported skyshield (and
    loaded its compiled kernels) once — quick to start, and never a fork of a parent with
    threads (a progress bar) or of an interactive ``__main__``; spawn where there is no
    fork server (Windows, macOS defaults aside)."""
    if "forkserver" in get_all_start_methods():
        ctx = get_context("forkserver")
        ctx.set_forkserver_preload(["skyshield.studies.montecarlo"])
        return ctx
    return get_context("spawn")


WATCH_PARENT_S = 0.5  # how often a pool worker checks that its study is still running


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (not Linux): kill(pid, 0) is all there is


def _watch_study(pid: int) -> None:
    """Pool worker initializer: exit when the study's main process ``pid`` is gone (issue 20:
    after ``kill -9`` of the study, its workers, their fork server and the resource tracker
    ran on, one computing batches nobody would collect)."""

    def watch() -> None:
        while _alive(pid):
            time.sleep(WATCH_PARENT_S)
        os._exit(1)

    threading.Thread(target=watch, name="skyshield-watch-study", daemon=True).start()


def _run_pool(workers: int, sc: Scenario, root: int, batches: list[list[int]],
              finished: Callable[[list[dict[str, Any]]], None]) -> None:
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                               initializer=_watch_study, initargs=(os.getpid(),))
    clean = False
    try:
        pending: set[Future[list[dict[str, Any]]]] = {
            pool.submit(run_replications, sc, root, b) for b in batches}
        while pending:
            ready, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in ready:
                finished(f.result())
        clean = True
    except BrokenProcessPool:
        raise StudyError("a worker process died (killed, or out of memory); the finished "
                         "batches are kept: resume the study to run the rest") from None
    finally:
        if not clean:  # Ctrl-C or an error: stop the batches still running, do not wait
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
        pool.shutdown(wait=True, cancel_futures=not clean)


def _workers_left(client: Any) -> int | None:
    """How many workers the scheduler has now; None if it does not answer within 5 s."""
    try:
        return len(client.sync(client.scheduler.ncores, callback_timeout=5))
    except Exception:  # noqa: BLE001 - no answer is the answer: the scheduler is gone
        return None


def _dask_failure(exc: BaseException, workers_left: int | None = None) -> StudyError | None:
    """A Dask failure (a killed worker, every worker gone, the scheduler lost) as a StudyError;
    None if ``exc`` is not one (an error of the replication itself stays what it is).

    ``workers_left`` is the scheduler's answer when the failure came (None: no answer). When it
    answered with no workers, the workers are what was lost, not the scheduler: Dask then
    cancels the batches because the scenario sent to the workers died with them.
    """
    from distributed import KilledWorker

    said = " ".join(str(exc).split())  # one line
    if not isinstance(exc, KilledWorker | CancelledError | OSError | TimeoutError):
        return None
    if isinstance(exc, KilledWorker):
        what = ("a worker died running a batch, as many times as the scheduler allows "
                f"(killed, or out of memory): {said}")
    elif workers_left == 0:
        what = ("every worker died or left (the scheduler answers but has no workers; "
                "killed, out of memory, or stopped): " + said)
    elif isinstance(exc, CancelledError):
        what = f"batches were cancelled (the scheduler was lost or restarted): {said}"
    else:
        what = f"lost the scheduler: {said}"
    return StudyError(f"the Dask cluster failed ({what}); the finished batches are kept: "
                      "resume the study (--resume) to run the rest")


def _run_dask(client: Any, sc: Scenario, root: int, batches: list[list[int]],
              finished: Callable[[list[dict[str, Any]]], None]) -> None:
    from distributed import as_completed

    futures: list[Any] = []

    def stop(exc: BaseException) -> BaseException:
        from distributed import KilledWorker

        left = (_workers_left(client)
                if isinstance(exc, CancelledError | OSError | TimeoutError)
                and not isinstance(exc, KilledWorker) else None)
        try:
            client.cancel(futures)
        except Exception:  # noqa: BLE001 - the scheduler may be gone; nothing to cancel then
            pass
        return _dask_failure(exc, left) or exc

    try:
        scattered = client.scatter(sc, broadcast=True)  # the scenario travels once per worker
        futures = [client.submit(run_replications, scattered, root, b, pure=False)
                   for b in batches]
        ready = as_completed(futures)
    except Exception as exc:
        raise stop(exc) from None
    while True:
        try:
            f = next(ready, None)
            if f is None:
                return
            rows = f.result()
        except BaseException as exc:
            failure = stop(exc)
            if failure is exc:
                raise
            raise failure from None
        try:
            finished(rows)
        except BaseException as exc:
            stop(exc)
            raise


def load_study(folder: str | Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """A study folder's ``study.json`` and its replications so far (complete or not)."""
    root = Path(folder)
    meta = _read_meta(root)
    return meta, _Folder(root, meta).done()
