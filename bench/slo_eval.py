"""Benchmark: a full SLO evaluation against `json.loads` over the same lines, in one run.

Generates N observations (one hour of traffic: baseline, a fault, recovery) with the fast
writer, then times, side by side on the same file, in alternating rounds so that the
machine's drift hits every measurement alike (the figures are medians over the rounds):
  - json_loads_s: `json.loads` of every line, and nothing else (the floor of any per-record
    Python reader);
  - evaluate_s: `evaluate_files` with every objective kind, parsing included (DuckDB's JSON
    reader, the default), in a fresh child process, as the gate runs it; `peak_memory_mb`
    is the largest resident size that child reached;
  - evaluate_with_polars_scan_s: the same evaluation reading with polars' `scan_ndjson`,
    the side-by-side comparison behind the choice of reader.
The ratio is the median of the rounds' own ratios.
Writes bench/results/slo_eval.json (slo_eval_10m.json with --ten-million; nothing with
--quick).

    .venv/bin/python bench/slo_eval.py              # 1,000,000 observations, 3 rounds
    .venv/bin/python bench/slo_eval.py --ten-million  # 10,000,000, 1 round
    .venv/bin/python bench/slo_eval.py --quick        # 5,000, 1 round: checks that it runs
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slo.spec import SloSpec  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "slo_eval.json"
RESULTS_10M = ROOT / "bench" / "results" / "slo_eval_10m.json"
SPEC = {
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
INTENTS = ("incident_lookup", "capacity", "audit_trail", "topology")


def generate(path: Path, count: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    start, step = 1_700_000_000.0, 3600.0 / count
    with path.open("wb") as stream:
        for first in range(0, count, 100_000):
            size = min(100_000, count - first)
            offsets = (np.arange(first, first + size) * step).tolist()
            rolls = rng.random(size).tolist()
            latencies = rng.exponential(60.0, size).tolist()
            records = []
            for index, (offset, roll, latency) in enumerate(
                zip(offsets, rolls, latencies, strict=True)
            ):
                phase = "baseline" if offset < 1200 else "fault" if offset < 2400 else "recovery"
                bad = 0.15 if phase == "fault" else 0.004
                status = "failed" if roll < bad / 4 else "partial" if roll < bad else "success"
                records.append(
                    {
                        "ts": start + offset,
                        "source": "load",
                        "scenario": "bench",
                        "phase": phase,
                        "intent": INTENTS[(first + index) % 4],
                        "tenant": f"t{(first + index) % 8}",
                        "status": status,
                        "latency_ms": latency,
                        "fallback_used": status == "partial",
                        "tool_errors": {"direct_query": "timeout"} if status != "success" else {},
                    }
                )
            # plain mappings with the record's field names: a generator, not a harness
            stream.writelines(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records)


def json_loads_seconds(path: Path) -> float:
    began = time.perf_counter()
    with path.open("rb") as stream:
        for line in stream:
            json.loads(line)
    return time.perf_counter() - began


def _evaluate_in_child(path: str, reader: str, queue: multiprocessing.Queue) -> None:
    from slo.evaluation import evaluate_files

    spec = SloSpec.model_validate(SPEC)
    began = time.perf_counter()
    evaluation = evaluate_files(path, spec, reader=reader)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - began
    verdicts = {r.label: r.verdict for r in evaluation.results}
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    queue.put((elapsed, evaluation.observations, verdicts, peak_kb / 1024))


def evaluate_seconds(path: Path, reader: str) -> tuple[float, int, dict[str, str], float]:
    """(seconds, observations, verdicts, peak RSS in MB) of one evaluation in a fresh process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_evaluate_in_child, args=(str(path), reader, queue))
    child.start()
    outcome = queue.get()
    child.join()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--ten-million", action="store_true", help="10,000,000 observations")
    parser.add_argument("--keep", type=Path, help="write the observations here and keep them")
    parser.add_argument("--rounds", type=int, help="alternating rounds (default 3; 1 for 10M)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, one round: checks that it runs; writes no results file",
    )
    args = parser.parse_args()
    count = 10_000_000 if args.ten_million else args.count
    rounds = args.rounds or (1 if args.ten_million else 3)
    if args.quick:
        count, rounds = 5_000, 1
    with tempfile.TemporaryDirectory() as scratch:
        path = args.keep or Path(scratch) / "observations.jsonl"
        began = time.perf_counter()
        generate(path, count)
        written_s = time.perf_counter() - began
        size_mb = path.stat().st_size / 1e6
        loads, duck, scan = [], [], []
        for _ in range(rounds):
            loads.append(json_loads_seconds(path))
            duck.append(evaluate_seconds(path, "duckdb"))
            scan.append(evaluate_seconds(path, "polars"))
    for _, seen, verdicts, _ in duck + scan:
        assert seen == count, (seen, count)
        assert verdicts == duck[0][2], (verdicts, duck[0][2])
    verdicts = duck[0][2]
    loads_s = statistics.median(loads)
    evaluate_s = statistics.median(d[0] for d in duck)
    polars_s = statistics.median(p[0] for p in scan)
    ratios = [d[0] / s for d, s in zip(duck, loads, strict=True)]
    scan_ratios = [p[0] / s for p, s in zip(scan, loads, strict=True)]
    peak_mb = max(d[3] for d in duck)
    result = {
        "observations": count,
        "evaluate_s": round(evaluate_s, 3),
        "json_loads_s": round(loads_s, 3),
        "ratio_vs_json_loads": round(statistics.median(ratios), 3),
        "ratio_per_round": [round(r, 3) for r in ratios],
        "rounds": rounds,
        "peak_memory_mb": round(peak_mb, 1),
        "file_mb": round(size_mb, 1),
        "write_s": round(written_s, 3),
        "objectives": len(SPEC["objectives"]),
        "engine": "DuckDB read_json -> Arrow batches -> polars frame; polars group-bys",
        "evaluate_with_polars_scan_s": round(polars_s, 3),
        "ratio_polars_scan_vs_json_loads": round(statistics.median(scan_ratios), 3),
        "polars_scan_peak_memory_mb": round(max(p[3] for p in scan), 1),
        "verdicts": verdicts,
        "cpus": multiprocessing.cpu_count(),
        "python": platform.python_version(),
    }
    if not args.quick:
        target = RESULTS_10M if args.ten_million else RESULTS
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"observations {count:,} ({size_mb:.0f} MB, written in {written_s:.1f} s)")
    print(f"json_loads_s {loads_s:.3f}")
    print(f"evaluate_s {evaluate_s:.3f}")
    print(f"ratio_vs_json_loads {result['ratio_vs_json_loads']:.3f}")
    print(f"peak_memory_mb {peak_mb:.1f}")
    print(f"evaluate_with_polars_scan_s {polars_s:.3f}")
    print(f"ratio_polars_scan_vs_json_loads {result['ratio_polars_scan_vs_json_loads']:.3f}")


if __name__ == "__main__":
    main()
