"""What `gauntlet explore` does once its options are read: choose the system and the space
of experiments, run the session, write the finds and the summary."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from scenarios import exit_codes

if TYPE_CHECKING:
    from scenarios.explore import ExploreOptions


class ExploreError(Exception):
    """A stop before any find: bad input (2) or infrastructure (3)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def run_explore(
    *,
    folder: Path,
    budget_s: float,
    seed: int,
    replay: bool,
    target: tuple[str | None, str | None, str | None, Sequence[str]],
    world: tuple[str, str],
    console: Console,
    enough_finds: int | None = None,
    promises: Path | None = None,
) -> tuple[int, dict[str, Any]]:
    """Returns the exit code and the JSON summary."""
    from chaos.postgres import OperationNotSupported, PostgresUnavailable
    from chaos.toxiproxy import ToxiproxyError
    from scenarios.explore import explore_session, find_file, summary
    from scenarios.runner.proxy_check import ProxyBypassed
    from target.command import TargetCommandError, TargetStartError
    from vocabulary import YamlInputError

    try:
        options = _options(folder, budget_s, seed, replay, target, world, promises)
        options = dataclasses.replace(options, enough_finds=enough_finds)
    except (TargetCommandError, YamlInputError, ValueError) as exc:
        raise ExploreError(str(exc), exit_codes.BAD_INPUT) from None
    system = _announce(options, console)
    try:
        report = asyncio.run(explore_session(options, console))
    except TargetStartError as exc:
        raise ExploreError(f"the system under test could not start: {exc}", 3) from None
    except ProxyBypassed as exc:
        raise ExploreError(f"the system under test bypasses Gauntlet: {exc}", 3) from None
    except (PostgresUnavailable, OperationNotSupported, ToxiproxyError) as exc:
        raise ExploreError(f"infrastructure could not start: {exc}", 3) from None
    files = [
        find_file.write_find(folder, find, index=i, how=summary.how_found(find, report, system))
        for i, find in enumerate(report.finds, start=1)
    ]
    unconfirmed = [
        find_file.write_unconfirmed(
            folder, c, index=i, how=summary.how_unconfirmed(c, report, system)
        )
        for i, c in enumerate(report.unconfirmed, start=1)
    ]
    code = _exit_code(report)
    summary.print_summary(report, files, console, unconfirmed)
    console.print(f"reports: {folder}", soft_wrap=True, highlight=False)
    document = summary.summary_document(report, files, code, folder, unconfirmed)
    (folder / "explore.json").write_text(_json(document), encoding="utf-8")
    return code, document


def _announce(options: ExploreOptions, console: Console) -> str:
    """Say what is explored, under which promises, for how long; returns the system's name."""
    system = options.run.target.describe()
    if options.run.target.url:
        console.print("a running system: only network faults and tenant abuse apply")
    console.print(f"promises: {options.run.promises_source}", highlight=False, markup=False)
    console.print(
        f"exploring {system} for {options.budget_s:.0f} s (seed {options.seed}); "
        f"reports in {options.run.out_dir}",
        highlight=False,
    )
    return system


def _options(
    folder: Path,
    budget_s: float,
    seed: int,
    replay: bool,
    target: tuple[str | None, str | None, str | None, Sequence[str]],
    world: tuple[str, str],
    promises: Path | None,
) -> Any:
    from chaos.faults import BUILTIN_UPSTREAMS, FAULT_KINDS
    from chaos.remote_world import REMOTE_FAULTS
    from chaos.seed import SeedOptions
    from scenarios.explore import ExploreOptions, FaultSpace
    from scenarios.runner.suite_run import RunOptions
    from scenarios.spec.promises_file import promises_in_effect, promises_source
    from target.backends import WorldBackends
    from target.choice import TargetChoice

    command, image, url, upstreams = target
    # refuses two targets at once, a bad command line, or a URL without its upstreams
    chosen = TargetChoice.from_flags(command, image, url, list(upstreams))
    declared = promises_in_effect(promises, reference=chosen.is_reference)
    tenants = SeedOptions().tenant_ids
    # the world's own upstreams and those the system declares: each has a proxy to break
    upstreams = (*BUILTIN_UPSTREAMS, *declared.upstreams)
    space = FaultSpace(tenants[:2], tenants[2:], upstreams=upstreams, promises=declared)
    if url:
        kinds = tuple(k for k, cls in FAULT_KINDS.items() if issubclass(cls, REMOTE_FAULTS))
        names = tuple(u.name for u in chosen.upstreams)
        space = dataclasses.replace(space, kinds=kinds, upstreams=names)
    db, toxiproxy = world
    run = RunOptions(
        folder,
        WorldBackends(db, toxiproxy),
        chosen,
        seed,
        promises_source=promises_source(promises, reference=chosen.is_reference),
        declared_upstreams=dict(declared.upstreams),
    )
    return ExploreOptions(run, space, budget_s, seed, replay)


def _exit_code(report: Any) -> int:
    if report.ended_by == "interrupted":
        return exit_codes.INTERRUPTED
    return exit_codes.FAILED if report.finds else exit_codes.OK


def _json(document: dict[str, Any]) -> str:
    import json

    return json.dumps(document, indent=2) + "\n"
