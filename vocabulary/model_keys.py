"""The keys a pydantic model accepts at a location of a validation error, for did-you-mean.

A location is pydantic's `loc` (`('faults', 0, 'fault', 'latency', 'jiter_ms')`): field
names, list indexes, and union tags that name no field. A tag narrows a union to the
members whose `Literal` field holds it (`kind: latency`); any other unmatched element
(a validator's name) is skipped, as the line finder skips it. Where a base model stands for
its registered subclasses (a fault is any `Fault` chosen by `kind`), the mapping the user
wrote picks the subclass whose `Literal` fields it matches.
"""

from __future__ import annotations

import types
from collections import abc
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

__all__ = ["known_keys"]


def known_keys(model: type[BaseModel], loc: Sequence[str | int], data: object) -> list[str]:
    """Every key the mapping at `loc` of `data` may hold (field names and aliases), sorted;
    [] if unknown."""
    candidates: list[Any] = _leaves(model)
    here = data
    for element in loc:
        candidates = _step(candidates, element)
        if (
            isinstance(here, dict)
            and element in here
            or isinstance(here, list)
            and (isinstance(element, int) and 0 <= element < len(here))
        ):
            here = here[element]  # type: ignore[index]
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    if isinstance(here, dict):
        models = _matching(models, here)
    return sorted({info.alias or name for m in models for name, info in m.model_fields.items()})


def _matching(models: list[type[BaseModel]], written: dict[Any, Any]) -> list[type[BaseModel]]:
    family = [*models, *(sub for m in models for sub in _descendants(m))]
    chosen = [
        m
        for m in family
        if any(
            name in written and written[name] in get_args(leaf)
            for name, info in m.model_fields.items()
            for leaf in _leaves(info.annotation)
            if get_origin(leaf) is Literal
        )
    ]
    return chosen or models


def _descendants(model: type[BaseModel]) -> list[type[BaseModel]]:
    children = model.__subclasses__()
    return [*children, *(grand for child in children for grand in _descendants(child))]


def _step(candidates: list[Any], element: str | int) -> list[Any]:
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    if isinstance(element, str):
        fields = [m.model_fields[element] for m in models if element in m.model_fields]
        if fields:
            return [leaf for info in fields for leaf in _leaves(info.annotation)]
        tagged = [m for m in models if _has_literal(m, element)]
        return tagged or candidates  # a union tag, or a validator's name: skip it
    following = []
    for leaf in candidates:
        args = get_args(leaf)
        if get_origin(leaf) in (list, tuple, set, frozenset, abc.Sequence) and args:
            following += _leaves(args[0])
        elif get_origin(leaf) is dict and len(args) == 2:
            following += _leaves(args[1])
    return following or candidates


def _leaves(annotation: Any) -> list[Any]:
    """`annotation` with Annotated, Optional and unions unwrapped into their members."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _leaves(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [leaf for arg in get_args(annotation) for leaf in _leaves(arg)]
    return [annotation]


def _has_literal(model: type[BaseModel], value: str) -> bool:
    for info in model.model_fields.values():
        for leaf in _leaves(info.annotation):
            if get_origin(leaf) is Literal and value in get_args(leaf):
                return True
    return False
