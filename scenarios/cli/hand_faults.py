"""Faults added by hand to a running `serve --chaos` stack, and taken away again.

Only network faults (Toxiproxy toxics and `down`) can be added by hand: they live in the
Toxiproxy server, so they outlast the short `gauntlet fault add` process. What a fault
changed (the toxics it added, whether it disabled its proxy) is read from the server
before and after, and recorded, so `fault remove` undoes exactly that.
"""

from __future__ import annotations

import time
import uuid
from contextlib import ExitStack
from typing import Any

from chaos.faults import FAULT_KINDS, DownFault, Fault, ToxicFault, parse_fault
from chaos.toxiproxy import ToxiproxyClient, ToxiproxyNotFound

from .stack_state import HandFault, StackRecord

HAND_KINDS = tuple(
    sorted(kind for kind, cls in FAULT_KINDS.items() if issubclass(cls, ToxicFault | DownFault))
)


class _Proxies:
    """The slice of a fault target that network faults use."""

    def __init__(self, client: ToxiproxyClient, proxies: dict[str, str]) -> None:
        self.toxiproxy = client
        self._proxies = proxies

    def proxy_name(self, upstream: str) -> str:
        return self._proxies[upstream]


def hand_fault(kind: str, fields: dict[str, Any]) -> Fault:
    """The validated fault; `ValueError` (one line) if it is not a network fault or is bad."""
    if kind not in HAND_KINDS:
        if kind in FAULT_KINDS:
            raise ValueError(
                f"{kind!r} cannot be added by hand; network faults can: {', '.join(HAND_KINDS)}"
            )
        from vocabulary import unknown_name

        raise ValueError(unknown_name("fault kind", kind, HAND_KINDS))
    from pydantic import ValidationError

    try:
        return parse_fault({"kind": kind, **fields})
    except ValidationError as exc:
        raise ValueError(f"{kind}: {_in_our_words(kind, exc)}") from None


def _in_our_words(kind: str, exc: Any) -> str:
    """The error a user should fix first (a misspelt field before the field it leaves missing),
    in the words of `gauntlet list faults`, never pydantic's."""
    from vocabulary import unknown_name
    from vocabulary.unit_hints import number_message

    errors = exc.errors(include_url=False)
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = [part for part in error["loc"] if "function-" not in str(part) and part != kind]
    name = ".".join(str(part) for part in loc)
    known = [field for field in FAULT_KINDS[kind].model_fields if field != "kind"]
    if error["type"] == "extra_forbidden":
        return unknown_name("field", name, known)
    if error["type"] == "missing":
        return f"{name}: required field is missing (write {name}=VALUE)"
    said = number_message(error, known, repr) or error["msg"]
    said = said.replace("Input should be ", "expected ")
    return f"{name}: {said}, got {error['input']!r}" if ", got " not in said else f"{name}: {said}"


def unknown_proxy(stack: StackRecord, fault: Fault) -> str | None:
    """One line when `fault` names an upstream the stack has no proxy for, else None."""
    from vocabulary import unknown_name

    upstream = getattr(fault, "upstream", None)
    if upstream is None or upstream in stack.proxies:
        return None
    return f"{fault.kind}: {unknown_name('upstream', upstream, stack.proxies)}"


def add(stack: StackRecord, fault: Fault) -> HandFault:
    """Apply `fault` to the stack's proxies and leave it there; returns its record."""
    client = ToxiproxyClient(stack.toxiproxy_url)
    proxy = stack.proxies[fault.upstream]  # type: ignore[attr-defined]
    toxics_before = {toxic.name for toxic in client.toxics(proxy)}
    was_enabled = client.proxy(proxy).enabled
    with ExitStack() as undo:
        fault.inject(_Proxies(client, stack.proxies), undo)  # type: ignore[arg-type]
        undo.pop_all()  # kept: it is removed by `fault remove` or when the stack stops
    added = sorted({toxic.name for toxic in client.toxics(proxy)} - toxics_before)
    return HandFault(
        id=uuid.uuid4().hex[:6],
        kind=fault.kind,  # type: ignore[attr-defined]
        fields=fault.model_dump(mode="json", exclude={"kind"}),
        added_at=time.time(),
        proxy=proxy,
        toxics=added,
        disabled=was_enabled and not client.proxy(proxy).enabled,
    )


def remove(stack: StackRecord, fault: HandFault) -> None:
    """Undo what `fault` changed; what is already gone is not an error."""
    client = ToxiproxyClient(stack.toxiproxy_url)
    try:
        for name in fault.toxics:
            client.remove_toxic(fault.proxy, name, missing_ok=True)
        if fault.disabled:
            client.enable(fault.proxy)
    except ToxiproxyNotFound:
        pass  # the proxy itself is gone: so is everything on it


def age(seconds: float) -> str:
    """`42s`, `3m05s`, `2h01m`."""
    whole = int(max(seconds, 0))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def describe(fault: HandFault) -> str:
    fields = " ".join(f"{key}={value}" for key, value in fault.fields.items())
    return f"{fault.kind} {fields}".strip()
