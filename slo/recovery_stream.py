"""A recovery objective's counts taken chunk by chunk (see `recovery` for what they mean).

The latency ceiling of a recovery second comes from the baseline's p95, known only once every
chunk is read; so the recovery's requests are counted per second and per latency bucket
(`bin`, ~4% wide: a few hundred a second at most), and the ceiling is applied at the end.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .chunk_tables import FIRST
from .expressions import NO_GROUP
from .latency import P95, coarse_bin, last_bucket_within
from .packed_groups import packed_group_by
from .recovery import RecoveryGroup
from .second_counts import REQUESTS, SECOND
from .spec import Objective

_SUCCESSES = (pl.col("status") == "success").sum().alias("successes")
_SECOND = pl.col("ts").floor().cast(pl.Int64).alias("seconds")


class RecoveryCounts:
    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._baseline: list[pl.DataFrame] = []
        self._seconds: list[pl.DataFrame] = []
        self._fast: list[pl.DataFrame] = []

    def add(self, rows: pl.DataFrame, compact: pl.LazyFrame) -> None:
        """The objective's requests of a chunk, and its compact table (`chunk_tables`)."""
        # grouped by the scenario as stored (categorical), named as text once grouped; the
        # latency bucket only for the two phases that read it, in one group-by of both (the
        # second only for the recovery's)
        named = pl.col(NO_GROUP).cast(pl.String)
        scenario = pl.col("scenario").alias(NO_GROUP)
        in_recovery = pl.col("phase") == "recovery"
        binned = packed_group_by(
            rows.filter(pl.col("phase").is_in(["baseline", "recovery"])),
            [
                pl.col("phase"),
                scenario,
                pl.when(in_recovery).then(_SECOND).alias("seconds"),
                coarse_bin().cast(pl.Int16).alias("bin"),
            ],
            [_SUCCESSES, pl.len().alias("n")],
        ).lazy()
        requests = pl.col(REQUESTS)
        seen, baseline, seconds, fast = pl.collect_all(
            [
                compact.select(scenario.unique()).with_columns(named),
                binned.filter(~in_recovery)
                .group_by(NO_GROUP, "bin")
                .agg(pl.col("successes").sum(), pl.col("n").sum())
                .with_columns(named),
                compact.filter(in_recovery)
                .group_by(scenario, pl.col(SECOND).alias("seconds"))
                .agg(
                    requests.filter(pl.col("status") == "success").sum().alias("successes"),
                    requests.sum().alias("totals"),
                    pl.col(FIRST).min().alias("first"),
                )
                .with_columns(named),
                binned.filter(in_recovery)
                .group_by(NO_GROUP, "seconds", "bin")
                .agg(pl.col("n").sum())
                .with_columns(named),
            ]
        )
        self._seen.update(seen[NO_GROUP])
        self._baseline.append(baseline)
        self._seconds.append(seconds)
        self._fast.append(fast)

    def groups(self, objective: Objective) -> dict[str, RecoveryGroup]:
        groups = {group: RecoveryGroup() for group in self._seen}
        if self._baseline:
            for group, index, success, total in pl.concat(self._baseline).rows():
                state = groups[group]
                state.baseline_success += success
                state.baseline_total += total
                state.baseline_latency.add(index, total)
        fastest = {
            group: last_bucket_within(p95 * objective.latency_tolerance)
            for group, state in groups.items()
            if (p95 := state.baseline_latency.quantile(P95)) is not None
        }
        if self._seconds:
            self._count_recovery(groups, fastest)
        return {f"scenario={group}": state for group, state in groups.items()}

    def _count_recovery(self, groups: dict[str, RecoveryGroup], fastest: dict[str, int]) -> None:
        ceiling = pl.DataFrame(
            {NO_GROUP: list(fastest), "ceiling": list(fastest.values())},
            schema={NO_GROUP: pl.String, "ceiling": pl.Int64},
        )
        fast = (
            pl.concat(self._fast)
            .join(ceiling, on=NO_GROUP, how="left")
            .filter(pl.col("bin") <= pl.col("ceiling").fill_null(-1))
            .group_by(NO_GROUP, "seconds")
            .agg(pl.col("n").sum().alias("fast"))
        )
        per_second = (
            pl.concat(self._seconds)
            .group_by(NO_GROUP, "seconds")
            .agg(pl.col("successes").sum(), pl.col("totals").sum(), pl.col("first").min())
            .join(fast, on=[NO_GROUP, "seconds"], how="left")
            .with_columns(pl.col("fast").fill_null(0))
            .sort("seconds")
        )
        for (group,), counted in per_second.partition_by(NO_GROUP, as_dict=True).items():
            state = groups[group]
            state.recovery_start = counted["first"].min()  # type: ignore[assignment]
            for name in ("seconds", "totals", "successes", "fast"):
                setattr(state, name, counted[name].to_numpy().astype(np.int64))
