"""`metrics_growth_kib`: the size of the system's `GET /metrics` after the method against
before it. The scrape carries a tenant's key (`/metrics` may be kept from callers without
one); a system that serves no `/metrics` to it leaves the expectation not judged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from scenarios.spec.expectations import MetricsGrowth
from scenarios.spec.model import Scenario
from slo import Check, NotJudged, Verdict
from vocabulary import API_KEY_HEADER

from .expectation_checks import check_name
from .service_client import ServiceClient, TransportError

METRICS_PATH = "/metrics"
KIB = 1024


class MetricsUnserved(LookupError):
    """The system answers no `/metrics` scrape; the message says what it answered."""


async def metrics_size(client: ServiceClient, keys: Mapping[str, str]) -> int:
    """The bytes of one `/metrics` scrape, asked with the first tenant's key."""
    key = keys[min(keys)]
    try:
        reply = await client.request("GET", METRICS_PATH, headers={API_KEY_HEADER: key})
    except TransportError as exc:
        raise MetricsUnserved(f"GET {METRICS_PATH} failed: {exc}") from None
    if reply.status != 200:
        raise MetricsUnserved(f"GET {METRICS_PATH} answered HTTP {reply.status}")
    return len(reply.content)


@dataclass
class MetricsWatch:
    """Scraped before the method, and again after it."""

    scenario: Scenario
    bounds: list[MetricsGrowth]
    size_at_start: int | None = None
    not_judged: list[NotJudged] = field(default_factory=list)

    @classmethod
    async def start(
        cls, scenario: Scenario, client: ServiceClient, keys: Mapping[str, str]
    ) -> MetricsWatch:
        bounds = [e for e in scenario.expectations if isinstance(e, MetricsGrowth)]
        watch = cls(scenario, bounds)
        if bounds:
            try:
                watch.size_at_start = await metrics_size(client, keys)
            except MetricsUnserved as exc:
                watch._not_judged(str(exc))
        return watch

    async def checks(self, client: ServiceClient, keys: Mapping[str, str]) -> list[Check]:
        if self.size_at_start is None:
            return []
        try:
            size = await metrics_size(client, keys)
        except MetricsUnserved as exc:
            return [
                self._check(bound, Verdict.FAIL, f"{exc}, after it served one")
                for bound in self.bounds
            ]
        growth = size - self.size_at_start
        detail = f"{size / KIB:.0f} KiB after, {self.size_at_start / KIB:.0f} KiB before"
        return [
            self._check(
                bound,
                Verdict.PASS if growth <= bound.metrics_growth_kib * KIB else Verdict.FAIL,
                f"{detail} (bound: {bound.metrics_growth_kib:g} KiB more)",
            )
            for bound in self.bounds
        ]

    def _not_judged(self, why: str) -> None:
        reason = f"the system serves no metrics to a tenant's key: {why}"
        self.not_judged = [
            NotJudged(self.scenario.name, check_name(b), reason) for b in self.bounds
        ]

    def _check(self, bound: MetricsGrowth, verdict: Verdict, detail: str) -> Check:
        expected = f"metrics_growth_kib: {bound.metrics_growth_kib:g}"
        return Check(self.scenario.name, check_name(bound), verdict, detail, expected=expected)
