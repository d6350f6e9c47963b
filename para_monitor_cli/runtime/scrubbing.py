"""The seam between the runtime hooks and the scrubbing engine (para_monitor_cli.scrub).

:func:`engine_hooks` gives the event and breadcrumb hooks that :func:`init_sentry` chains in
front of the application's own; :func:`filter_sensitive_data` keeps the name and call shape of
the seed's ``sentry_config.filter_sensitive_data`` for code that calls it directly.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from para_monitor_cli.runtime.hooks import BreadcrumbHook, Event, EventHook, Hint

# The engine is imported by the functions that use it: importing the runtime without a DSN
# compiles none of its patterns.


def engine_hooks(
    sensitive_fields: Sequence[str] = (),
    safe_fields: Sequence[str] = (),
    *,
    allow_pii_in_text: bool = False,
) -> tuple[EventHook | None, BreadcrumbHook | None]:
    """The engine's event hook (errors, messages and transactions) and breadcrumb hook,
    configured with the extra sensitive and safe field names, and whether emails and IP
    addresses in free text are kept."""
    from para_monitor_cli.scrub import Scrubber, ScrubConfig, default_scrubber

    if sensitive_fields or safe_fields or allow_pii_in_text:
        scrubber = Scrubber(
            ScrubConfig(tuple(sensitive_fields), tuple(safe_fields), allow_pii_in_text)
        )
    else:
        scrubber = default_scrubber()

    # sentry-sdk serialises an event into new containers just before before_send and
    # before_send_transaction: the hook owns it and scrubs it in place (no copy of the path to
    # each secret). A breadcrumb's data may be the application's own dict: copied on write.
    events = scrubber.in_place()

    def scrub_event_hook(event: Event, hint: Hint) -> Event | None:
        return events.event(event)

    def scrub_breadcrumb_hook(crumb: dict[str, Any], hint: Hint) -> dict[str, Any] | None:
        return scrubber.breadcrumb(crumb)

    # found by the global event processor on the client's before_send (see below)
    setattr(scrub_event_hook, BOUNDING_ATTR, bounding_processor(scrubber.event))

    return scrub_event_hook, scrub_breadcrumb_hook


# -- bounding what the application put on the scope, before sentry-sdk serialises it ---------
# sentry-sdk serialises an event (sentry_sdk/client.py, _Client._prepare_event: serialize())
# BEFORE before_send runs. Its serialiser (sentry_sdk/serializer.py) stops at depth 5 of a
# databag and writes safe_repr() of what lies deeper: Python's repr of a shared DAG is
# exponential (a 40-deep {"a": d, "b": d} never finishes), and of a huge value as large as the
# value. Event processors run earlier, in Scope.apply_to_event (run_event_processors), after
# the scope's extra, contexts, tags and user were copied into the event: there the parts the
# application fills are checked, and one that is not a small plain JSON tree is replaced by
# the engine's bounded, JSON-safe walk of it (the before_send hook still scrubs the event as
# usual afterwards: a normal event pays only the check).
BOUNDING_ATTR = "para_monitor_bounding"
BOUNDED_PARTS = ("extra", "contexts", "tags", "user", "request")
PLAIN_NODES = 1_000  # container entries, a shared container counted each time it is met
PLAIN_DEPTH = 16
_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None), datetime.datetime})
_STR = frozenset({str})

EventProcessor = Callable[[Event, Hint], Event | None]


def _plain(v: Any, budget: int, depth: int) -> int:
    """The budget left once ``v`` is counted, or -1 when ``v`` is not a small tree of JSON
    values (dicts with string keys, lists, scalars) within ``budget`` entries: linear in at most
    ``budget`` entries whatever the shape (a cycle or a DAG runs out of budget)."""
    t = type(v)
    if t is dict or t is list:
        budget -= len(v)
        if budget < 0 or depth > PLAIN_DEPTH:
            return -1
        if t is dict:
            if not _STR.issuperset(map(type, v)):
                return -1
            v = v.values()
        # one C-level pass over the common case: nothing but scalars below
        if _PLAIN_SCALARS.issuperset(map(type, v)):
            return budget
        for item in v:
            if type(item) not in _PLAIN_SCALARS:
                budget = _plain(item, budget, depth + 1)
                if budget < 0:
                    return -1
        return budget
    if t in _PLAIN_SCALARS:
        return budget
    if type(v).__name__ == "AnnotatedValue":  # the SDK's note on a removed or trimmed value
        return _plain(getattr(v, "value", None), budget, depth)
    return -1


def _heavy_entries(event: Event) -> dict[str, Any]:
    """The entries of the bounded parts that are not small plain trees, by part and key (each
    context, extra, tag or user field on its own: the SDK's own trace context stays as it is
    unless it is heavy itself); a part that is not a dict counts as one entry."""
    heavy: dict[str, Any] = {}
    for name in BOUNDED_PARTS:
        part = event.get(name)
        if part is None:
            continue
        if type(part) is not dict:
            if _plain(part, PLAIN_NODES, 0) < 0:
                heavy[name] = part
            continue
        if len(part) > PLAIN_NODES or not _STR.issuperset(map(type, part)):
            heavy[name] = part
            continue
        if _PLAIN_SCALARS.issuperset(map(type, part.values())):
            continue  # tags, a user: flat, one C-level pass
        for key, value in part.items():
            if type(value) not in _PLAIN_SCALARS and _plain(value, PLAIN_NODES, 1) < 0:
                heavy.setdefault(name, {})[key] = value
    return heavy


def _replace(event: Event, heavy: dict[str, Any], bounded: dict[str, Any]) -> None:
    """Put the engine's results in the event, in copies of its parts (a part may be the
    scope's own dict); what the engine could not give is removed, never sent as it was."""
    for name, entries in heavy.items():
        new_part = bounded.get(name)
        part = event.get(name)
        if entries is part or type(part) is not dict:  # the whole part was heavy
            if new_part is None:
                del event[name]
            else:
                event[name] = new_part
            continue
        out = dict(part)
        for key in entries:
            value = new_part.get(key) if type(new_part) is dict else None
            if value is None:
                del out[key]
            elif name == "contexts" and type(value) is not dict:
                out[key] = {"value": value}  # the SDK reads every context as an object
            else:
                out[key] = value
        event[name] = out


def bounding_processor(scrubber_event: Callable[[Event], Event | None]) -> EventProcessor:
    """The event processor that bounds the application's parts of an event (see above), with
    ``scrubber_event`` the engine's copy-on-write event walk (budget, cycles, JSON types). It
    never raises and never drops the event: a part it cannot make bounded is removed."""

    def bound_event(event: Event, hint: Hint) -> Event | None:
        try:
            heavy = _heavy_entries(event)
            if heavy:
                _replace(event, heavy, scrubber_event(heavy) or {})
        except Exception:  # never raise inside the SDK: drop the parts rather than hang
            for name in BOUNDED_PARTS:
                if name in event and _plain(event[name], PLAIN_NODES, 0) < 0:
                    del event[name]
        return event

    return bound_event


def filter_sensitive_data(event: Event, hint: Hint | None = None) -> Event | None:
    """The seed's ``before_send``, done properly: every surface of the event, at any depth.

    Usable directly as ``sentry_sdk.init(before_send=filter_sensitive_data)``; it never raises.
    """
    from para_monitor_cli.scrub import default_scrubber

    return default_scrubber().event(event)


def _bound_for_client(event: Event, hint: Hint) -> Event | None:
    """The global event processor: the bounding processor of the active client's before_send
    when that client was set up by :func:`sdk_options` with the engine, else nothing."""
    try:
        import sentry_sdk

        hook = sentry_sdk.get_client().options.get("before_send")
        bound: EventProcessor | None = getattr(hook, BOUNDING_ATTR, None)
    except Exception:
        return event
    return event if bound is None else bound(event, hint)


_registered: list[EventProcessor] = []


def register_bounding() -> None:
    """Register the global event processor once per process (sentry-sdk keeps global
    processors for the life of the process; it does nothing for a client without our hooks)."""
    if not _registered:
        from sentry_sdk.scope import add_global_event_processor

        add_global_event_processor(_bound_for_client)  # type: ignore[arg-type]
        _registered.append(_bound_for_client)
