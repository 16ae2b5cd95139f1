"""`gauntlet demo`: one orchestration with in-process tools, printed as JSON."""

from __future__ import annotations


def demo() -> None:
    # Imported here so `gauntlet --help` stays fast.
    import asyncio

    from rich.console import Console

    from .demo_orchestration import run_demo

    response = asyncio.run(run_demo())
    Console().print_json(response.model_dump_json())
