"""In-process tools and a client for the service tests; a service started as a child."""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
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


def offline_service_env(spool_dir: Path, port: int) -> dict[str, str]:
    """The reference service's environment with nothing listening on the database ports:
    it starts, answers /healthz and stops without them."""
    return {
        "GAUNTLET_OPS_DSN": "postgresql://reader:pw@127.0.0.1:1/ops",
        "GAUNTLET_METRICS_DSN": "postgresql://reader:pw@127.0.0.1:2/metrics",
        "GAUNTLET_AUDIT_DSN": "postgresql://auditor:pw@127.0.0.1:1/ops",
        "GAUNTLET_API_KEYS": json.dumps({"key-acme": "acme"}),
        "GAUNTLET_SPOOL_DIR": str(spool_dir),
        "PORT": str(port),
        "PATH": "/usr/bin:/bin",
    }


class ListeningChild:
    """A child process whose stdout and stderr are read as they come (so it never blocks
    on a full pipe), and which says when it printed `listening on`."""

    def __init__(self, argv: Sequence[str], **popen: Any) -> None:
        self.process = subprocess.Popen(
            list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
        )
        self.said: list[str] = []
        self.listening = threading.Event()
        for stream in (self.process.stdout, self.process.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: Iterable[str]) -> None:
        for line in stream:
            self.said.append(line)
            if "listening on" in line:
                self.listening.set()

    @property
    def output(self) -> str:
        return "".join(self.said)

    def __enter__(self) -> ListeningChild:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
