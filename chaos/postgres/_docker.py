"""Postgres in a testcontainers container, when a Docker engine answers.

The image is the official `postgres` one or any image honouring its environment
(POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB; `postgres -c ...` as its command), such as
the look-alike `make test-docker` builds without a registry. Its port is published on
127.0.0.1 only, and reached there.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg

from chaos.containers import (
    LOOPBACK,
    DockerUnavailable,
    owner_labels,
    postgres_image,
    require_engine,
    start_container,
)

from ._server import PostgresServer, PostgresUnavailable, StopMode
from ._statement_log import STATEMENT_LOG_SETTINGS, StatementLog

# The same trade as the embedded server's: a disposable world, fast rather than durable.
_SERVER_SETTINGS = ("fsync=off", "full_page_writes=off", "max_connections=200")
READY_TIMEOUT_S = 60.0


def _as_arguments(settings: tuple[str, ...]) -> tuple[str, ...]:
    """`name = 'value'` (a configuration file's form) as `name=value` for `postgres -c`."""
    return tuple(
        f"{name.strip()}={value.strip().strip(chr(39))}"
        for name, value in (setting.split("=", 1) for setting in settings)
    )


class DockerPostgres(PostgresServer):
    """Note: after stop/kill and start, Docker may map the port anew; re-read `port`."""

    def __init__(self, image: str | None = None) -> None:
        try:
            client = require_engine()
        except DockerUnavailable as exc:
            raise PostgresUnavailable(
                f"{exc}; use --db embedded or --db postgresql://..."
            ) from None
        from testcontainers.community.postgres import PostgresContainer

        self.image = postgres_image(client, image)
        self._container: Any = PostgresContainer(
            self.image,
            username=self.superuser,
            password=self.password_for(self.superuser),
            dbname="postgres",
            driver=None,
        )
        # testcontainers publishes on every interface and has no setter for the host address;
        # docker-py takes (address, port), and no port means a free one.
        self._container.ports = {"5432/tcp": (LOOPBACK, None)}
        self._container.with_kwargs(labels=owner_labels())
        command = ["postgres"]
        for setting in _SERVER_SETTINGS + _as_arguments(STATEMENT_LOG_SETTINGS):
            command += ["-c", setting]
        self._container.with_command(command)
        self._started = False

    @property
    def host(self) -> str:
        return LOOPBACK

    @property
    def port(self) -> int:
        return int(self._container.get_exposed_port(5432))

    @property
    def container_id(self) -> str | None:
        wrapped = self._container.get_wrapped_container()
        return wrapped.id if wrapped is not None else None

    def start(self) -> None:
        if not self._started:
            try:
                start_container(self._container)
            except DockerUnavailable as exc:
                raise PostgresUnavailable(f"{exc}; check --postgres-image") from None
            except BaseException:
                self._remove()
                raise
            self._started = True
        elif not self.is_running():
            self._container.get_wrapped_container().start()
            self._wait_ready()

    def statement_log(self) -> StatementLog | None:
        """The container's stderr, where Postgres logs (kept across restarts)."""
        if not self._started:
            return None

        def everything() -> bytes:
            return self._container.get_wrapped_container().logs(stdout=False, stderr=True)

        return StatementLog(lambda: len(everything()), lambda mark: everything()[mark:])

    def stop(self, mode: StopMode = "fast") -> None:
        # `docker stop` sends SIGTERM: Postgres's "smart" shutdown; immediate maps to kill.
        if mode == "immediate":
            self.kill()
        elif self._started:
            self._container.get_wrapped_container().stop(timeout=10)

    def kill(self) -> None:
        if self._started:
            self._container.get_wrapped_container().kill()

    def is_running(self) -> bool:
        if not self._started:
            return False
        wrapped = self._container.get_wrapped_container()
        wrapped.reload()
        return wrapped.status == "running"

    def close(self) -> None:
        if self._started:
            self._remove()
            self._started = False

    def _wait_ready(self) -> None:
        """After a restart the published port accepts TCP before Postgres answers: poll."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            try:
                with psycopg.connect(self.admin_dsn, connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline or not self.is_running():
                    raise PostgresUnavailable(
                        f"the Postgres container did not answer after a restart: {exc}"
                    ) from None
                time.sleep(0.1)

    def _remove(self) -> None:
        self._container.stop()  # removes the container and its volume, if it was created
