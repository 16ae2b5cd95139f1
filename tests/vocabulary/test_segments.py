"""Observation segments: what is written reads back as it was, whether through the segment
reader or as exported JSON lines; segments rotate by count and by time; a writer killed in
the middle of a segment leaves every closed segment whole."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vocabulary import STATUSES, Observation, Phase, write_observations
from vocabulary.segment_format import observations_of
from vocabulary.segment_writer import SegmentWriter, segment_files

TEXT = st.text(max_size=8)
NUMBERS = st.integers() | st.floats(allow_nan=False, allow_infinity=False)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
RECORDS = st.builds(
    Observation,
    ts=st.floats(0, 2e9),
    source=TEXT,
    scenario=TEXT,
    phase=st.sampled_from(Phase),
    # uuid4 hex ids (stored as their 16 bytes) and any other text (stored as written)
    request_id=st.binary(min_size=16, max_size=16).map(bytes.hex) | st.text(max_size=40),
    tenant=TEXT,
    intent=TEXT,
    status=st.sampled_from(STATUSES),
    latency_ms=st.floats(0, 1e6),
    tool_errors=st.dictionaries(TEXT, TEXT, max_size=3),
    fallback_used=st.booleans(),
    extra=st.dictionaries(TEXT, JSON_VALUES, max_size=3),
)


def read_back(folder: Path) -> list[Observation]:
    return [obs for path in segment_files(folder) for obs in observations_of(path)]


# each example writes and fsyncs files: a busy machine takes longer than the default deadline
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None
)
@given(st.lists(RECORDS, max_size=12), st.integers(1, 5))
def test_segments_read_back_as_the_json_lines_of_the_same_records(
    tmp_path_factory, observations: list[Observation], rows_per_segment: int
) -> None:
    folder = tmp_path_factory.mktemp("segments")
    with SegmentWriter(folder, rows_per_segment=rows_per_segment) as writer:
        writer.extend(observations)
    assert read_back(folder) == observations
    written, exported = io.StringIO(), io.StringIO()
    write_observations(written, observations)
    write_observations(exported, read_back(folder))
    assert exported.getvalue() == written.getvalue()


def test_a_segment_closes_at_its_row_count(tmp_path: Path) -> None:
    records = [Observation(ts=i, scenario="s", status="success", latency_ms=1.0) for i in range(7)]
    with SegmentWriter(tmp_path, rows_per_segment=3) as writer:
        writer.extend(records)
        assert len(segment_files(tmp_path)) == 2  # the 7th record is in the open one
    assert [len(list(observations_of(p))) for p in segment_files(tmp_path)] == [3, 3, 1]


def test_a_segment_closes_when_its_time_is_up(tmp_path: Path) -> None:
    now = [0.0]
    writer = SegmentWriter(tmp_path, seconds_per_segment=60.0, clock=lambda: now[0])
    record = Observation(ts=1.0, scenario="s", status="success", latency_ms=1.0)
    writer.append(record)
    now[0] = 59.0
    writer.append(record)
    assert segment_files(tmp_path) == []
    now[0] = 60.0
    writer.append(record)
    assert len(segment_files(tmp_path)) == 1
    now[0] = 500.0  # a quiet stretch: the next segment's time starts at its first record
    writer.append(record)
    assert len(segment_files(tmp_path)) == 1
    writer.close()
    assert [len(list(observations_of(p))) for p in segment_files(tmp_path)] == [3, 1]


def test_a_folder_appended_to_keeps_its_segments(tmp_path: Path) -> None:
    record = Observation(ts=1.0, scenario="s", status="success", latency_ms=1.0)
    for _ in range(2):
        with SegmentWriter(tmp_path) as writer:
            writer.append(record)
    assert len(read_back(tmp_path)) == 2


ROWS = 500
WRITER = textwrap.dedent(
    f"""
    import sys
    from pathlib import Path
    from vocabulary import Observation
    from vocabulary.segment_writer import SegmentWriter

    writer = SegmentWriter(Path(sys.argv[1]), rows_per_segment={ROWS})
    index = 0
    while True:
        writer.append(Observation(ts=float(index), scenario="s", status="success",
                                  latency_ms=1.0, request_id=f"{{index:032x}}"))
        index += 1
        if index % {ROWS} == 0:
            print(f"closed {{writer.written}}", flush=True)
    """
)


def test_a_writer_killed_mid_segment_loses_at_most_the_open_one(tmp_path: Path) -> None:
    folder = tmp_path / "observations"
    # stderr joins stdout: one pipe, read as it comes, so the child never blocks on it
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert child.stdout is not None
        closed = 0
        for line in child.stdout:
            assert line.startswith("closed "), line
            closed = int(line.split()[1])
            if closed >= 3 * ROWS:
                break
        child.send_signal(signal.SIGKILL)  # in the middle of the next segment, or writing it
        child.stdout.read()
    finally:
        child.kill()
        child.wait()
    survived = read_back(folder)
    assert len(survived) % ROWS == 0 and len(survived) >= closed
    assert [o.ts for o in survived] == [float(i) for i in range(len(survived))]
    assert [o.request_id for o in survived] == [f"{i:032x}" for i in range(len(survived))]
