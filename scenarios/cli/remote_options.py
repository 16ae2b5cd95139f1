"""The scenarios a `--target-url` run can carry, checked before anything starts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from target.choice import TARGET_URL, TargetChoice

if TYPE_CHECKING:
    from scenarios.spec.model import Scenario


def check_remote_scenarios(target: TargetChoice, scenarios: Sequence[Scenario]) -> None:
    """A system Gauntlet did not start has no database of Gauntlet's own to break: a
    `ValueError` names every fault that needs one."""
    from chaos.remote_world import applies_remotely  # not at --help time

    if target.url is None:
        return
    not_remote = [
        f"{s.name}: {timed.fault.kind}"
        for s in scenarios
        for timed in s.faults
        if not applies_remotely(timed.fault)
    ]
    if not_remote:
        raise ValueError(
            f"{TARGET_URL}: these faults need Gauntlet's own Postgres (choose scenarios with "
            f"--only or --scenario): {'; '.join(not_remote)}"
        )
