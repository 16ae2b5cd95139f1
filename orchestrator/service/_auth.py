"""API keys: which tenant a caller speaks for.

Keys are held only as SHA-256 digests, so a lookup compares digests of fixed length
and the table never keeps the secrets themselves in memory longer than construction.
Every refusal reads the same, so a caller cannot learn which keys exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

UNAUTHENTICATED_MESSAGE = "missing or unknown API key (send it in the X-API-Key header)"


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


class ApiKeyTable:
    """Maps an API key to the tenant id it authenticates."""

    def __init__(self, api_keys: Mapping[str, str]) -> None:
        tenants_by_digest: dict[bytes, str] = {}
        for key, tenant_id in api_keys.items():
            if not isinstance(key, str) or not key:
                raise ValueError("api_keys: every key must be a non-empty string")
            if not isinstance(tenant_id, str) or not tenant_id:
                raise ValueError("api_keys: every tenant id must be a non-empty string")
            tenants_by_digest[_digest(key)] = tenant_id
        self._tenants_by_digest = tenants_by_digest

    def tenant_for(self, key: str | None) -> str | None:
        """The tenant this key authenticates, or None for a missing or unknown key."""
        if not key:
            return None
        return self._tenants_by_digest.get(_digest(key))

    def __len__(self) -> int:
        return len(self._tenants_by_digest)
