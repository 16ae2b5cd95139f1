"""The four orchestration statuses, as the harness reads them off the wire.

- `success`: every call succeeded on its primary path;
- `partial`: at least one primary success and at least one failure (a call answered by
  its fallback failed on its primary path: it counts as a failure here);
- `degraded`: no primary success, at least one fallback result;
- `failed`: no primary success and no fallback, or the request itself was refused
  (the harness also records a request the service never answered as `failed`).

They are the contract's statuses (`contract.Status`), re-exported under the harness's name.
"""

from __future__ import annotations

from contract import Status

__all__ = ["ANSWERED", "STATUSES", "Status"]


STATUSES: tuple[Status, ...] = tuple(Status)
"""Every status, best first (the order of reports and tables)."""

ANSWERED = frozenset({Status.SUCCESS, Status.PARTIAL, Status.DEGRADED})
"""The statuses of a request the service answered with at least some data."""
