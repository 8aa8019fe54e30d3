"""``python -m skyshield.cli``: the ``skyshield`` command."""

from skyshield.cli import main

main()
