"""Postgres in a testcontainers container, when a Docker engine answers."""

from __future__ import annotations

from typing import Any

from ._server import PostgresServer, PostgresUnavailable, StopMode

DEFAULT_IMAGE = "postgres:16-alpine"


def _require_docker_engine() -> None:
    """Constructing a container without an engine already raises: probe first, say it plainly."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError as exc:  # pragma: no cover - docker comes with testcontainers
        raise PostgresUnavailable(
            f"Docker client library missing ({exc}); use --db embedded or --db postgresql://..."
        ) from None
    try:
        docker.from_env().ping()
    except DockerException as exc:
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise PostgresUnavailable(
            f"Docker engine not reachable ({reason}); use --db embedded or --db postgresql://..."
        ) from None


class DockerPostgres(PostgresServer):
    """Note: after stop/kill and start, Docker may map the port anew; re-read `port`."""

    def __init__(self, image: str = DEFAULT_IMAGE) -> None:
        _require_docker_engine()
        from testcontainers.postgres import PostgresContainer

        self._container: Any = PostgresContainer(
            image,
            username=self.superuser,
            password=self.password_for(self.superuser),
            dbname="postgres",
            driver=None,
        )
        self._started = False

    @property
    def host(self) -> str:
        return self._container.get_container_host_ip()

    @property
    def port(self) -> int:
        return int(self._container.get_exposed_port(5432))

    def start(self) -> None:
        if not self._started:
            self._container.start()
            self._started = True
        elif not self.is_running():
            self._container.get_wrapped_container().start()

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
            self._container.stop()
            self._started = False
