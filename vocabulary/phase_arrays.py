"""`phase.phase_during` over columns: the phase of many requests at once, by the same rule.

A run's merge labels millions of requests; a Python call per request would cost more than
the rest of the merge. This is the same rule, `fault` if any window was open at any instant
of the request, else the phase at its start, written as whole-array comparisons (one pass
per fault window, a run has a handful). tests/vocabulary/test_phase_arrays.py holds it equal
to `phase_during` on generated requests and windows; change the two together.

Imported by its module name: it needs numpy, which the Locust process must not load.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .phase import FaultWindow, Phase

__all__ = ["phases_during"]

# indexed by the codes `phases_during` computes: 0 baseline, 1 recovery, 2 fault
_NAMES = np.array([Phase.BASELINE.value, Phase.RECOVERY.value, Phase.FAULT.value])


def phases_during(
    starts: np.ndarray, ends: np.ndarray, windows: Iterable[FaultWindow]
) -> np.ndarray:
    """The phase name (`Phase` value) of each request that ran from `starts[i]` to `ends[i]`."""
    fault = np.zeros(len(starts), dtype=bool)
    opened_before = np.zeros(len(starts), dtype=bool)
    for window in windows:
        fault |= (window.start <= ends) & (starts < window.end)  # `overlaps`
        # `contains(start)`: already an overlap, unless a request ended before it started
        fault |= (window.start <= starts) & (starts < window.end)
        opened_before |= window.start <= starts
    return _NAMES[np.where(fault, 2, opened_before.astype(np.int8))]
