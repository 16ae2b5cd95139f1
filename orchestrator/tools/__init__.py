"""The orchestrator's four tools over the real data layer.

    lingering = LingeringTasks()  # the orchestrator's one registry of abandoned work
    tools = build_tools(ops_dsn, metrics_dsn, audit_dsn, spool_dir=Path("spool"),
                        lingering=lingering)
    orchestrator = Orchestrator(tools, lingering=lingering)
    ...
    await aclose_tools(tools)        # or each tool's `aclose()`

DSNs are used as given (they may point through proxies): connect as `gauntlet_reader`
for ops and metrics, `gauntlet_auditor` for audit, never as the owner. The reader login
must be a member of each tenant's role (`tenant_role(tenant_id)`): every read runs as it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from contract import TENANTS_GROUP_ROLE, tenant_role

from ..deadline import LingeringTasks
from ..tool import Tool
from ._audit import AuditTool
from ._direct_query import DirectQueryTool
from ._guarded_pool import GuardedPool
from ._metrics import MetricsTool
from ._topology import TopologyTool

__all__ = [
    "AuditTool",
    "DirectQueryTool",
    "GuardedPool",
    "MetricsTool",
    "TENANTS_GROUP_ROLE",
    "TopologyTool",
    "aclose_tools",
    "build_tools",
    "tenant_role",
]


def build_tools(
    ops_dsn: str,
    metrics_dsn: str,
    audit_dsn: str,
    *,
    spool_dir: Path,
    audit_spool_max_bytes: int | None = None,
    pool_size: int = 10,
    connect_timeout: float = 3.0,
    max_rows: int = 1000,
    validate_queries: bool = True,
    lingering: LingeringTasks,
    pool_close_timeout_seconds: float = 2.0,
    **_: Any,
) -> list[Tool]:
    """The four tools, each with its own pool (so a fault on one upstream spares the others).

    `lingering`: the registry of abandoned work to share with the orchestrator that owns
    these tools (`Orchestrator(tools, lingering=...)`), so closing it waits for them too.
    `audit_spool_max_bytes`: the audit spool's bound (None: its default).
    """

    def pool(dsn: str, name: str, *, reset_sessions: bool = False) -> GuardedPool:
        return GuardedPool(
            dsn,
            max_size=pool_size,
            connect_timeout=connect_timeout,
            name=name,
            lingering=lingering,
            close_timeout_seconds=pool_close_timeout_seconds,
            reset_sessions=reset_sessions,
        )

    # Only direct_query runs SQL the server did not write, which could leave session state
    # (advisory locks, settings) for the next borrower; the other tools run fixed statements
    # whose only settings are SET LOCAL, gone when their transaction ends.
    return [
        DirectQueryTool(
            pool(ops_dsn, "direct_query", reset_sessions=True),
            max_rows=max_rows,
            validate_queries=validate_queries,
        ),
        MetricsTool(pool(metrics_dsn, "metrics")),
        TopologyTool(pool(ops_dsn, "topology")),
        AuditTool(
            pool(audit_dsn, "audit"),
            spool_dir=Path(spool_dir),
            spool_max_pending_bytes=audit_spool_max_bytes,
        ),
    ]


async def aclose_tools(tools: Iterable[Any]) -> None:
    for tool in tools:
        close = getattr(tool, "aclose", None)
        if close is not None:
            await close()
