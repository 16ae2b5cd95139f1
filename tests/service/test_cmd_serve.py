"""`gauntlet serve`: failures to start are one line with exit code 3 or 2."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from scenarios import exit_codes
from scenarios.cli import app
from scenarios.cli.cmd_serve import example_curl


def _serve(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["serve", *args])
    return result.exit_code, result.output


def test_unreachable_database_is_an_infrastructure_failure_in_one_line() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    code, output = _serve(
        "--db", f"postgresql://postgres@127.0.0.1:{dead_port}/postgres", "--port", "0"
    )
    assert code == exit_codes.INFRASTRUCTURE
    errors = [line for line in output.splitlines() if "could not start" in line]
    assert len(errors) == 1 and "Traceback" not in output


def test_a_busy_port_is_an_infrastructure_failure_before_postgres_starts() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, output = _serve("--port", str(port))
    assert code == exit_codes.INFRASTRUCTURE
    assert f"cannot listen on 127.0.0.1:{port}" in output
    assert "starting Postgres" not in output


def test_an_unknown_backend_is_bad_input() -> None:
    code, output = _serve("--db", "oracle")
    assert code == exit_codes.BAD_INPUT
    assert "--db" in output and "'oracle'" in output


def test_the_example_curl_uses_a_real_key_of_the_first_tenant() -> None:
    line = example_curl("http://127.0.0.1:8080", {"gk_b": "globex", "gk_a": "acme"})
    assert "X-API-Key: gk_a" in line and '"tenant_id": "acme"' in line
    assert line.startswith("curl -s -X POST http://127.0.0.1:8080/v1/orchestrate ")
