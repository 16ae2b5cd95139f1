"""The flags `gauntlet run`, `gauntlet load` and the pytest plugin share, each written once.

A flag has one name, one metavar and one help text, kept beside the model it fills
(`target.choice`, `target.backends`). The command line spells it `--target-url`; the pytest
plugin, whose options share pytest's one namespace, spells it `--gauntlet-target-url`.
Help texts and error messages are written with the command line's spelling and respelled
for pytest by `in_pytest_spelling`, so the plugin never keeps a second copy of either.

This module and the models' modules import nothing heavy: `gauntlet --help` reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

PYTEST_PREFIX = "--gauntlet-"


@dataclass(frozen=True)
class Flag:
    """One shared option: `name` without dashes, as `target-url`."""

    name: str
    help: str
    metavar: str | None = None
    envvar: str | None = None  # only when read beyond one command (the image variables)
    repeatable: bool = False

    @property
    def cli(self) -> str:
        return f"--{self.name}"

    @property
    def in_pytest(self) -> str:
        return f"{PYTEST_PREFIX}{self.name}"

    def __str__(self) -> str:
        return self.cli


def in_pytest_spelling(text: str, flags: Iterable[Flag]) -> str:
    """`text` with every one of `flags` spelled as the pytest plugin spells it."""
    names = sorted((flag.name for flag in flags), key=len, reverse=True)
    if not names:
        return text
    pattern = re.compile(rf"(?<![\w-])--({'|'.join(map(re.escape, names))})(?![\w-])")
    return pattern.sub(lambda match: f"{PYTEST_PREFIX}{match[1]}", text)
