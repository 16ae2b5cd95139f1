"""`gauntlet list scenarios|faults|intents|tools|tenants`: what exists, as `chaos discover` does."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Things(StrEnum):
    scenarios = "scenarios"
    faults = "faults"
    intents = "intents"
    tools = "tools"
    tenants = "tenants"


def list_things(
    things: Annotated[Things, typer.Argument(help="what to list")],
    suite: Annotated[
        str, typer.Option(help="with `scenarios`: a built-in suite or a folder")
    ] = "core",
    tag: Annotated[
        str | None, typer.Option(metavar="TAG", help="with `scenarios`: only those tagged so")
    ] = None,
) -> None:
    """Scenarios of a suite (by tag), fault kinds with their fields and units, intents with
    their parameters, the contract's tools, seeded tenants."""
    lines = {
        Things.scenarios: lambda: scenario_lines(suite, tag),
        Things.faults: fault_lines,
        Things.intents: intent_lines,
        Things.tools: tool_lines,
        Things.tenants: tenant_lines,
    }[things]()
    for line in lines:
        typer.echo(line)


def scenario_lines(suite: str, tag: str | None) -> list[str]:
    from scenarios import exit_codes
    from scenarios.spec.loader import load_suite
    from vocabulary import YamlInputError

    try:
        scenarios = load_suite(suite)
    except YamlInputError as exc:
        typer.echo(f"gauntlet list: {exc}", err=True)
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    tags = {each for chosen in scenarios for each in chosen.tags}
    if tag is not None and tag not in tags:  # an empty listing would read as "nothing to do"
        from vocabulary import unknown_name

        said = unknown_name("tag", tag, tags)
        typer.echo(f"gauntlet list: no scenario of {suite!r} matched: {said}", err=True)
        raise typer.Exit(exit_codes.BAD_INPUT)
    lines = []
    for chosen in scenarios:
        if tag is None or tag in chosen.tags:
            lines.append(f"{chosen.name:<32} {', '.join(chosen.tags)}")
            lines.extend(_wrapped(_first_sentence(chosen.description)))
    return lines


def fault_lines() -> list[str]:
    """`latency     upstream (ops|metrics), latency_ms (ms, >= 0), ...  Delay every chunk...`."""
    from chaos.faults import FAULT_KINDS

    from .fault_fields import field_summary

    lines = []
    for kind, cls in sorted(FAULT_KINDS.items()):
        paragraph = (cls.__doc__ or "").strip().split("\n\n")[0]
        doc = " ".join(paragraph.split())  # the whole paragraph: a cut sentence misleads
        lines.extend(_wrapped(f"{kind:<20} {doc}", indent="", then=" " * 21))
        lines.extend(_wrapped(field_summary(cls)))
    return lines


def intent_lines() -> list[str]:
    """`service_overview  {service}  reads direct_query, metrics, topology`."""
    from contract import INTENTS

    lines = []
    for name, intent in sorted(INTENTS.items()):  # one line each: `split()[0]` is the name
        properties = intent.parameters.get("properties", {})
        required = set(intent.parameters.get("required", ()))
        shown = ", ".join(p if p in required else f"{p}?" for p in properties)
        lines.append(f"{name:<17} {{{shown}}}  reads {', '.join(intent.reads)}")
    return lines


def tool_lines() -> list[str]:
    """`direct_query  read-only SQL on the ops database, ...`: the tools the contract names."""
    from contract import TOOLS

    return [f"{tool:<13} {description}" for tool, description in TOOLS.items()]


def tenant_lines() -> list[str]:
    from chaos.seed import SeedOptions

    return [
        f"{tenant}  (seeded by `run` and `serve`; `serve --tenants N` seeds more)"
        for tenant in SeedOptions().tenant_ids
    ]


def _first_sentence(text: str) -> str:
    sentence, _, _ = " ".join(text.split()).partition(". ")
    return sentence.rstrip(".") + "."


def _wrapped(text: str, *, indent: str = "    ", then: str = "    ") -> list[str]:
    import shutil
    import textwrap

    width = min(shutil.get_terminal_size((80, 24)).columns, 100)
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=then)
