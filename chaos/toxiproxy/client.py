"""A client for one Toxiproxy server, safe to use beside clients for other servers.

`toxiproxy-python` 0.1.1 keeps the API host and port as class attributes of
`APIConsumer`, i.e. process-global state. We keep the library for the proxy and toxic
calls but hold one module-level lock while pointing `APIConsumer` at *this* client's
server and making the call, so two stacks in one process (or two threads) can never send
a request to each other's server. The readiness probe (`version`) talks to the documented
HTTP API with httpx instead, because the library's probe has no timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, TypeVar
from urllib.parse import urlsplit

import httpx
import requests
from toxiproxy.api import APIConsumer
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists
from toxiproxy.server import Toxiproxy

from .errors import (
    ToxiproxyConflict,
    ToxiproxyError,
    ToxiproxyNotFound,
    ToxiproxyRejected,
    ToxiproxyUnavailable,
)

Stream = Literal["upstream", "downstream"]
_T = TypeVar("_T")
_API_CONSUMER_LOCK = threading.Lock()


@dataclass(frozen=True)
class ProxyHandle:
    """A proxy as the server reported it; `listen` is the address clients connect to."""

    name: str
    listen: str
    upstream: str
    enabled: bool

    @property
    def host(self) -> str:
        return self.listen.rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        return int(self.listen.rsplit(":", 1)[1])


@dataclass(frozen=True)
class ToxicState:
    """A toxic as the server reported it."""

    name: str
    type: str
    stream: Stream
    toxicity: float
    attributes: dict[str, int]


class ToxiproxyClient:
    """Proxies and toxics on the Toxiproxy server at `api_url` (e.g. http://127.0.0.1:8474).

    `listen_address` maps a listen address the server reports to the address a client
    here must dial (a container's proxies are reached through published ports).
    """

    def __init__(
        self,
        api_url: str,
        *,
        listen_address: Callable[[str], str] | None = None,
        timeout_s: float = 5.0,
    ) -> None:
        parts = urlsplit(api_url)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ToxiproxyUnavailable(
                f"Toxiproxy URL {api_url!r} is not of the form http://host:port"
            )
        self.api_url = f"http://{parts.hostname}:{parts.port}"
        self._host = parts.hostname
        self._port = parts.port
        self._listen_address = listen_address or (lambda listen: listen)
        self._timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"ToxiproxyClient({self.api_url!r})"

    # --- server ---------------------------------------------------------------------

    def version(self) -> str:
        """The server's version; raises `ToxiproxyUnavailable` if it does not answer."""
        try:
            response = httpx.get(f"{self.api_url}/version", timeout=self._timeout_s)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise ToxiproxyUnavailable(
                f"Toxiproxy at {self.api_url} does not answer: {exc}"
            ) from exc
        # v2.12 answers {"version": "..."}; older servers answer the bare string.
        try:
            return str(response.json()["version"])
        except (ValueError, KeyError, TypeError):
            return response.text.strip()

    def reset(self) -> None:
        """Remove every toxic and re-enable every proxy: only for a server we started."""
        self._call(lambda: Toxiproxy().reset())

    def heal(self, proxy_names: Iterable[str]) -> None:
        """Remove the toxics of the named proxies and re-enable them; nothing else is touched.

        The polite counterpart of `reset` for a server others use too."""
        for name in proxy_names:
            for toxic in self.toxics(name):
                self.remove_toxic(name, toxic.name, missing_ok=True)
            if not self.proxy(name).enabled:
                self.enable(name)

    # --- proxies --------------------------------------------------------------------

    def create_proxy(self, name: str, *, upstream: str, listen: str = "127.0.0.1:0") -> ProxyHandle:
        """Create a proxy from `listen` to `upstream`; port 0 lets the server choose.

        Posted with httpx: the library reads an error answer (a listen port another process
        holds is a 500) as if it were the proxy and fails with a `KeyError`."""
        try:
            response = httpx.post(
                f"{self.api_url}/proxies",
                json={"name": name, "upstream": upstream, "listen": listen},
                timeout=self._timeout_s,
            )
        except httpx.HTTPError as exc:
            raise ToxiproxyUnavailable(
                f"Toxiproxy at {self.api_url} does not answer: {exc}"
            ) from exc
        if response.status_code == 409:
            raise ToxiproxyConflict(f"a proxy named {name!r} already exists at {self.api_url}")
        if response.is_error:
            raise ToxiproxyRejected(
                f"Toxiproxy at {self.api_url} refused the proxy {name!r} from {listen} to "
                f"{upstream}: {_error_of(response)}"
            )
        proxy = response.json()
        return self._handle(proxy["name"], proxy["listen"], proxy["upstream"], proxy["enabled"])

    def proxies(self) -> dict[str, ProxyHandle]:
        found = self._call(lambda: Toxiproxy().proxies())
        return {
            name: self._handle(p.name, p.listen, p.upstream, p.enabled) for name, p in found.items()
        }

    def proxy(self, name: str) -> ProxyHandle:
        try:
            return self.proxies()[name]
        except KeyError:
            raise ToxiproxyNotFound(f"no proxy named {name!r} at {self.api_url}") from None

    def delete_proxy(self, name: str) -> None:
        self._call(lambda: self._library_proxy(name).destroy())

    def enable(self, name: str) -> None:
        self._call(lambda: self._library_proxy(name).enable())

    def disable(self, name: str) -> None:
        """Stop listening and drop the proxy's open connections."""
        self._call(lambda: self._library_proxy(name).disable())

    # --- toxics ---------------------------------------------------------------------

    def add_toxic(
        self,
        proxy: str,
        *,
        type: str,
        name: str | None = None,
        stream: Stream = "downstream",
        toxicity: float = 1.0,
        attributes: dict[str, int] | None = None,
    ) -> str:
        """Add a toxic to `proxy` and return its name (default `<type>_<stream>`)."""
        toxic_name = name or f"{type}_{stream}"
        self._call(
            lambda: self._library_proxy(proxy).add_toxic(
                type=type,
                name=toxic_name,
                stream=stream,
                toxicity=toxicity,
                attributes=dict(attributes or {}),
            )
        )
        return toxic_name

    def remove_toxic(self, proxy: str, name: str, *, missing_ok: bool = False) -> None:
        try:
            self._call(lambda: self._library_proxy(proxy).destroy_toxic(name))
        except ToxiproxyNotFound:
            if not missing_ok:
                raise

    def toxics(self, proxy: str) -> list[ToxicState]:
        found = self._call(lambda: self._library_proxy(proxy).toxics())
        return [
            ToxicState(t.name, t.type, t.stream, float(t.toxicity), dict(t.attributes))
            for t in found.values()
        ]

    # --- the boundary ---------------------------------------------------------------

    def _library_proxy(self, name: str):  # type: ignore[no-untyped-def]
        # Build the library's Proxy object without a round trip; only `name` is used by
        # the calls we make on it.
        from toxiproxy.proxy import Proxy

        return Proxy(name=name, upstream="", enabled=True, listen="")

    def _handle(self, name: str, listen: str, upstream: str, enabled: bool) -> ProxyHandle:
        return ProxyHandle(name, self._listen_address(listen), upstream, bool(enabled))

    def _call(self, operation: Callable[[], _T]) -> _T:
        with _pointed_at(self._host, self._port):
            try:
                return operation()
            except NotFound as exc:
                raise ToxiproxyNotFound(_detail(exc)) from exc
            except ProxyExists as exc:
                raise ToxiproxyConflict(_detail(exc)) from exc
            except InvalidToxic as exc:
                raise ToxiproxyRejected(_detail(exc)) from exc
            except requests.ConnectionError as exc:
                raise ToxiproxyUnavailable(
                    f"Toxiproxy at {self.api_url} does not answer: {exc}"
                ) from exc
            except (requests.RequestException, ValueError) as exc:
                raise ToxiproxyError(f"Toxiproxy at {self.api_url}: {exc}") from exc


@contextmanager
def _pointed_at(host: str, port: int) -> Iterator[None]:
    with _API_CONSUMER_LOCK:
        saved = APIConsumer.host, APIConsumer.port
        APIConsumer.host, APIConsumer.port = host, port
        try:
            yield
        finally:
            APIConsumer.host, APIConsumer.port = saved


def _error_of(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"])
    except (ValueError, KeyError, TypeError):
        return response.text.strip() or f"HTTP {response.status_code}"


def _detail(exc: Exception) -> str:
    raw = exc.args[0] if exc.args else exc
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    return text.strip()
