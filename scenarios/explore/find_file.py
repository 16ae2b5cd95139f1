"""A find as a scenario file: what `gauntlet validate` accepts and `gauntlet run --scenario`
replays, with a comment saying how it was found and the broken promise as its expectation.

A find that compares the victims with their own baseline (tenant isolation) is written with
its time budgets widened (`widened`): the search needs only the few requests in which a
break shows, but the file is a regression test, and a fixed system passes it only once its
phases hold enough requests to tell "no drop" from a 20-point drop.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml

from scenarios.spec.expectations import StatusVsBaseline
from scenarios.spec.model import Scenario

__all__ = ["REPLAY_REQUESTS", "scenario_document", "widened", "write_find"]

# The victims' requests an attack's window must hold for a healthy system to pass the
# comparison with its baseline: all 25 of 25 `success` put the phase's lower end at 80 %
# at the suite's 95 % (the baseline's upper end less the 20 points allowed); 40 leave room
# for a miss or two, as a healthy run has
REPLAY_REQUESTS = 40


def widened(scenario: Scenario) -> tuple[Scenario, float]:
    """`scenario` with its time budgets stretched by one factor (so its faults keep their
    order and overlaps) until its shortest timed fault holds `REPLAY_REQUESTS` of the
    workload's requests; and that factor (1: as drawn, or not a comparison with a
    baseline). The runner ends each phase as soon as its checks are decided, so a system
    that breaks the promise fails as early in the window as before."""
    workload = scenario.workload
    compares = any(isinstance(e, StatusVsBaseline) for e in scenario.expectations)
    windows = [timed.duration for timed in scenario.faults if timed.duration]
    if not (compares and workload.rate and workload.duration and windows):
        return scenario, 1.0
    factor = REPLAY_REQUESTS / (workload.rate * min(windows))
    if factor <= 1:
        return scenario, 1.0
    factor = math.ceil(factor * 2) / 2  # a factor a reader can follow: 1.5, 2, 2.5...
    faults = [
        timed.model_copy(
            update={
                "start": timed.start * factor,
                "duration": timed.duration * factor if timed.duration else None,
            }
        )
        for timed in scenario.faults
    ]
    stretched = workload.model_copy(update={"duration": workload.duration * factor})
    return scenario.model_copy(update={"workload": stretched, "faults": faults}), factor


def scenario_document(scenario: Scenario, name: str) -> dict[str, Any]:
    """The scenario as its file spells it: defaults left out, each fault with its kind."""
    document = scenario.model_dump(mode="json", exclude_defaults=True)
    document["name"] = name
    document["faults"] = [
        {
            **timed,
            "fault": {"kind": fault.kind, **fault.model_dump(mode="json", exclude_defaults=True)},
        }
        for timed, fault in zip(
            document.get("faults", []), (t.fault for t in scenario.faults), strict=True
        )
    ]
    return document


def write_find(folder: Path, find: Any, *, index: int, how: list[str]) -> Path:
    """Write `find` (a `search.Find`) under `folder/found/`; returns the file's path."""
    name = f"found-{index}-{_slug(find.promise)}"
    path = folder / "found" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    scenario, factor = widened(find.scenario)
    if factor > 1:
        how = [
            *how,
            f"Its times are {factor:g}x those the search ran, so that a healthy system's "
            f"phases hold {REPLAY_REQUESTS} requests to be judged on; each ends once decided.",
        ]
    text = yaml.safe_dump(
        scenario_document(scenario, name), sort_keys=False, default_flow_style=None, width=100
    )
    comment = "".join(f"# {line}\n" for line in how)
    path.write_text(comment + text, encoding="utf-8")
    return path


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
