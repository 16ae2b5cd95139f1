"""The reference's side of the environment contract (`contract`'s variables): its
`ServiceConfig` from them, and back. Any problem is one `ServiceConfigError` line naming
the variable."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import ValidationError

import contract

from ._config import ServiceConfig, ServiceConfigError


def config_from_env(environ: Mapping[str, str] | None = None) -> ServiceConfig:
    """The service's configuration from the contract's variables."""
    env = os.environ if environ is None else environ
    try:
        raw = contract.settings_from_env(env)
    except contract.ContractEnvironmentError as exc:
        raise ServiceConfigError(str(exc)) from None
    try:
        return ServiceConfig.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = [str(part) for part in error["loc"]]
        variable = contract.setting_variable(where[0]) if where else "environment"
        inside = f" ({'.'.join(where[1:])})" if len(where) > 1 else ""
        raise ServiceConfigError(f"{variable}{inside}: {error['msg']}") from None


def listen_address(environ: Mapping[str, str] | None = None) -> tuple[str, int]:
    """(host, port) from `GAUNTLET_HOST` and `PORT`."""
    try:
        return contract.listen_address(os.environ if environ is None else environ)
    except contract.ContractEnvironmentError as exc:
        raise ServiceConfigError(str(exc)) from None


def env_from_config(config: ServiceConfig, *, port: int | None = None) -> dict[str, str]:
    """The contract's variables for `config` (the inverse of `config_from_env`)."""
    settings = config.model_dump(mode="json", include=set(contract.SETTINGS))
    if config.rate_limits:
        settings["rate_limits"] = {
            tool: limit.model_dump(exclude_none=True) for tool, limit in config.rate_limits.items()
        }
    return contract.environment(settings, port=port)
