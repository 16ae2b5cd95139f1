"""Segments as gate input: a segment folder and the JSON lines of the same observations give
the same evaluation and the same verdict; `gauntlet export` turns one into the other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from conftest import synthetic
from typer.testing import CliRunner

from scenarios import exit_codes
from scenarios.cli.cmd_export import export
from scenarios.cli.cmd_gate import gate
from slo import evaluate_files, load_slo_file
from vocabulary import Phase, write_observations
from vocabulary.segment_writer import SegmentWriter

SLO = (
    "objectives:\n"
    "  - {name: failed, ratio: failed, max: 0.05}\n"
    "  - {name: p99 per intent, latency: p99, max_ms: 1000, per: intent}\n"
    "  - {name: db errors, ratio: tool_error, tool: direct_query, max: 0.2}\n"
    "  - {name: faults, ratio: partial, max: 0.5, filters: {phase: fault}}\n"
)


def both(tmp_path: Path, failed: float) -> tuple[Path, Path]:
    """The same observations as a JSON-lines file and as a folder of segments."""
    records = [
        *synthetic(1500, failed=failed, intents=("a", "b"), tool_error=("direct_query", 0.1)),
        *synthetic(700, failed=failed, partial=0.3, start=1_700_000_100.0, phase=Phase.FAULT),
    ]
    lines = tmp_path / "observations.jsonl"
    with lines.open("w") as stream:
        write_observations(stream, records)
    folder = tmp_path / "observations"
    with SegmentWriter(folder, rows_per_segment=400) as writer:
        writer.extend(records)
    return lines, folder


def gated(observations: Path, slo: Path, out: Path) -> tuple[int, dict]:
    app = typer.Typer()
    app.command()(gate)
    args = [str(observations), "--slo", str(slo), "--out", str(out)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "250"})
    return result.exit_code, json.loads((out / "report.json").read_text())


@pytest.mark.parametrize("failed", [0.01, 0.2])
def test_the_gate_gives_a_segment_folder_and_json_lines_the_same_verdict(
    tmp_path: Path, failed: float
) -> None:
    lines, folder = both(tmp_path, failed)
    slo = tmp_path / "slo.yaml"
    slo.write_text(SLO)
    from_lines = gated(lines, slo, tmp_path / "from-lines")
    from_segments = gated(folder, slo, tmp_path / "from-segments")
    assert from_segments[0] == from_lines[0]
    assert from_lines[0] == (exit_codes.OK if failed < 0.05 else exit_codes.FAILED)
    assert from_segments[1]["objectives"] == from_lines[1]["objectives"]
    assert from_segments[1]["observations"] == from_lines[1]["observations"] == 2200


def test_segment_files_and_json_lines_together_read_as_one_run(tmp_path: Path) -> None:
    lines, folder = both(tmp_path, 0.01)
    spec = load_slo_file(_slo(tmp_path))
    whole = evaluate_files(lines, spec)
    halves = evaluate_files([folder / "observations-000001.parquet", lines], spec)
    assert halves.observations == whole.observations + 400


def test_export_writes_the_json_lines_the_run_would_have_written(tmp_path: Path) -> None:
    lines, folder = both(tmp_path, 0.01)
    app = typer.Typer()
    app.command()(export)
    out = tmp_path / "exported.jsonl"
    result = CliRunner().invoke(app, [str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == lines.read_text()


def test_a_damaged_segment_is_named_in_one_line(tmp_path: Path) -> None:
    _, folder = both(tmp_path, 0.01)
    damaged = folder / "observations-000002.parquet"
    damaged.write_bytes(damaged.read_bytes()[:100])
    code, message = _gate_error(folder, _slo(tmp_path))
    assert code == exit_codes.BAD_INPUT
    assert "observations-00000" in message and len(message.strip().splitlines()) == 1


def test_an_empty_folder_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, message = _gate_error(tmp_path / "empty", _slo(tmp_path))
    assert code == exit_codes.BAD_INPUT and "no observation segments" in message


def _slo(tmp_path: Path) -> Path:
    slo = tmp_path / "slo.yaml"
    slo.write_text(SLO)
    return slo


def _gate_error(observations: Path, slo: Path) -> tuple[int, str]:
    app = typer.Typer()
    app.command()(gate)
    args = [str(observations), "--slo", str(slo), "--out", str(observations.parent / "out")]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output
