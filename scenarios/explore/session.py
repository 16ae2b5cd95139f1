"""One explore session: the stack up, the search in a worker thread, the experiments on
this event loop, a progress bar on the budget, and Ctrl-C or the budget's end stopping it.

    report = asyncio.run(explore_session(options, console))

The search (hypothesis) is synchronous, so it runs in a thread and hands each experiment
to this loop, where the world, the system under test and the HTTP client live. When the
budget is spent the running experiment stops sending and rolls back (as a first Ctrl-C
would); its verdict does not count.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from collections.abc import Callable, Collection
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from chaos.faults import FaultError, TenantAttack
from contract import ToolErrorCode, upstream_health_codes
from scenarios.runner.experiment import ScenarioResult
from scenarios.runner.suite_run import RunOptions
from scenarios.spec.model import Scenario

from .fault_space import FaultSpace, is_attack
from .promises import ExperimentVerdict, Judged, verdict_of
from .search import Budget, Search, SearchReport
from .stack import ExploreStack, explore_stack

__all__ = ["ExploreOptions", "explore_session"]

TICK_S = 0.5
# What a breaker counts (an upstream failure), and its own refusal
BREAKER_COUNTED = upstream_health_codes() | {ToolErrorCode.CIRCUIT_OPEN}


@dataclass(frozen=True)
class ExploreOptions:
    run: RunOptions
    space: FaultSpace
    budget_s: float
    seed: int
    replay: bool = False
    enough_finds: int | None = None  # stop once this many finds are confirmed and shrunk

    @property
    def examples_dir(self) -> Path:
        return self.run.out_dir / "examples"


async def explore_session(options: ExploreOptions, console: Console) -> SearchReport:
    """Search until the budget is spent; infrastructure errors propagate to the caller."""
    async with explore_stack(options.run, console) as stack:
        loop = asyncio.get_running_loop()
        budget = Budget(options.budget_s)
        search = Search(
            _trial(stack, loop, options.seed, options.run.out_dir / "experiments.jsonl"),
            options.space,
            seed=options.seed,
            budget=budget,
            examples_dir=options.examples_dir,
            enough_finds=options.enough_finds,
            fresh_start=_restarter(stack, loop) if stack.restartable else None,
        )

        def interrupt() -> None:
            search.stopped = True
            stack.stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, interrupt)
        watch = asyncio.create_task(_watch(budget, stack, search, console))
        try:
            return await asyncio.to_thread(search.run, replay=options.replay)
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


def _trial(
    stack: ExploreStack, loop: asyncio.AbstractEventLoop, seed: int, log: Path
) -> Callable[[Scenario], ExperimentVerdict]:
    """The blocking trial the search calls from its thread: one experiment on this loop,
    logged (what it tried, how it was judged) as a line of `log`."""

    def trial(scenario: Scenario) -> ExperimentVerdict:
        result = _result_or_fault(
            asyncio.run_coroutine_threadsafe(stack.run(scenario, seed=seed), loop)
        )
        if isinstance(result, str):  # a fault that would not inject (or roll back): void
            _log(log, {"faults": _faults(scenario), "judged": "void", "error": result})
            return ExperimentVerdict(Judged.VOID)
        # cut short by the budget or Ctrl-C: it judged nothing
        verdict = (
            ExperimentVerdict(Judged.VOID) if result.interrupted else verdict_of(result.checks)
        )
        _log(log, _logged(scenario, result, verdict))
        return replace(
            verdict,
            breaker_may_be_open=_met(result, BREAKER_COUNTED) or _broke_the_world(scenario),
            slots_overrun=verdict.judged is Judged.VOID
            and _met(result, {ToolErrorCode.CONCURRENCY_LIMIT}),
        )

    return trial


def _met(result: ScenarioResult, codes: Collection[ToolErrorCode]) -> bool:
    """Whether any call of the run failed with one of `codes`."""
    return any(
        code in codes
        for outcome in result.outcomes
        for code in outcome.observation.tool_errors.values()
    )


def _broke_the_world(scenario: Scenario) -> bool:
    """Whether any fault of the experiment broke the world rather than sent requests: its
    upstreams' failures may have opened a breaker although a retry covered every one of
    them, so that no answer shows one (a `limit_data`, an `exhaust_connections` that held,
    each followed by a false break of the breaker promise in a clean search)."""
    return any(not is_attack(timed.fault.kind) for timed in scenario.faults)


def _restarter(stack: ExploreStack, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """The blocking restart of the system under test, for the search's thread."""

    def restart() -> None:
        asyncio.run_coroutine_threadsafe(stack.restart(), loop).result()

    return restart


def _result_or_fault(running: Future[ScenarioResult]) -> ScenarioResult | str:
    """The experiment's result, or what a fault error said (raised alone, or from the
    method's task group); anything else is raised again."""
    try:
        return running.result()
    except FaultError as exc:
        return str(exc)
    except ExceptionGroup as group:
        faults, rest = group.split(FaultError)
        if faults is None or rest is not None:
            raise
        return str(faults.exceptions[0])


def _log(log: Path, line: dict) -> None:
    with log.open("a", encoding="utf-8") as file:
        file.write(json.dumps(line) + "\n")


def _faults(scenario: Scenario) -> list[str]:
    """Each fault as `kind@start+duration`, and an attack's sender: `as initech 10/s x5`."""
    labels = []
    for timed in scenario.faults:
        fault, label = timed.fault, f"{timed.fault.kind}@{timed.start:g}s+{timed.duration or 0:g}s"
        if tenant := getattr(fault, "as_tenant", None):
            label += f" as {tenant}"
        if isinstance(fault, TenantAttack) and fault.rate is not None:
            label += f" {fault.rate:g}/s x{fault.burst}"
        labels.append(label)
    return labels


def _logged(scenario: Scenario, result: ScenarioResult, verdict: ExperimentVerdict) -> dict:
    return {
        "faults": _faults(scenario),
        "requests": len(result.outcomes),
        "seconds": round(result.ended - result.started, 1),
        "judged": verdict.judged.value,
        "broken": list(verdict.broken),
        "undecided": [f"{c.name}: {c.detail}" for c in result.checks if not c.verdict.decided],
    }


async def _watch(budget: Budget, stack: ExploreStack, search: Search, console: Console) -> None:
    """The progress bar on the budget; at its end, the running experiment stops sending."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[tried]} tried, {task.fields[finds]} found"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("exploring", total=budget.seconds, tried=0, finds=0)
        while True:
            report = search.report
            progress.update(
                task,
                completed=min(budget.used, budget.seconds),
                tried=report.tried,
                finds=len(report.finds),
            )
            if budget.spent:
                stack.stop.set()
            await asyncio.sleep(TICK_S)
