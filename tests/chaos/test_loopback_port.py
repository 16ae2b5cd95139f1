"""The one picker of a free loopback port: below the kernel's ephemeral range, where no
outgoing connection and no port-0 listener of another process can take it, and drawn
from a generator of its own."""

from __future__ import annotations

import random
import socket

from chaos import free_loopback_port
from chaos.loopback_port import _ephemeral_low


def test_a_picked_port_is_free_and_below_the_ephemeral_range() -> None:
    for _ in range(20):
        port = free_loopback_port()
        if _ephemeral_low() > 20_000:
            assert 20_000 <= port < _ephemeral_low()
        with socket.socket() as server:
            server.bind(("127.0.0.1", port))  # free: it binds


def test_a_seeded_random_module_does_not_make_two_pickers_agree() -> None:
    """Two processes whose `random` was seeded alike (hypothesis seeds it per example)
    would otherwise pick the same ports."""
    picks = []
    for _ in range(5):
        random.seed(0)
        picks.append(free_loopback_port())
    assert len(set(picks)) > 1
