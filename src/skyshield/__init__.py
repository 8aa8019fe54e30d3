"""skyshield: an open-source air-defence exercise simulator (training and analysis only).

Public API::

    import skyshield
    sc = skyshield.load_scenario("slavic-shield-2019")
    result = skyshield.run(sc, seed=1)
    result.summary["threats_destroyed"], result.events.head()
    df = skyshield.montecarlo(sc, n=200)           # one row per replication
    df.attrs["aggregate"]["metrics"]["any_leak"]   # mean and Wilson 95 % interval
"""

from skyshield.api import RunResult, __version__, load_scenario, run
from skyshield.scenario.errors import ScenarioError
from skyshield.scenario.schema import Scenario
from skyshield.studies.montecarlo import montecarlo

__all__ = ["RunResult", "Scenario", "ScenarioError", "__version__", "load_scenario",
           "montecarlo", "run"]
