"""Test-wide settings: property tests are deterministic (no example database, fixed seed), so a
run in CI tries exactly the examples a developer's run tried."""

from hypothesis import settings

settings.register_profile("skyshield", derandomize=True, database=None, deadline=None)
settings.load_profile("skyshield")
