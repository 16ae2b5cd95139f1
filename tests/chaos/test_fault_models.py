"""Faults as data: the catalogue, validation, and the toxic attributes sent to the server."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from chaos.faults import FAULT_KINDS, AnyFault, Fault, TenantAttack, ToxicFault, parse_fault

MINIMAL: dict[str, dict[str, Any]] = {
    "latency": {"upstream": "ops", "latency_ms": 100},
    "bandwidth": {"upstream": "ops", "rate_kbps": 10},
    "slow_close": {"upstream": "ops", "delay_ms": 10},
    "timeout": {"upstream": "ops", "timeout_ms": 0},
    "reset_peer": {"upstream": "metrics"},
    "slicer": {"upstream": "ops", "average_size": 8},
    "limit_data": {"upstream": "ops", "bytes": 10},
    "down": {"upstream": "metrics"},
    "db_stop": {},
    "db_kill": {},
    "db_restart": {},
    "terminate_backends": {},
    "rename_column": {"table": "ops.incidents", "column": "severity", "new_name": "sev"},
    "drop_column": {"table": "ops.incidents", "column": "severity"},
    "table_lock": {"table": "ops.incidents"},
    "exhaust_connections": {},
    "cross_tenant_query": {},
    "injection": {},
    "forged_api_key": {},
    "missing_api_key": {},
    "spool_disk_full": {},
    "audit_poison_record": {},
    "foreign_sql_text": {},
    "cancel_foreign_queries": {},
    "advisory_lock_flood": {},
    "caller_error_burst": {"as_tenant": "initech"},
    "expensive_query_flood": {"as_tenant": "initech"},
    "query_flood": {"as_tenant": "initech"},
    "huge_row": {"as_tenant": "initech"},
    "junk_methods": {},
    "slow_clients": {},
    "validator_heavy_sql": {"as_tenant": "initech"},
    "audit_id_squat": {},
    "tiny_deadline": {"as_tenant": "initech", "deadline_seconds": 0.01},
}


class _Scenario(BaseModel):
    faults: list[AnyFault]


def test_the_catalogue_holds_every_promised_kind() -> None:
    assert set(FAULT_KINDS) == set(MINIMAL)


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_every_kind_round_trips_through_the_union(kind: str) -> None:
    fault = parse_fault({"kind": kind, **MINIMAL[kind]})
    assert isinstance(fault, FAULT_KINDS[kind])
    assert parse_fault(fault.model_dump()) == fault
    assert _Scenario.model_validate({"faults": [fault.model_dump()]}).faults == [fault]


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_unknown_fields_are_errors(kind: str) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        parse_fault({"kind": kind, **MINIMAL[kind], "surprise": 1})


@pytest.mark.parametrize(
    "raw, field",
    [
        ({"kind": "latency", "upstream": "ops", "latency_ms": 1, "toxicity": 1.5}, "toxicity"),
        ({"kind": "latency", "upstream": "ops", "latency_ms": -1}, "latency_ms"),
        ({"kind": "latency", "upstream": "Cache!", "latency_ms": 1}, "upstream"),
        ({"kind": "latency", "upstream": "ops", "latency_ms": 1, "stream": "both"}, "stream"),
        ({"kind": "slicer", "upstream": "ops", "average_size": 0}, "average_size"),
        ({"kind": "slicer", "upstream": "ops", "average_size": 8, "size_variation": 8}, "size_"),
        ({"kind": "rename_column", "table": "t; DROP", "column": "c", "new_name": "d"}, "table"),
        ({"kind": "drop_column", "table": "t", "column": "a b"}, "column"),
        ({"kind": "injection", "payloads": []}, "payloads"),
        ({"kind": "forged_api_key", "share": 2}, "share"),
    ],
)
def test_bad_values_name_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_fault(raw)
    assert field in str(caught.value)


def test_an_unknown_kind_names_the_valid_ones() -> None:
    with pytest.raises(ValidationError, match=r"unknown fault kind 'earthquake'; known: .*latency"):
        parse_fault({"kind": "earthquake"})
    with pytest.raises(ValidationError, match=r"'latncy' \(did you mean 'latency'\?\)"):
        parse_fault({"kind": "latncy"})


def test_toxic_attributes_use_the_servers_names_and_units() -> None:
    def attributes(raw: dict[str, Any]) -> dict[str, int]:
        fault = parse_fault({"upstream": "ops", **raw})
        assert isinstance(fault, ToxicFault)
        return fault.toxic_attributes()

    assert attributes({"kind": "latency", "latency_ms": 5, "jitter_ms": 2}) == {
        "latency": 5,
        "jitter": 2,
    }
    assert attributes({"kind": "bandwidth", "rate_kbps": 7}) == {"rate": 7}
    assert attributes({"kind": "slow_close", "delay_ms": 3}) == {"delay": 3}
    assert attributes({"kind": "timeout", "timeout_ms": 0}) == {"timeout": 0}
    assert attributes({"kind": "reset_peer", "timeout_ms": 9}) == {"timeout": 9}
    assert attributes(
        {"kind": "slicer", "average_size": 8, "size_variation": 2, "delay_us": 500}
    ) == {"average_size": 8, "size_variation": 2, "delay": 500}
    assert attributes({"kind": "limit_data", "bytes": 64}) == {"bytes": 64}


def test_faults_are_frozen_data() -> None:
    fault = parse_fault({"kind": "db_stop"})
    with pytest.raises(ValidationError):
        fault.kind = "db_kill"  # type: ignore[misc]


def test_tenant_attacks_change_nothing_in_the_world() -> None:
    for kind in ("cross_tenant_query", "injection", "forged_api_key", "missing_api_key"):
        fault = parse_fault({"kind": kind})
        assert isinstance(fault, TenantAttack)
        with fault.apply(target=None):  # type: ignore[arg-type]  # touches no service
            pass


def test_a_kind_cannot_be_registered_twice() -> None:
    from chaos.faults import register_fault
    from chaos.faults.network import LatencyFault

    with pytest.raises(ValueError, match="registered twice"):
        register_fault(LatencyFault)
    assert issubclass(LatencyFault, Fault)


def test_the_public_surface_resolves() -> None:
    import chaos.faults
    import chaos.toxiproxy

    for package in (chaos.faults, chaos.toxiproxy):
        assert [name for name in package.__all__ if not hasattr(package, name)] == []


def test_a_kind_registered_after_import_is_accepted_everywhere() -> None:
    from typing import Literal

    from chaos.faults import register_fault
    from chaos.schedule import TimedFault

    class NoteFault(Fault):
        kind: Literal["late_note"] = "late_note"
        note: str

    with pytest.raises(ValidationError, match="late_note"):
        parse_fault({"kind": "late_note", "note": "x"})  # not registered yet: refused
    register_fault(NoteFault)
    try:
        assert parse_fault({"kind": "late_note", "note": "x"}) == NoteFault(note="x")
        timed = TimedFault.model_validate({"fault": {"kind": "late_note", "note": "y"}})
        assert isinstance(timed.fault, NoteFault)
        assert timed.model_dump()["fault"] == {"kind": "late_note", "note": "y"}
        with pytest.raises(ValidationError, match="note"):
            parse_fault({"kind": "late_note"})
    finally:
        del FAULT_KINDS["late_note"]
