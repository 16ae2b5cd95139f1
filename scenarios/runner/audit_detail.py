"""Whether each audit record holds its request whole: every string parameter the request
sent (an ad hoc query's SQL, all of it) appears, unchanged, as a string somewhere in the
record's `detail`. The layout of `detail` is the system's own; only its content is judged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import psycopg

from chaos.faults import FaultError
from chaos.world import World
from slo import Judgement, Verdict

from .exchange import Outcome

AuditDetails = Mapping[tuple[str, str], Any]
"""The `detail` of each audit record, per (tenant, request id)."""


def read_audit_details(world: World, outcomes: Sequence[Outcome]) -> AuditDetails | None:
    """The detail of every audit record of these requests (as the owner, past RLS); None
    when the world's database is not Gauntlet's own or cannot be read."""
    ids = sorted({o.observation.request_id for o in outcomes if o.observation.request_id})
    try:
        with psycopg.connect(world.admin_dsn, connect_timeout=5) as conn:
            rows = conn.execute(
                "SELECT tenant_id, request_id, detail FROM ops.audit_log "
                "WHERE request_id = ANY(%s)",
                [ids],
            )
            return {(tenant, request_id): detail for tenant, request_id, detail in rows}
    except (psycopg.Error, FaultError):
        return None


def audit_detail_whole(outcomes: Sequence[Outcome], details: AuditDetails | None) -> Judgement:
    """Each of the scenario's own requests that has a record: its string parameters whole."""
    if details is None:
        return Judgement(Verdict.INCONCLUSIVE, "audit records were not read")
    compared, cut = 0, []
    for outcome in outcomes:
        sent = [v for v in outcome.parameters.values() if isinstance(v, str)]
        key = (outcome.observation.tenant, outcome.observation.request_id)
        if outcome.attack is not None or not sent or key not in details:
            continue  # a missing record is audit_exactly_once's to judge
        compared += 1
        held = set(_strings_in(details[key]))
        cut.extend(f"{len(v)} characters" for v in sent if v not in held)
    if cut:
        return Judgement(
            Verdict.FAIL, f"{len(cut)} parameters missing from their records, e.g. {cut[0]} sent"
        )
    if not compared:
        return Judgement(Verdict.INCONCLUSIVE, "no record of a request with string parameters")
    return Judgement(Verdict.PASS, f"{compared} records, each with its request's text whole")


def _strings_in(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys and leaves, at any depth."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
