"""Does the gate give the same verdict every time? The core suite, N times, optionally
beside CPU-bound neighbours.

    python bench/verdict_stability.py [--runs 3] [--neighbours 1] [--only NAME ...]

Runs `gauntlet run` N times one after another on the clean reference orchestrator. With
`--neighbours K`, K processes spin on the CPU for the whole benchmark (one per core
stands for a busy CI machine). Records each run's verdict, exit code, failed checks and
breached or inconclusive objectives, and counts flips: runs whose verdict differs from
the first run's. A check that passes in one run and fails in another is listed as
unstable. Writes bench/results/verdict_stability.json.

Exit code 0: no flip and every run passed; 1 otherwise; 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULT = BENCH / "results" / "verdict_stability.json"
GAUNTLET = [sys.executable, "-m", "scenarios.cli"]
SPIN = "while True: pass"


def main() -> int:
    args = _arguments()
    if args.runs < 1 or args.neighbours < 0:
        print("verdict_stability: --runs must be >= 1 and --neighbours >= 0", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="verdict-stability-"))
    document: dict[str, Any] = {
        "command": shlex.join(["python", "bench/verdict_stability.py", *sys.argv[1:]]),
        "runs_requested": args.runs,
        "neighbours": args.neighbours,
        "cpu_count": os.cpu_count(),
        "load_average_before": list(os.getloadavg()),
        "scenarios": args.only or "all",
        "reports": str(work),
        "runs": [],
    }
    print(f"verdict stability: {args.runs} runs, {args.neighbours} CPU-bound neighbours")
    with _neighbours(args.neighbours):
        for index in range(args.runs):
            run = _run(work / f"run-{index + 1}", args.only)
            document["runs"].append(run)
            _summarise(document)
            _write(args.out, document)
            print(
                f"  run {index + 1}: {run['verdict']:<6} exit {run['exit_code']}  "
                f"{run['wall_s']:>6.1f}s  {'; '.join(run['failures'][:3])}",
                flush=True,
            )
    print(f"flips: {document['flips']}; every run passed: {document['all_passed']}; {args.out}")
    return 0 if document["flips"] == 0 and document["all_passed"] else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="how many suite runs (default 3)")
    parser.add_argument(
        "--neighbours", type=int, default=0, help="CPU-bound neighbour processes (default 0)"
    )
    parser.add_argument("--only", action="append", help="only this scenario (repeatable)")
    parser.add_argument("--out", type=Path, default=RESULT, help="where to write the JSON")
    return parser.parse_args()


@contextmanager
def _neighbours(count: int) -> Iterator[None]:
    """`count` processes spinning on the CPU while the block runs; always stopped after."""
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(count)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.terminate()
        for spinner in spinners:
            spinner.wait()


def _run(out: Path, only: list[str] | None) -> dict[str, Any]:
    command = [*GAUNTLET, "run", "--out", str(out)]
    command += [arg for name in only or () for arg in ("--only", name)]
    started = time.monotonic()
    with (out.parent / f"{out.name}.log").open("w") as log:
        code = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT).returncode
    wall_s = round(time.monotonic() - started, 1)
    report = out / "report.json"
    if not report.exists():
        return {
            "verdict": "error",
            "exit_code": code,
            "wall_s": wall_s,
            "failures": [],
            "checks": {},
        }
    document = json.loads(report.read_text())
    objectives = document["objectives"]
    return {
        "verdict": document["verdict"],
        "exit_code": code,
        "wall_s": wall_s,
        "failures": sorted(
            [
                f"{c['group']}: {c['name']}"
                for c in document["checks"]
                if not c["passed"] and not c.get("inconclusive", False)
            ]
            + [f"slo: {o['name']}" for o in objectives if o["verdict"] == "fail"]
        ),
        "inconclusive": [o["name"] for o in objectives if o["verdict"] == "inconclusive"],
        "checks": {f"{c['group']}: {c['name']}": c["passed"] for c in document["checks"]},
    }


def _summarise(document: dict[str, Any]) -> None:
    runs = document["runs"]
    verdicts = [run["verdict"] for run in runs]
    document["verdicts"] = verdicts
    document["flips"] = sum(verdict != verdicts[0] for verdict in verdicts)
    document["all_passed"] = all(verdict == "pass" for verdict in verdicts)
    outcomes: dict[str, set[bool]] = {}
    for run in runs:
        for name, passed in run["checks"].items():
            outcomes.setdefault(name, set()).add(passed)
    document["unstable_checks"] = sorted(name for name, seen in outcomes.items() if len(seen) > 1)


def _write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
