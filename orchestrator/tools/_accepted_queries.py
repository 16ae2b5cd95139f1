"""The validator's accepted verdicts, remembered so a repeated query is not parsed again.

Validation is a pure function of (query, tenant, row limit), and parsing costs
milliseconds of CPU in a worker process plus a round trip to it: for the same
intent's SQL, asked again and again with different parameters, that was most of a
healthy request's time. Only acceptances are kept. A refusal may depend on how
busy the machine was (`too_complex` when a worker ran out of budget), and a hostile
caller could vary refused queries without end; both still go to the validator.
"""

from __future__ import annotations

from collections import OrderedDict

DEFAULT_CAPACITY = 512


class AcceptedQueries:
    """A bounded, least-recently-used map from a validated query to the SQL to run."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be positive, got {capacity}")
        self._capacity = capacity
        self._statements: OrderedDict[tuple[str, str, int], str] = OrderedDict()

    def get(self, query: str, tenant_id: str, max_rows: int) -> str | None:
        key = (query, tenant_id, max_rows)
        statement = self._statements.get(key)
        if statement is not None:
            self._statements.move_to_end(key)
        return statement

    def remember(self, query: str, tenant_id: str, max_rows: int, statement: str) -> None:
        self._statements[(query, tenant_id, max_rows)] = statement
        self._statements.move_to_end((query, tenant_id, max_rows))
        if len(self._statements) > self._capacity:
            self._statements.popitem(last=False)

    def __len__(self) -> int:
        return len(self._statements)
