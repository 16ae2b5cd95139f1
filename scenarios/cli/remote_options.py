"""The faults a run's scenarios may carry for its target, checked before anything starts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from target.choice import TARGET_URL, TargetChoice

if TYPE_CHECKING:
    from scenarios.spec.model import Scenario


def check_remote_scenarios(target: TargetChoice, scenarios: Sequence[Scenario]) -> None:
    """A system Gauntlet did not start has no database of Gauntlet's own to break: a
    `ValueError` names every fault that needs one, and every upstream a fault names that
    was not given with `--upstream`."""
    from chaos.remote_world import applies_remotely  # not at --help time
    from scenarios.spec.upstream_names import unknown_upstreams

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
    # Against a running system only the upstreams given with --upstream have proxies.
    unknown = unknown_upstreams(scenarios, {u.name for u in target.upstreams})
    if unknown:
        raise ValueError(
            f"{TARGET_URL}: declare each upstream a fault names with --upstream "
            f"NAME=HOST:PORT: {'; '.join(unknown)}"
        )


def check_declared_upstreams(
    target: TargetChoice, scenarios: Sequence[Scenario], declared: Mapping[str, str]
) -> None:
    """In Gauntlet's own world a fault may name ops, metrics or an upstream the system
    declares in its promises: a `ValueError` names every other."""
    from scenarios.spec.upstream_names import known_upstreams, unknown_upstreams

    if target.url is not None:
        return  # checked against the --upstream names by check_remote_scenarios
    unknown = unknown_upstreams(scenarios, known_upstreams(declared))
    if unknown:
        raise ValueError("; ".join(unknown))
