"""The audit acknowledged before it is durable: the call answers `recorded: true` as soon as
a connection takes its record, while the INSERT and the COMMIT still run against the
caller's deadline, so a tiny deadline that ends before the COMMIT loses an acknowledged
record. Ordinary deadlines leave the write time to finish, and an outage lends no
connection (the call fails and the fallback spools): only tiny deadlines show it."""

from __future__ import annotations

DEFECT = "audit acknowledged once a connection takes it, before the COMMIT a deadline can cut"
SCENARIOS = ("audit-tiny-deadlines",)


def apply() -> None:
    import asyncio

    from catalogue import replace

    from orchestrator.tools import _audit

    record_of, budget_for = _audit._record, _audit.budget_for
    on_database, insert_one = _audit.run_on_database, _audit.insert_one
    writes: set[asyncio.Task[object]] = set()  # acknowledged writes still under way

    def forget(task: asyncio.Task[object]) -> None:
        writes.discard(task)
        if not task.cancelled():
            task.exception()  # a write cut after its acknowledgement: lost, and silent

    async def run(self, arguments, ctx):  # type: ignore[no-untyped-def]
        record = record_of(arguments, ctx)
        budget = budget_for(ctx.budget_seconds, self.capability.timeout_seconds)
        taken = asyncio.Event()

        async def write(conn):  # type: ignore[no-untyped-def]
            taken.set()  # acknowledged from here: the statements are yet to run
            return await insert_one(conn, record, budget)

        writing = asyncio.ensure_future(on_database(self._pool, budget, "audit", write))
        writes.add(writing)
        writing.add_done_callback(forget)
        acknowledged = asyncio.ensure_future(taken.wait())
        try:
            await asyncio.wait([writing, acknowledged], return_when=asyncio.FIRST_COMPLETED)
        finally:
            acknowledged.cancel()
        if not taken.is_set():
            writing.result()  # no connection (an outage): its error, and the fallback spools
        return {"request_id": record["request_id"], "recorded": True}

    replace(_audit.AuditTool, "run", run)
