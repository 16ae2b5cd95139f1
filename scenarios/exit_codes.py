"""Exit codes of every `gauntlet` command: part of the contract with CI systems."""

OK = 0  # every expectation / objective held
FAILED = 1  # an expectation or objective failed (or was inconclusive under a fail policy)
BAD_INPUT = 2  # a malformed file, a bad option, a usage error
INFRASTRUCTURE = 3  # Postgres, Toxiproxy or the service could not start
INTERNAL_ERROR = 4  # a bug in Gauntlet: one line on stderr, the traceback saved to a file
INTERRUPTED = 130  # Ctrl-C / SIGTERM: faults rolled back, partial results written


def on_interrupt(arguments: list[str]) -> int:
    """The exit code of a command stopped by Ctrl-C or SIGTERM.

    That is how `serve` is meant to stop, so it exits OK; any other command was cut short.
    """
    return OK if arguments[:1] == ["serve"] else INTERRUPTED
