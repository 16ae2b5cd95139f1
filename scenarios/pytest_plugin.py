"""pytest plugin: write your own chaos tests against the running stack.

Installed with Gauntlet (entry point `pytest11`); nothing starts until a test asks::

    def test_metrics_outage_is_partial(gauntlet, fault):
        with fault("down", upstream="metrics"):
            answer = gauntlet.orchestrate("acme", "service_overview", service="checkout")
        assert answer.observation.status == "partial"

Fixtures:
- `gauntlet_world` (session): seeded Postgres behind Toxiproxy (`chaos.world.World`);
- `gauntlet` (session): the system under test on that world, in its own process (the
  reference orchestrator, or your service with `--gauntlet-target-command`/`-image`), with a small
  client whose answers are judged as scenarios and load judge theirs (`vocabulary.Answer`);
- `fault` (function): `fault(kind, **fields)` → a context manager applying one fault
  (any kind of `chaos.faults`); the world is healed after each test whatever happened;
- `gauntlet_promises` (session): the system's declared promises (`contract.Promises`):
  the file of `--gauntlet-promises FILE`, else the reference's own for the reference,
  else none declared (`promised(name)` is then infinite: no such knob).

Options: the flags of `gauntlet run`, spelled `--gauntlet-...`, with the same meaning,
defaults and checks (`target.flags`): `--gauntlet-db embedded|docker|URL`,
`--gauntlet-toxiproxy auto|local|docker|URL`,
`--gauntlet-postgres-image`, `--gauntlet-toxiproxy-image` (for the docker backends),
`--gauntlet-target-command CMD` or `--gauntlet-target-image IMAGE` (your service: started
with the system-under-test contract's environment, ready when `GET /healthz` answers on
`$PORT`), or
`--gauntlet-target-url URL --gauntlet-upstream ops=HOST:PORT[@LISTEN] ...` (your service,
already running: Gauntlet puts a proxy in front of each upstream, prints where the service
must connect, and checks that it does before any test; API keys from `GAUNTLET_API_KEYS`).
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

import contract
from contract import request_body
from target.backends import (
    BACKEND_FLAGS,
    DB,
    POSTGRES_IMAGE,
    TOXIPROXY,
    TOXIPROXY_IMAGE,
    WorldBackends,
)
from target.choice import (
    TARGET_COMMAND,
    TARGET_FLAGS,
    TARGET_IMAGE,
    TARGET_URL,
    UPSTREAM,
    TargetChoice,
)
from target.flags import Flag, in_pytest_spelling
from vocabulary import (
    API_KEY_HEADER,
    ORCHESTRATE_PATH,
    Answer,
    Asked,
    judge_answer,
    unknown_name,
)

API_KEYS_VAR = contract.API_KEYS  # the contract's own variable: API key -> tenant id
_CHOSEN = pytest.StashKey[tuple[WorldBackends, TargetChoice]]()


class GauntletClient:
    """A client for the system under test whose answers are judged like a scenario's."""

    def __init__(self, world: Any, url: str = "") -> None:
        self.world = world
        self.url = url

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
        body = request_body(tenant, intent, parameters)
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


class GauntletService(GauntletClient):
    """The system under test in its own process, supervised from a background thread's
    event loop, and a client for it."""

    def __init__(self, world: Any, spool_dir: Path, target: Any, log_path: Path) -> None:
        from scenarios.runner.suite_run import contract_env

        super().__init__(world)
        self.target = target  # a `target.TargetChoice`: a command, an image, or the reference
        self._contract = contract_env(world, spool_dir)
        self._log_path = log_path
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="gauntlet-target", daemon=True)

    def __enter__(self) -> GauntletService:
        self._thread.start()
        if not self._ready.wait(timeout=120) or self._error is not None:
            raise RuntimeError(f"the system under test did not start: {self._error}")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)

    def _serve(self) -> None:
        from target.choice import started_target

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            async with started_target(self.target, self._contract, log_path=self._log_path) as url:
                self.url = url
                self.world.service_url = url
                self._ready.set()
                await self._stop.wait()

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported to the waiting test session
            self._error = exc
            self._ready.set()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The flags of `gauntlet run`, spelled `--gauntlet-...`: one text and default each."""
    group = parser.getgroup("gauntlet", "Gauntlet chaos fixtures")
    defaults = {"db": WorldBackends.db, "toxiproxy": WorldBackends.toxiproxy, "upstream": []}
    for flag in (*BACKEND_FLAGS, *TARGET_FLAGS):
        group.addoption(
            flag.in_pytest,
            default=defaults.get(flag.name),
            action="append" if flag.repeatable else "store",
            metavar=flag.metavar,
            help=_in_pytest_spelling(flag.help),
        )
    group.addoption(
        "--gauntlet-promises",
        default=None,
        metavar="FILE",
        help="the system's declared promises (YAML/JSON) for the gauntlet_promises fixture "
        "(default: the reference's own for the reference, else none)",
    )


def pytest_configure(config: pytest.Config) -> None:
    backends, _ = _chosen(config)
    backends.choose_images()

    if config.getoption("--gauntlet-promises"):  # a bad file stops the session at once
        _promises(config)


def _chosen(config: pytest.Config) -> tuple[WorldBackends, TargetChoice]:
    """The world's backends and the system under test the flags choose (one `UsageError`
    line naming the flag when they cannot), as `gauntlet run` reads the same flags."""
    if _CHOSEN not in config.stash:
        config.stash[_CHOSEN] = _from_flags(config)
    return config.stash[_CHOSEN]


def _from_flags(config: pytest.Config) -> tuple[WorldBackends, TargetChoice]:
    def given(flag: Flag) -> Any:
        return config.getoption(flag.in_pytest)

    try:
        backends = WorldBackends(
            given(DB), given(TOXIPROXY), given(POSTGRES_IMAGE), given(TOXIPROXY_IMAGE)
        )
        target = TargetChoice.from_flags(
            given(TARGET_COMMAND), given(TARGET_IMAGE), given(TARGET_URL), given(UPSTREAM)
        )
    except ValueError as exc:
        raise pytest.UsageError(f"gauntlet: {_in_pytest_spelling(str(exc))}") from None
    return backends, target


def _in_pytest_spelling(text: str) -> str:
    return in_pytest_spelling(text, (*BACKEND_FLAGS, *TARGET_FLAGS))


@pytest.fixture(scope="session")
def gauntlet_world(request: pytest.FixtureRequest) -> Iterator[Any]:
    from chaos.world import open_world

    backends, target = _chosen(request.config)
    if target.url:
        yield from _remote_world(request, backends, target)
        return
    declared = _promises(request.config).upstreams
    with open_world(backends.db, backends.toxiproxy, upstreams=declared) as world:
        yield world


@pytest.fixture(scope="session")
def gauntlet(
    request: pytest.FixtureRequest, gauntlet_world: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GauntletClient]:
    _, target = _chosen(request.config)
    if target.url:
        from scenarios.runner.proxy_check import check_traffic_flows

        gauntlet_world.service_url = target.url
        problems = check_traffic_flows(gauntlet_world, gauntlet_world.service_url)
        if problems:
            pytest.fail("the system under test bypasses Gauntlet: " + " ".join(problems), False)
        yield GauntletClient(gauntlet_world, gauntlet_world.service_url)
        return
    from chaos.spool_filesystem import mounted_spool

    work = tmp_path_factory.mktemp("gauntlet-target")
    spool = work / "audit-spool"
    # its own small filesystem, so spool_disk_full can fill it (chaos.spool_filesystem)
    with (
        mounted_spool(spool),
        GauntletService(gauntlet_world, spool, target, work / "target.log") as sut,
    ):
        yield sut


def _remote_world(
    request: pytest.FixtureRequest, backends: WorldBackends, target: TargetChoice
) -> Iterator[Any]:
    """Toxiproxy in front of the declared upstreams of a system that is already running."""
    from chaos.remote_world import open_remote_world

    with open_remote_world(target.upstreams, target.tenant_keys, backends.toxiproxy) as world:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        for line in world.listen_lines():
            if reporter is not None:
                reporter.write_line(f"gauntlet: {line}")
        yield world


@pytest.fixture(scope="session")
def gauntlet_promises(request: pytest.FixtureRequest) -> contract.Promises:
    return _promises(request.config)


def _promises(config: pytest.Config) -> contract.Promises:
    """The promises in effect (see the module's docstring); a bad file is a usage error of
    one line naming the file, the line and the field."""
    from scenarios.spec.promises_file import promises_in_effect

    _, target = _chosen(config)
    try:
        return promises_in_effect(
            config.getoption("--gauntlet-promises"), reference=target.is_reference
        )
    except ValueError as exc:
        raise pytest.UsageError(f"gauntlet: {exc}") from None


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
