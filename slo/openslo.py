"""OpenSLO v1 import: `SLO` and `SLI` documents mapped onto `SloSpec`.

OpenSLO leaves metric sources to vendors (a PromQL string, a Datadog query ...). Gauntlet's
observations are the only source, so a metric source's `spec.query` uses this small
convention (whitespace is free, names are case-sensitive):

    ratioMetric good / bad:   status in (success, partial)   status == failed
                              fallback                       tool_error(direct_query)
    ratioMetric total:        all
    thresholdMetric:          latency_ms

Mapping: a ratio objective's `target` (or `targetPercent`) becomes `min` of the good
ratio, or `max: 1 - target` of the bad ratio; a threshold objective with `op: lt|lte`,
`value: N` and `target: 0.99` becomes `latency: p99, max_ms: N`. `Timeslices` and
`RatioTimeslices` budgeting become sliding windows of `timeSliceWindow` of which
`timeSliceTarget` must meet the target. `timeWindow` is accepted and not used: the gate
evaluates the run it is given. Anything else that changes the meaning (composite
objectives, alert policies, raw metrics, other kinds) is refused with a named error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from vocabulary import STATUSES

Path_ = tuple[str | int, ...]


class OpenSloError(ValueError):
    """An OpenSLO document uses something the gate cannot map; `loc` says where."""

    def __init__(self, doc_index: int, loc: Path_, message: str) -> None:
        super().__init__(message)
        self.doc_index = doc_index
        self.loc = loc


_STATUS_IN = re.compile(r"^status\s+in\s*\(([^)]*)\)$")
_STATUS_EQ = re.compile(r"^status\s*==?\s*(\w+)$")
_TOOL_ERROR = re.compile(r"^tool_error\(\s*([\w.-]+)\s*\)$")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(s|m|h|d|w)$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_IGNORED_KINDS = ("Service", "DataSource")
_SUPPORTED_BUDGETING = ("Occurrences", "Timeslices", "RatioTimeslices")


def is_openslo(documents: Sequence[Any]) -> bool:
    return any(
        isinstance(d, dict) and str(d.get("apiVersion", "")).startswith("openslo/")
        for d in documents
    )


def openslo_to_spec(documents: Sequence[Any]) -> dict[str, Any]:
    """Translate OpenSLO documents into the raw mapping of an `SloSpec`."""
    slis: dict[str, tuple[int, dict[str, Any]]] = {}
    slos: list[tuple[int, dict[str, Any]]] = []
    for index, doc in enumerate(documents):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise OpenSloError(index, (), "expected an OpenSLO document (a mapping)")
        if doc.get("apiVersion") != "openslo/v1":
            raise OpenSloError(
                index, ("apiVersion",), f"expected 'openslo/v1', got {doc.get('apiVersion')!r}"
            )
        kind = doc.get("kind")
        if kind == "SLI":
            slis[_name(index, doc)] = (index, doc.get("spec") or {})
        elif kind == "SLO":
            slos.append((index, doc))
        elif kind not in _IGNORED_KINDS:
            raise OpenSloError(
                index,
                ("kind",),
                f"kind {kind!r} is not supported by the gate "
                "(expected SLO, SLI, Service or DataSource)",
            )
    if not slos:
        raise OpenSloError(0, (), "expected at least one OpenSLO document of kind 'SLO'")
    objectives: list[dict[str, Any]] = []
    for index, doc in slos:
        objectives.extend(_slo_objectives(index, doc, slis))
    first = slos[0][1]
    return {
        "name": _name(slos[0][0], first),
        "description": str((first.get("spec") or {}).get("description") or ""),
        "objectives": objectives,
    }


def _name(index: int, doc: dict[str, Any]) -> str:
    name = (doc.get("metadata") or {}).get("name")
    if not isinstance(name, str) or not name:
        raise OpenSloError(index, ("metadata", "name"), "required field is missing")
    return name


def _slo_objectives(
    index: int, doc: dict[str, Any], slis: dict[str, tuple[int, dict[str, Any]]]
) -> list[dict[str, Any]]:
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        raise OpenSloError(index, ("spec",), "expected a mapping")
    slo_name = _name(index, doc)
    if spec.get("alertPolicies"):
        raise OpenSloError(
            index,
            ("spec", "alertPolicies"),
            "alert policies are not supported by the gate; remove them",
        )
    budgeting = spec.get("budgetingMethod", "Occurrences")
    if budgeting not in _SUPPORTED_BUDGETING:
        raise OpenSloError(
            index,
            ("spec", "budgetingMethod"),
            f"expected one of {_SUPPORTED_BUDGETING}, got {budgeting!r}",
        )
    default_sli = _indicator(index, ("spec",), spec, slis)
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        raise OpenSloError(index, ("spec", "objectives"), "expected a non-empty list of objectives")
    mapped = []
    for position, objective in enumerate(objectives):
        loc: Path_ = ("spec", "objectives", position)
        if not isinstance(objective, dict):
            raise OpenSloError(index, loc, "expected a mapping")
        if "compositeWeight" in objective:
            raise OpenSloError(
                index, loc + ("compositeWeight",), "composite SLOs are not supported by the gate"
            )
        sli = _indicator(index, loc, objective, slis) or default_sli
        if sli is None:
            raise OpenSloError(index, ("spec",), "expected 'indicator' or 'indicatorRef'")
        label = objective.get("displayName") or f"objective {position + 1}"
        entry: dict[str, Any] = {
            "name": f"{slo_name}: {label}" if len(objectives) > 1 else slo_name
        }
        entry.update(_map_objective(index, loc, objective, sli))
        if budgeting != "Occurrences":
            entry.update(_time_slices(index, loc, objective))
        mapped.append(entry)
    return mapped


def _indicator(
    index: int, loc: Path_, holder: dict[str, Any], slis: dict[str, tuple[int, dict[str, Any]]]
) -> tuple[int, Path_, dict[str, Any]] | None:
    if "indicatorRef" in holder:
        ref = holder["indicatorRef"]
        if ref not in slis:
            raise OpenSloError(
                index, loc + ("indicatorRef",), f"no SLI document named {ref!r} in this file"
            )
        sli_index, sli_spec = slis[ref]
        return sli_index, ("spec",), sli_spec
    if "indicator" in holder:
        indicator = holder["indicator"]
        if not isinstance(indicator, dict) or not isinstance(indicator.get("spec"), dict):
            raise OpenSloError(
                index, loc + ("indicator",), "expected a mapping with 'metadata' and 'spec'"
            )
        return index, loc + ("indicator", "spec"), indicator["spec"]
    return None


def _map_objective(
    index: int, loc: Path_, objective: dict[str, Any], sli: tuple[int, Path_, dict[str, Any]]
) -> dict[str, Any]:
    target = _target(index, loc, objective)
    sli_index, sli_loc, sli_spec = sli
    if "ratioMetric" in sli_spec:
        op = objective.get("op", "gte")
        if op not in ("gt", "gte"):
            raise OpenSloError(
                index, loc + ("op",), f"a ratio objective supports op 'gt' or 'gte', got {op!r}"
            )
        return _ratio(sli_index, sli_loc + ("ratioMetric",), sli_spec["ratioMetric"], target)
    if "thresholdMetric" in sli_spec:
        query = _query(sli_index, sli_loc + ("thresholdMetric",), sli_spec["thresholdMetric"])
        if query != "latency_ms":
            raise OpenSloError(
                sli_index,
                sli_loc + ("thresholdMetric", "metricSource", "spec", "query"),
                f"expected 'latency_ms', got {query!r}",
            )
        if objective.get("op") not in ("lt", "lte"):
            raise OpenSloError(
                index,
                loc + ("op",),
                f"a latency objective supports op 'lt' or 'lte', got {objective.get('op')!r}",
            )
        value = objective.get("value")
        if not isinstance(value, (int, float)) or value <= 0:
            raise OpenSloError(
                index, loc + ("value",), f"expected a latency bound in milliseconds, got {value!r}"
            )
        return {"latency": f"p{round(target * 100, 4):g}", "max_ms": float(value)}
    raise OpenSloError(
        sli_index,
        sli_loc,
        "expected 'ratioMetric' or 'thresholdMetric' (raw metrics are not supported)",
    )


def _target(index: int, loc: Path_, objective: dict[str, Any]) -> float:
    if "targetPercent" in objective:
        value = objective["targetPercent"]
        if isinstance(value, (int, float)) and 0 < value < 100:
            return float(value) / 100
        raise OpenSloError(
            index,
            loc + ("targetPercent",),
            f"expected a percentage between 0 and 100, got {value!r}",
        )
    value = objective.get("target")
    if isinstance(value, (int, float)) and 0 < value < 1:
        return float(value)
    raise OpenSloError(
        index, loc + ("target",), f"expected a fraction between 0 and 1, got {value!r}"
    )


def _ratio(index: int, loc: Path_, metric: Any, target: float) -> dict[str, Any]:
    if not isinstance(metric, dict):
        raise OpenSloError(index, loc, "expected a mapping")
    if metric.get("rawType") or metric.get("raw"):
        raise OpenSloError(
            index, loc + ("raw",), "raw ratio metrics are not supported; use good/bad and total"
        )
    total = _query(index, loc + ("total",), metric.get("total"))
    if total != "all":
        raise OpenSloError(
            index,
            loc + ("total", "metricSource", "spec", "query"),
            f"expected 'all', got {total!r}",
        )
    side = "good" if "good" in metric else "bad"
    if side not in metric:
        raise OpenSloError(index, loc, "expected 'good' or 'bad'")
    query_loc = loc + (side, "metricSource", "spec", "query")
    ratio = _event_query(index, query_loc, _query(index, loc + (side,), metric[side]))
    bound = {"min": target} if side == "good" else {"max": round(1 - target, 12)}
    return ratio | bound


def _query(index: int, loc: Path_, source: Any) -> str:
    query = (
        ((source or {}).get("metricSource") or {}).get("spec", {})
        if isinstance(source, dict)
        else None
    )
    if not isinstance(query, dict) or not isinstance(query.get("query"), str):
        raise OpenSloError(
            index,
            loc + ("metricSource", "spec", "query"),
            "required field is missing (see the query convention in slo/openslo.py)",
        )
    return " ".join(query["query"].split())


def _event_query(index: int, loc: Path_, query: str) -> dict[str, Any]:
    if query == "fallback":
        return {"ratio": "fallback"}
    if match := _TOOL_ERROR.match(query):
        return {"ratio": "tool_error", "tool": match.group(1)}
    match = _STATUS_IN.match(query) or _STATUS_EQ.match(query)
    statuses = [s.strip() for s in match.group(1).split(",") if s.strip()] if match else []
    if not statuses or any(s not in STATUSES for s in statuses):
        raise OpenSloError(
            index,
            loc,
            "expected 'status in (success, partial, ...)', 'status == failed', 'fallback' "
            f"or 'tool_error(TOOL)', got {query!r}",
        )
    return {"ratio": "status_in", "statuses": statuses}


def _time_slices(index: int, loc: Path_, objective: dict[str, Any]) -> dict[str, Any]:
    window = str(objective.get("timeSliceWindow", ""))
    match = _DURATION.match(window)
    if not match:
        raise OpenSloError(
            index,
            loc + ("timeSliceWindow",),
            f"expected a duration such as 30s or 1m, got {window!r}",
        )
    mapped: dict[str, Any] = {"window_s": float(match.group(1)) * _SECONDS[match.group(2)]}
    if "timeSliceTarget" in objective:
        mapped["windows_required"] = objective["timeSliceTarget"]
    return mapped
