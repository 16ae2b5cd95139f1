"""The container paths on a real Docker engine. `make test-docker` starts the engine, builds
the images if missing and runs these (marker `docker`; plain `make test` leaves them out)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from chaos.containers import DockerUnavailable, require_engine

BASE_IMAGE = os.environ.get("GAUNTLET_BASE_IMAGE", "gauntlet/debian-base:bookworm")
"""Debian with python3: runs the host's interpreter and project, mounted read-only."""


@pytest.fixture(scope="session", autouse=True)
def docker_engine() -> Any:
    try:
        return require_engine()
    except DockerUnavailable as exc:
        pytest.fail(f"{exc}: `make test-docker` starts dockerd and builds the images")


@pytest.fixture(scope="session")
def base_image() -> str:
    return BASE_IMAGE


@pytest.fixture(scope="session")
def docker_world(docker_engine: Any) -> Iterator[Any]:
    """The whole world in containers: Postgres (published on 127.0.0.1) and Toxiproxy."""
    from chaos.world import open_world

    with open_world("docker", "docker") as world:
        yield world
