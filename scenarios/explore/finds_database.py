"""The search's example database: what `--replay` re-runs. It keeps only experiments that
broke a promise.

Hypothesis saves every example its test raised on. A search ends by raising out of the
experiment that found the budget spent, so hypothesis would save that one too, and a later
`--replay` would run it first, before the find. The search says which raise was a find.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase


class FindsDatabase(ExampleDatabase):
    """A folder of examples that saves only while `saving_finds` is set."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._folder = DirectoryBasedExampleDatabase(str(folder))
        self.saving_finds = False  # set by the search as it raises for a broken promise

    def save(self, key: bytes, value: bytes) -> None:
        if self.saving_finds:
            self._folder.save(key, value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        return self._folder.fetch(key)

    def delete(self, key: bytes, value: bytes) -> None:
        self._folder.delete(key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self._folder.move(src, dest, value)  # an example already kept, filed elsewhere
