"""The line-aware YAML loader: every user mistake is one line naming file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator

from vocabulary import NestedFieldError, YamlInputError, load_yaml_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Latency(_Strict):
    kind: Literal["latency"]
    latency_ms: int


class Down(_Strict):
    kind: Literal["down"]
    upstream: str


class Step(_Strict):
    name: str
    fault: Annotated[Latency | Down, Field(discriminator="kind")]


class Document(_Strict):
    title: str
    steps: list[Step]
    retries: int = 0

    @field_validator("steps")
    @classmethod
    def _names_unique(cls, steps: list[Step]) -> list[Step]:
        seen: set[str] = set()
        for index, step in enumerate(steps):
            if step.name in seen:
                raise NestedFieldError(
                    f"expected unique step names, got {step.name!r} twice", loc=(index, "name")
                )
            seen.add(step.name)
        return steps


VALID = """\
# a comment first
title: demo
steps:
  - name: one
    fault: {kind: latency, latency_ms: 100}
  - name: two
    fault:
      kind: down
      upstream: metrics
"""


def _load(tmp_path: Path, text: str) -> Document:
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    return load_yaml_model(path, Document)


def _error(tmp_path: Path, text: str) -> YamlInputError:
    with pytest.raises(YamlInputError) as caught:
        _load(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "doc.yaml"))
    return caught.value


def test_valid_document_loads(tmp_path: Path) -> None:
    document = _load(tmp_path, VALID)
    assert [step.name for step in document.steps] == ["one", "two"]
    assert isinstance(document.steps[1].fault, Down)


def test_unknown_key_points_at_the_key(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("  - name: two\n", "  - name: two\n    colour: red\n"))
    assert (error.line, error.field) == (7, "steps[1].colour")
    assert "unknown key" in str(error)


def test_wrong_type_points_at_the_value(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("latency_ms: 100", "latency_ms: slow"))
    assert (error.line, error.field) == (5, "steps[0].fault.latency_ms")
    assert str(error).endswith("got 'slow'")
    assert "expected milliseconds, an integer" in str(error)  # the unit, from the field's name


def test_a_wrong_type_elsewhere_keeps_pydantics_expectation(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("title: demo", "title: demo\nretries: many"))
    assert str(error).endswith(
        "expected a valid integer, unable to parse string as an integer, got 'many'"
    )


def test_missing_field_points_at_the_parent_mapping(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("      upstream: metrics\n", ""))
    assert (error.line, error.field) == (8, "steps[1].fault.upstream")
    assert "required field is missing" in str(error)


def test_missing_top_level_field(tmp_path: Path) -> None:
    error = _error(tmp_path, "\n\nsteps: []\n")
    assert (error.line, error.field) == (3, "title")


def test_unknown_discriminator_names_the_choices(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("kind: down", "kind: dwon"))
    assert (error.line, error.field) == (8, "steps[1].fault.kind")
    assert "'latency', 'down'" in str(error) and "got 'dwon'" in str(error)


def test_nested_field_error_points_inside_a_collection(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("name: two", "name: one"))
    assert (error.line, error.field) == (6, "steps[1].name")


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    error = _error(
        tmp_path,
        VALID.replace(
            "      upstream: metrics\n", "      upstream: metrics\n      upstream: ops\n"
        ),
    )
    assert (error.line, error.field) == (10, "steps[1].fault.upstream")
    assert "first defined at line 9" in str(error)


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    error = _error(tmp_path, "title: demo\nsteps: [\n  {name: a\n")
    assert error.line is not None and error.line >= 2
    assert "not valid YAML" in str(error)


def test_empty_file(tmp_path: Path) -> None:
    error = _error(tmp_path, "# only a comment\n\n")
    assert str(error) == f"{tmp_path / 'doc.yaml'}: empty"


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    error = _error(tmp_path, "- title\n")
    assert error.line == 1 and "expected a mapping" in str(error)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(YamlInputError) as caught:
        load_yaml_model(tmp_path / "absent.yaml", Document)
    assert str(caught.value) == f"{tmp_path / 'absent.yaml'}: file not found"


def test_merge_keys_are_not_duplicates(tmp_path: Path) -> None:
    text = (
        "base: &b {kind: down, upstream: ops}\n"
        "title: t\nsteps:\n  - name: a\n    fault:\n      <<: *b\n      upstream: metrics\n"
    )
    # 'base' is an unknown key of Document: the merge itself must not be blamed first
    error = _error(tmp_path, text)
    assert error.field == "base" and error.line == 1
