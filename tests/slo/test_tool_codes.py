"""A tool's code per request is what `pyarrow.compute.map_lookup(..., "first")` returns."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from slo.tool_codes import first_code

_MAP = pa.map_(pa.string(), pa.string())
_ENTRY = st.tuples(st.sampled_from(["direct_query", "metrics", "audit"]), st.sampled_from("xyz"))
_ROW = st.none() | st.lists(_ENTRY, max_size=3)  # null map, empty map, repeated keys


@given(
    chunks=st.lists(st.lists(_ROW, max_size=8), min_size=1, max_size=3),
    offset=st.integers(0, 3),
)
def test_the_first_code_of_each_row_matches_map_lookup(
    chunks: list[list[list[tuple[str, str]] | None]], offset: int
) -> None:
    arrays = [pa.array(rows, type=_MAP) for rows in chunks]
    arrays = [a.slice(min(offset, len(a))) for a in arrays]  # sliced: offsets not from zero
    column = pa.chunked_array(arrays, type=_MAP)
    for tool in ("direct_query", "metrics"):
        expected = pc.map_lookup(column, pa.scalar(tool), "first")
        assert first_code(column, tool).to_pylist() == expected.to_pylist()
