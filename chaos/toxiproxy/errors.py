"""Exceptions raised by the Toxiproxy lifecycle and client.

    Exception
    └── ToxiproxyError              anything that went wrong talking to or running Toxiproxy
        ├── ToxiproxyUnavailable    no server could be found, started or reached
        ├── ToxiproxyNotFound       the named proxy or toxic does not exist
        ├── ToxiproxyConflict       a proxy of that name already exists
        └── ToxiproxyRejected       the server refused the request (bad toxic, bad address)

Exceptions of `toxiproxy-python`, `requests` and `httpx` are mapped to these once, at the
client boundary.
"""

from __future__ import annotations


class ToxiproxyError(Exception):
    """Toxiproxy could not do what was asked."""


class ToxiproxyUnavailable(ToxiproxyError):
    """No Toxiproxy server could be found, started or reached; the message says what to do."""


class ToxiproxyNotFound(ToxiproxyError):
    """The named proxy or toxic does not exist."""


class ToxiproxyConflict(ToxiproxyError):
    """A proxy with that name already exists."""


class ToxiproxyRejected(ToxiproxyError):
    """The server refused the request as invalid."""
