"""The real Toxiproxy server: find it, start it, drive it, clean up after it."""

from .client import ProxyHandle, ToxicState, ToxiproxyClient
from .errors import (
    ToxiproxyConflict,
    ToxiproxyError,
    ToxiproxyNotFound,
    ToxiproxyRejected,
    ToxiproxyUnavailable,
)

__all__ = [
    "ProxyHandle",
    "ToxicState",
    "ToxiproxyClient",
    "ToxiproxyConflict",
    "ToxiproxyError",
    "ToxiproxyNotFound",
    "ToxiproxyRejected",
    "ToxiproxyUnavailable",
]
