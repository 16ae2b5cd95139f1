"""Target: starting the system under test, whichever way it is given.

    from target import TargetChoice, started_target
    async with started_target(TargetChoice(command="./my-orchestrator --serve"), env,
                              log_path=out / "target.log") as url:
        ...

`gauntlet run`, `gauntlet load` and the pytest plugin all start a system through
`started_target`: a command (`--target-command`), an image (`--target-image`), a URL of
one already running (`--target-url`), or, with none, the reference orchestrator by its
command line (`python -m orchestrator.service`). This package never imports the reference.

The names below are imported on first use, so a caller pays for httpx, testcontainers or
Postgres only when it asks for what needs them.
"""

from __future__ import annotations

import importlib

_SURFACE = {
    "REFERENCE_COMMAND": "target.command",
    "ChildProcess": "target.child_process",
    "ReadOnlyMounts": "target.container",
    "ReferenceTuning": "target.choice",
    "RunningTarget": "target.command",
    "ServiceStartError": "target.uvicorn_service",
    "TargetChoice": "target.choice",
    "TargetCommandError": "target.command",
    "TargetStartError": "target.command",
    "clear_stale_targets": "target.state_files",
    "parse_command": "target.command",
    "running_target": "target.command",
    "started_target": "target.choice",
    "target_container": "target.container",
    "world_service_config": "target.world_settings",
}

__all__ = sorted(_SURFACE)


def __getattr__(name: str) -> object:
    if name not in _SURFACE:
        raise AttributeError(f"module 'target' has no attribute {name!r}")
    return getattr(importlib.import_module(_SURFACE[name]), name)
