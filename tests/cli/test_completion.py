"""Shell completion of option values, through the installed `gauntlet` as bash asks it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GAUNTLET = Path(sys.executable).parent / "gauntlet"


def complete(words: str) -> list[str]:
    """What bash's completion script gets for the command line `words` (last word partial)."""
    env = os.environ | {
        "_GAUNTLET_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    done = subprocess.run([GAUNTLET], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            "gauntlet run --only breaker",
            ["breaker-poisoning", "breaker-fails-fast", "breaker-tenant-isolation"],
        ),
        ("gauntlet load --profile s", ["soak", "spike", "step"]),
        ("gauntlet fault add la", ["latency"]),
    ],
)
def test_values_complete(words: str, expected: list[str]) -> None:
    assert sorted(complete(words)) == sorted(expected)
