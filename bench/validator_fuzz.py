"""Fuzz the SQL validator far beyond `make test`: the same grammar-guided property.

Each case is a query composed by the hypothesis strategies of tests/safety/sql_strategies.py
(hostile-class fragments, clauses, character damage). The property: the validator returns
a verdict and never raises, and no accepted query calls a forbidden function. Prints the
number of cases, how many were accepted, and every exception (none is expected); writes
bench/results/validator_fuzz.json. Exit code 1 if any case broke the property.
    .venv/bin/python bench/validator_fuzz.py [--cases 100000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "safety"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from sql_strategies import hostile_sql  # noqa: E402
from test_validator_fuzz import check_one  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "validator_fuzz.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    counts = {"cases": 0, "accepted": 0, "failures": 0}
    failures: list[dict[str, str]] = []

    @settings(
        max_examples=args.cases,
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
                failures.append(
                    {
                        "sql": sql[:2000],
                        "error": "".join(traceback.format_exception_only(type(exc), exc)).strip(),
                    }
                )

    started = time.process_time()
    run()
    cpu = time.process_time() - started
    for failure in failures:
        print(f"FAILURE: {failure['error']}\n  on: {failure['sql']!r}")
    print(
        f"cases={counts['cases']} accepted={counts['accepted']} "
        f"failures={counts['failures']} cpu_seconds={cpu:.1f}"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps({**counts, "cpu_seconds": round(cpu, 1), "examples": failures}, indent=2) + "\n"
    )
    return 1 if counts["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
