"""A soak's segments, as bench/soak_scale.py writes them (uuid request ids, a tool error on
every bad request, `extra` JSON), judged the gate's way (`evaluate_files` on the folder: read
a chunk at a time, percentiles from histograms and a second read) give the very report the
whole-frame evaluation, the JSON-lines path, gives of the same observations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import slo.streamed_evaluation as streamed
from bench.slo_eval import SPEC
from bench.soak_scale import batch_of
from slo import SloSpec
from slo.evaluation import evaluate_files, evaluate_frame
from slo.frame import expand, read_frame
from slo.report_json import report_document
from vocabulary.segment_writer import SegmentWriter

COUNT = 60_000


def test_a_soak_folder_gets_the_whole_frames_report(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    with SegmentWriter(tmp_path, rows_per_segment=7_000, seconds_per_segment=float("inf")) as w:
        for first in range(0, COUNT, 10_000):
            w.append_batch(batch_of(first, 10_000, COUNT, rng))
    spec = SloSpec.model_validate(SPEC)
    files = expand(tmp_path)
    whole = evaluate_frame(read_frame(files, spec, extra=("intent", "source")), spec)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(streamed, "CHUNK_ROWS", 9_000)  # chunks cut across segments
        parts = evaluate_files(tmp_path, spec)
    assert parts.observations == COUNT and len(files) > 5
    assert report_document(parts, [], [], "soak") == report_document(whole, [], [], "soak")
    assert parts.timeline.rows.equals(whole.timeline.rows)
    assert {"pass", "fail"} <= {r.verdict.value for r in parts.results}
