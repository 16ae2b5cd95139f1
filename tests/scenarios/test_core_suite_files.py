"""The built-in core suite: every file loads, is numbered, and says what it shows."""

from __future__ import annotations

import re

from scenarios.spec.loader import BUILTIN_SUITES_DIR, load_scenario, load_suite

CORE_DIR = BUILTIN_SUITES_DIR / "core"


def test_core_suite_loads_with_at_least_twelve_described_scenarios() -> None:
    scenarios = load_suite("core")
    assert len(scenarios) >= 12
    for scenario in scenarios:
        # a description a reader can act on, not a placeholder
        assert len(scenario.description.split()) >= 20, scenario.name


def test_core_files_are_numbered_and_named_after_their_scenario() -> None:
    files = sorted(CORE_DIR.glob("*.yaml"))
    numbers = [int(re.match(r"^(\d{2})-", path.name).group(1)) for path in files]  # type: ignore[union-attr]
    assert numbers == list(range(1, len(files) + 1))
    for path in files:
        assert path.stem[3:] == load_scenario(path).name


def test_core_suite_covers_the_issue_seed_scenarios() -> None:
    kinds = {timed.fault.kind for s in load_suite("core") for timed in s.faults}
    kinds |= {attack.kind for s in load_suite("core") for attack in s.attacks}
    wanted = {
        "latency",
        "db_stop",
        "db_kill",
        "cross_tenant_query",
        "rename_column",
        "reset_peer",
        "bandwidth",
        "limit_data",
        "slicer",
        "slow_close",
        "table_lock",
        "exhaust_connections",
    }
    assert wanted <= kinds, sorted(wanted - kinds)


def test_every_timed_fault_scenario_checks_tenancy_and_audit() -> None:
    for scenario in load_suite("core"):
        kinds = {e.kind for e in scenario.expectations}
        assert {"no_cross_tenant_data", "audit_exactly_once"} <= kinds, scenario.name
