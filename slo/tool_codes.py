"""A tool's error code per request, from the `tool_errors` map column: what
`pyarrow.compute.map_lookup(column, tool, "first")` returns, found from the few map entries
rather than row by row (most requests carry no tool error; the lookup took longer than
reading the segment)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def first_code(column: pa.ChunkedArray, tool: str) -> pa.ChunkedArray:
    """Per row, the value of the first entry whose key is `tool`; null where there is none
    (or the map itself is null)."""
    return pa.chunked_array(
        [_first_code(chunk, tool) for chunk in column.chunks], type=column.type.item_type
    )


def _first_code(chunk: pa.MapArray, tool: str) -> pa.Array:
    offsets = chunk.offsets.to_numpy()  # into the unsliced keys and items
    entries = np.flatnonzero(pc.equal(chunk.keys, pa.scalar(tool)).to_numpy(zero_copy_only=False))
    entries = entries[(entries >= offsets[0]) & (entries < offsets[-1])]
    rows = np.searchsorted(offsets, entries, side="right") - 1
    first = np.concatenate([[True], rows[1:] != rows[:-1]]) if len(rows) else rows.astype(bool)
    index = np.zeros(len(chunk), dtype=np.int32)  # offsets are 32-bit: so are entries
    index[rows[first]] = entries[first]
    found = np.zeros(len(chunk), dtype=bool)
    found[rows[first]] = True
    if chunk.null_count:
        found &= chunk.is_valid().to_numpy(zero_copy_only=False)
    validity = pa.py_buffer(np.packbits(found, bitorder="little"))
    picks = pa.Array.from_buffers(pa.int32(), len(chunk), [validity, pa.py_buffer(index)])
    return chunk.items.take(picks)
