"""Run the real `toxiproxy-server` as a child process on a free loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from ..loopback_port import free_loopback_port
from .binary import find_toxiproxy_server
from .client import ToxiproxyClient
from .errors import ToxiproxyUnavailable
from .state import (
    ServerRecord,
    locked_records,
    owner_is_alive,
    process_command_line,
    process_start_marker,
)

READY_TIMEOUT_S = 10.0
STOP_GRACE_S = 5.0
_PORT_ATTEMPTS = 3


class LocalToxiproxyServer:
    """A `toxiproxy-server` child process, recorded in `state_dir` while it runs."""

    def __init__(self, state_dir: Path | str, *, binary: Path | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.binary = binary or find_toxiproxy_server()
        self._process: subprocess.Popen[bytes] | None = None
        self._record: ServerRecord | None = None
        self.client: ToxiproxyClient | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> ToxiproxyClient:
        """Start the server, wait until `/version` answers, reset it; return a client."""
        last_error: ToxiproxyUnavailable | None = None
        # Another process may take the free port between our probe and the server's bind.
        for _ in range(_PORT_ATTEMPTS):
            try:
                return self._start_once(free_loopback_port())
            except ToxiproxyUnavailable as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    def stop(self) -> None:
        """Terminate the server (kill it after a grace period) and forget its record."""
        process, self._process = self._process, None
        if process is not None:
            _terminate(process)
        if self._record is not None:
            record, self._record = self._record, None
            with locked_records(self.state_dir) as records:
                records[:] = [r for r in records if r.pid != record.pid]
        self.client = None

    def __enter__(self) -> ToxiproxyClient:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _start_once(self, port: int) -> ToxiproxyClient:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.state_dir / f"toxiproxy-{port}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [str(self.binary), "-host", "127.0.0.1", "-port", str(port)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: a Ctrl-C in the terminal reaches us, and we stop it in
                # order (after the faults have been rolled back through it).
                start_new_session=True,
            )
        self._process = process
        me = os.getpid()
        self._record = ServerRecord(
            pid=process.pid,
            port=port,
            binary=str(self.binary),
            owner_pid=me,
            owner_started=process_start_marker(me),
        )
        with locked_records(self.state_dir) as records:
            records.append(self._record)
        client = ToxiproxyClient(f"http://127.0.0.1:{port}")
        try:
            _wait_until_ready(client, process, log_path)
            client.reset()
        except BaseException:
            self.stop()
            raise
        self.client = client
        return client


def cleanup_stale(state_dir: Path | str) -> list[int]:
    """Kill servers an earlier, now dead, harness run started; return their pids.

    A pid is only killed if it still runs a `toxiproxy-server` on the recorded port, so a
    recycled pid is never touched. Servers whose owner is still running are left alone.
    """
    killed: list[int] = []
    with locked_records(Path(state_dir)) as records:
        keep: list[ServerRecord] = []
        for record in records:
            if owner_is_alive(record):
                keep.append(record)
            elif _is_our_server(record):
                _kill_pid(record.pid)
                killed.append(record.pid)
        records[:] = keep
    return killed


def _is_our_server(record: ServerRecord) -> bool:
    command = process_command_line(record.pid)
    return (
        bool(command)
        and Path(command[0]).name == Path(record.binary).name
        and str(record.port) in command
    )


def _kill_pid(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        while time.monotonic() < deadline and process_command_line(pid):
            _reap(pid)
            time.sleep(0.02)
        if process_command_line(pid):
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reap(pid: int) -> None:
    # A server that happens to be our own child stays a zombie (and looks alive) until
    # reaped; anyone else's child is reaped by its parent or init.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _terminate(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_ready(
    client: ToxiproxyClient, process: subprocess.Popen[bytes], log_path: Path
) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or [""]
            raise ToxiproxyUnavailable(
                f"toxiproxy-server exited with code {process.returncode}: {tail[0]}"
            )
        try:
            client.version()
            return
        except ToxiproxyUnavailable:
            if time.monotonic() > deadline:
                raise ToxiproxyUnavailable(
                    f"toxiproxy-server did not answer on {client.api_url} "
                    f"within {READY_TIMEOUT_S:.0f} s (log: {log_path})"
                ) from None
            time.sleep(0.02)


__all__ = ["LocalToxiproxyServer", "cleanup_stale"]
