"""`--target-url` and its `--upstream`s, checked before anything starts."""

from __future__ import annotations

import json
import os

from contract import API_KEYS


def remote_options(
    target_url: str | None, upstreams: list[str], target_command: str | None, scenarios: list
) -> dict[str, object]:
    """RunOptions' fields for --target-url, checked before anything starts."""
    from chaos.remote_world import applies_remotely, parse_upstream  # not at --help time
    from scenarios.spec.upstream_names import unknown_upstreams

    if target_url is None:
        if upstreams:
            raise ValueError("--upstream only applies with --target-url")
        return {}
    if target_command is not None:
        raise ValueError("--target-command and --target-url exclude each other")
    if not upstreams:
        raise ValueError("--target-url needs at least one --upstream NAME=HOST:PORT")
    declared = tuple(parse_upstream(text) for text in upstreams)
    try:
        api_keys = json.loads(os.environ.get(API_KEYS) or "")
    except json.JSONDecodeError:
        raise ValueError(
            "--target-url: set GAUNTLET_API_KEYS to the system's API keys "
            '(JSON, key -> tenant, e.g. {"key-1": "acme"})'
        ) from None
    if not isinstance(api_keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in api_keys.items()
    ):
        raise ValueError("GAUNTLET_API_KEYS: expected a JSON object of API key -> tenant id")
    not_remote = [
        f"{s.name}: {timed.fault.kind}"
        for s in scenarios
        for timed in s.faults
        if not applies_remotely(timed.fault)
    ]
    if not_remote:
        raise ValueError(
            "--target-url: these faults need Gauntlet's own Postgres (choose scenarios with "
            f"--only or --scenario): {'; '.join(not_remote)}"
        )
    # Against a running system only the upstreams given with --upstream have proxies.
    unknown = unknown_upstreams(scenarios, {u.name for u in declared})
    if unknown:
        raise ValueError(
            f"--target-url: declare each upstream a fault names with --upstream "
            f"NAME=HOST:PORT: {'; '.join(unknown)}"
        )
    return {
        "target_url": target_url.rstrip("/"),
        "upstreams": declared,
        "api_keys": api_keys,
    }
