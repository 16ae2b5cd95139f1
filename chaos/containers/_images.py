"""Which images the containers run: the published ones, or look-alikes built locally.

A machine with no registry builds its own (`make test-docker`): `gauntlet/postgres:15`
honours the official postgres image's environment (POSTGRES_USER, POSTGRES_PASSWORD,
POSTGRES_DB) and `gauntlet/toxiproxy:2.12.0` lays the server out as the published image
does (entrypoint `/toxiproxy`). Where such an image is present it is the default; an
explicit name, or GAUNTLET_POSTGRES_IMAGE / GAUNTLET_TOXIPROXY_IMAGE, comes first.
"""

from __future__ import annotations

import os
from typing import Any

OFFICIAL_POSTGRES = "postgres:16"
OFFICIAL_TOXIPROXY = "ghcr.io/shopify/toxiproxy:2.12.0"
LOCAL_POSTGRES = "gauntlet/postgres:15"
LOCAL_TOXIPROXY = "gauntlet/toxiproxy:2.12.0"
POSTGRES_IMAGE_ENV = "GAUNTLET_POSTGRES_IMAGE"
TOXIPROXY_IMAGE_ENV = "GAUNTLET_TOXIPROXY_IMAGE"


def postgres_image(client: Any, chosen: str | None = None) -> str:
    return (
        chosen
        or os.environ.get(POSTGRES_IMAGE_ENV)
        or _local_or(client, LOCAL_POSTGRES, OFFICIAL_POSTGRES)
    )


def toxiproxy_image(client: Any, chosen: str | None = None) -> str:
    return (
        chosen
        or os.environ.get(TOXIPROXY_IMAGE_ENV)
        or _local_or(client, LOCAL_TOXIPROXY, OFFICIAL_TOXIPROXY)
    )


def _local_or(client: Any, local: str, official: str) -> str:
    from docker.errors import ImageNotFound

    try:
        client.images.get(local)
    except ImageNotFound:
        return official
    return local


def choose_images(postgres: str | None = None, toxiproxy: str | None = None) -> None:
    """Make explicit choices (command-line flags) the default of every container started in
    this process and its children, through the same variables a user may set."""
    if postgres:
        os.environ[POSTGRES_IMAGE_ENV] = postgres
    if toxiproxy:
        os.environ[TOXIPROXY_IMAGE_ENV] = toxiproxy
