"""`gauntlet ARGS...` with one mutant applied, the service hosted in this same process.

    python bench/mutants/run_in_process.py MUTANT run --only NAME ...

For a `gauntlet` without `--target-command`: its `run` builds the service in-process, so
patching the orchestrator here reaches the service under test. Exit code 2: no such mutant.
"""

from __future__ import annotations

import sys

from catalogue import load_mutant


def main(argv: list[str]) -> None:
    if not argv:
        print(
            "usage: python bench/mutants/run_in_process.py MUTANT GAUNTLET-ARGS...", file=sys.stderr
        )
        raise SystemExit(2)
    try:
        mutant = load_mutant(argv[0])
    except LookupError as exc:
        print(f"run_in_process.py: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    mutant.apply()
    from scenarios.cli import main as gauntlet

    sys.argv = ["gauntlet", *argv[1:]]
    gauntlet()


if __name__ == "__main__":
    main(sys.argv[1:])
