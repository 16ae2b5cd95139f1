"""A concrete `FaultTarget` for the tests (the runner has its own)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chaos.faults import Upstream
from chaos.toxiproxy import ToxiproxyClient


@dataclass
class TestWorld:
    __test__ = False  # not a pytest test class

    toxiproxy: ToxiproxyClient
    proxies: Mapping[str, str] = field(default_factory=dict)
    postgres: Any = None
    admin_dsn: str = ""
    app_dsn: str = ""
    app_roles: tuple[str, ...] = ()
    service_url: str = "http://127.0.0.1:1"

    def proxy_name(self, upstream: Upstream) -> str:
        return self.proxies[upstream]
