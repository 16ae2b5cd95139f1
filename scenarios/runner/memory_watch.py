"""`memory_growth_mib`: the system's peak resident memory over the method, against what it
held when the method began. Measured on the system's own processes (`target.memory`);
where they cannot be read (a container, another host) the expectation is not judged."""

from __future__ import annotations

from dataclasses import dataclass, field

from scenarios.spec.expectations import MemoryGrowth
from scenarios.spec.model import Scenario
from slo import Check, NotJudged, Verdict
from target.memory import MemoryProbe, MemoryUnobservable

from .expectation_checks import check_name

MIB = 1024 * 1024


@dataclass
class MemoryWatch:
    """Started before the method, read after it."""

    scenario: Scenario
    bounds: list[MemoryGrowth]
    probe: MemoryProbe | None = None
    held_at_start: int = 0
    unobservable: str | None = None
    not_judged: list[NotJudged] = field(default_factory=list)

    @classmethod
    def start(cls, scenario: Scenario, url: str) -> MemoryWatch:
        bounds = [e for e in scenario.expectations if isinstance(e, MemoryGrowth)]
        watch = cls(scenario, bounds)
        if not bounds:
            return watch
        try:
            watch.probe = MemoryProbe.find(url)
            watch.held_at_start = watch.probe.reset_peak()
        except MemoryUnobservable as exc:
            why = f"the system's memory cannot be read: {exc}"
            watch.not_judged = [NotJudged(scenario.name, check_name(e), why) for e in bounds]
        return watch

    def checks(self) -> list[Check]:
        """One check per bound, once the method is over (none where memory is unobservable)."""
        if self.probe is None:
            return []
        growth = max(0, self.probe.peak() - self.held_at_start)
        return [self._check(bound, growth) for bound in self.bounds]

    def _check(self, bound: MemoryGrowth, growth: int) -> Check:
        held = growth <= bound.memory_growth_mib * MIB
        detail = (
            f"peak {growth / MIB:.0f} MiB above the {self.held_at_start / MIB:.0f} MiB held at "
            f"the start (bound {bound.memory_growth_mib:g} MiB), {len(self.probe.pids)} processes"
            if self.probe
            else ""
        )
        return Check(
            self.scenario.name,
            check_name(bound),
            Verdict.PASS if held else Verdict.FAIL,
            detail,
            expected=f"memory_growth_mib: {bound.memory_growth_mib:g}",
        )
