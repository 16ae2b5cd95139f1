"""Benchmark: a long soak's observations as columnar segments, evaluated against a bare scan.

Generates N observations at 1,000 requests a second (100M: a day and four hours of a soak)
with the product's segment writer (`vocabulary.segment_writer`, 100,000 a segment), shaped
like a load run's: a uuid4 hex request id, 4 intents, 8 tenants, a third each of
baseline/fault/recovery, 0.4% bad (15% in the fault), a measured-looking float latency
(exponential, full float64 precision), a tool error code on every bad request,
`extra = {"http_status": ..., "worker": ...}`. Then, side by side on the same files, in
alternating rounds, each in a fresh child process (medians over the rounds):
  - scan_s: a bare DuckDB scan, `count(*)` grouped by status and phase: the floor;
  - evaluate_s: `evaluate_files` on the folder, as the gate runs it, with the objectives of
    bench/slo_eval.py; `peak_memory_mb` is the largest resident size that child reached.
`bytes_per_observation` is the folder's size over N; `bytes_by_column` says where it goes.
Writes bench/results/soak_scale.json for 100M (soak_scale_20m.json for 20M, and so on;
nothing with --quick). The evaluation reads the segments a span of the run at a time
(`slo.streamed_evaluation`): its peak memory should not grow with N.

    nice -n 10 .venv/bin/python bench/soak_scale.py --rounds 1       # 100,000,000
    nice -n 10 .venv/bin/python bench/soak_scale.py --observations 20000000
    .venv/bin/python bench/soak_scale.py --quick      # 5,000, 1 round: checks that it runs
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.slo_eval import INTENTS, SPEC  # noqa: E402
from vocabulary.segment_format import SCHEMA  # noqa: E402
from vocabulary.segment_writer import SegmentWriter, segment_files  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "soak_scale.json"
DEFAULT = 100_000_000  # its results go to soak_scale.json, other sizes' beside it
RATE = 1_000.0  # requests a second
BATCH = 100_000
TENANTS = [f"t{i}" for i in range(8)]
WORKERS = ["w1", "w2"]


def batch_of(first: int, size: int, count: int, rng: np.random.Generator) -> pa.Table:
    """Rows first..first+size of a run of `count` observations."""
    start = 1_700_000_000.0
    index = np.arange(first, first + size)
    ts = start + index / RATE + rng.random(size) / RATE
    third = count / 3
    phase = np.where(index < third, 0, np.where(index < 2 * third, 1, 2))
    roll = rng.random(size)
    bad = np.where(phase == 1, 0.15, 0.004)
    status = np.where(roll < bad / 4, 2, np.where(roll < bad, 1, 0))  # success/partial/failed
    failing = status != 0
    offsets = np.concatenate([[0], np.cumsum(failing)]).astype(np.int32)
    errors = int(failing.sum())
    worker = index % 2
    http = np.where(status == 2, 503, 200)
    pairs = zip(http, worker, strict=True)
    extra = [f'{{"http_status":{h},"worker":"{WORKERS[w]}"}}' for h, w in pairs]
    columns = {
        "ts": ts,
        "source": pa.array(["load"] * size),
        "scenario": pa.array(["soak"] * size),
        "phase": pa.array(np.array(["baseline", "fault", "recovery"])[phase]),
        "request_id": pa.FixedSizeBinaryArray.from_buffers(
            pa.binary(16), size, [None, pa.py_buffer(rng.bytes(16 * size))]
        ),
        "request_id_text": pa.nulls(size, pa.string()),
        "tenant": pa.array(np.array(TENANTS)[index % 8]),
        "intent": pa.array(np.array(INTENTS)[(index // 8) % 4]),
        "status": pa.array(np.array(["success", "partial", "failed"])[status]),
        "latency_ms": rng.exponential(60.0, size),
        "tool_errors": pa.MapArray.from_arrays(
            pa.array(offsets), pa.array(["direct_query"] * errors), pa.array(["timeout"] * errors)
        ),
        "fallback_used": status == 1,
        "extra": pa.array(extra),
    }
    return pa.table(columns, schema=SCHEMA)


def generate(folder: Path, count: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    with SegmentWriter(folder, seconds_per_segment=float("inf")) as writer:
        for first in range(0, count, BATCH):
            writer.append_batch(batch_of(first, min(BATCH, count - first), count, rng))


def bytes_by_column(files: list[Path], count: int) -> dict[str, float]:
    sizes: dict[str, int] = {}
    for path in files:
        metadata = pq.ParquetFile(path).metadata
        for group in range(metadata.num_row_groups):
            row_group = metadata.row_group(group)
            for column in range(row_group.num_columns):
                chunk = row_group.column(column)
                name = chunk.path_in_schema.split(".")[0]
                sizes[name] = sizes.get(name, 0) + chunk.total_compressed_size
    return {name: round(size / count, 3) for name, size in sizes.items()}


def _evaluate_in_child(folder: str, queue: multiprocessing.Queue) -> None:
    from slo.evaluation import evaluate_files
    from slo.spec import SloSpec

    spec = SloSpec.model_validate(SPEC)
    began, cpu = time.perf_counter(), _cpu_s()
    evaluation = evaluate_files(folder, spec)
    elapsed = time.perf_counter() - began
    verdicts = {r.label: r.verdict.value for r in evaluation.results}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    queue.put((elapsed, evaluation.observations, verdicts, peak_mb, _cpu_s() - cpu))


def _scan_in_child(folder: str, queue: multiprocessing.Queue) -> None:
    import duckdb

    files = ", ".join(f"'{path}'" for path in segment_files(Path(folder)))
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    began, cpu = time.perf_counter(), _cpu_s()
    rows = connection.sql(
        f"SELECT status, phase, count(*) FROM read_parquet([{files}]) GROUP BY status, phase"
    ).fetchall()
    elapsed = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((elapsed, sum(row[2] for row in rows), {}, peak_mb, _cpu_s() - cpu))


def _cpu_s() -> float:
    """CPU seconds of this process, all threads: on a shared machine the wall time measures
    the neighbours too."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def in_child(target, folder: Path) -> tuple[float, int, dict[str, str], float, float]:
    """(seconds, observations, verdicts, peak RSS in MB, CPU seconds) of `target` in a fresh
    process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(str(folder), queue))
    child.start()
    outcome = queue.get()
    child.join()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--observations", type=int, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--folder", type=Path, help="write the segments here and keep them")
    parser.add_argument(
        "--quick", action="store_true", help="5,000 observations, one round; no results file"
    )
    args = parser.parse_args()
    count, rounds = (5_000, 1) if args.quick else (args.observations, args.rounds)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or Path(scratch) / "observations"
        began = time.perf_counter()
        if not (folder.exists() and segment_files(folder)):  # --folder kept from a run before
            generate(folder, count)
        write_s = time.perf_counter() - began
        files = segment_files(folder)
        size = sum(path.stat().st_size for path in files)
        columns = bytes_by_column(files, count)
        scans, evaluations = [], []
        for _ in range(rounds):
            scans.append(in_child(_scan_in_child, folder))
            evaluations.append(in_child(_evaluate_in_child, folder))
    for _, seen, _, _, _ in scans + evaluations:
        assert seen == count, (seen, count)
    scan_s = statistics.median(s[0] for s in scans)
    evaluate_s = statistics.median(e[0] for e in evaluations)
    ratios = [e[0] / s[0] for e, s in zip(evaluations, scans, strict=True)]
    result = {
        "observations": count,
        "bytes_per_observation": round(size / count, 2),
        "bytes_by_column": columns,
        "segments": len(files),
        "evaluate_s": round(evaluate_s, 3),
        "scan_s": round(scan_s, 3),
        "ratio_vs_scan": round(statistics.median(ratios), 2),
        "ratio_per_round": [round(r, 2) for r in ratios],
        # CPU seconds, all threads: less moved by a busy machine's neighbours than the wall
        "evaluate_cpu_s": round(statistics.median(e[4] for e in evaluations), 3),
        "scan_cpu_s": round(statistics.median(s[4] for s in scans), 3),
        "cpu_ratio_vs_scan": round(
            statistics.median(e[4] / s[4] for e, s in zip(evaluations, scans, strict=True)), 2
        ),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "rounds": rounds,
        "peak_memory_mb": round(max(e[3] for e in evaluations), 1),
        "scan_peak_memory_mb": round(max(s[3] for s in scans), 1),
        "write_s": round(write_s, 1),
        "objectives": len(SPEC["objectives"]),
        "verdicts": evaluations[0][2],
        "cpus": multiprocessing.cpu_count(),
        "python": platform.python_version(),
    }
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        size = f"{count // 1_000_000}m" if count % 1_000_000 == 0 else str(count)
        target = RESULTS if count == DEFAULT else RESULTS.with_name(f"soak_scale_{size}.json")
        target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"observations {count:,} in {len(files)} segments (written in {write_s:.1f} s)")
    print(f"bytes_per_observation {result['bytes_per_observation']}")
    print(f"scan_s {scan_s:.3f}")
    print(f"evaluate_s {evaluate_s:.3f}")
    print(f"ratio_vs_scan {result['ratio_vs_scan']}")
    print(f"cpu_ratio_vs_scan {result['cpu_ratio_vs_scan']}")
    print(f"peak_memory_mb {result['peak_memory_mb']}")


if __name__ == "__main__":
    main()
