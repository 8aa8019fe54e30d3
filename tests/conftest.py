"""Test-wide settings: property tests are deterministic (no example database, fixed seed), so a
run in CI tries exactly the examples a developer's run tried; and the built-in exercise at its
golden seed, run once per session for every test that only reads it."""

import pytest
from hypothesis import settings

import skyshield

settings.register_profile("skyshield", derandomize=True, database=None, deadline=None)
settings.load_profile("skyshield")


@pytest.fixture(scope="session")
def exercise_2019():
    """``skyshield.run("slavic-shield-2019", seed=2019)``, shared (tests must not mutate it)."""
    return skyshield.run("slavic-shield-2019", seed=2019)
