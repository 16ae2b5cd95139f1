"""`gauntlet serve`: the orchestrator HTTP service on a local, seeded Postgres."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import signal
import socket
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import typer

from scenarios import exit_codes

from .choices import check_toxiproxy

if TYPE_CHECKING:
    from chaos.world import World

_DB_HELP = (
    "Postgres backend: 'embedded' (pgserver), 'docker' (testcontainers) or a postgresql:// URL."
)
EXAMPLE_INTENT = "service_overview"
EXAMPLE_SERVICE = "checkout"  # the first service every seeded tenant has


def serve(
    db: str = typer.Option("embedded", "--db", help=_DB_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(
        8080, "--port", min=0, max=65535, help="Port to listen on (0: any free port)."
    ),
    tenants: int = typer.Option(
        3, "--tenants", min=1, max=10, help="Tenants to seed, each with an API key."
    ),
    spool_dir: Path = typer.Option(
        None,
        "--spool-dir",
        envvar="GAUNTLET_SPOOL_DIR",
        help="Where audit records wait while the database is down; kept across restarts. "
        "[default: $XDG_STATE_HOME/gauntlet/audit-spool]",
    ),
    chaos: bool = typer.Option(
        False,
        "--chaos",
        help="Put Toxiproxy in front of the upstreams, for `gauntlet fault add|list|remove`.",
    ),
    toxiproxy: str = typer.Option(
        "auto",
        "--toxiproxy",
        metavar="BACKEND",
        callback=check_toxiproxy,
        help="With --chaos: auto | local | docker | http://host:port.",
    ),
) -> None:
    """Serve until Ctrl-C (or SIGTERM), then stop the service and Postgres; exit 0."""
    if not _known_backend(db):
        _fail(
            exit_codes.BAD_INPUT,
            f"--db: expected 'embedded', 'docker' or a postgresql:// URL, got {db!r}",
        )
    # Bind first: a busy port should fail in milliseconds, before Postgres is started.
    try:
        listener = _bind(host, port)
    except OSError as exc:
        _fail(exit_codes.INFRASTRUCTURE, f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    try:
        # The work folder is scratch; the spool is not, so it lives outside it.
        with listener, tempfile.TemporaryDirectory(prefix="gauntlet-serve-") as work_dir:
            _serve_on(
                listener,
                db,
                tenants,
                Path(work_dir),
                spool_dir or default_spool_dir(),
                toxiproxy if chaos else None,
            )
    except KeyboardInterrupt:
        pass  # the way a server is asked to stop; everything above has been shut down
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
    typer.echo("gauntlet serve: stopped; service and Postgres shut down", err=True)


def default_spool_dir() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "gauntlet" / "audit-spool"


def _serve_on(
    listener: socket.socket,
    db: str,
    tenants: int,
    work_dir: Path,
    spool_dir: Path,
    toxiproxy: str | None,
) -> None:
    # Imported here so `gauntlet --help` stays fast and works without the data layer.
    import uvicorn

    from orchestrator.service import build_app

    from .serve_stack import local_service_stack

    typer.echo(
        f"gauntlet serve: starting Postgres ({_redacted(db)}) and seeding {tenants} tenants ...",
        err=True,
    )
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
        except Exception as exc:  # noqa: BLE001 - the CLI boundary: any startup failure is one line
            _fail(exit_codes.INFRASTRUCTURE, f"infrastructure could not start: {_one_line(exc)}")
        url = _url(*listener.getsockname()[:2])
        ready = f"stack ready in {stack.startup_seconds:.1f} s"
        typer.echo(f"Gauntlet orchestrator listening on {url}  ({ready})")
        typer.echo(f"  OpenAPI: {url}/docs   health: {url}/healthz   metrics: {url}/metrics")
        typer.echo(f"  audit spool: {stack.config.spool_dir}")
        typer.echo(f"  config for more workers: GAUNTLET_SERVICE_CONFIG={stack.config_path}")
        for line in credential_lines(stack.api_keys, stack.database_passwords):
            typer.echo(f"  {line}")
        typer.echo(f"  credentials (random for this stack, mode 0600): {stack.credentials_path}")
        typer.echo(f"  try:  {example_curl(url, stack.api_keys)}")
        if stack.world is not None:
            resources.enter_context(_hand_faults_allowed(url, stack.world))
        typer.echo("Press Ctrl-C to stop.", err=True)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        # The app closes the orchestrator in its lifespan; the stack then stops Postgres.
        with _signals_handled_by_uvicorn():
            asyncio.run(server.serve(sockets=[listener]))


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
    from vocabulary import API_KEY_HEADER, ORCHESTRATE_PATH

    key, tenant_id = sorted(api_keys.items(), key=lambda item: item[1])[0]
    body = json.dumps(
        {
            "tenant_id": tenant_id,
            "intent": EXAMPLE_INTENT,
            "parameters": {"service": EXAMPLE_SERVICE},
        }
    )
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


def _known_backend(db: str) -> bool:
    return db in ("embedded", "docker") or db.startswith(("postgresql://", "postgres://"))


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)
    except BaseException:
        listener.close()
        raise
    listener.set_inheritable(True)
    return listener


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # While Postgres starts, SIGTERM must unwind the `with` blocks like Ctrl-C does,
    # not kill the process with Postgres left running.
    raise KeyboardInterrupt


def _already_handled(signum: int, frame: FrameType | None) -> None:
    """uvicorn re-raises the signal it shut down for; by then there is nothing left to do."""


@contextmanager
def _signals_handled_by_uvicorn() -> Iterator[None]:
    # uvicorn installs its own handlers while serving and afterwards re-raises the signal
    # into whatever was installed before it; a no-op there lets `serve()` return normally
    # instead of raising from deep inside the event loop's teardown.
    previous = {
        sig: signal.signal(sig, _already_handled) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _fail(code: int, message: str) -> None:
    typer.echo(f"gauntlet serve: {message}", err=True)
    raise typer.Exit(code)
