"""Exceptions raised when applying a fault.

    Exception
    └── FaultError              a fault could not be applied or rolled back
        ├── FaultInjectionError the world could not be broken as asked (it was rolled back)
        └── FaultRollbackError  the world could not be restored: act on the message

Foreign exceptions (psycopg, Toxiproxy, the Postgres provider) raised while injecting or
rolling back are wrapped in these, with the original as `__cause__`.
"""

from __future__ import annotations


class FaultError(Exception):
    """A fault could not be applied or rolled back."""


class FaultInjectionError(FaultError):
    """The fault could not be injected; whatever part of it was applied has been undone."""


class FaultRollbackError(FaultError):
    """Rolling the fault back failed; the world may still be broken."""
