"""The service's settings, read from the environment the contract names.

A bad or missing value raises `SettingsError` with one line naming the variable; the
entry point prints it and exits 2. An empty variable counts as unset.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path


class SettingsError(ValueError):
    """One line: which variable is wrong and what was expected."""


@dataclass(frozen=True)
class RateLimit:
    per_minute: float
    burst: float


@dataclass(frozen=True)
class Settings:
    ops_dsn: str
    metrics_dsn: str
    audit_dsn: str
    api_keys: dict[str, str]
    port: int
    host: str = "127.0.0.1"
    spool_dir: Path = Path(".")
    request_deadline: float = 15.0
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
    max_body_bytes: int = 65536
    breaker_threshold: int = 5
    breaker_cool_down: float = 5.0


def _get(env: dict[str, str], name: str) -> str | None:
    value = env.get(name, "")
    return value if value.strip() else None


def _required(env: dict[str, str], name: str) -> str:
    value = _get(env, name)
    if value is None:
        raise SettingsError(f"{name} is required and not set")
    return value


def _number(env: dict[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = _get(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a number") from None
    if not low < value <= high:
        raise SettingsError(f"{name}={raw!r}: expected a number > {low} and <= {high}")
    return value


def _integer(env: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _get(env, name)
    if raw is None:
        return default
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name}={raw!r}: expected an integer from {low} to {high}")
    return int(raw)


def _api_keys(raw: str) -> dict[str, str]:
    try:
        keys = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"GAUNTLET_API_KEYS: not JSON ({exc.msg})") from None
    if not isinstance(keys, dict) or not keys:
        raise SettingsError("GAUNTLET_API_KEYS: expected a non-empty object key -> tenant id")
    for key, tenant in keys.items():
        if not key or not isinstance(tenant, str) or not tenant:
            raise SettingsError(f"GAUNTLET_API_KEYS: key {key!r} must map to a tenant id")
    return keys


def _rate_limits(raw: str | None) -> dict[str, RateLimit]:
    if raw is None:
        return {}
    try:
        given = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"GAUNTLET_RATE_LIMITS: not JSON ({exc.msg})") from None
    if not isinstance(given, dict):
        raise SettingsError("GAUNTLET_RATE_LIMITS: expected an object tool id -> limit")
    limits = {}
    for tool, limit in given.items():
        per_minute = limit.get("per_minute") if isinstance(limit, dict) else None
        burst = limit.get("burst", per_minute) if isinstance(limit, dict) else None
        numbers = all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 1
            for v in (per_minute, burst)
        )
        if not numbers:
            raise SettingsError(
                f"GAUNTLET_RATE_LIMITS[{tool!r}]: expected per_minute >= 1 and burst >= 1"
            )
        limits[tool] = RateLimit(per_minute=float(per_minute), burst=float(burst))
    return limits


def _default_spool() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "gauntlet" / "audit-spool"


def settings_from(env: dict[str, str]) -> Settings:
    """Every variable of the contract, checked; raises `SettingsError` on the first bad one."""
    spool = _get(env, "GAUNTLET_SPOOL_DIR")
    return Settings(
        ops_dsn=_required(env, "GAUNTLET_OPS_DSN"),
        metrics_dsn=_required(env, "GAUNTLET_METRICS_DSN"),
        audit_dsn=_required(env, "GAUNTLET_AUDIT_DSN"),
        api_keys=_api_keys(_required(env, "GAUNTLET_API_KEYS")),
        port=_integer({"PORT": _required(env, "PORT")}, "PORT", 0, 1, 65535),
        host=_get(env, "GAUNTLET_HOST") or "127.0.0.1",
        spool_dir=Path(spool) if spool else _default_spool(),
        request_deadline=_number(env, "GAUNTLET_REQUEST_DEADLINE_SECONDS", 15.0, 0, 300),
        rate_limits=_rate_limits(_get(env, "GAUNTLET_RATE_LIMITS")),
        max_body_bytes=_integer(env, "GAUNTLET_MAX_BODY_BYTES", 65536, 1, 16 * 1024 * 1024),
        breaker_threshold=_integer(env, "GAUNTLET_BREAKER_FAILURE_THRESHOLD", 5, 1, 1000),
        breaker_cool_down=_number(env, "GAUNTLET_BREAKER_COOL_DOWN_SECONDS", 5.0, 0, 300),
    )
