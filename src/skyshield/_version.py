"""The version of skyshield (one home: the package, the API and the CLI read it here)."""

__version__ = "0.1.0"
