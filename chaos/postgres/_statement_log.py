"""What the database itself saw: every statement any session sent, from its own log.

A server Gauntlet starts (embedded or Docker) logs each statement as it arrives while a
watch asks it to (`log_statements(admin_dsn, True)`: `log_statement = all`, server-wide and
for the sessions already open too), and at all times a statement that fails before it runs
(a syntax error, a missing privilege) with its error (`log_min_error_statement`). Logging
every statement always would fill a disk in a long load run. Each record names its login
role, so what a system under test sent is told apart from Gauntlet's own statements:

    2026-12-07 00:41:03.512 UTC [4127] gauntlet_reader@ops LOG:  execute <unnamed>: SELECT ...
    2026-12-07 00:41:03.514 UTC [4127] gauntlet_reader@ops ERROR:  permission denied ...
    2026-12-07 00:41:03.514 UTC [4127] gauntlet_reader@ops STATEMENT:  SELECT ...

Postgres continues a record over several lines with a leading tab. A server given by URL
is not ours to configure, and its log is out of reach: it has no statement log.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg

# Set on every server Gauntlet starts: the prefix names the login role and database.
STATEMENT_LOG_SETTINGS = (
    "log_min_error_statement = error",
    "log_line_prefix = '%m [%p] %q%u@%d '",
)
_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[\d+\] (?P<role>[^@\s]*)@(?P<db>\S*) "
    r"(?P<level>[A-Z0-9]+):  (?P<text>.*)$"
)


@dataclass(frozen=True)
class LogRecord:
    """One record of the server log: who sent it, its level, and its whole text."""

    role: str
    database: str
    level: str
    text: str

    @property
    def statement(self) -> str | None:
        """The statement this record quotes as sent (logged on arrival, or beside its
        error), or None: a message, or a statement's bind parameters (`DETAIL`), which are
        data, not SQL the server ran."""
        if self.level == "STATEMENT":
            return self.text
        if self.level == "LOG":
            head, colon, statement = self.text.partition(": ")
            if colon and (head == "statement" or head.startswith("execute ")):
                return statement
        return None


def parse_records(log_text: str) -> list[LogRecord]:
    """The records of a stretch of server log; lines of no session (the postmaster's,
    the checkpointer's) and a stretch cut mid-record are skipped."""
    records: list[LogRecord] = []
    current: list[str] | None = None
    head: re.Match[str] | None = None
    for line in log_text.splitlines():
        if line.startswith("\t") and current is not None:
            current.append(line[1:])
            continue
        if head is not None and current is not None:
            records.append(_record(head, current))
        head = _RECORD.match(line)
        current = [head["text"]] if head is not None else None
    if head is not None and current is not None:
        records.append(_record(head, current))
    return records


def _record(head: re.Match[str], lines: list[str]) -> LogRecord:
    return LogRecord(head["role"], head["db"], head["level"], "\n".join(lines))


@dataclass(frozen=True)
class StatementLog:
    """A server's log, read from a mark on: `mark()` now, `records_since(mark)` later."""

    size: Callable[[], int]
    read_from: Callable[[int], bytes]

    def mark(self) -> int:
        return self.size()

    def records_since(self, mark: int, roles: Iterable[str]) -> list[LogRecord]:
        """The records of the sessions of `roles` written since `mark` (`statement` tells
        the statements among them)."""
        wanted = set(roles)
        text = self.read_from(mark).decode("utf-8", errors="replace")
        return [record for record in parse_records(text) if record.role in wanted]


def file_log(log: Path) -> StatementLog:
    """The log a server writes to the file `log` (appended to across restarts)."""

    def size() -> int:
        return log.stat().st_size if log.exists() else 0

    def read_from(mark: int) -> bytes:
        if not log.exists():
            return b""
        with open(log, "rb") as stream:
            stream.seek(mark)
            return stream.read()

    return StatementLog(size, read_from)


def log_statements(admin_dsn: str, every: bool) -> None:
    """Log every statement from now on (`every`), or only those that fail. A reload applies
    it to the sessions already open as well: each takes it before its next statement."""
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5) as admin:
        if every:
            admin.execute("ALTER SYSTEM SET log_statement = 'all'")
        else:
            admin.execute("ALTER SYSTEM RESET log_statement")
        admin.execute("SELECT pg_reload_conf()")
