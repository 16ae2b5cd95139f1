"""What one validation costs: the starting validator against this one, side by side.

The baseline is the `orchestrator/safety` package at a git ref (default: the commit this
branch started from), extracted to a temporary folder and imported under another name,
so both run in this one process on the same queries, in alternating rounds. Also timed:
the same validation through `ValidatorPool` (a worker process, off the event loop), which
is what the direct-query tool pays per query.

Queries: the legitimate corpus (tests/safety/corpus/legitimate.sql) that both accept.
Prints the median microseconds per validation of each, and the ratios; writes
bench/results/validator_cost.json (not with --quick, which runs one round).
    .venv/bin/python bench/validator_cost.py [--baseline-ref REF] [--rounds N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "safety"))

from corpus import CORPUS_DIR, load_named_queries  # noqa: E402

from orchestrator.safety import ValidatorPool, validate_direct_query  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "validator_cost.json"
BASE_REF = "7c192cb"  # the commit the validator branch started from


def _baseline(ref: str, folder: Path):  # noqa: ANN202 - a function from another package
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "orchestrator/safety"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "orchestrator" / "safety").rename(folder / "baseline_safety")
    sys.path.insert(0, str(folder))
    return importlib.import_module("baseline_safety").validate_direct_query


def _per_query_us(validate, queries: list[str]) -> float:  # noqa: ANN001
    started = time.perf_counter()
    for query in queries:
        validate(query, tenant_id="acme")
    return (time.perf_counter() - started) / len(queries) * 1e6


async def _pool_per_query_us(pool: ValidatorPool, queries: list[str]) -> float:
    started = time.perf_counter()
    for query in queries:
        await pool.validate(query, tenant_id="acme")
    return (time.perf_counter() - started) / len(queries) * 1e6


async def _measure(baseline, queries: list[str], rounds: int) -> dict[str, list[float]]:  # noqa: ANN001
    timings: dict[str, list[float]] = {"baseline": [], "current": [], "current_in_pool": []}
    pool = ValidatorPool(workers=1)
    try:
        await pool.wait_ready()
        for _ in range(rounds):
            timings["baseline"].append(_per_query_us(baseline, queries))
            timings["current"].append(_per_query_us(validate_direct_query, queries))
            timings["current_in_pool"].append(await _pool_per_query_us(pool, queries))
    finally:
        await pool.aclose()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-ref", default=BASE_REF)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, one round: checks that it runs; writes no results file",
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds = 1
    with tempfile.TemporaryDirectory() as folder:
        baseline = _baseline(args.baseline_ref, Path(folder))
        corpus = load_named_queries(CORPUS_DIR / "legitimate.sql").values()
        queries = [q for q in corpus if baseline(q, tenant_id="acme").is_safe]
        timings = asyncio.run(_measure(baseline, queries, args.rounds))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    report = {
        "queries": len(queries),
        "rounds": args.rounds,
        "median_us_per_validation": {k: round(v, 1) for k, v in medians.items()},
        "current_over_baseline": round(medians["current"] / medians["baseline"], 2),
        "pool_over_baseline": round(medians["current_in_pool"] / medians["baseline"], 2),
    }
    print(f"validator / baseline validator: {report['current_over_baseline']:.2f}")
    print(f"validator in its worker pool / baseline: {report['pool_over_baseline']:.2f}")
    if not args.quick:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
