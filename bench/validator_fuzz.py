"""Fuzz the SQL validator far beyond `make test`: the same grammar-guided property.

Each case is a query composed by the hypothesis strategies of tests/safety/sql_strategies.py
(hostile-class fragments, clauses, character damage). The property: the validator returns
a verdict and never raises, and no accepted query calls a forbidden function. Prints the
number of cases, how many were accepted, and every exception (none is expected); writes
bench/results/validator_fuzz.json (not with --quick: 200 cases, one process). Exit code 1
if any case broke the property. With --jobs N the cases are split over N processes, each
drawing its own random stream.
    .venv/bin/python bench/validator_fuzz.py [--cases 100000] [--jobs 2] [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "safety"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from sql_strategies import hostile_sql  # noqa: E402
from test_validator_fuzz import check_one  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "validator_fuzz.json"


def run_cases(cases: int) -> dict[str, Any]:
    """Run `cases` generated queries through the property; count, never stop at a failure."""
    counts = {"cases": 0, "accepted": 0, "failures": 0}
    failures: list[dict[str, str]] = []

    @settings(
        max_examples=cases,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # no shrinking: every failure is recorded as found
        suppress_health_check=list(HealthCheck),
    )
    @given(hostile_sql)
    def run(sql: str) -> None:
        counts["cases"] += 1
        try:
            if check_one(sql).is_safe:
                counts["accepted"] += 1
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none hidden
            counts["failures"] += 1
            if len(failures) < 50:
                error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                failures.append({"sql": sql[:2000], "error": error})

    started = time.process_time()
    run()
    return {**counts, "cpu_seconds": time.process_time() - started, "examples": failures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=1, help="processes, each its own stream")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes: checks that it runs; writes no results file",
    )
    args = parser.parse_args()
    if args.quick:
        args.cases, args.jobs = 200, 1
    shares = [args.cases // args.jobs + (i < args.cases % args.jobs) for i in range(args.jobs)]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        parts = list(pool.map(run_cases, shares))
    total = {
        key: sum(part[key] for part in parts)
        for key in ("cases", "accepted", "failures", "cpu_seconds")
    }
    examples = [example for part in parts for example in part["examples"]]
    for failure in examples:
        print(f"FAILURE: {failure['error']}\n  on: {failure['sql']!r}")
    print(
        f"cases={total['cases']} accepted={total['accepted']} failures={total['failures']} "
        f"cpu_seconds={total['cpu_seconds']:.1f} jobs={args.jobs}"
    )
    print(f"failures / cases: {total['failures'] / max(1, total['cases']):.6f}")
    if not args.quick:
        RESULTS.parent.mkdir(exist_ok=True)
        report = {**total, "cpu_seconds": round(total["cpu_seconds"], 1), "jobs": args.jobs}
        RESULTS.write_text(json.dumps({**report, "examples": examples}, indent=2) + "\n")
    return 1 if total["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
