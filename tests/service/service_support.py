"""In-process tools and a client for the service tests."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from orchestrator import CallContext, CapabilityType, ToolCapability, ToolError, ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.executor import Orchestrator
from orchestrator.service import create_app

API_KEYS = {"key-acme-0123456789": "acme", "key-globex-9876543210": "globex"}
ACME_KEY = "key-acme-0123456789"


class EchoTool:
    """Answers with its arguments and the tenant it ran for."""

    def __init__(self, tool_id: str = "echo", tenants: frozenset[str] | None = None) -> None:
        self.capability = ToolCapability.build(
            tool_id=tool_id,
            capability_type=CapabilityType.READ_ONLY,
            timeout_seconds=2.0,
            supported_tenants=tenants,
        )

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        return {"tenant_id": ctx.tenant_id, "arguments": dict(arguments)}

    async def fallback(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        raise ToolError(ToolErrorCode.UPSTREAM_ERROR, "no fallback")


class BrokenTool(EchoTool):
    """Always fails with an upstream error."""

    def __init__(self) -> None:
        super().__init__("broken")

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        raise ToolError(ToolErrorCode.UPSTREAM_ERROR, "upstream said no")


class SleepyTool(EchoTool):
    """Answers after `seconds`, well inside its own 2 s timeout."""

    def __init__(self, seconds: float) -> None:
        super().__init__("sleepy")
        self.seconds = seconds

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        await asyncio.sleep(self.seconds)
        return {"slept": self.seconds}


def make_orchestrator(*, with_audit: bool = False) -> Orchestrator:
    """The real orchestrator over in-process tools; `with_audit` adds an in-process stand-in
    for the audit tool, which the ops intents' planner adds to every plan."""
    tools = [EchoTool(), BrokenTool(), EchoTool("acme_only", tenants=frozenset({"acme"}))]
    if with_audit:
        tools.append(EchoTool("audit"))
    return Orchestrator(tools, lingering=LingeringTasks(), request_deadline_seconds=5.0)


def plan_body(tenant_id: str = "acme", *tool_ids: str, **extra: Any) -> dict[str, Any]:
    calls = [
        {"call_id": f"c{i}", "tool_id": t, "arguments": {"n": i}}
        for i, t in enumerate(tool_ids or ("echo",))
    ]
    return {"tenant_id": tenant_id, "plan": {"stages": [{"calls": calls}]}, **extra}


async def call_service(method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request against a fresh app (real orchestrator, in-process tools) over ASGI."""
    orchestrator = make_orchestrator()
    app = create_app(orchestrator, API_KEYS)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            return await client.request(method, path, **kwargs)
    finally:
        await orchestrator.aclose()


def request(method: str, path: str, **kwargs: Any) -> httpx.Response:
    return asyncio.run(call_service(method, path, **kwargs))
