"""Start the reference orchestrator service with one deliberate defect switched on.

    python bench/mutants/serve.py MUTANT

The mutant patches the orchestrator in this process; then the service starts exactly as
`python -m orchestrator.service` starts it, from the same environment contract
(GAUNTLET_OPS_DSN, GAUNTLET_METRICS_DSN, GAUNTLET_AUDIT_DSN, GAUNTLET_API_KEYS, PORT).
So a suite runs it with `gauntlet run --target-command "python bench/mutants/serve.py X"`.
Exit code 2: no such mutant.
"""

from __future__ import annotations

import runpy
import sys

from catalogue import load_mutant


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        print("usage: python bench/mutants/serve.py MUTANT", file=sys.stderr)
        raise SystemExit(2)
    try:
        mutant = load_mutant(argv[0])
    except LookupError as exc:
        print(f"serve.py: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    mutant.apply()
    sys.argv = [sys.argv[0]]
    runpy.run_module("orchestrator.service", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
