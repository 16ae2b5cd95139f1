"""pytest plugin: write your own chaos tests against the running stack.

Installed with Gauntlet (entry point `pytest11`); nothing starts until a test asks::

    def test_metrics_outage_is_partial(gauntlet, fault):
        with fault("down", upstream="metrics"):
            answer = gauntlet.orchestrate("acme", "service_overview", service="checkout")
        assert answer.observation.status == "partial"

Fixtures:
- `gauntlet_world` (session): seeded Postgres behind Toxiproxy (`chaos.world.World`);
- `gauntlet` (session): the orchestrator service on that world, with a small client whose
  answers are judged as scenarios and load judge theirs (`vocabulary.Answer`);
- `fault` (function): `fault(kind, **fields)` → a context manager applying one fault
  (any kind of `chaos.faults`); the world is healed after each test whatever happened.

Options: `--gauntlet-db embedded|docker|URL`, `--gauntlet-toxiproxy auto|local|docker|URL`,
`--gauntlet-postgres-image`, `--gauntlet-toxiproxy-image` (for the docker backends).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from vocabulary import (
    API_KEY_HEADER,
    ORCHESTRATE_PATH,
    Answer,
    Asked,
    judge_answer,
    unknown_name,
)


class GauntletService:
    """The orchestrator service running in a background thread, and a client for it."""

    def __init__(self, world: Any, spool_dir: Path) -> None:
        from orchestrator.service import build_app
        from scenarios.runner.suite_run import service_config

        self.world = world
        self._app = build_app(service_config(world, spool_dir))
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="gauntlet-service", daemon=True)
        self.url = ""

    def __enter__(self) -> GauntletService:
        self._thread.start()
        if not self._ready.wait(timeout=60) or self._error is not None:
            raise RuntimeError(f"the orchestrator service did not start: {self._error}")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)

    def _serve(self) -> None:
        from scenarios.runner.service_host import hosted

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            async with hosted(self._app) as url:
                self.url = url
                self.world.service_url = url
                self._ready.set()
                await self._stop.wait()

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported to the waiting test session
            self._error = exc
            self._ready.set()

    def orchestrate(
        self,
        tenant: str,
        intent: str,
        *,
        api_key: str | None = "default",
        timeout: float = 30.0,
        **parameters: Any,
    ) -> Answer:
        """POST one request as `tenant`; returns the judged answer (`answer.body` is the JSON)."""
        if api_key == "default" and tenant not in self.world.tenant_keys:
            raise ValueError(unknown_name("tenant", tenant, self.world.tenant_keys))
        key = self.world.tenant_keys[tenant] if api_key == "default" else api_key
        headers = {API_KEY_HEADER: key} if key is not None else {}
        body = {"tenant_id": tenant, "intent": intent, "parameters": parameters}
        asked = Asked(
            ts=time.time(), source="pytest", scenario="pytest", tenant=tenant, intent=intent
        )
        clock = time.perf_counter()
        try:
            response = httpx.post(
                f"{self.url}{ORCHESTRATE_PATH}", json=body, headers=headers, timeout=timeout
            )
        except httpx.HTTPError as exc:
            latency_ms = (time.perf_counter() - clock) * 1000
            error = f"{type(exc).__name__}: {exc}"
            return judge_answer(
                asked, latency_ms=latency_ms, http_status=0, content=None, transport_error=error
            )
        latency_ms = (time.perf_counter() - clock) * 1000
        return judge_answer(
            asked, latency_ms=latency_ms, http_status=response.status_code, content=response.content
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gauntlet", "Gauntlet chaos fixtures")
    group.addoption(
        "--gauntlet-db",
        default="embedded",
        help="Postgres for the gauntlet fixtures: embedded, docker or a URL",
    )
    group.addoption(
        "--gauntlet-toxiproxy",
        default="auto",
        help="Toxiproxy for the gauntlet fixtures: auto, local, docker or a URL",
    )
    group.addoption("--gauntlet-postgres-image", help="image for --gauntlet-db docker")
    group.addoption("--gauntlet-toxiproxy-image", help="image for --gauntlet-toxiproxy docker")


def pytest_configure(config: pytest.Config) -> None:
    from chaos.containers import choose_images

    choose_images(
        config.getoption("--gauntlet-postgres-image"),
        config.getoption("--gauntlet-toxiproxy-image"),
    )


@pytest.fixture(scope="session")
def gauntlet_world(request: pytest.FixtureRequest) -> Iterator[Any]:
    from chaos.world import open_world

    with open_world(
        request.config.getoption("--gauntlet-db"), request.config.getoption("--gauntlet-toxiproxy")
    ) as world:
        yield world


@pytest.fixture(scope="session")
def gauntlet(
    gauntlet_world: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GauntletService]:
    with GauntletService(gauntlet_world, tmp_path_factory.mktemp("audit-spool")) as service:
        yield service


@pytest.fixture
def fault(gauntlet_world: Any) -> Iterator[Callable[..., AbstractContextManager[None]]]:
    from chaos.faults import parse_fault

    def make(kind: str, **fields: Any) -> AbstractContextManager[None]:
        try:
            chosen = parse_fault({"kind": kind, **fields})
        except ValidationError as exc:
            raise ValueError(f"fault({kind!r}): {_first_error(exc)}") from None
        return chosen.apply(gauntlet_world)

    try:
        yield make
    finally:
        gauntlet_world.heal()


def _first_error(exc: ValidationError) -> str:
    """One line: the first problem and the field it is in (no pydantic union names)."""
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"] if not str(part).startswith("function-"))
    return f"{where}: {error['msg']}" if where else error["msg"]
