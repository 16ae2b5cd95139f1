"""The system-under-test contract's variables: read, written back, and refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.service import ServiceConfig, ServiceConfigError, config_from_env, env_from_config
from orchestrator.service._env_contract import listen_address

REPO = Path(__file__).resolve().parents[2]
BASE = {
    "GAUNTLET_OPS_DSN": "postgresql://reader:pw@127.0.0.1:1/ops",
    "GAUNTLET_METRICS_DSN": "postgresql://reader:pw@127.0.0.1:2/metrics",
    "GAUNTLET_AUDIT_DSN": "postgresql://auditor:pw@127.0.0.1:1/ops",
    "GAUNTLET_API_KEYS": json.dumps({"key-acme": "acme"}),
    "XDG_STATE_HOME": "/var/lib/somewhere",
}


def test_the_required_variables_make_a_config_with_documented_defaults() -> None:
    config = config_from_env(BASE)
    assert config.ops_dsn == BASE["GAUNTLET_OPS_DSN"]
    assert config.api_keys == {"key-acme": "acme"}
    assert config.spool_dir == Path("/var/lib/somewhere/gauntlet/audit-spool")
    assert config.request_deadline_seconds == 15.0
    assert config.audit_spool_max_bytes is None  # the spool's own bound


def test_the_optional_knobs_round_trip_through_the_environment(tmp_path: Path) -> None:
    config = ServiceConfig(
        ops_dsn="a",
        metrics_dsn="b",
        audit_dsn="c",
        spool_dir=tmp_path,
        api_keys={"k1": "acme", "k2": "globex"},
        request_deadline_seconds=5.0,
        rate_limits={"direct_query": {"per_minute": 3600, "burst": 40}},
        max_body_bytes=1024,
        audit_spool_max_bytes=65536,
    )
    env = env_from_config(config, port=8123)
    assert env["PORT"] == "8123"
    assert env["GAUNTLET_AUDIT_SPOOL_MAX_BYTES"] == "65536"
    assert config_from_env(env) == config


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"GAUNTLET_OPS_DSN": ""}, "GAUNTLET_OPS_DSN"),
        ({"GAUNTLET_API_KEYS": "{not json"}, "GAUNTLET_API_KEYS: not valid JSON"),
        ({"GAUNTLET_API_KEYS": "{}"}, "GAUNTLET_API_KEYS"),
        ({"GAUNTLET_REQUEST_DEADLINE_SECONDS": "-1"}, "GAUNTLET_REQUEST_DEADLINE_SECONDS"),
        ({"GAUNTLET_RATE_LIMITS": '{"metrics": {"per_minute": 0}}'}, "GAUNTLET_RATE_LIMITS"),
        ({"GAUNTLET_AUDIT_SPOOL_MAX_BYTES": "0"}, "GAUNTLET_AUDIT_SPOOL_MAX_BYTES"),
        ({"GAUNTLET_AUDIT_SPOOL_MAX_BYTES": "1MiB"}, "GAUNTLET_AUDIT_SPOOL_MAX_BYTES"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it(change: dict[str, str], named: str) -> None:
    with pytest.raises(ServiceConfigError) as caught:
        config_from_env({**BASE, **change})
    assert named in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("port", ["", "http", "0", "70000"])
def test_port_must_be_a_port(port: str) -> None:
    with pytest.raises(ServiceConfigError, match="PORT"):
        listen_address({"PORT": port})


def test_listen_address_defaults_to_loopback() -> None:
    assert listen_address({"PORT": "8080"}) == ("127.0.0.1", 8080)


def test_the_command_refuses_a_missing_variable_with_exit_2_and_one_line() -> None:
    env = {k: v for k, v in BASE.items() if k != "GAUNTLET_AUDIT_DSN"} | {"PATH": "/usr/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "orchestrator.service"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "orchestrator.service: environment: GAUNTLET_AUDIT_DSN must be set"
    ]
