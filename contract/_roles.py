"""The database roles: the ops schema grants them, a system under test reads as them.

Each tenant has a role of its own, a member of `TENANTS_GROUP_ROLE`, and row-level
security shows that role only its tenant's rows.
"""

from __future__ import annotations

TENANT_ROLE_PREFIX = "gauntlet_tenant_"
TENANTS_GROUP_ROLE = "gauntlet_tenants"


def tenant_role(tenant_id: str) -> str:
    """The database role that reads for `tenant_id`."""
    return TENANT_ROLE_PREFIX + tenant_id
