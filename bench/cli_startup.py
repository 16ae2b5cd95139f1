"""`gauntlet --help` wall time, measured side by side in one run.

    .venv/bin/python bench/cli_startup.py [--rounds 7] [--quick]

Alternates, round by round, two processes on the same machine:
  1. `gauntlet --help` as shipped (command modules import their dependencies lazily);
  2. the same help after importing, up front, every module the commands use (the data
     layer, the orchestrator and its service, the runner, the SLO engine, Locust's runner):
     what the CLI cost when everything was imported at start-up.
Prints the medians and lazy ÷ eager; writes bench/results/cli_startup.json (not with
--quick, which runs one round).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EAGER_IMPORTS = (
    "import chaos.world, chaos.faults, chaos.postgres, chaos.toxiproxy, orchestrator.service, "
    "scenarios.runner.suite_run, scenarios.spec.loader, load.control.runner, "
    "load.inputs.profile, slo, uvicorn"
)
LAZY = [str(Path(sys.executable).parent / "gauntlet"), "--help"]
EAGER = [
    sys.executable,
    "-c",
    f"{EAGER_IMPORTS}\nimport sys\nfrom scenarios.cli import main\nsys.argv = ['gauntlet', "
    "'--help']\nmain()",
]


def wall_time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT, timeout=120)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, one round: checks that it runs; writes no results file",
    )
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    lazy, eager = [], []
    for _ in range(rounds):  # alternated, so a busy neighbour slows both alike
        lazy.append(wall_time(LAZY))
        eager.append(wall_time(EAGER))
    result = {
        "rounds": rounds,
        "lazy_median_s": round(statistics.median(lazy), 3),
        "eager_median_s": round(statistics.median(eager), 3),
        "lazy_over_eager": round(statistics.median(lazy) / statistics.median(eager), 3),
    }
    print(
        f"gauntlet --help: {result['lazy_median_s']:.2f} s as shipped, "
        f"{result['eager_median_s']:.2f} s with everything imported up front "
        f"(ratio {result['lazy_over_eager']:.2f}, median of {rounds})"
    )
    if args.quick:
        return
    out = ROOT / "bench" / "results" / "cli_startup.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
