"""What a user may have got wrong in a load run, refused before anything starts: the
topology, the SLO file, options meant for the reference only, unknown upstreams and tenants.
Every refusal is a `LoadInputError` of one line (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from chaos.faults import unknown_upstream, upstreams_named
from chaos.schedule import TimedFault
from chaos.seed import TENANTS
from load.inputs.profile import LoadProfile
from slo import SloSpec, load_slo_file

from .topology import Topology, plan_topology

if TYPE_CHECKING:
    from .runner import LoadRunOptions

DEFAULT_SLO_FILES = (
    Path("slo/examples/load.yaml"),
    Path(__file__).parents[1] / "inputs" / "slo" / "load.yaml",
)


class LoadInputError(ValueError):
    """A user mistake in the options or profile; the message is one line."""


def default_slo_path() -> Path:
    return next(path for path in DEFAULT_SLO_FILES if path.exists())


def checked_inputs(options: LoadRunOptions) -> tuple[Topology, SloSpec, int]:
    """Everything a user may have got wrong, refused before anything starts; returns the
    topology, the SLO and how many tenants the world must seed."""
    try:
        topology = plan_topology(options.processes, options.expect_workers, options.master_port)
    except ValueError as exc:
        raise LoadInputError(str(exc)) from None
    spec = (  # fail on a bad SLO before starting
        load_slo_file(options.slo_path)
        if options.slo_path
        else load_slo_file(default_slo_path(), chosen="gauntlet load's default: no --slo given")
    )
    if not options.target.is_reference and (options.service_workers > 1 or options.py_profile):
        raise LoadInputError(
            "--target-command and --target-image start your system as it is: "
            "--service-workers and --py-profile apply to the reference orchestrator only"
        )
    _refuse_unknown_upstreams(
        [*options.profile.chaos, *options.extra_chaos], options.declared_upstreams
    )
    return topology, spec, _tenants_needed(options.profile)


def _refuse_unknown_upstreams(chaos: list[TimedFault], declared: dict[str, str]) -> None:
    problems = [
        f"{timed.fault.kind}: {problem}"
        for timed in chaos
        for name in upstreams_named(timed.fault)
        if (problem := unknown_upstream(name, declared)) is not None
    ]
    if problems:
        raise LoadInputError("; ".join(problems))


def _tenants_needed(profile: LoadProfile) -> int:
    indexes = []
    for mix in profile.tenants:
        if mix.tenant not in TENANTS:
            raise LoadInputError(
                f"profile {profile.name!r}: tenants: unknown tenant {mix.tenant!r} "
                f"(seeded tenants: {', '.join(TENANTS)})"
            )
        indexes.append(TENANTS.index(mix.tenant))
    return max(indexes) + 1
