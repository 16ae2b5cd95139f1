"""Deterministic seed data for the ops and metrics databases, and random per-tenant API keys.

The same arguments always give the same rows: times are anchored at `ANCHOR`, not at
now, so a cached template stays valid (the metrics tool windows back from each series'
latest sample). Sizes are configurable; the default stays small so startup is fast.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)
TENANTS = (
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "soylent",
    "stark",
    "wayne",
    "cyberdyne",
    "tyrell",
)
SERVICES = (
    "checkout",
    "payments",
    "search",
    "catalog",
    "cart",
    "auth",
    "inventory",
    "shipping",
    "notifications",
    "pricing",
    "reviews",
    "recommendations",
    "ledger",
    "gateway",
    "profile",
    "media",
)
METRICS = ("latency_p95_ms", "error_rate", "rps")
REGIONS = ("eu-west-1", "us-east-1", "ap-south-1")


@dataclass(frozen=True)
class SeedOptions:
    tenants: int = 3
    services_per_tenant: int = 8
    seed: int = 7
    metric_minutes: int = 120
    hosts_per_service: int = 2
    host_events: int = 0  # big rows for bandwidth scenarios; 0 keeps startup fast
    host_event_bytes: int = 8192

    def __post_init__(self) -> None:
        if self.tenants < 1:
            raise ValueError(f"tenants: expected at least 1, got {self.tenants}")
        if not 2 <= self.services_per_tenant <= len(SERVICES):
            raise ValueError(
                f"services_per_tenant: expected 2..{len(SERVICES)}, got {self.services_per_tenant}"
            )

    @property
    def tenant_ids(self) -> tuple[str, ...]:
        return tenant_ids(self.tenants)


def tenant_ids(count: int) -> tuple[str, ...]:
    """`acme`, `globex`, `initech`, ... then `tenant011`, `tenant012`, ..."""
    named = TENANTS[:count]
    return named + tuple(f"tenant{n:03d}" for n in range(len(named) + 1, count + 1))


def api_keys(tenants: int = 3) -> dict[str, str]:
    """API key → tenant id, e.g. `gk_acme_Xq3...`: 32 random bytes per key, new on every
    call, so a stack's keys cannot be computed from the source."""
    return {f"gk_{tenant}_{secrets.token_urlsafe(32)}": tenant for tenant in tenant_ids(tenants)}


def dependency_edges(options: SeedOptions, tenant: str) -> list[tuple[str, str]]:
    """A DAG: a service only depends on services later in its tenant's list."""
    rng = random.Random(f"{options.seed}:{tenant}:deps")
    names = SERVICES[: options.services_per_tenant]
    edges = []
    for index, service in enumerate(names[:-1]):
        later = names[index + 1 :]
        for target in rng.sample(later, k=min(len(later), rng.randint(1, 2))):
            edges.append((service, target))
    return edges


def seed(dsns: Mapping[str, str], options: SeedOptions = SeedOptions()) -> None:
    """Fill `dsns["ops"]` and `dsns["metrics"]` (superuser URLs: seeding bypasses RLS)."""
    with psycopg.connect(dsns["ops"]) as ops:
        for tenant in options.tenant_ids:
            _seed_tenant(ops, options, tenant)
        if options.host_events:
            seed_host_events(ops, options)
    with psycopg.connect(dsns["metrics"]) as metrics:
        _seed_metrics(metrics, options)


def _seed_tenant(ops: psycopg.Connection, options: SeedOptions, tenant: str) -> None:
    """One tenant's rows in every ops table."""
    # One random stream per tenant, drawn table by table in this order: reordering the
    # tables would change every seeded world (and invalidate cached templates).
    rng = random.Random(f"{options.seed}:{tenant}")
    names = SERVICES[: options.services_per_tenant]
    ops.execute(
        "INSERT INTO ops.tenants VALUES (%s, %s, %s)",
        (tenant, tenant.title() + " Corp", rng.choice(("free", "team", "enterprise"))),
    )
    with ops.cursor() as cur:
        cur.executemany(
            "INSERT INTO ops.services VALUES (%s, %s, %s, %s)",
            [(tenant, name, f"tier{rng.randint(1, 3)}", f"team-{name}") for name in names],
        )
        cur.executemany(
            "INSERT INTO ops.service_dependencies VALUES (%s, %s, %s)",
            [(tenant, a, b) for a, b in dependency_edges(options, tenant)],
        )
        cur.executemany(
            "INSERT INTO ops.hosts VALUES (%s, %s, %s, %s, %s)",
            _host_rows(rng, tenant, names, options.hosts_per_service),
        )
        cur.executemany(
            "INSERT INTO ops.deployments (tenant_id, service, version, status, deployed_at) "
            "VALUES (%s, %s, %s, %s, %s)",
            _deployment_rows(rng, tenant, names),
        )
        cur.executemany(
            "INSERT INTO ops.incidents (tenant_id, service, severity, status, title, opened_at, "
            "resolved_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            _incident_rows(rng, tenant, names),
        )


def _host_rows(
    rng: random.Random, tenant: str, names: Sequence[str], per_service: int
) -> list[tuple[object, ...]]:
    """`per_service` hosts per service, one in ten degraded."""
    return [
        (
            tenant,
            f"{tenant}-{name}-{n}",
            name,
            rng.choice(REGIONS),
            "healthy" if rng.random() > 0.1 else "degraded",
        )
        for name in names
        for n in range(per_service)
    ]


def _deployment_rows(
    rng: random.Random, tenant: str, names: Sequence[str]
) -> list[tuple[object, ...]]:
    """Three releases per service over the days before `ANCHOR`, some rolled back."""
    return [
        (
            tenant,
            name,
            f"1.{release}.{rng.randint(0, 9)}",
            "succeeded" if rng.random() > 0.15 else "rolled_back",
            ANCHOR - timedelta(days=3 - release, minutes=rng.randint(0, 600)),
        )
        for name in names
        for release in range(3)
    ]


def _incident_rows(
    rng: random.Random, tenant: str, names: Sequence[str]
) -> list[tuple[object, ...]]:
    """An open incident on the first service (so every tenant has one), and about every
    other further service an older one, most of them resolved."""
    first = names[0]
    recent = ANCHOR - timedelta(minutes=45)
    incidents = [(tenant, first, "sev2", "open", f"{first} latency above SLO", recent, None)]
    for name in names[1:]:
        if rng.random() < 0.5:
            opened = ANCHOR - timedelta(hours=rng.randint(1, 72))
            resolved = rng.random() < 0.6
            incidents.append(
                (
                    tenant,
                    name,
                    rng.choice(("sev1", "sev2", "sev3")),
                    "resolved" if resolved else "open",
                    f"{name} errors elevated",
                    opened,
                    opened + timedelta(minutes=30) if resolved else None,
                )
            )
    return incidents


def _seed_metrics(metrics: psycopg.Connection, options: SeedOptions) -> None:
    start = ANCHOR - timedelta(minutes=options.metric_minutes)
    with metrics.cursor().copy(
        "COPY metrics.samples (tenant_id, service, metric, ts, value) FROM STDIN"
    ) as copy:
        for tenant in options.tenant_ids:
            for service in SERVICES[: options.services_per_tenant]:
                for metric in METRICS:
                    rng = random.Random(f"{options.seed}:{tenant}:{service}:{metric}")
                    base = {
                        "latency_p95_ms": rng.uniform(40, 250),
                        "error_rate": rng.uniform(0.0, 0.03),
                        "rps": rng.uniform(50, 800),
                    }
                    for minute in range(options.metric_minutes):
                        value = max(0.0, base[metric] * rng.uniform(0.8, 1.25))
                        copy.write_row(
                            (
                                tenant,
                                service,
                                metric,
                                start + timedelta(minutes=minute + 1),
                                round(value, 5),
                            )
                        )


def seed_host_events(ops: psycopg.Connection, options: SeedOptions) -> None:
    """Big rows (`host_event_bytes` each) in ops.host_events, spread over the tenants."""
    rng = random.Random(f"{options.seed}:host_events")
    with ops.cursor().copy(
        "COPY ops.host_events (tenant_id, host_id, ts, payload) FROM STDIN"
    ) as copy:
        for n in range(options.host_events):
            tenant = options.tenant_ids[n % options.tenants]
            service = SERVICES[n % options.services_per_tenant]
            payload = rng.randbytes(options.host_event_bytes // 2).hex()
            copy.write_row(
                (tenant, f"{tenant}-{service}-0", ANCHOR - timedelta(seconds=n), payload)
            )
