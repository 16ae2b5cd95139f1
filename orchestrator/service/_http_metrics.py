"""HTTP request counters and latency, labelled by route template (never the raw path)
and by method from a fixed set, so a scan of random URLs or made-up methods cannot blow
up the number of time series (20k junk methods once made `/metrics` 35 MiB)."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_UNMATCHED_ROUTE = "unmatched"
_OTHER_METHOD = "other"
_KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HttpMetrics:
    """The HTTP instruments, in a registry of their own so apps never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "gauntlet_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "gauntlet_http_request_duration_seconds",
            "Time from receiving a request to sending its last byte, by route template.",
            ("method", "route"),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request and sample its latency."""
        # `labels()` takes a lock and rebuilds its key on every call; the label sets are
        # the series the registry holds anyway, so each is looked up once.
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[key] = children
        count, latency = children
        count.inc()
        latency.observe(seconds)


class HttpMetricsMiddleware:
    """Pure ASGI middleware recording one count and one latency sample per request."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app dies before answering

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            # The router writes the matched route into the shared scope.
            route = scope.get("route")
            template = getattr(route, "path", None) or _UNMATCHED_ROUTE
            method = scope.get("method", "")
            label = method if method in _KNOWN_METHODS else _OTHER_METHOD
            self.metrics.record(label, template, status, time.perf_counter() - started)
