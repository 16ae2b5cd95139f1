"""`python -m scenarios.cli`: the `gauntlet` command."""

from .app import main

main()
