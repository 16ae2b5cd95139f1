"""A find as a scenario file: what `gauntlet validate` accepts and `gauntlet run --scenario`
replays, with a comment saying how it was found and the broken promise as its expectation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from scenarios.spec.model import Scenario

__all__ = ["scenario_document", "write_find"]


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
    text = yaml.safe_dump(
        scenario_document(find.scenario, name), sort_keys=False, default_flow_style=None, width=100
    )
    comment = "".join(f"# {line}\n" for line in how)
    path.write_text(comment + text, encoding="utf-8")
    return path


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
