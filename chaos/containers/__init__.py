"""Containers for Gauntlet: the engine probe and image defaults (a system under test given as
an image is started by `target.container`).

Every container is reached on 127.0.0.1 (a port published there, or host networking).
"""

from ._engine import (
    LOOPBACK,
    OWNER_LABEL,
    DockerUnavailable,
    owner_labels,
    remove_orphans,
    require_engine,
    start_container,
)
from ._images import (
    LOCAL_POSTGRES,
    LOCAL_TOXIPROXY,
    OFFICIAL_POSTGRES,
    OFFICIAL_TOXIPROXY,
    choose_images,
    postgres_image,
    toxiproxy_image,
)

__all__ = [
    "LOCAL_POSTGRES",
    "LOCAL_TOXIPROXY",
    "LOOPBACK",
    "OWNER_LABEL",
    "OFFICIAL_POSTGRES",
    "OFFICIAL_TOXIPROXY",
    "DockerUnavailable",
    "choose_images",
    "owner_labels",
    "postgres_image",
    "remove_orphans",
    "require_engine",
    "start_container",
    "toxiproxy_image",
]
