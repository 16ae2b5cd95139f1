"""A pydantic field type for "any registered fault kind", read from the registry when used.

A discriminated union over `FAULT_KINDS` would freeze the registry at import: a kind
registered later would be listed but refused. `registered_fault(base)` looks the `kind`
up in `FAULT_KINDS` each time it validates, and raises the same errors a discriminated
union raises (so located YAML input reports them the same way).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator
from pydantic_core import PydanticCustomError

from vocabulary import unknown_name

from .base import FAULT_KINDS, Fault

__all__ = ["registered_fault"]


def registered_fault(base: type[Fault] = Fault) -> Any:
    """The field type accepting any registered kind that is a subclass of `base`."""

    def validate(value: Any) -> Fault:
        if isinstance(value, base):
            return value
        if not isinstance(value, dict):
            raise PydanticCustomError(
                "model_attributes_type", "expected a mapping with a 'kind' key"
            )
        if "kind" not in value:
            raise PydanticCustomError(
                "union_tag_not_found",
                "Unable to extract tag using discriminator 'kind'",
                {"discriminator": "'kind'"},
            )
        kinds = {kind: cls for kind, cls in FAULT_KINDS.items() if issubclass(cls, base)}
        cls = kinds.get(value["kind"]) if isinstance(value["kind"], str) else None
        if cls is None:
            expected = ", ".join(repr(kind) for kind in kinds)
            raise PydanticCustomError(
                "union_tag_invalid",
                "{message}",
                {
                    "discriminator": "'kind'",
                    "tag": value["kind"],
                    "expected_tags": expected,
                    "message": unknown_name("fault kind", value["kind"], kinds),
                },
            )
        return cls.model_validate(value)

    return Annotated[
        base,
        PlainValidator(validate),
        PlainSerializer(lambda fault: fault.model_dump(mode="json"), return_type=dict),
    ]
