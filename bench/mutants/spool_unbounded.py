"""The audit spool's bound removed: during an outage every record is spooled and
acknowledged, however much already waits, until the disk is full."""

from __future__ import annotations

DEFECT = "spool unbounded: records past the spool's bound are still spooled and acknowledged"
SCENARIOS = ("audit-spool-bound",)


def apply() -> None:
    from catalogue import replace

    from orchestrator.tools import _audit_spool

    # read now, so a rename fails the mutant's own test rather than its first append
    write, frame = _audit_spool._append_durably, _audit_spool.encode_frame

    def append_without_bound(self, record):  # type: ignore[no-untyped-def]
        write(self.path, frame(record))

    replace(_audit_spool.AuditSpool, "append", append_without_bound)
