"""Did-you-mean: the closest known name to a mistyped one, for one-line error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean", "unknown_name"]


def unknown_name(what: str, name: object, known: Iterable[str]) -> str:
    """`unknown intent 'service_overveiw' (did you mean 'service_overview'?); known: a, b`."""
    choices = sorted(known)
    hint = did_you_mean(name, choices)
    return f"unknown {what} {name!r}{hint}; known: {', '.join(choices) or 'none'}"


def did_you_mean(name: object, known: Iterable[str]) -> str:
    """` (did you mean 'metrics'?)` for the closest known name, or "" when none is close."""
    close = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
