"""One OpenSLO v1 objective and its SLI, mapped onto a Gauntlet objective (see `openslo`)."""

from __future__ import annotations

import re
from typing import Any

from vocabulary import STATUSES

Path_ = tuple[str | int, ...]

BUDGETING_METHODS = ("Occurrences", "Timeslices", "RatioTimeslices")
_BUDGETING = {
    "Occurrences": "occurrences",
    "Timeslices": "timeslices",
    "RatioTimeslices": "ratio_timeslices",
}
_STATUS_IN = re.compile(r"^status\s+in\s*\(([^)]*)\)$")
_STATUS_EQ = re.compile(r"^status\s*==?\s*(\w+)$")
_TOOL_ERROR = re.compile(r"^tool_error\(\s*([\w.-]+)\s*\)$")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(s|m|h|d|w)$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class OpenSloError(ValueError):
    """An OpenSLO document is incomplete, contradicts itself, or uses something the gate
    cannot map; `doc_index` and `loc` say where."""

    def __init__(self, doc_index: int, loc: Path_, message: str) -> None:
        super().__init__(message)
        self.doc_index = doc_index
        self.loc = loc


def required(index: int, holder: dict[str, Any], loc: Path_) -> Any:
    """`holder[loc[-1]]`, or the refusal naming the missing field."""
    if holder.get(loc[-1]) is None:
        raise OpenSloError(index, loc, "required field is missing")
    return holder[loc[-1]]


def one_of(
    index: int, loc: Path_, holder: dict[str, Any], keys: tuple[str, str], *, needed: bool
) -> str | None:
    """Which of two mutually exclusive keys `holder` gives; both is an error, and so is
    neither when one is `needed`."""
    given = [key for key in keys if holder.get(key) is not None]
    if len(given) == 2:
        raise OpenSloError(
            index, loc + (keys[1],), f"expected either '{keys[0]}' or '{keys[1]}', not both"
        )
    if not given and needed:
        raise OpenSloError(index, loc, f"expected '{keys[0]}' or '{keys[1]}'")
    return given[0] if given else None


def map_objective(
    index: int,
    loc: Path_,
    objective: dict[str, Any],
    sli: tuple[int, Path_, dict[str, Any]],
    budgeting: str,
) -> dict[str, Any]:
    target = _target(index, loc, objective)
    sli_index, sli_loc, sli_spec = sli
    slices = _time_slices(index, loc, objective, budgeting)
    kind = one_of(sli_index, sli_loc, sli_spec, ("ratioMetric", "thresholdMetric"), needed=True)
    if kind == "thresholdMetric":
        if slices:
            raise OpenSloError(
                index,
                loc + ("timeSliceWindow",),
                f"{budgeting} with a thresholdMetric is not supported; use Occurrences",
            )
        return _threshold(index, loc, objective, sli, target)
    op = objective.get("op", "gte")
    if op not in ("gt", "gte"):
        raise OpenSloError(
            index, loc + ("op",), f"a ratio objective supports op 'gt' or 'gte', got {op!r}"
        )
    if "value" in objective:
        raise OpenSloError(index, loc + ("value",), "'value' is only for a thresholdMetric")
    # Timeslices judges each slice against timeSliceTarget; target is the good-slice share
    bound = slices.pop("slice_bound", target)
    mapped = _ratio(sli_index, sli_loc + ("ratioMetric",), sli_spec["ratioMetric"], bound)
    if budgeting == "Timeslices":
        slices["good_slices"] = target
    return mapped | slices


def _threshold(
    index: int,
    loc: Path_,
    objective: dict[str, Any],
    sli: tuple[int, Path_, dict[str, Any]],
    target: float,
) -> dict[str, Any]:
    sli_index, sli_loc, sli_spec = sli
    query = _query(sli_index, sli_loc + ("thresholdMetric",), sli_spec["thresholdMetric"])
    if query != "latency_ms":
        raise OpenSloError(
            sli_index,
            sli_loc + ("thresholdMetric", "metricSource", "spec", "query"),
            f"expected 'latency_ms', got {query!r}",
        )
    op = required(index, objective, loc + ("op",))
    if op not in ("lt", "lte"):
        raise OpenSloError(
            index, loc + ("op",), f"a latency objective supports op 'lt' or 'lte', got {op!r}"
        )
    value = required(index, objective, loc + ("value",))
    if not isinstance(value, (int, float)) or value <= 0:
        raise OpenSloError(
            index, loc + ("value",), f"expected a latency bound in milliseconds, got {value!r}"
        )
    return {"latency": f"p{round(target * 100, 4):g}", "max_ms": float(value)}


def _target(index: int, loc: Path_, objective: dict[str, Any]) -> float:
    if one_of(index, loc, objective, ("target", "targetPercent"), needed=True) == "targetPercent":
        value = objective["targetPercent"]
        if isinstance(value, (int, float)) and 0 < value < 100:
            return float(value) / 100
        raise OpenSloError(
            index,
            loc + ("targetPercent",),
            f"expected a percentage between 0 and 100, got {value!r}",
        )
    value = objective["target"]
    if isinstance(value, (int, float)) and 0 < value < 1:
        return float(value)
    raise OpenSloError(
        index, loc + ("target",), f"expected a fraction between 0 and 1, got {value!r}"
    )


def _time_slices(
    index: int, loc: Path_, objective: dict[str, Any], budgeting: str
) -> dict[str, Any]:
    """The slice fields of `budgeting`; each slice field is refused where it has no meaning."""
    for key, wanted in (
        ("timeSliceTarget", ("Timeslices",)),
        ("timeSliceWindow", ("Timeslices", "RatioTimeslices")),
    ):
        if key in objective and budgeting not in wanted:
            raise OpenSloError(
                index, loc + (key,), f"only with budgetingMethod {' or '.join(wanted)}"
            )
        if key not in objective and budgeting in wanted:
            raise OpenSloError(index, loc + (key,), f"required with budgetingMethod {budgeting}")
    if budgeting == "Occurrences":
        return {}
    window = objective["timeSliceWindow"]
    if isinstance(window, (int, float)) and not isinstance(window, bool) and window > 0:
        seconds = float(window) * 60  # the specification reads a bare number as minutes
    elif match := _DURATION.match(str(window)):
        seconds = float(match.group(1)) * _SECONDS[match.group(2)]
    else:
        raise OpenSloError(
            index,
            loc + ("timeSliceWindow",),
            f"expected a duration such as 30s or 1m, got {window!r}",
        )
    mapped: dict[str, Any] = {"budgeting": _BUDGETING[budgeting], "slice_s": seconds}
    if budgeting == "Timeslices":
        slice_target = objective["timeSliceTarget"]
        if not isinstance(slice_target, (int, float)) or not 0 < slice_target <= 1:
            raise OpenSloError(
                index,
                loc + ("timeSliceTarget",),
                f"expected a fraction in (0, 1], got {slice_target!r}",
            )
        mapped["slice_bound"] = float(slice_target)
    return mapped


def _ratio(index: int, loc: Path_, metric: Any, target: float) -> dict[str, Any]:
    if not isinstance(metric, dict):
        raise OpenSloError(index, loc, "expected a mapping")
    if metric.get("raw") is not None or metric.get("rawType") is not None:
        for key in ("good", "bad", "total"):
            if key in metric:
                raise OpenSloError(index, loc + (key,), "'raw' excludes good, bad and total")
        raise OpenSloError(
            index, loc + ("raw",), "raw ratio metrics are not supported; use good/bad and total"
        )
    side = one_of(index, loc, metric, ("good", "bad"), needed=True)
    assert side is not None
    total = _query(index, loc + ("total",), required(index, metric, loc + ("total",)))
    if total != "all":
        raise OpenSloError(
            index,
            loc + ("total", "metricSource", "spec", "query"),
            f"expected 'all', got {total!r}",
        )
    query_loc = loc + (side, "metricSource", "spec", "query")
    ratio = _event_query(index, query_loc, _query(index, loc + (side,), metric[side]))
    bound = {"min": target} if side == "good" else {"max": round(1 - target, 12)}
    return ratio | bound


def _query(index: int, loc: Path_, source: Any) -> str:
    source_spec = (
        ((source or {}).get("metricSource") or {}).get("spec", {})
        if isinstance(source, dict)
        else None
    )
    if not isinstance(source_spec, dict) or not isinstance(source_spec.get("query"), str):
        raise OpenSloError(
            index,
            loc + ("metricSource", "spec", "query"),
            "required field is missing (see the query convention in slo/openslo.py)",
        )
    return " ".join(source_spec["query"].split())


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
