"""The `gauntlet` command line: one module per command, wired in `app`."""

from .app import app, main

__all__ = ["app", "main"]
