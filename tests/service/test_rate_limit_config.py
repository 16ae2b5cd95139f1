"""A deployment sets its tools' rate limits in the service config, by tool id."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.service import ServiceConfig, ServiceConfigError, build_app

DSN = "postgresql://nobody@127.0.0.1:1/none"  # never connected: the app is not started


def _config(tmp_path: Path, **limits: dict) -> ServiceConfig:
    return ServiceConfig(
        ops_dsn=DSN,
        metrics_dsn=DSN,
        audit_dsn=DSN,
        spool_dir=tmp_path,
        api_keys={"key": "acme"},
        rate_limits=limits,
    )


def test_a_configured_limit_reaches_the_tool_policy(tmp_path: Path) -> None:
    app = build_app(_config(tmp_path, direct_query={"per_minute": 600, "burst": 5}))
    limiter = app.state.orchestrator.statistics()["direct_query"].rate_limiter
    assert (limiter.rate_per_minute, limiter.burst) == (600, 5)
    assert app.state.orchestrator.statistics()["metrics"].rate_limiter is None


def test_an_unknown_tool_is_a_config_error_naming_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ServiceConfigError, match=r"rate_limits: unknown tools \['direct_qurey'\]"):
        build_app(_config(tmp_path, direct_qurey={"per_minute": 600}))
