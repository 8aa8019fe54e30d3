"""Test-wide settings.

* Property tests are deterministic (no example database, fixed seed), so a run in CI tries
  exactly the examples a developer's run tried.
* Nothing is written to the user's ``~/.cache`` (nor ``~/.config``): the reach tables of
  ``weapons.envelope`` (``SKYSHIELD_CACHE``) and what honours ``XDG_CACHE_HOME`` and
  ``XDG_CONFIG_HOME`` (matplotlib, a numba cache outside the source tree, the browser) go to
  pytest's own cache folder of this checkout
  (``.pytest_cache/d/skyshield``, kept between runs so a second run reuses the tables), or to a
  temporary folder removed at the end when the cache plugin is off (``-p no:cacheprovider``).
  Subprocesses started by tests inherit the variables.
* Runs are shared: the built-in exercise at its golden seed and the small after-action
  scenario each run at most once per worker, for every test that only reads them (the results
  are shared: tests must not mutate them).
* Under pytest-xdist (``-n 2 --dist loadgroup``, the default ``addopts``), the tests of one
  file run on one worker, so its module fixtures are computed once, and the tests that read the
  built-in's run, whatever their file, run on the worker that holds it. A test that sets its own
  ``xdist_group`` keeps it.
* A test that reads the built-in exercise is marked ``slow`` (``pytest -m "not slow"`` skips
  it, with the other slow tests, for a quick loop).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

import skyshield

settings.register_profile("skyshield", derandomize=True, database=None, deadline=None)
settings.load_profile("skyshield")

DATA = Path(__file__).resolve().parent / "data"

_CACHE_VARS = ("SKYSHIELD_CACHE", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")
_OWN_TEMP = "_SKYSHIELD_TEST_CACHE_TMP"  # set by the process that made a temporary cache folder
_saved_env: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    cache = getattr(config, "cache", None)
    if cache is not None:
        root = Path(cache.mkdir("skyshield"))
    elif os.environ.get(_OWN_TEMP):  # an xdist worker of a session without the cache plugin
        root = Path(os.environ[_OWN_TEMP])
    else:
        root = Path(tempfile.mkdtemp(prefix="skyshield-test-cache-"))
        _saved_env[_OWN_TEMP] = None
        os.environ[_OWN_TEMP] = str(root)
    for var, path in zip(_CACHE_VARS, (root / "skyshield", root / "xdg", root / "config"),
                         strict=True):
        _saved_env.setdefault(var, os.environ.get(var))
        os.environ[var] = str(path)


def pytest_unconfigure(config: pytest.Config) -> None:
    made = os.environ.get(_OWN_TEMP) if _OWN_TEMP in _saved_env else None
    for var, old in _saved_env.items():
        if old is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = old
    _saved_env.clear()
    if made:
        shutil.rmtree(made, ignore_errors=True)


# --- shared runs -----------------------------------------------------------------------------

# the expensive shared runs: their readers share a worker (the run is made once) and are slow
# (the small scenario's run takes about a second: its readers stay with their files)
EXPENSIVE_RUNS = ("exercise_2019",)


@pytest.fixture(scope="session")
def exercise_2019():
    """``skyshield.run("slavic-shield-2019", seed=2019)``, shared (tests must not mutate it)."""
    return skyshield.run("slavic-shield-2019", seed=2019)


@pytest.fixture(scope="session")
def aar_small_run():
    """``skyshield.run("tests/data/aar_small.yaml")`` at the file's seed, shared (tests must
    not mutate it; ``.save(folder)`` to a folder of their own is fine)."""
    return skyshield.run(DATA / "aar_small.yaml")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups and -m deselects
@pytest.hookimpl(tryfirst=True)  # before xdist's worker reads the groups into the node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # schemathesis collects one item per API operation under the same node id; xdist tells
    # items apart by node id (duplicates were silently not run on a worker): number them
    seen: dict[str, int] = {}
    for item in items:
        k = seen.get(item.nodeid, 0)
        seen[item.nodeid] = k + 1
        if k:
            item._nodeid = f"{item.nodeid}[{k}]"
    for item in items:
        shared = [name for name in EXPENSIVE_RUNS if name in item.fixturenames]
        if shared:
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("xdist_group") is None:
            group = shared[0] if shared else item.nodeid.split("::", 1)[0]
            item.add_marker(pytest.mark.xdist_group(group))
    if hasattr(config, "workerinput"):
        # xdist hands the groups out in collection order (--no-loadscope-reorder): the groups
        # with the most slow tests first, so the two workers finish at about the same time
        slow: dict[str, int] = {}
        for item in items:
            slow[_group(item)] = slow.get(_group(item), 0) + bool(item.get_closest_marker("slow"))
        items.sort(key=lambda item: -slow[_group(item)])  # stable: files stay in order


def _group(item: pytest.Item) -> str:
    """The xdist group of a test, as xdist names it (its marks joined)."""
    return "_".join(sorted({str(m.args[0]) for m in item.iter_markers("xdist_group")}))

