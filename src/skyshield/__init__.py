"""skyshield: an open-source air-defence exercise simulator (training and analysis only).

Public API::

    import skyshield
    sc = skyshield.load_scenario("slavic-shield-2019")
    result = skyshield.run(sc, seed=1)
    result.summary["threats_destroyed"], result.events.head()
    df = skyshield.montecarlo(sc, n=200)           # one row per replication
    df.attrs["aggregate"]["metrics"]["any_leak"]   # mean and Wilson 95 % interval

The public names are imported on first use (module ``__getattr__``), so ``import skyshield``
(and the ``skyshield`` command's start) does not pay for numba, pandas, pyarrow and the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from skyshield._version import __version__

# public name -> module that defines it
_LAZY = {
    "RunResult": "skyshield.api",
    "load_scenario": "skyshield.api",
    "run": "skyshield.api",
    "ScenarioError": "skyshield.scenario.errors",
    "Scenario": "skyshield.scenario.schema",
    "montecarlo": "skyshield.studies.montecarlo",
}

__all__ = ["RunResult", "Scenario", "ScenarioError", "__version__", "load_scenario",
           "montecarlo", "run"]

if TYPE_CHECKING:
    from skyshield.api import RunResult, load_scenario, run
    from skyshield.scenario.errors import ScenarioError
    from skyshield.scenario.schema import Scenario
    from skyshield.studies.montecarlo import montecarlo


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'skyshield' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # imported once; later look-ups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
