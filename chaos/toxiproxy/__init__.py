"""The real Toxiproxy server: find it, start it, drive it, clean up after it."""

from .backends import DEFAULT_STATE_DIR, check_toxiproxy_spec, open_toxiproxy
from .binary import find_toxiproxy_server
from .client import ProxyHandle, ToxicState, ToxiproxyClient
from .errors import (
    ToxiproxyConflict,
    ToxiproxyError,
    ToxiproxyNotFound,
    ToxiproxyRejected,
    ToxiproxyUnavailable,
)
from .local import LocalToxiproxyServer, cleanup_stale

__all__ = [
    "DEFAULT_STATE_DIR",
    "check_toxiproxy_spec",
    "LocalToxiproxyServer",
    "cleanup_stale",
    "find_toxiproxy_server",
    "open_toxiproxy",
    "ProxyHandle",
    "ToxicState",
    "ToxiproxyClient",
    "ToxiproxyConflict",
    "ToxiproxyError",
    "ToxiproxyNotFound",
    "ToxiproxyRejected",
    "ToxiproxyUnavailable",
]
