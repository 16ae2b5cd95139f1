"""`gauntlet run`: the built-in chaos suite (or your scenario files) against the orchestrator."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from target.backends import WorldBackends
from target.choice import TargetChoice

from . import completion
from .options import (
    BaselineFile,
    Db,
    Out,
    PostgresImage,
    PromisesFile,
    RunJson,
    TargetCommand,
    TargetImage,
    TargetUrl,
    Toxiproxy,
    ToxiproxyImage,
    Upstreams,
)
from .report_folder import ReportOutput

if TYPE_CHECKING:
    from rich.console import Console

    from contract import Promises
    from scenarios.runner.suite_run import RunOptions
    from scenarios.spec.model import Scenario
    from slo import BaselineReport, SloSpec


# The options only `run` has; the shared ones come from `.options`.
Suite = Annotated[str, typer.Option(help="built-in suite name, or a folder of scenario files")]
ScenarioFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--scenario", metavar="FILE", help="scenario file to run instead of the suite (repeatable)"
    ),
]
Only = Annotated[
    list[str] | None,
    typer.Option(
        "--only",
        metavar="NAME",
        help="run only the suite's scenarios with these names (repeatable)",
        autocompletion=completion.scenario_names,
    ),
]
SloFiles = Annotated[
    list[Path] | None,
    typer.Option(
        metavar="PATH",
        show_default=False,
        help="SLO file or folder the run is gated on (repeatable; OpenSLO files merge) "
        "[default: the core suite's SLO]",
    ),
]
Seed = Annotated[
    int, typer.Option(metavar="N", help="seed of the request mix (same seed, same requests)")
]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="every objective and check on the terminal")
]


def run(
    suite: Suite = "core",
    scenario: ScenarioFiles = None,
    only: Only = None,
    db: Db = WorldBackends.db,
    toxiproxy: Toxiproxy = WorldBackends.toxiproxy,
    postgres_image: PostgresImage = None,
    toxiproxy_image: ToxiproxyImage = None,
    slo: SloFiles = None,
    out: Out = None,
    seed: Seed = 7,
    target_command: TargetCommand = None,
    target_image: TargetImage = None,
    target_url: TargetUrl = None,
    upstream: Upstreams = None,
    promises: PromisesFile = None,
    baseline: BaselineFile = None,
    verbose: Verbose = False,
    json_summary: RunJson = False,
) -> None:
    """Break the orchestrator's world on purpose, check what must hold, and leave a report.

    Exit codes: 0 every expectation and objective held, 1 one failed, 2 bad input,
    3 Postgres, Toxiproxy or the system under test could not start (or the system
    bypasses Gauntlet's proxies), 130 interrupted (faults rolled back). With --baseline,
    a significant healthy-phase regression fails the run as the gate does (exit 1), and a
    baseline of another workload is refused before anything starts (exit 2).
    """
    # Imported here so `gauntlet --help` stays fast.
    from rich.console import Console

    from scenarios.spec.promises_file import promises_in_effect
    from slo import BaselineFileError, SloFileError, load_slo_files
    from vocabulary import YamlInputError

    output = ReportOutput("run", out, json_summary)
    try:
        target = TargetChoice.from_flags(target_command, target_image, target_url, upstream or [])
        declared = promises_in_effect(promises, reference=target.is_reference)
        scenarios = chosen_scenarios(suite, scenario or [], only or [], declared)
        spec = load_slo_files(slo) if slo else load_slo_files([default_slo()], chosen=DEFAULT)
        _check_reach(target, scenarios, declared)
        backends = WorldBackends(db, toxiproxy, postgres_image, toxiproxy_image)
        previous = same_workload_baseline(baseline, scenarios)
    except (YamlInputError, SloFileError, BaselineFileError, ValueError) as exc:
        output.refuse(str(exc))
    console = Console(stderr=json_summary, highlight=False)
    options = _run_options(output.folder, backends, target, seed, promises, declared, previous)
    _announce(scenarios, spec, options, console)
    output.finish(_run_suite(scenarios, spec, options, console, output, verbose=verbose))


def _check_reach(target: TargetChoice, scenarios: list[Scenario], declared: Promises) -> None:
    """Refuse (ValueError) faults the target cannot be reached by: a remote system's world,
    an upstream it never declared."""
    from .remote_options import check_declared_upstreams, check_remote_scenarios

    check_remote_scenarios(target, scenarios)
    check_declared_upstreams(target, scenarios, declared.upstreams)


def _run_options(
    folder: Path,
    backends: WorldBackends,
    target: TargetChoice,
    seed: int,
    promises: Path | None,
    declared: Promises,
    baseline: BaselineReport | None,
) -> RunOptions:
    """Where and against what the suite runs, and which promises (in words) judge it."""
    from scenarios.runner.suite_run import RunOptions
    from scenarios.spec.promises_file import promises_source

    return RunOptions(
        folder,
        backends,
        target,
        seed,
        promises_source=promises_source(promises, reference=target.is_reference),
        declared_upstreams=dict(declared.upstreams),
        baseline=baseline,
    )


def chosen_scenarios(
    suite: str, files: list[Path], only: list[str], promises: Promises
) -> list[Scenario]:
    """The scenario files, or the suite's scenarios (only those named by `--only`), their
    promise-valued numbers read from `promises`."""
    from scenarios.spec.loader import load_scenario, load_suite
    from vocabulary import unknown_name

    scenarios = (
        [load_scenario(path, promises) for path in files] if files else load_suite(suite, promises)
    )
    names = [s.name for s in scenarios]
    for name in only:
        if name not in names:
            raise typer.BadParameter(unknown_name("scenario", name, names), param_hint="'--only'")
    return [s for s in scenarios if s.name in only] if only else scenarios


def same_workload_baseline(path: Path | None, scenarios: list[Scenario]) -> BaselineReport | None:
    """The --baseline report, refused (one line) unless it ran these same scenarios."""
    from slo import BaselineReport

    if path is None:
        return None
    previous = BaselineReport.load(path)
    previous.check_same_workload(tuple(s.name for s in scenarios))
    return previous


def _announce(
    scenarios: list[Scenario], spec: SloSpec, options: RunOptions, console: Console
) -> None:
    for part in spec.not_evaluated:
        console.print(f"not evaluated: {part}")
    count = f"{len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}"
    system = options.target.describe()
    # wrapped to the terminal's width: a target command can be long
    console.print(
        f"running {count} against {system}; reports in {options.out_dir}", highlight=False
    )
    console.print(
        f"promises: {options.promises_source}", soft_wrap=True, highlight=False, markup=False
    )


def _run_suite(
    scenarios: list[Scenario],
    spec: SloSpec,
    options: RunOptions,
    console: Console,
    output: ReportOutput,
    *,
    verbose: bool,
) -> int:
    """The suite's exit code; what could not start is one line and exit 3."""
    from chaos.postgres import OperationNotSupported, PostgresUnavailable
    from chaos.toxiproxy import ToxiproxyError
    from scenarios.runner.proxy_check import ProxyBypassed
    from scenarios.runner.suite_run import run_suite
    from target.command import TargetStartError

    options.world.choose_images()
    try:
        return run_suite(scenarios, spec, options, console, verbose=verbose)
    except TargetStartError as exc:
        output.cannot_start(f"the system under test could not start: {exc}")
    except ProxyBypassed as exc:
        output.cannot_start(f"the system under test bypasses Gauntlet: {exc}")
    except (PostgresUnavailable, OperationNotSupported, ToxiproxyError) as exc:
        output.cannot_start(f"infrastructure could not start: {exc}")


DEFAULT = "the core suite's default: no --slo given"


def default_slo() -> Path:
    """The SLO the built-in core suite is gated on."""
    return Path(__file__).resolve().parents[2] / "slo" / "examples" / "chaos-core.yaml"
