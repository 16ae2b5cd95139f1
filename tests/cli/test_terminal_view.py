"""The run's terminal view at 80 columns: one line per row, no markup eaten, phase tags kept."""

from __future__ import annotations

import io

from rich.console import Console

from scenarios.runner.experiment import ScenarioResult
from scenarios.runner.terminal import SuiteProgress, print_summary, scenario_line
from scenarios.spec.model import Scenario
from slo import Check, SloSpec, Verdict, evaluate
from vocabulary import Observation, Phase

SCENARIO = Scenario.model_validate(
    {
        "name": "a-scenario-with-a-rather-long-name-for-the-column",
        "workload": {
            "intents": [{"intent": "service_overview", "parameters": {"service": "checkout"}}],
            "tenants": ["acme"],
            "requests": 10,
        },
    }
)
LONG = "a detail long enough to need several lines if it were wrapped, " * 4


def _console(*, terminal: bool = False) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=80, force_terminal=terminal, color_system=None), out


def _evaluation(objectives: int):  # type: ignore[no-untyped-def]
    spec = SloSpec.model_validate(
        {
            "name": "many",
            "min_samples": 5,
            "objectives": [
                {"name": f"objective {i} {LONG}", "ratio": "failed", "max": 0.05}
                for i in range(objectives)
            ],
        }
    )
    observations = [
        Observation(
            ts=1.0 + i, scenario="s", phase=Phase.BASELINE, status="success", latency_ms=20.0
        )
        for i in range(50)
    ]
    return evaluate(iter(observations), spec)


def test_every_line_fits_80_columns_and_phase_tags_survive() -> None:
    checks = [
        Check(SCENARIO.name, f"status [{phase}]", Verdict.of(index % 2 == 0), detail=LONG)
        for index, phase in enumerate(["baseline", "fault", "recovery"])
    ]
    result = ScenarioResult(SCENARIO, checks=checks, started=0.0, ended=12.0)
    console, out = _console()
    print_summary([result], _evaluation(6), checks, console, verbose=True)
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    text = out.getvalue()
    for phase in ("baseline", "fault", "recovery"):
        assert f"status [{phase}]" in text  # not read as markup
    assert "gate: FAIL" in text


def test_without_verbose_only_failed_checks_are_listed() -> None:
    checks = [
        Check("s", "kept quiet", Verdict.PASS, "fine"),
        Check("s", "shown [fault]", Verdict.FAIL, "bad"),
    ]
    console, out = _console()
    print_summary([ScenarioResult(SCENARIO, checks=checks)], _evaluation(2), checks, console)
    assert "shown [fault]" in out.getvalue() and "kept quiet" not in out.getvalue()
    assert "1/2 checks held" in out.getvalue()


def test_the_line_kept_for_each_scenario_is_one_line() -> None:
    result = ScenarioResult(
        SCENARIO, checks=[Check("s", "c", Verdict.PASS)], started=0.0, ended=3.0
    )
    console, out = _console()
    console.print(scenario_line(result), no_wrap=True, overflow="ellipsis")
    [line] = out.getvalue().splitlines()
    assert len(line) <= 80 and line.startswith("a-scenario-with-a-rather-lo…")
    assert "held   1/1 checks" in line and line.rstrip().endswith("0 req:")


def test_a_scenario_with_an_undecided_check_and_no_failed_one_is_not_called_failed() -> None:
    def line(*verdicts: Verdict) -> str:
        checks = [Check("s", f"c{i}", verdict) for i, verdict in enumerate(verdicts)]
        console, out = _console()
        console.print(scenario_line(ScenarioResult(SCENARIO, checks=checks)), no_wrap=True)
        return out.getvalue()

    assert "??     1/2 checks" in line(Verdict.PASS, Verdict.INCONCLUSIVE)
    assert "FAILED 0/2 checks" in line(Verdict.FAIL, Verdict.INCONCLUSIVE)


def test_the_live_line_shows_phase_status_mix_and_time_left() -> None:
    timed = SCENARIO.model_copy(
        update={"workload": SCENARIO.workload.model_copy(update={"requests": None, "duration": 30})}
    )
    console, out = _console(terminal=True)
    with SuiteProgress(console) as progress:
        progress.start(timed)
        for status in ("success", "partial", "partial"):
            progress.observed(status, "fault")
        progress.refresh()
        live = out.getvalue()
    assert "fault" in live and "ok 1 part 2" in live
    assert any(f"{s}s left" in live for s in (28, 29, 30))
