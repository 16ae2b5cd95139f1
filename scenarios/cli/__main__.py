"""`python -m scenarios.cli`: the `gauntlet` command."""

from scenarios.console import main

main()
