"""Helpers for the data-layer tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from chaos.postgres import free_tcp_port
from orchestrator.tool import CallContext


def proxy_to(toxiproxy_url: str, name: str, upstream_port: int) -> int:
    """Create a proxy to 127.0.0.1:`upstream_port`; returns its listening port."""
    port = free_tcp_port()
    response = httpx.post(
        f"{toxiproxy_url}/proxies",
        content=json.dumps(
            {
                "name": name,
                "listen": f"127.0.0.1:{port}",
                "upstream": f"127.0.0.1:{upstream_port}",
                "enabled": True,
            }
        ),
    )
    response.raise_for_status()
    return port


@dataclass(frozen=True)
class FreshBudgetContext(CallContext):
    """A context that gives every call it serves the same budget, as if each were the
    first attempt of its own request: these tests reuse one context across calls."""

    fresh_budget_seconds: float = 3.0

    @property
    def budget_seconds(self) -> float:
        return self.fresh_budget_seconds


def call_context(
    tenant_id: str,
    *,
    request_id: str = "req-1",
    budget_seconds: float = 3.0,
    dependency_outputs: dict | None = None,
) -> CallContext:
    return FreshBudgetContext(
        request_id=request_id,
        tenant_id=tenant_id,
        authenticated=True,
        call_id="call",
        dependency_outputs=dependency_outputs or {},
        fresh_budget_seconds=budget_seconds,
    )
