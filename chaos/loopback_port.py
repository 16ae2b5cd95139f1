"""A loopback port that is free now and that nobody else on this machine is likely to take
before the caller's server binds it.

A port asked of the kernel (`bind` to port 0) comes from its ephemeral range, the same range
every outgoing connection and every other port-0 listener draws from: between the probe and
the server's own bind (a Postgres or a service that takes seconds to start, a proxy whose
port the system under test was configured with in advance) another process can take it, and
the server then fails with "address already in use". So the port is drawn at random from
below that range, where only a listener that names its port can land, and probed free.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Below the ephemeral range, above the ports well-known services are configured with.
_LOWEST = 20_000
_DRAWS = 50
# Not the `random` module's shared generator: a test framework may seed it alike in two
# processes (hypothesis does, for each example), and both would draw the same ports.
_RNG = random.SystemRandom()


def free_loopback_port() -> int:
    """A TCP port free on 127.0.0.1 now, outside the kernel's ephemeral range when it can be."""
    ephemeral_low = _ephemeral_low()
    for _ in range(_DRAWS if ephemeral_low > _LOWEST else 0):
        port = _RNG.randrange(_LOWEST, ephemeral_low)
        if _is_free(port):
            return port
    with socket.socket() as probe:  # no room below the range: let the kernel choose
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ephemeral_low() -> int:
    try:
        return int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default, and what other systems' ranges lie above


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
