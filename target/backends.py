"""Where a run's world comes from: its Postgres and Toxiproxy backends, and their images.

    backends = WorldBackends(db="docker", toxiproxy="auto")   # a ValueError names the flag
    backends.choose_images()        # the images for the docker backends, for this process

`gauntlet run`, `gauntlet load` (`--db` only) and the pytest plugin build one from their
flags (`DB`, `TOXIPROXY`, ...); each value is checked here, with one error text.
"""

from __future__ import annotations

from dataclasses import dataclass

from .flags import Flag

DB = Flag("db", "Postgres: embedded | docker | postgresql://... URL", metavar="BACKEND")
TOXIPROXY = Flag(
    "toxiproxy",
    "Toxiproxy: auto | local | docker | http://host:port (a shared server is left as found)",
    metavar="BACKEND",
)
POSTGRES_IMAGE = Flag(
    "postgres-image",
    "image for --db docker (default: gauntlet/postgres:15 if built, else postgres:16)",
    metavar="IMAGE",
    envvar="GAUNTLET_POSTGRES_IMAGE",
)
TOXIPROXY_IMAGE = Flag(
    "toxiproxy-image",
    "image for --toxiproxy docker (default: gauntlet/toxiproxy:2.12.0 if built, "
    "else ghcr.io/shopify/toxiproxy:2.12.0)",
    metavar="IMAGE",
    envvar="GAUNTLET_TOXIPROXY_IMAGE",
)
BACKEND_FLAGS = (DB, TOXIPROXY, POSTGRES_IMAGE, TOXIPROXY_IMAGE)


@dataclass(frozen=True)
class WorldBackends:
    """The world's Postgres (`db`) and Toxiproxy, checked when built."""

    db: str = "embedded"
    toxiproxy: str = "auto"
    postgres_image: str | None = None  # for db="docker"; None: the usual choice
    toxiproxy_image: str | None = None  # for toxiproxy="docker"

    def __post_init__(self) -> None:
        check_db(self.db)
        check_toxiproxy(self.toxiproxy)

    def choose_images(self) -> None:
        """Make the chosen images the default of every container this process starts."""
        from chaos.containers import choose_images

        choose_images(self.postgres_image, self.toxiproxy_image)


def check_db(value: str) -> str:
    """`--db`: embedded, docker or a postgresql:// URL; a one-line `ValueError` otherwise."""
    if value in ("embedded", "docker") or value.startswith(("postgresql://", "postgres://")):
        return value
    raise ValueError(f"expected embedded, docker or a postgresql:// URL, got {value!r}")


def check_toxiproxy(value: str) -> str:
    """`--toxiproxy`: auto, local, docker or http://host:port; a one-line `ValueError` otherwise."""
    from chaos.toxiproxy import ToxiproxyUnavailable, check_toxiproxy_spec

    try:
        check_toxiproxy_spec(value)
    except ToxiproxyUnavailable as exc:
        raise ValueError(str(exc)) from None
    return value
