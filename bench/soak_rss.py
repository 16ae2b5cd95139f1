"""Benchmark: a load run's own memory over a long soak, sampled while it runs.

Runs `gauntlet load --profile soak` (closed-loop users with no think time: as many requests
as the machine serves) for `--duration`, and samples once a second the resident size of
every process of the run, by role:
  - harness: the `gauntlet load` process (chaos driver, collector, the end's merge and report);
  - locust: its Locust processes (users, recording, shipping);
  - service, postgres, toxiproxy: the stack it drives.
A role's memory is flat when the median of the run's last fifth is within a few MB of the
median of its second fifth (the first is warm-up: connections, caches, the first segments).
The peak of each role, the end included (the merge of every worker's segments and the
evaluation), is kept too: a run whose memory grew with its length would show it there.

Writes bench/results/soak_rss.json: the command, requests and rate, a sample every
`--every` seconds of each role's MB, and per role `second_fifth_mb`, `last_fifth_mb`,
`growth_mb`, `peak_mb`.

    nice -n 0 .venv/bin/python bench/soak_rss.py --duration 30m --users 12
    .venv/bin/python bench/soak_rss.py --quick     # 20 s: checks that it runs, writes nothing
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULT = ROOT / "bench" / "results" / "soak_rss.json"
ROLES = ("harness", "locust", "service", "postgres", "toxiproxy")


def role_of(process: psutil.Process, harness_pid: int) -> str | None:
    if process.pid == harness_pid:
        return "harness"
    try:
        line = " ".join(process.cmdline())
        name = process.name()
    except psutil.Error:
        return None
    if "locust" in line:
        return "locust"
    if "orchestrator" in line or "uvicorn" in line:
        return "service"
    if "postgres" in name or "postgres" in line:
        return "postgres"
    if "toxiproxy" in line:
        return "toxiproxy"
    return None


def sample(harness: psutil.Process) -> dict[str, float]:
    """Each role's resident MB, summed over its processes."""
    mb = dict.fromkeys(ROLES, 0.0)
    try:
        tree = [harness, *harness.children(recursive=True)]
    except psutil.Error:
        return mb
    for process in tree:
        role = role_of(process, harness.pid)
        if role is None:
            continue
        try:
            mb[role] += process.memory_info().rss / 1e6
        except psutil.Error:
            continue
    return mb


def fifth(values: list[float], which: int) -> float | None:
    """The median of the `which`-th fifth (0-based) of a series."""
    size = len(values) // 5
    part = values[which * size : (which + 1) * size] if size else []
    return round(statistics.median(part), 1) if part else None


def main() -> int:
    args = _arguments()
    duration = "20s" if args.quick else args.duration
    out = Path(tempfile.mkdtemp(prefix="soak-rss-"))
    command = [
        str(ROOT / ".venv" / "bin" / "gauntlet"),
        "load",
        "--profile",
        "soak",
        "--duration",
        duration,
        "--users",
        str(args.users),
        "--processes",
        str(args.processes),
        "--service-workers",
        str(args.service_workers),
        "--out",
        str(out),
        "--json",
    ]
    print(f"soak rss: {' '.join(command[1:])}", flush=True)
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
    harness = psutil.Process(child.pid)
    series: dict[str, list[float]] = {role: [] for role in ROLES}
    peaks = dict.fromkeys(ROLES, 0.0)
    samples, started = [], time.monotonic()
    try:
        while child.poll() is None:
            mb = sample(harness)
            elapsed = time.monotonic() - started
            for role, value in mb.items():
                peaks[role] = max(peaks[role], value)
                if value:
                    series[role].append(value)
            if not samples or elapsed - samples[-1]["t"] >= args.every:
                samples.append({"t": round(elapsed, 1), **{r: round(v, 1) for r, v in mb.items()}})
                if len(samples) % 10 == 1:
                    line = "  ".join(f"{r} {v:.0f}" for r, v in mb.items())
                    print(f"  {elapsed:7.0f} s  {line}", flush=True)
            time.sleep(1.0)
    except KeyboardInterrupt:
        os.killpg(child.pid, signal.SIGINT)
        child.wait()
        return 130
    summary = json.loads(child.stdout.read() or "{}") if child.stdout else {}
    wall = time.monotonic() - started
    requests = int(summary.get("observations") or summary.get("requests") or 0)
    roles = {
        role: {
            "second_fifth_mb": fifth(values, 1),
            "last_fifth_mb": fifth(values, 4),
            "growth_mb": (
                round(fifth(values, 4) - fifth(values, 1), 1)  # type: ignore[operator]
                if fifth(values, 1) is not None
                else None
            ),
            "peak_mb": round(peaks[role], 1),
        }
        for role, values in series.items()
    }
    result = {
        "command": "gauntlet " + " ".join(command[1:-3]),
        "exit_code": child.returncode,
        "duration": duration,
        "wall_s": round(wall, 1),
        "requests": requests,
        "requests_per_s": round(requests / _seconds(duration), 1) if requests else None,
        "roles": roles,
        "samples": samples,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))
    growth = "  ".join(
        f"{role} {roles[role]['growth_mb']} MB" for role in ("harness", "locust", "service")
    )
    print(f"memory growth, last fifth over second fifth: {growth}")
    if not args.quick:
        RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULT.relative_to(ROOT)}")
    return 0


def _seconds(duration: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(duration[:-1]) * units[duration[-1]]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", default="30m", help="the soak's length, e.g. 30m")
    parser.add_argument("--users", type=int, default=12, help="closed-loop users")
    parser.add_argument("--processes", type=int, default=1, help="Locust worker processes")
    parser.add_argument("--service-workers", type=int, default=1, help="uvicorn workers")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--quick", action="store_true", help="20 s; writes nothing")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
