"""OpenSLO v1 import: `SLO` and `SLI` documents, from one or several files, mapped onto
`SloSpec`; the other kinds and `alertPolicies` are read and listed as not evaluated.

OpenSLO leaves metric sources to vendors (a PromQL string, a Datadog query ...). Gauntlet's
observations are the only source, so a metric source's `spec.query` uses this small
convention (whitespace is free, names are case-sensitive):

    ratioMetric good / bad:   status in (success, partial)   status == failed
                              fallback                       tool_error(direct_query)
    ratioMetric total:        all
    thresholdMetric:          latency_ms

Budgeting, as the v1 specification defines it (see `slo/timeslices.py`):
- `Occurrences`: a ratio objective's `target` (or `targetPercent`) becomes `min` of the good
  ratio, or `max: 1 - target` of the bad ratio; a threshold objective with `op: lt|lte`,
  `value: N` and `target: 0.99` becomes `latency: p99, max_ms: N`.
- `Timeslices`: a slice of `timeSliceWindow` is good when its ratio meets `timeSliceTarget`;
  `target` is the share of good slices required.
- `RatioTimeslices`: the mean of the slices' ratios must meet `target`.

`timeWindow` is checked and not used: the gate evaluates the run it is given. Required
fields missing, or fields the specification says exclude each other, are refused one at a
time, naming the field. Composite objectives and raw metrics are refused; other SLO formats
(OpenSLO v2alpha, Sloth, Pyrra) are named and refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .openslo_objectives import (
    BUDGETING_METHODS,
    OpenSloError,
    Path_,
    map_objective,
    one_of,
    required,
)

__all__ = ["OpenSloError", "foreign_format", "is_openslo", "openslo_to_spec"]

_NOT_EVALUATED_KINDS = (
    "AlertPolicy",
    "AlertCondition",
    "AlertNotificationTarget",
    "DataSource",
    "Service",
)
_SUPPORTED = "the gate reads OpenSLO v1 ('apiVersion: openslo/v1') or its own SLO file format"


def is_openslo(documents: Sequence[Any]) -> bool:
    return any(_api_version(d).startswith("openslo/") for d in documents)


def foreign_format(documents: Sequence[Any]) -> tuple[int, Path_, str] | None:
    """The first document of another SLO format, as (index, field, one-line refusal)."""
    for index, doc in enumerate(documents):
        api = _api_version(doc)
        kind = doc.get("kind") if isinstance(doc, dict) else None
        if api.startswith("openslo.com/") or (api.startswith("openslo/") and api != "openslo/v1"):
            what = f"an OpenSLO {api.split('/', 1)[1]} document"
        elif api.startswith("sloth.slok.dev/") or kind == "PrometheusServiceLevel":
            what = f"a Sloth Kubernetes document ({api} {kind})"
        elif isinstance(doc, dict) and str(doc.get("version", "")).startswith("prometheus/"):
            return index, ("version",), f"a Sloth SLO file ({doc['version']}); {_SUPPORTED}"
        elif api.startswith("pyrra.dev/"):
            what = f"a Pyrra document ({api} {kind})"
        else:
            continue
        return index, ("apiVersion",), f"{what}; {_SUPPORTED}"
    return None


def openslo_to_spec(documents: Sequence[Any]) -> dict[str, Any]:
    """Translate OpenSLO documents (of one or several files) into the raw mapping of an
    `SloSpec`; every SLI of any file can be referenced by every SLO."""
    slis, slos, not_evaluated = _sorted_documents(documents)
    if not slos:
        raise OpenSloError(0, (), "expected at least one OpenSLO document of kind 'SLO'")
    objectives: list[dict[str, Any]] = []
    for index, doc in slos:
        objectives.extend(_slo_objectives(index, doc, slis, not_evaluated))
    first = slos[0][1]
    return {
        "name": _name(slos[0][0], first),
        "description": str(first["spec"].get("description") or ""),
        "objectives": objectives,
        "not_evaluated": not_evaluated,
    }


def _sorted_documents(
    documents: Sequence[Any],
) -> tuple[dict[str, tuple[int, dict[str, Any]]], list[tuple[int, dict[str, Any]]], list[str]]:
    """The SLIs by name, the SLOs, and the documents of kinds the gate does not evaluate,
    each with the index of its document."""
    slis: dict[str, tuple[int, dict[str, Any]]] = {}
    slos: list[tuple[int, dict[str, Any]]] = []
    not_evaluated: list[str] = []
    for index, doc in enumerate(documents):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise OpenSloError(index, (), "expected an OpenSLO document (a mapping)")
        if doc.get("apiVersion") != "openslo/v1":
            raise OpenSloError(
                index, ("apiVersion",), f"expected 'openslo/v1', got {doc.get('apiVersion')!r}"
            )
        kind, name = required(index, doc, ("kind",)), _name(index, doc)
        if kind == "SLI":
            if name in slis:
                raise OpenSloError(index, ("metadata", "name"), f"a second SLI named {name!r}")
            slis[name] = (index, _spec(index, doc))
        elif kind == "SLO":
            slos.append((index, doc))
        elif kind in _NOT_EVALUATED_KINDS:
            not_evaluated.append(f"{kind} {name!r}")
        else:
            raise OpenSloError(
                index,
                ("kind",),
                f"expected one of SLO, SLI, {', '.join(_NOT_EVALUATED_KINDS)}, got {kind!r}",
            )
    return slis, slos, not_evaluated


def _api_version(doc: Any) -> str:
    return str(doc.get("apiVersion", "")) if isinstance(doc, dict) else ""


def _name(index: int, doc: dict[str, Any]) -> str:
    metadata = doc.get("metadata")
    if not isinstance(metadata, dict):
        raise OpenSloError(index, ("metadata",), "required field is missing")
    name = required(index, metadata, ("metadata", "name"))
    if not isinstance(name, str) or not name:
        raise OpenSloError(index, ("metadata", "name"), f"expected a name, got {name!r}")
    return name


def _spec(index: int, doc: dict[str, Any]) -> dict[str, Any]:
    spec = required(index, doc, ("spec",))
    if not isinstance(spec, dict):
        raise OpenSloError(index, ("spec",), "expected a mapping")
    return spec


def _slo_objectives(
    index: int,
    doc: dict[str, Any],
    slis: dict[str, tuple[int, dict[str, Any]]],
    not_evaluated: list[str],
) -> list[dict[str, Any]]:
    spec, slo_name = _spec(index, doc), _name(index, doc)
    required(index, spec, ("spec", "service"))
    budgeting = required(index, spec, ("spec", "budgetingMethod"))
    if budgeting not in BUDGETING_METHODS:
        raise OpenSloError(
            index,
            ("spec", "budgetingMethod"),
            f"expected one of {', '.join(BUDGETING_METHODS)}, got {budgeting!r}",
        )
    _check_time_window(index, spec)
    if spec.get("alertPolicies"):
        count = len(spec["alertPolicies"]) if isinstance(spec["alertPolicies"], list) else 1
        not_evaluated.append(f"SLO {slo_name!r}: alertPolicies ({count})")
    default_sli = _indicator(index, ("spec",), spec, slis)
    objectives = required(index, spec, ("spec", "objectives"))
    if not isinstance(objectives, list) or not objectives:
        raise OpenSloError(index, ("spec", "objectives"), "expected a non-empty list of objectives")
    return [
        _map_objective(index, position, objectives, slo_name, slis, default_sli, budgeting)
        for position in range(len(objectives))
    ]


def _map_objective(
    index: int,
    position: int,
    objectives: list[Any],
    slo_name: str,
    slis: dict[str, tuple[int, dict[str, Any]]],
    default_sli: tuple[int, Path_, dict[str, Any]] | None,
    budgeting: str,
) -> dict[str, Any]:
    """One objective of an SLO, with the indicator it names (or the SLO's own)."""
    objective = objectives[position]
    loc: Path_ = ("spec", "objectives", position)
    if not isinstance(objective, dict):
        raise OpenSloError(index, loc, "expected a mapping")
    if "compositeWeight" in objective:
        raise OpenSloError(
            index, loc + ("compositeWeight",), "composite SLOs are not supported by the gate"
        )
    sli = _indicator(index, loc, objective, slis) or default_sli
    if sli is None:
        raise OpenSloError(index, ("spec", "indicator"), "expected 'indicator' or 'indicatorRef'")
    if "thresholdMetric" in sli[2] and len(objectives) > 1:
        raise OpenSloError(
            index, ("spec", "objectives"), "a thresholdMetric SLO takes exactly one objective"
        )
    label = objective.get("displayName") or f"objective {position + 1}"
    entry = {"name": f"{slo_name}: {label}" if len(objectives) > 1 else slo_name}
    return entry | map_objective(index, loc, objective, sli, budgeting)


def _check_time_window(index: int, spec: dict[str, Any]) -> None:
    if "timeWindow" not in spec:
        return
    window = spec["timeWindow"]
    if not isinstance(window, list) or len(window) != 1 or not isinstance(window[0], dict):
        raise OpenSloError(index, ("spec", "timeWindow"), "expected a list of exactly one item")
    required(index, window[0], ("spec", "timeWindow", 0, "duration"))


def _indicator(
    index: int, loc: Path_, holder: dict[str, Any], slis: dict[str, tuple[int, dict[str, Any]]]
) -> tuple[int, Path_, dict[str, Any]] | None:
    given = one_of(index, loc, holder, ("indicator", "indicatorRef"), needed=False)
    if given == "indicatorRef":
        ref = holder["indicatorRef"]
        if ref not in slis:
            raise OpenSloError(
                index, loc + ("indicatorRef",), f"no SLI document named {ref!r} in the SLO files"
            )
        sli_index, sli_spec = slis[ref]
        return sli_index, ("spec",), sli_spec
    if given == "indicator":
        indicator = holder["indicator"]
        if not isinstance(indicator, dict) or not isinstance(indicator.get("spec"), dict):
            raise OpenSloError(
                index, loc + ("indicator",), "expected a mapping with 'metadata' and 'spec'"
            )
        return index, loc + ("indicator", "spec"), indicator["spec"]
    return None
