"""Benchmark: evaluate 1,000,000 observations from a file; print time and peak memory.

Bounded memory is shown side by side: the tracemalloc peak of evaluating 100,000 and
1,000,000 observations of the same one-hour run (ten times denser), in the same process.
A streaming evaluation keeps the ratio near 1; one that held the records would be near 10.
(Memory grows with the run's duration through time buckets, not with its request count.)

    .venv/bin/python bench/slo_eval.py [--count 1000000] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slo.evaluation import evaluate  # noqa: E402
from slo.spec import SloSpec  # noqa: E402
from vocabulary import read_observations  # noqa: E402

SPEC = SloSpec.model_validate(
    {
        "name": "bench",
        "objectives": [
            {"name": "failed", "ratio": "failed", "max": 0.01},
            {"name": "answered", "ratio": "answered", "min": 0.99},
            {
                "name": "partial in faults",
                "ratio": "partial",
                "max": 0.2,
                "filters": {"phase": "fault"},
            },
            {"name": "ops-db errors", "ratio": "tool_error", "tool": "direct_query", "max": 0.05},
            {"name": "p99 per intent", "latency": "p99", "max_ms": 800, "per": "intent"},
            {"name": "p50", "latency": "p50", "max_ms": 100},
            {"name": "failed per 30 s", "ratio": "failed", "max": 0.05, "window_s": 30},
            {"name": "recovers", "recovers_within_s": 10},
        ],
    }
)


def generate(path: Path, count: int, seed: int = 1) -> None:
    """One hour of synthetic traffic: baseline, a fault in the middle, recovery."""
    rng = random.Random(seed)
    start, step = 1_700_000_000.0, 3600.0 / count
    intents = ("incident_lookup", "capacity", "audit_trail", "topology")
    with path.open("w", encoding="utf-8") as stream:
        for index in range(count):
            ts = start + index * step
            offset = ts - start
            phase = "baseline" if offset < 1200 else "fault" if offset < 2400 else "recovery"
            bad = 0.15 if phase == "fault" else 0.004
            roll = rng.random()
            status = "failed" if roll < bad / 4 else "partial" if roll < bad else "success"
            record = {
                "ts": ts,
                "source": "load",
                "scenario": "bench",
                "phase": phase,
                "intent": intents[index % 4],
                "tenant": f"t{index % 8}",
                "status": status,
                "latency_ms": rng.expovariate(1 / 60),
                "fallback_used": status == "partial",
                "tool_errors": {"direct_query": "timeout"} if status != "success" else {},
            }
            stream.write(json.dumps(record) + "\n")


def measure(path: Path, count: int, trace: bool) -> tuple[float, int]:
    if trace:
        tracemalloc.start()
    began = time.perf_counter()
    evaluation = evaluate(read_observations(path), SPEC)
    elapsed = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    assert evaluation.observations == count
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument(
        "--keep", type=Path, help="write the generated observations here and keep them"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = args.keep or Path(scratch) / "observations.jsonl"
        small, small_path = args.count // 10, Path(scratch) / "small.jsonl"
        began = time.perf_counter()
        generate(path, args.count)
        generate(small_path, small, seed=2)
        print(
            f"generated {args.count:,} observations ({path.stat().st_size / 1e6:.0f} MB) "
            f"in {time.perf_counter() - began:.1f} s"
        )
        elapsed, _ = measure(path, args.count, trace=False)
        print(
            f"evaluate {args.count:,}: {elapsed:.1f} s ({args.count / elapsed:,.0f} observations/s), "
            f"{len(SPEC.objectives)} objectives, reading and validating included"
        )
        _, peak_small = measure(small_path, small, trace=True)
        _, peak_full = measure(path, args.count, trace=True)
        print(
            f"peak traced memory: {small:,} -> {peak_small / 1e6:.1f} MB, "
            f"{args.count:,} -> {peak_full / 1e6:.1f} MB (ratio {peak_full / peak_small:.2f} for 10x the data)"
        )


if __name__ == "__main__":
    main()
