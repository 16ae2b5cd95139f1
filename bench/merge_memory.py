"""Benchmark: the end-of-run merge's peak memory, which should not grow with the run.

For each size N, writes N synthetic observations as two workers' segments, as a load run's
collector leaves them (`vocabulary.segment_writer`, `observations-<worker>-<seq>.parquet`,
100,000 a segment), shaped like bench/soak_scale.py's (1,000 requests a second, a uuid4 hex
request id, 4 intents, a measured-looking latency); one request in DUPLICATE_EVERY is
delivered twice (to the other worker), so the merge has duplicates to find. Then, in a fresh
child process, `merge_observation_directory` merges them into the run's segments (time order,
one per request id, labelled by two fault windows), as `gauntlet load` does at its end:
  - seconds: the merge's wall time;
  - peak_rss_mb: the largest resident size the child reached (`ru_maxrss`), imports included.
Then, in another fresh child, the figures the run's terminal summary prints are read from the
merged segments (`slo.request_figures`, two reads a segment at a time): summary_seconds and
summary_peak_rss_mb. The sizes are printed side by side: the peaks should stay put while N
grows five-fold (the merge holds a batch of rows and DuckDB's `memory_limit`, spilling the
rest to disk; the summary a segment and a histogram per intent).
Writes bench/results/merge_memory.json for the default sizes (merge_memory_20m.json for
sizes up to 20M, and so on; nothing with --quick).

    nice -n 19 .venv/bin/python bench/merge_memory.py                    # 1M and 5M
    nice -n 19 .venv/bin/python bench/merge_memory.py --sizes 1000000 20000000
    .venv/bin/python bench/merge_memory.py --quick     # 20,000 and 100,000: checks that it runs
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.soak_scale import BATCH, RATE, WORKERS, batch_of  # noqa: E402
from load.transport.merge_segments import MEMORY_LIMIT, THREADS  # noqa: E402
from vocabulary.segment_writer import SegmentWriter, segment_files  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "merge_memory.json"
SIZES = (1_000_000, 5_000_000)
QUICK = (20_000, 100_000)
DUPLICATE_EVERY = 10_000
START = 1_700_000_000.0  # batch_of's first timestamp


def fault_windows(count: int) -> list[tuple[float, float]]:
    """Two faults, in the second and the fourth fifth of the run."""
    seconds = count / RATE
    return [(START + seconds * k / 5, START + seconds * (k + 0.5) / 5) for k in (1, 3)]


def generate(workers: Path, count: int, seed: int = 1) -> None:
    """`count` observations, split between two workers (row i to worker i % 2, as
    `batch_of` says in `extra`), plus every DUPLICATE_EVERY-th row again at the other."""
    rng = np.random.default_rng(seed)
    writers = [SegmentWriter(workers, f"observations-{w}", seconds_per_segment=float("inf"))
               for w in WORKERS]  # fmt: skip
    for first in range(0, count, BATCH):
        batch = batch_of(first, min(BATCH, count - first), count, rng)
        index = np.arange(first, first + batch.num_rows)
        for worker, writer in enumerate(writers):
            mine = index % 2 == worker
            again = (index % DUPLICATE_EVERY == 0) & ~mine  # a resend the other one kept
            writer.append_batch(batch.filter(pa.array(mine)))
            if again.any():
                writer.append_batch(batch.filter(pa.array(again)))
    for writer in writers:
        writer.close()


def _merge_in_child(workers: str, count: int, queue: multiprocessing.Queue) -> None:
    from load.transport.observations import merge_observation_directory
    from vocabulary import FaultWindow

    windows = [FaultWindow(start, end) for start, end in fault_windows(count)]
    into = Path(workers).parent / "observations"
    began = time.perf_counter()
    merge = merge_observation_directory(Path(workers), windows, into=into)
    elapsed = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    queue.put((elapsed, peak_mb, merge.count, merge.duplicates, len(merge.segments)))


def _summary_in_child(observations: str, queue: multiprocessing.Queue) -> None:
    from slo.request_figures import request_figures

    began = time.perf_counter()
    figures = request_figures(segment_files(Path(observations)))
    elapsed = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((elapsed, peak_mb, figures.count))


def in_child(target, *args: object) -> tuple:
    """What `target(*args, queue)` puts, run in a fresh process: nothing the generation (or
    the step before) held counts in its peak."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(*args, queue))
    child.start()
    outcome = queue.get()
    child.join()
    return outcome


def in_time_order(folder: Path) -> bool:
    """The merged segments' start times never go back, within and across segments."""
    last = -np.inf
    for path in segment_files(folder):
        ts = pq.read_table(path, columns=["ts"])["ts"]
        if len(ts) and (pc.min(ts).as_py() < last or not _sorted(ts.to_numpy())):
            return False
        last = pc.max(ts).as_py() if len(ts) else last
    return True


def _sorted(values: np.ndarray) -> bool:
    return bool(np.all(values[1:] >= values[:-1]))


def measure(count: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory(prefix="gauntlet-merge-") as scratch:
        workers = Path(scratch) / "workers"
        began = time.perf_counter()
        generate(workers, count)
        write_s = time.perf_counter() - began
        merge = in_child(_merge_in_child, str(workers), count)
        seconds, peak_mb, merged, duplicates, segments = merge
        assert merged == count and duplicates == len(range(0, count, DUPLICATE_EVERY)), merge
        observations = Path(scratch) / "observations"
        assert in_time_order(observations)
        summary_s, summary_mb, summed = in_child(_summary_in_child, str(observations))
        assert summed == count, (summed, count)
    return {
        "observations": count,
        "duplicates": duplicates,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "summary_seconds": round(summary_s, 2),
        "summary_peak_rss_mb": round(summary_mb, 1),
        "segments": segments,
        "write_s": round(write_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument(
        "--quick", action="store_true", help="20,000 and 100,000 observations; no results file"
    )
    args = parser.parse_args()
    runs = [measure(count) for count in (QUICK if args.quick else args.sizes)]
    result = {
        "runs": runs,
        "peak_growth": round(runs[-1]["peak_rss_mb"] / runs[0]["peak_rss_mb"], 2),
        "summary_peak_growth": round(
            runs[-1]["summary_peak_rss_mb"] / runs[0]["summary_peak_rss_mb"], 2
        ),
        "size_growth": round(runs[-1]["observations"] / runs[0]["observations"], 2),
        "duckdb_memory_limit": MEMORY_LIMIT,
        "duckdb_threads": THREADS,
        "load_average_1m": round(os.getloadavg()[0], 1),
        "cpus": multiprocessing.cpu_count(),
        "python": platform.python_version(),
    }
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        largest = max(args.sizes)
        size = f"{largest // 1_000_000}m" if largest % 1_000_000 == 0 else str(largest)
        target = (
            RESULTS
            if tuple(args.sizes) == SIZES
            else RESULTS.with_name(f"merge_memory_{size}.json")
        )
        target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'':>14} {'merge':>22} {'summary':>22}")
    print(f"{'observations':>14}" + f" {'seconds':>9} {'peak_rss_mb':>12}" * 2)
    for run in runs:
        print(
            f"{run['observations']:>14,} {run['seconds']:>9.2f} {run['peak_rss_mb']:>12.1f} "
            f"{run['summary_seconds']:>9.2f} {run['summary_peak_rss_mb']:>12.1f}"
        )
    print(
        f"peak x{result['peak_growth']} (summary x{result['summary_peak_growth']}) "
        f"for x{result['size_growth']} observations"
    )


if __name__ == "__main__":
    main()
