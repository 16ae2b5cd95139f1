"""Connections to the service that never deliver a request, held open from one thread.

`HeldConnections` opens its sockets at a steady rate (a slow-client attack needs no
storm of connections, and a storm is an attack of its own) without blocking and watches
them with one `selectors` loop. Every `interval_seconds` it sends a `headers` connection
the next byte of its request line and headers, and a `body` connection (whose headers
went whole at first) the next byte of its body, round-robin (a deque ordered by when
each is due: O(1) per send, whatever the count). A connection the service closes is
closed here too and counted; it is not reopened. `close()` ends the loop and closes every
socket with a reset (`SO_LINGER` 0), so thousands of them leave no TIME_WAIT behind to
crowd the ports.

Descriptors: each connection costs the harness one. `descriptor_headroom` raises the
soft `RLIMIT_NOFILE` as far as the process may (to the hard limit; past it only with the
privilege to raise the hard limit too) for as long as any holder is open, then restores
it. A socket the harness still cannot create (its limit, the ports of the loopback
address) is counted as `short`, not retried.
"""

from __future__ import annotations

import errno
import math
import os
import resource
import selectors
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

Manner = Literal["idle", "headers", "body"]

# Descriptors the harness keeps for everything else (its clients, logs, pools).
_SPARE_DESCRIPTORS = 512
_RESET_ON_CLOSE = struct.pack("ii", 1, 0)
# A connection the harness itself could not start: out of ports, buffers or memory.
_HARNESS_SHORT = {errno.EADDRNOTAVAIL, errno.ENOBUFS, errno.ENOMEM, errno.EMFILE, errno.ENFILE}
# Never a whole request: a header line without end, or a body that stays short of its length.
_HEADERS_OPENING = b"POST /v1/orchestrate HTTP/1.1\r\nHost: gauntlet\r\nX-Slow: "
_BODY_OPENING = (
    b"POST /v1/orchestrate HTTP/1.1\r\nHost: gauntlet\r\nContent-Type: application/json\r\n"
    b'Content-Length: 60000\r\n\r\n{"tenant_id": "'
)


@dataclass(frozen=True)
class HeldCounts:
    """What became of the connections asked for."""

    asked: int
    opened: int  # a socket created and its connection started
    short: int  # no socket: the harness ran out of descriptors or ports
    closed_by_service: int  # the service closed (or reset) it while held
    held_at_end: int  # still open when the holder was closed


class HeldConnections:
    """`count` connections to `host:port`, each misbehaving in one of `manners` in turn."""

    def __init__(
        self,
        address: tuple[str, int],
        count: int,
        manners: tuple[Manner, ...],
        *,
        open_per_second: float,
        interval_seconds: float,
    ) -> None:
        self._address, self._count, self._manners = address, count, manners
        self._rate, self._interval = open_per_second, interval_seconds
        self._selector = selectors.DefaultSelector()
        self._due: deque[tuple[float, socket.socket]] = deque()  # next byte of each trickler
        self._stop, self._all_opened = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._hold, name="slow-clients", daemon=True)
        self._next = self._opened = self._short = self._closed_by_service = 0
        self._held_at_end: int | None = None
        self._family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET

    def start(self) -> None:
        self._thread.start()

    def wait_opened(self) -> None:
        """Block until every connection is opened (or given up): `count / open_per_second`."""
        self._all_opened.wait()

    def close(self) -> HeldCounts:
        """Stop holding and close every connection; safe to call more than once."""
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join()
        if self._held_at_end is None:
            keys = list(self._selector.get_map().values())
            for key in keys:
                _reset(key.fileobj)  # type: ignore[arg-type]
            self._selector.close()
            self._due.clear()
            self._held_at_end = len(keys)
        return HeldCounts(
            self._count, self._opened, self._short, self._closed_by_service, self._held_at_end
        )

    def _hold(self) -> None:
        started = time.monotonic()
        try:
            while not self._stop.is_set():
                if self._next < self._count:
                    self._open_due(time.monotonic() - started)
                for key, _ in self._selector.select(timeout=0.02):
                    self._read(key.fileobj)  # type: ignore[arg-type]
                self._trickle()
        finally:
            self._all_opened.set()

    def _open_due(self, elapsed: float) -> None:
        """Open the connections due by `elapsed` seconds at the opening rate."""
        due = self._count if math.isinf(self._rate) else int(elapsed * self._rate) + 1
        due = min(self._count, due)
        while self._next < due:
            try:
                sock = socket.socket(self._family, socket.SOCK_STREAM)
            except OSError:  # out of descriptors: no more will come
                self._short += self._count - self._next
                self._next = self._count
                break
            self._connect(sock, self._manners[self._next % len(self._manners)])
            self._next += 1
        if self._next >= self._count:
            self._all_opened.set()

    def _connect(self, sock: socket.socket, manner: Manner) -> None:
        sock.setblocking(False)
        failure = sock.connect_ex(self._address)
        if failure not in (0, errno.EINPROGRESS):
            sock.close()
            if failure in _HARNESS_SHORT:
                self._short += 1
            else:  # refused at once: the service's doing
                self._opened += 1
                self._closed_by_service += 1
            return
        self._opened += 1
        self._selector.register(sock, selectors.EVENT_READ, data=_opening(manner))
        if manner != "idle":
            self._due.append((time.monotonic(), sock))

    def _read(self, sock: socket.socket) -> None:
        try:
            if sock.recv(65536):
                return  # an answer (a 408, a 400...): the close that follows is what counts
        except BlockingIOError:
            return
        except OSError:
            pass
        self._forget(sock)

    def _forget(self, sock: socket.socket) -> None:
        self._selector.unregister(sock)
        sock.close()
        self._closed_by_service += 1

    def _trickle(self) -> None:
        now = time.monotonic()
        while self._due and self._due[0][0] <= now:
            _, sock = self._due.popleft()
            if sock.fileno() < 0:
                continue  # closed by the service meanwhile
            chunk, rest = self._selector.get_key(sock).data
            try:
                sent = sock.send(chunk)
            except BlockingIOError:
                sent = 0  # connection not yet accepted, or its buffer full: try next round
            except OSError:
                self._forget(sock)
                continue
            if sent == len(chunk):  # then the next byte; past the opening, `a`s without end
                chunk, rest = rest[:1] or b"a", rest[1:]
            else:
                chunk = chunk[sent:]
            self._selector.modify(sock, selectors.EVENT_READ, data=(chunk, rest))
            self._due.append((now + self._interval, sock))


def _opening(manner: Manner) -> tuple[bytes, bytes]:
    """A connection's first send in `manner`, and what follows a byte at a time: a body's
    whole headers at once, then the body; a header byte by byte from the first."""
    if manner == "body":
        return _BODY_OPENING, b""
    if manner == "headers":
        return _HEADERS_OPENING[:1], _HEADERS_OPENING[1:]
    return b"", b""


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET_ON_CLOSE)
    except OSError:
        pass
    sock.close()


_headroom_lock = threading.Lock()
_headroom_users = 0
_headroom_original: tuple[int, int] | None = None


@contextmanager
def descriptor_headroom(wanted: int) -> Iterator[int]:
    """Raise this process's descriptor limit for `wanted` more sockets while inside;
    yields how many more it may open (`wanted` or fewer). Restored when the last user leaves."""
    global _headroom_users, _headroom_original
    with _headroom_lock:
        if _headroom_users == 0:
            _headroom_original = resource.getrlimit(resource.RLIMIT_NOFILE)
        _headroom_users += 1
        soft = _raise_soft_limit(_open_descriptors() + wanted + _SPARE_DESCRIPTORS)
    try:
        yield max(0, min(wanted, soft - _open_descriptors() - _SPARE_DESCRIPTORS))
    finally:
        with _headroom_lock:
            _headroom_users -= 1
            if _headroom_users == 0 and _headroom_original is not None:
                try:
                    resource.setrlimit(resource.RLIMIT_NOFILE, _headroom_original)
                except (ValueError, OSError):
                    pass  # held descriptors past the old soft limit stay valid either way


def _raise_soft_limit(needed: int) -> int:
    """The soft limit after raising it towards `needed` (never lowered)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    infinite = resource.RLIM_INFINITY
    if soft == infinite or soft >= needed:
        return needed if soft == infinite else soft
    if hard == infinite or hard >= needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
        return needed
    try:  # past the hard limit: only with the privilege to raise it (root)
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
        return needed
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard


def _open_descriptors() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return resource.getrlimit(resource.RLIMIT_NOFILE)[0] // 2
