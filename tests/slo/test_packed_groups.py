"""A packed group-by forms the groups a plain lazy group-by forms."""

from __future__ import annotations

import polars as pl

from slo.packed_groups import packed_group_by


def test_a_float_index_at_a_boundary_lands_where_the_lazy_engine_puts_it() -> None:
    # 1700000000.6 / 0.2 is 8500000002.999999 in floating point: floored, window 2 of the
    # second; an index computed another way (times 5) would say 3 and split the run's windows
    rows = pl.DataFrame({"ts": [1700000000.0, 1700000000.6], "tenant": ["a", "b"]})
    rows = rows.with_columns(pl.col("tenant").cast(pl.Categorical))
    window = (pl.col("ts") / 0.2).floor().cast(pl.Int64).alias("window")
    packed = packed_group_by(rows, [window, pl.col("tenant")], [pl.len().alias("n")])
    plain = rows.lazy().group_by(window, "tenant").agg(pl.len().alias("n")).collect()
    assert packed.sort("window").equals(plain.sort("window"))
    assert packed.sort("window")["window"].to_list() == [8500000000, 8500000002]
