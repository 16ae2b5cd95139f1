"""`gauntlet serve` stops on SIGTERM/SIGINT whenever the signal lands: a stress run.

    .venv/bin/python bench/serve_signals.py [--starts 75] [--seed N] [--quick]

Each start runs `gauntlet serve --port 0 --tenants 1 --spool-dir NEW` with a record already
waiting in the spool, then sends SIGTERM or SIGINT at a random moment:

  - `startup`: 0.1-1.5 s after the process was spawned (imports, Postgres, seeding). In
    its first ~40 ms Python has not yet run a line of Gauntlet: a signal there meets the
    operating system's default and ends the process before it has started anything;
  - `listening`: 0-50 ms after it printed `listening on` (where a signal was once lost);
  - `serving`: while a client keeps requests in flight, 0-1 s after `listening on`;
  - `second`: as `serving`, plus a second signal 0-200 ms later (ends the drain at once).

A start passes when the process exits 0 within the grace below, the spool folder and its
waiting record are still there, and nothing the start launched (Postgres) is left running. 75 starts
catch a hang that happens once in 25 starts with probability 1 - (24/25)^75 = 95.3 %.
Both pipes of the child are read concurrently, so it can never block on a full pipe.
Prints one line per start and a summary; exit 1 if any start failed. Writes
bench/results/serve_signals.json (not with --quick).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from orchestrator.tools._audit_spool import AuditSpool

ROOT = Path(__file__).resolve().parents[1]
GAUNTLET = str(Path(sys.executable).parent / "gauntlet")
# The reference's request deadline is 10 s; in-flight requests may finish first.
GRACE_S = 10.0 + 10.0
READY_TIMEOUT_S = 60.0
INTERPRETER_START_S = 0.1
MOMENTS = ("startup", "listening", "serving", "second")
_KEY_LINE = re.compile(r"API key of (\S+): (\S+)")
_URL_LINE = re.compile(r"listening on (http://\S+)")


@dataclass
class Child:
    """A `gauntlet serve` process whose stdout and stderr are read as they come."""

    process: subprocess.Popen[str]
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    listening: threading.Event = field(default_factory=threading.Event)

    descendants: set[psutil.Process] = field(default_factory=set)

    def start_watchers(self) -> None:
        """Read both pipes as lines come, and note every process the child starts."""
        self.start_readers()
        threading.Thread(target=self._note_descendants, daemon=True).start()

    def _note_descendants(self) -> None:
        # Postgres is the child's child until the child dies; noted while it lives, it can
        # be found afterwards even if it was orphaned.
        try:
            parent = psutil.Process(self.process.pid)
            while self.process.poll() is None:
                self.descendants.update(parent.children(recursive=True))
                time.sleep(0.05)
        except psutil.Error:
            return

    def orphans(self, wait_s: float = 5.0) -> set[str]:
        """What the child started and is still running after it exited (`wait_s` allowed)."""
        _, alive = psutil.wait_procs(list(self.descendants), timeout=wait_s)
        return {f"{p.pid} {_name(p)}" for p in alive}

    def start_readers(self) -> None:
        for stream, lines in (
            (self.process.stdout, self.stdout),
            (self.process.stderr, self.stderr),
        ):
            threading.Thread(target=self._read, args=(stream, lines), daemon=True).start()

    def _read(self, stream: Iterable[str], lines: list[str]) -> None:
        for line in stream:
            lines.append(line)
            if "listening on" in line:
                self.listening.set()

    def url_and_key(self) -> tuple[str, str, str] | None:
        text = "".join(self.stdout)
        url, key = _URL_LINE.search(text), _KEY_LINE.search(text)
        return (url.group(1), key.group(1), key.group(2)) if url and key else None


def _keep_requests_in_flight(child: Child, stop: threading.Event) -> None:
    """Post requests back to back until `stop` (or the service goes away)."""
    found = child.url_and_key()
    if found is None:
        return
    url, tenant, key = found
    body = json.dumps(
        {"tenant_id": tenant, "intent": "service_overview", "parameters": {"service": "checkout"}}
    ).encode()
    while not stop.is_set():
        request = urllib.request.Request(
            f"{url}/v1/orchestrate",
            data=body,
            headers={"content-type": "application/json", "x-api-key": key},
        )
        try:
            urllib.request.urlopen(request, timeout=GRACE_S).read()
        except OSError:
            return  # the service has stopped listening: the point of the exercise


def one_start(moment: str, sig: signal.Signals, rng: random.Random) -> dict[str, object]:
    spool_dir = Path(tempfile.mkdtemp(prefix="gauntlet-signals-spool-"))
    _seed_spool(spool_dir)
    started = time.monotonic()
    child = Child(
        subprocess.Popen(
            [GAUNTLET, "serve", "--port", "0", "--tenants", "1", "--spool-dir", str(spool_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
    )
    child.start_watchers()
    stop_client = threading.Event()
    offset = 0.0
    try:
        if moment == "startup":
            offset = rng.uniform(INTERPRETER_START_S, 1.5)
            time.sleep(offset)
        else:
            if not child.listening.wait(READY_TIMEOUT_S):
                return _result(moment, sig, offset, None, "never listened", child, started)
            offset = rng.uniform(0.0, 0.05 if moment == "listening" else 1.0)
            if moment in ("serving", "second"):
                threading.Thread(
                    target=_keep_requests_in_flight, args=(child, stop_client), daemon=True
                ).start()
            time.sleep(offset)
        child.process.send_signal(sig)
        if moment == "second":
            time.sleep(rng.uniform(0.0, 0.2))
            if child.process.poll() is None:
                child.process.send_signal(sig)
        signalled = time.monotonic()
        try:
            code = child.process.wait(GRACE_S)
        except subprocess.TimeoutExpired:
            return _result(moment, sig, offset, None, "still running", child, started)
        problem = _problem(code, spool_dir, client_ran=moment in ("serving", "second"))
        if problem is None and child.orphans():
            problem = f"left running: {', '.join(sorted(child.orphans()))}"
        return _result(moment, sig, offset, time.monotonic() - signalled, problem, child, started)
    finally:
        stop_client.set()
        if child.process.poll() is None:
            child.process.kill()
            child.process.wait()
        shutil.rmtree(spool_dir, ignore_errors=True)


def _name(process: psutil.Process) -> str:
    try:
        return process.name()
    except psutil.Error:
        return "?"


def _seed_spool(spool_dir: Path) -> None:
    AuditSpool(spool_dir).append({"request_id": "waiting-through-the-signal"})


def _problem(code: int, spool_dir: Path, *, client_ran: bool) -> str | None:
    if code != 0:
        return f"exit {code}"
    if not spool_dir.is_dir():
        return "spool folder deleted"
    pending = {r.get("request_id") for r in AuditSpool(spool_dir).pending_records()}
    # A client's audit call starts the replayer, which may move the record into the stack's
    # own database (gone with the stack); with no client it must still be waiting.
    if not client_ran and "waiting-through-the-signal" not in pending:
        return "spooled record lost"
    return None


def _result(
    moment: str,
    sig: signal.Signals,
    offset: float,
    stopped_in: float | None,
    problem: str | None,
    child: Child,
    started: float,
) -> dict[str, object]:
    return {
        "moment": moment,
        "signal": sig.name,
        "offset_s": round(offset, 3),
        "stopped_in_s": None if stopped_in is None else round(stopped_in, 2),
        "total_s": round(time.monotonic() - started, 2),
        "problem": problem,
        "stderr_tail": "".join(child.stderr[-3:]) if problem else "",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=75)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="8 starts, no results file")
    args = parser.parse_args()
    starts = 8 if args.quick else args.starts
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    results = []
    for index in range(starts):
        moment = MOMENTS[index % len(MOMENTS)]
        sig = signal.SIGTERM if rng.random() < 0.7 else signal.SIGINT
        result = one_start(moment, sig, rng)
        results.append(result)
        verdict = "ok" if result["problem"] is None else f"FAILED: {result['problem']}"
        print(
            f"{index + 1:3d}/{starts} {moment:9s} {sig.name:7s} at +{result['offset_s']:.3f} s: "
            f"{verdict} (stopped in {result['stopped_in_s']} s)",
            flush=True,
        )
        if result["problem"]:
            print(result["stderr_tail"], end="", flush=True)
    failed = [r for r in results if r["problem"]]
    stop_times = [r["stopped_in_s"] for r in results if r["stopped_in_s"] is not None]
    summary = {
        "starts": starts,
        "seed": seed,
        "failed": len(failed),
        "max_stopped_in_s": max(stop_times, default=None),
        "by_moment": {m: sum(1 for r in results if r["moment"] == m) for m in MOMENTS},
        "failures": failed,
    }
    print(
        f"serve signals: {starts - len(failed)} of {starts} starts stopped cleanly "
        f"(slowest stop {summary['max_stopped_in_s']} s; seed {seed})"
    )
    if not args.quick:
        out = ROOT / "bench" / "results" / "serve_signals.json"
        out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
