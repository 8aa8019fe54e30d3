"""Studies over many runs: Monte Carlo replications and parameter sweeps (above the API layer:
they run ``skyshield.run`` many times)."""
