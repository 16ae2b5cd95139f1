"""The relations a query may name and their columns: the validator's picture of the schema.

Postgres reads `x.f` as a call `f(x)` whenever `f` is not a column of `x`, so a qualified
name is safe only when its last part is known to be a column. The default catalog is the
ops database's application schema (kept in step with its DDL by a test on real Postgres);
a deployment with another schema passes its own `Catalog`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Catalog:
    """Relation name (unqualified, lower case) → its column names, all in one schema."""

    schema: str
    relations: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def columns_of(self, schema: str | None, relation: str) -> frozenset[str] | None:
        if schema is not None and schema != self.schema:
            return None
        return self.relations.get(relation)


def _columns(names: str) -> frozenset[str]:
    return frozenset(names.split())


OPS_CATALOG = Catalog(
    schema="ops",
    relations=MappingProxyType(
        {
            "tenants": _columns("tenant_id name plan"),
            "services": _columns("tenant_id service tier owner_team"),
            "hosts": _columns("tenant_id host_id service region status"),
            "deployments": _columns("tenant_id deployment_id service version status deployed_at"),
            "incidents": _columns(
                "tenant_id incident_id service severity status title opened_at resolved_at"
            ),
            "service_dependencies": _columns("tenant_id service depends_on"),
            "audit_log": _columns("audit_id request_id tenant_id action detail recorded_at"),
            "host_events": _columns("tenant_id event_id host_id ts payload"),
        }
    ),
)
