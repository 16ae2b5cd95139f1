"""Query corpora stored as data: `load_named_queries(path)` reads `-- name:` blocks."""

from __future__ import annotations

from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent
_MARK = "-- name:"


def load_named_queries(path: Path) -> dict[str, str]:
    """Name → query text. A block runs from its `-- name:` line to the next one."""
    queries: dict[str, str] = {}
    name: str | None = None
    lines: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(_MARK):
            if name is not None:
                queries[name] = "\n".join(lines).strip()
            name, lines = line[len(_MARK) :].strip(), []
            if not name or name in queries:
                raise ValueError(f"{path}:{number}: a unique name is expected after {_MARK!r}")
        elif name is not None:
            lines.append(line)
    if name is not None:
        queries[name] = "\n".join(lines).strip()
    return queries
