"""Containers a killed run left behind are removed by the next one; live owners' stay."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest

from chaos.containers import OWNER_LABEL, remove_orphans

pytestmark = pytest.mark.docker

DEAD_PID = 2**22 + 1  # beyond pid_max: an owner that no longer exists


def test_only_containers_of_dead_owners_are_removed(docker_engine: Any, base_image: str) -> None:
    host = socket.gethostname()
    orphan = docker_engine.containers.create(
        base_image, ["sleep", "60"], labels={OWNER_LABEL: f"{host}:{DEAD_PID}"}
    )
    living = docker_engine.containers.create(
        base_image, ["sleep", "60"], labels={OWNER_LABEL: f"{host}:{os.getpid()}"}
    )
    try:
        assert orphan.name in remove_orphans(docker_engine)
        remaining = {c.id for c in docker_engine.containers.list(all=True)}
        assert orphan.id not in remaining and living.id in remaining
    finally:
        living.remove(force=True)
