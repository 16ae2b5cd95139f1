"""A find as a scenario file: what `gauntlet validate` accepts and `gauntlet run --scenario`
replays, with a comment saying how it was found and the broken promise as its expectation.
A candidate that was not confirmed is written too, under `unconfirmed/`: not a find, but
the one record of an experiment that broke a promise, to replay and read at leisure.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from scenarios.spec.model import Scenario

__all__ = ["scenario_document", "write_find", "write_unconfirmed"]


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
    return _write(folder / "found", f"found-{index}-{_slug(find.promise)}", find.scenario, how)


def write_unconfirmed(folder: Path, candidate: Any, *, index: int, how: list[str]) -> Path:
    """Write `candidate` (a `search.Candidate`) under `folder/unconfirmed/`."""
    name = f"unconfirmed-{index}-{_slug(candidate.promise)}"
    return _write(folder / "unconfirmed", name, candidate.scenario, how)


def _write(directory: Path, name: str, scenario: Scenario, how: list[str]) -> Path:
    path = directory / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(
        scenario_document(scenario, name), sort_keys=False, default_flow_style=None, width=100
    )
    comment = "".join(f"# {line}\n" for line in how)
    path.write_text(comment + text, encoding="utf-8")
    return path


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
