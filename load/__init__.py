"""Load: Locust users, load shapes, and the runner that drives Locust in a subprocess.

Four rooms: `inputs/` (profiles, shapes, pacing, the run configuration), `in_locust/` (what
runs inside the Locust process), `transport/` (observations from workers to the harness)
and `control/` (the runner and the drive). Locust itself is imported only in `in_locust/`,
inside the Locust process; nothing here imports it.

    from load import LoadRunOptions, load_profile, run_load
    result = run_load(LoadRunOptions(profile=load_profile("spike"), out_dir=Path("reports/load")))

The names below are imported on first use: the Locust process imports a few pure modules
of this package and must not pay for (or be patched under) the runner's Postgres, HTTP
and terminal libraries.
"""

from __future__ import annotations

import importlib

_SURFACE = {
    "LoadInputError": "load.control.run_inputs",
    "LoadProfile": "load.inputs.profile",
    "LoadRunOptions": "load.control.runner",
    "LoadRunResult": "load.control.runner",
    "builtin_profiles": "load.inputs.profile",
    "load_profile": "load.inputs.profile",
    "run_load": "load.control.runner",
}

__all__ = sorted(_SURFACE)


def __getattr__(name: str) -> object:
    if name not in _SURFACE:
        raise AttributeError(f"module 'load' has no attribute {name!r}")
    return getattr(importlib.import_module(_SURFACE[name]), name)
