"""The memory of a system is read from the processes listening on its port: a real child
that listens and then holds memory on request (no mock of /proc)."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from target.memory import MemoryProbe, MemoryUnobservable

MIB = 1024 * 1024
# Listens, prints its port, then grows by 80 MiB and frees it again when asked.
CHILD = """
import socket, sys
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
print(server.getsockname()[1], flush=True)
sys.stdin.readline()
held = b"x" * (80 * 1024 * 1024)
del held
print("done", flush=True)
sys.stdin.readline()
"""


@pytest.fixture
def listener() -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    yield child
    child.kill()
    child.wait()


def test_a_peak_between_two_looks_is_seen(listener: subprocess.Popen[str]) -> None:
    assert listener.stdout is not None and listener.stdin is not None
    port = int(listener.stdout.readline())
    probe = MemoryProbe.find(f"http://127.0.0.1:{port}")
    assert probe.pids == (listener.pid,)
    start = probe.reset_peak()
    listener.stdin.write("grow\n")
    listener.stdin.flush()
    assert listener.stdout.readline().strip() == "done"
    assert probe.rss() - start < 40 * MIB  # freed again: a sample now would miss it
    assert probe.peak() - start >= 70 * MIB


def test_a_port_nobody_of_this_user_listens_on_is_unobservable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening
    with pytest.raises(MemoryUnobservable, match="no process of this user listens"):
        MemoryProbe.find(f"http://127.0.0.1:{port}")


def test_another_host_is_unobservable() -> None:
    with pytest.raises(MemoryUnobservable, match="not this machine"):
        MemoryProbe.find("http://10.1.2.3:8080")
