"""What the validator answers: a verdict, the reasons, and the SQL to run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One reason a query was refused. `code` is short snake_case; `message` is for a human."""

    code: str
    message: str


@dataclass(frozen=True)
class QueryValidation:
    """The verdict on one query.

    `sql` is the statement to execute (regenerated from the validated syntax tree, with the
    row limit enforced); it is None whenever `is_safe` is False.
    """

    is_safe: bool
    violations: tuple[Violation, ...]
    sql: str | None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(violation.code for violation in self.violations)

    @classmethod
    def refused(cls, *violations: Violation) -> QueryValidation:
        return cls(is_safe=False, violations=tuple(violations), sql=None)
