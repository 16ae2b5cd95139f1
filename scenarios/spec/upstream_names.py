"""Which upstreams a scenario's faults may name: `ops`, `metrics`, and those declared.

A network fault names its upstream as a plain string, since a system may declare further
upstreams of its own (its promises' `upstreams: {cache: HOST:PORT}`). Whether a name
exists is therefore known only with the declarations: checked here before a run starts,
and by `gauntlet validate` given them, so a misspelt `cahce` is one line with a
did-you-mean, never a fault that fails in the middle of a run.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from pathlib import Path

from chaos.faults import BUILTIN_UPSTREAMS, Fault, upstreams_named
from chaos.schedule import TimedFault
from vocabulary import YamlInputError, unknown_name

from .model import Scenario

__all__ = ["known_upstreams", "refuse_unknown_upstreams", "unknown_upstreams"]


def known_upstreams(declared: Iterable[str] = ()) -> frozenset[str]:
    """The built-in upstreams plus the declared ones (a `--target-url` run knows only the
    ones it was given with `--upstream`, so it passes those alone to the checks below)."""
    return frozenset({*BUILTIN_UPSTREAMS, *declared})


def unknown_upstreams(scenarios: Iterable[Scenario], known: Collection[str]) -> list[str]:
    """One line per fault naming an upstream outside `known`, prefixed by its scenario."""
    return [
        f"scenario {scenario.name}: {problem}"
        for scenario in scenarios
        for problem in _problems([*(t.fault for t in scenario.faults), *scenario.attacks], known)
    ]


def refuse_unknown_upstreams(
    path: Path, faults: Iterable[TimedFault | Fault], known: Collection[str]
) -> None:
    """Raise a `YamlInputError` (file, line) for the first fault of the file at `path`
    that names an unknown upstream; `gauntlet validate` calls it with the declarations."""
    plain = [timed.fault if isinstance(timed, TimedFault) else timed for timed in faults]
    for fault in plain:
        for name in upstreams_named(fault):
            if name not in known:
                raise YamlInputError(
                    str(path),
                    f"{fault.kind}: {unknown_name('upstream', name, known)}",
                    line=_line_naming(path, name),
                    field="upstream",
                )


def _problems(faults: Iterable[Fault], known: Collection[str]) -> list[str]:
    return [
        f"{fault.kind}: {unknown_name('upstream', name, known)}"
        for fault in faults
        for name in upstreams_named(fault)
        if name not in known
    ]


def _line_naming(path: Path, name: str) -> int | None:
    # The file parsed already; the first line giving `upstream` this value is the one.
    pattern = re.compile(rf"""upstream["']?\s*:\s*["']?{re.escape(name)}["']?\s*(?:[,}}#]|$)""")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if pattern.search(line):
            return number
    return None
