"""A team's own test file, run by pytest in a child process as that team would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_team_test(
    folder: Path, name: str, text: str, *options: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Write `text` as `folder/name` and run pytest on it with `options` (the plugin's
    `--gauntlet-...` flags); its own folder is the rootdir, so nothing of ours applies."""
    test_file = folder / name
    test_file.write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)]
        + ["--rootdir", str(folder), *options],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
