"""What the database saw of a scenario: the statements the system sent as its query role
(`gauntlet_reader`, which runs `direct_query`) during its method, read from the server's
own log (`chaos.postgres.StatementLog`). Only statements count: a bind parameter holding
SQL text (an audit record of the query, say) is data the server stored, not SQL it ran.

    watch = StatementWatch.begin(world, scenario)   # before the method
    seen = await watch.seen()                        # after it: a `SeenByDatabase`

Only what concerns the scenario's attacks is kept: how many records named each attack's
statement mark, and one example. A world whose log Gauntlet cannot read (a database
given by URL, a running system's world) says why instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field

import psycopg

from chaos import schema
from chaos.faults import FaultError
from chaos.postgres import StatementLog, log_statements
from scenarios.spec.model import Scenario

EXAMPLE_CHARS = 160  # of a record naming a mark, quoted in the check's detail


@dataclass(frozen=True)
class SeenByDatabase:
    """The system's statements in the database's log during a method."""

    unreadable: str | None = None  # why the log could not be read (then nothing else holds)
    system_statements: int = 0  # statements of the query role: the log did see it
    marked: dict[str, int] = field(default_factory=dict)  # statement mark -> records naming it
    example: str = ""  # the first record that named a mark


@dataclass
class StatementWatch:
    log: StatementLog | None
    marks: tuple[str, ...]
    start: int = 0
    unreadable: str | None = None

    admin_dsn: str = ""  # of the server asked to log every statement while watched

    @classmethod
    def begin(cls, world: object, scenario: Scenario) -> StatementWatch:
        """Mark the log now and have the server log every statement, if the scenario has an
        attack to look for in it. `close()` turns that off again."""
        marks = scenario.statement_marks
        if not marks:
            return cls(None, marks, unreadable="no attack of the scenario has a statement mark")
        try:
            log = world.postgres.statement_log()  # type: ignore[attr-defined]
        except FaultError as exc:  # a running system's world: its database is not ours
            return cls(None, marks, unreadable=str(exc))
        if log is None:
            why = "the database was given by URL: Gauntlet cannot read its log"
            return cls(None, marks, unreadable=why)
        admin_dsn = world.postgres.admin_dsn  # type: ignore[attr-defined]
        try:
            log_statements(admin_dsn, every=True)
        except psycopg.Error as exc:
            why = f"the database would not log statements: {' '.join(str(exc).split())}"
            return cls(None, marks, unreadable=why)
        return cls(log, marks, start=log.mark(), admin_dsn=admin_dsn)

    async def close(self) -> None:
        """The server back to logging only failed statements (on every way out)."""
        if self.admin_dsn:
            dsn, self.admin_dsn = self.admin_dsn, ""
            with contextlib.suppress(psycopg.Error):  # a server gone down logs nothing anyway
                await asyncio.to_thread(log_statements, dsn, every=False)

    async def seen(self) -> SeenByDatabase:
        if self.log is None:
            return SeenByDatabase(unreadable=self.unreadable)
        await self.close()  # what was sent during the method is in the log by now
        records = await asyncio.to_thread(self.log.records_since, self.start, [schema.READER])
        statements = [record.statement for record in records if record.statement is not None]
        marked = {mark: 0 for mark in self.marks}
        example = ""
        for mark in self.marks:
            pattern = re.compile(rf"\b{re.escape(mark)}\b", re.IGNORECASE)
            for statement in statements:
                if pattern.search(statement):
                    marked[mark] += 1
                    example = example or statement
        return SeenByDatabase(None, len(statements), marked, example[:EXAMPLE_CHARS])
