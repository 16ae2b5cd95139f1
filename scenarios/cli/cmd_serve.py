"""`gauntlet serve`: the orchestrator HTTP service on a local, seeded Postgres."""

from __future__ import annotations

import json
import os
import shlex
import socket
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn
from urllib.parse import urlsplit

import typer

from scenarios import exit_codes
from target.backends import WorldBackends

from .options import Db, check_toxiproxy_option

if TYPE_CHECKING:
    from chaos.world import World
    from orchestrator.service import StopSignals

    from .serve_stack import LocalService

EXAMPLE_INTENT = "service_overview"
EXAMPLE_SERVICE = "checkout"  # the first service every seeded tenant has

# The options only `serve` has; `--db` is the one `run` and `load` share.
Host = Annotated[str, typer.Option("--host", metavar="HOST", help="address to listen on")]
Port = Annotated[
    int,
    typer.Option(
        "--port", metavar="PORT", min=0, max=65535, help="port to listen on (0: any free port)"
    ),
]
Tenants = Annotated[
    int,
    typer.Option(
        "--tenants", metavar="N", min=1, max=10, help="tenants to seed, each with an API key"
    ),
]
SpoolDir = Annotated[
    Path | None,
    typer.Option(
        "--spool-dir",
        metavar="DIR",
        envvar="GAUNTLET_SPOOL_DIR",
        help="where audit records wait while the database is down; kept across restarts "
        "[default: $XDG_STATE_HOME/gauntlet/audit-spool]",
    ),
]
Chaos = Annotated[
    bool,
    typer.Option(
        "--chaos",
        help="put Toxiproxy in front of the upstreams, for `gauntlet fault add|list|remove`",
    ),
]
ChaosToxiproxy = Annotated[
    str,
    typer.Option(
        "--toxiproxy",
        metavar="BACKEND",
        callback=check_toxiproxy_option,
        help="with --chaos: auto | local | docker | http://host:port",
    ),
]


def serve(
    db: Db = WorldBackends.db,
    host: Host = "127.0.0.1",
    port: Port = 8080,
    tenants: Tenants = 3,
    spool_dir: SpoolDir = None,
    chaos: Chaos = False,
    toxiproxy: ChaosToxiproxy = WorldBackends.toxiproxy,
) -> None:
    """Serve until Ctrl-C (or SIGTERM), then stop the service and Postgres; exit 0."""
    from orchestrator.service import StopSignals

    # One handler from here to the end: a signal during start-up unwinds it like Ctrl-C; one
    # that lands once uvicorn exists stops it, whenever it lands (see StopSignals).
    stop = StopSignals(interrupts_startup=True)
    try:
        # The work folder is scratch; the spool is not, so it lives outside it.
        with (
            stop.installed(),
            _listener(host, port) as listener,
            tempfile.TemporaryDirectory(prefix="gauntlet-serve-") as work_dir,
        ):
            _serve_on(
                listener,
                stop,
                db,
                tenants,
                Path(work_dir),
                spool_dir or default_spool_dir(),
                toxiproxy if chaos else None,
            )
    except KeyboardInterrupt:
        pass  # the way a server is asked to stop; everything above has been shut down
    typer.echo("gauntlet serve: stopped; service and Postgres shut down", err=True)


def default_spool_dir() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "gauntlet" / "audit-spool"


# Under faults the database driver warns at every broken connection ("error ignored
# terminating <psycopg.AsyncPipeline [BAD]>"): expected, and kept, but off the screen.
DRIVER_LOGGERS = ("psycopg", "psycopg.pool")


def log_drivers_to(path: Path) -> Path:
    """Send the database driver's log records to `path` (appended), none to the terminal."""
    import logging

    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in DRIVER_LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False
    return path


def _serve_on(
    listener: socket.socket,
    stop: StopSignals,
    db: str,
    tenants: int,
    work_dir: Path,
    spool_dir: Path,
    toxiproxy: str | None,
) -> None:
    # Imported here so `gauntlet --help` stays fast and works without the data layer.
    from orchestrator.service import build_app, serve_until_stopped

    from .serve_stack import local_service_stack

    typer.echo(
        f"gauntlet serve: starting Postgres ({_redacted(db)}) and seeding {tenants} tenants ...",
        err=True,
    )
    driver_log = log_drivers_to(default_spool_dir().parent / "serve-drivers.log")
    with ExitStack() as resources:
        try:
            stack = resources.enter_context(
                local_service_stack(
                    db,
                    tenants=tenants,
                    work_dir=work_dir,
                    spool_dir=spool_dir,
                    toxiproxy=toxiproxy,
                )
            )
            app = build_app(stack.config)
            # The app owns worker processes now; only the server's shutdown closes it.
            stop.remember_from_now()
        except Exception as exc:  # noqa: BLE001 - the CLI boundary: any startup failure is one line
            _fail(exit_codes.INFRASTRUCTURE, f"infrastructure could not start: {_one_line(exc)}")
        url = _url(*listener.getsockname()[:2])
        _say_ready(url, stack, driver_log)
        if stack.world is not None:
            resources.enter_context(_hand_faults_allowed(url, stack.world))
        typer.echo("Press Ctrl-C to stop.", err=True)
        # The app closes the orchestrator in its lifespan; the stack then stops Postgres.
        serve_until_stopped(app, stop, sockets=[listener])


def _say_ready(url: str, stack: LocalService, driver_log: Path) -> None:
    """Where the service listens, what it was given, and a request to try."""
    ready = f"stack ready in {stack.startup_seconds:.1f} s"
    typer.echo(f"Gauntlet orchestrator listening on {url}  ({ready})")
    typer.echo(f"  OpenAPI: {url}/docs   health: {url}/healthz   metrics: {url}/metrics")
    typer.echo(f"  audit spool: {stack.config.spool_dir}")
    typer.echo(f"  database driver warnings: {driver_log}")
    typer.echo(f"  config for more workers: GAUNTLET_SERVICE_CONFIG={stack.config_path}")
    for line in credential_lines(stack.api_keys, stack.database_passwords):
        typer.echo(f"  {line}")
    typer.echo(f"  credentials (random for this stack, mode 0600): {stack.credentials_path}")
    typer.echo(f"  try:  {example_curl(url, stack.api_keys)}")


@contextmanager
def _hand_faults_allowed(url: str, world: World) -> Iterator[None]:
    """Record the stack for `gauntlet fault`; on the way out, say which hand faults go with it
    (deleting the stack's proxies removes them)."""
    from .stack_state import forget_stack, register_stack

    proxies = {upstream: proxy.name for upstream, proxy in world.proxies.items()}
    record = register_stack(url, world.toxiproxy.api_url, proxies)
    typer.echo(f"  chaos: Toxiproxy {world.toxiproxy.api_url} in front of {', '.join(proxies)}")
    typer.echo("  break it by hand:  gauntlet fault add latency upstream=metrics latency_ms=3000")
    try:
        yield
    finally:
        left = forget_stack(record.pid)
        if left:
            typer.echo(f"gauntlet serve: removed {len(left)} fault(s) added by hand", err=True)


def credential_lines(api_keys: dict[str, str], passwords: dict[str, str]) -> list[str]:
    """One line per secret: each tenant's API key, then each database role's password."""
    keys = [
        f"API key of {tenant}: {key}" for key, tenant in sorted(api_keys.items(), key=_by_tenant)
    ]
    return keys + [
        f"password of {role}: {password}" for role, password in sorted(passwords.items())
    ]


def _by_tenant(item: tuple[str, str]) -> str:
    return item[1]


def example_curl(url: str, api_keys: dict[str, str]) -> str:
    """A ready-to-paste request for the first seeded tenant."""
    from contract import API_KEY_HEADER, ORCHESTRATE_PATH, request_body

    key, tenant_id = sorted(api_keys.items(), key=lambda item: item[1])[0]
    body = json.dumps(request_body(tenant_id, EXAMPLE_INTENT, {"service": EXAMPLE_SERVICE}))
    return (
        f"curl -s -X POST {url}{ORCHESTRATE_PATH} -H {shlex.quote(f'{API_KEY_HEADER}: {key}')} "
        f"-H 'content-type: application/json' -d {shlex.quote(body)}"
    )


def _redacted(db: str) -> str:
    """The backend without credentials, for printing."""
    if "://" not in db:
        return db
    parts = urlsplit(db)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 5432}{parts.path}"


def _listener(host: str, port: int) -> socket.socket:
    # Bound first: a busy port fails in milliseconds, before Postgres is started.
    from orchestrator.service import bind_listener

    try:
        return bind_listener(host, port)
    except OSError as exc:
        _fail(exit_codes.INFRASTRUCTURE, f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _fail(code: int, message: str) -> NoReturn:
    typer.echo(f"gauntlet serve: {message}", err=True)
    raise typer.Exit(code)
