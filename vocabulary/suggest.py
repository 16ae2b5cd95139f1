"""Did-you-mean: the closest known name to a mistyped one, for one-line error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["unknown_name"]


def unknown_name(what: str, name: object, known: Iterable[str]) -> str:
    """`unknown intent 'service_overveiw' (did you mean 'service_overview'?); known: a, b`."""
    choices = sorted(known)
    close = difflib.get_close_matches(str(name), choices, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown {what} {name!r}{hint}; known: {', '.join(choices) or 'none'}"
