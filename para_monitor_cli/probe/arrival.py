"""Confirm through the REST API that each test event arrived, and read back what was stored.

Errors and messages are looked up with ``organizations/{org}/eventids/{id}/`` (Sentry limits
it to one request per second, and it never finds transactions), then read in full from
``projects/{org}/{project}/events/{id}/``; transactions are read from the project endpoint
directly. Both answer 404 until the event is processed, so the lookup polls until every event
is found or the deadline passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from para_monitor_cli.errors import NotFoundError
from para_monitor_cli.waits import notify, pause

EVENTIDS_INTERVAL = 1.0  # Sentry: the eventids lookup allows 1 request per second
PROJECT_EVENT_INTERVAL = 0.2  # project event details: 5 requests per second


class EventApi(Protocol):
    """The two endpoints the arrival check needs (``api.client.SentryClient`` has both)."""

    def lookup_event_id(self, event_id: str, org: str | None = None) -> Any: ...

    def project_event(self, project: str, event_id: str, org: str | None = None) -> Any: ...


@dataclass(frozen=True)
class Wanted:
    """An event to confirm."""

    kind: str
    event_id: str
    transaction: bool


@dataclass(frozen=True)
class Arrival:
    """What the API said about one event."""

    kind: str
    event_id: str
    found: bool
    seconds: float | None  # from the start of polling until found
    group_id: str | None = None
    project: str | None = None
    stored: Any = None  # the stored event (checked for planted secrets, never printed)
    reason: str | None = None  # why it was not found or not read


@dataclass
class _Pending:
    wanted: Wanted
    project: str | None
    group_id: str | None = None
    located: bool = False  # the eventids lookup found it; the project event is next


def confirm_arrival(
    api: EventApi,
    wanted: Sequence[Wanted],
    *,
    org: str,
    project: str | None,
    timeout: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = pause,
) -> list[Arrival]:
    """Poll until each wanted event is stored, or ``timeout`` seconds pass.

    The eventids lookup is never called more than once per second (across all events), the
    project event endpoint at most five times per second. Each pause is shown as "waiting
    for ... (N s of T s)" and ends at once on Ctrl-C (:func:`para_monitor_cli.waits.pause`).
    A wrong organization or project is not waited for: the client turns its 404 into a
    :class:`~para_monitor_cli.errors.TargetNotFoundError`, which is not a NotFoundError.
    """
    try:
        return _confirm(
            api, wanted, org=org, project=project, timeout=timeout, clock=clock, sleep=sleep
        )
    finally:
        notify("", "done")


def _confirm(
    api: EventApi,
    wanted: Sequence[Wanted],
    *,
    org: str,
    project: str | None,
    timeout: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> list[Arrival]:
    started = clock()
    total = len(wanted)

    def show() -> None:
        count = total - len(pending)
        what = "the test event" if total == 1 else f"the test events ({count} of {total} found)"
        notify(
            f"waiting for {what} to arrive in Sentry ({clock() - started:.0f} s of {timeout:g} s)",
            "wait",
        )

    deadline = started + timeout
    pending = [_Pending(w, project) for w in wanted]
    done: dict[str, Arrival] = {}
    try:
        _poll(api, pending, done, org, project, deadline, started, clock, sleep, show)
    except KeyboardInterrupt:
        # Ctrl-C: what was found so far is kept; the rest is "interrupted", not "missing"
        waited = clock() - started
        _unfound(pending, done, f"not found before Ctrl-C (after {waited:.0f} s)")
        raise ArrivalInterrupted([done[w.event_id] for w in wanted]) from None
    _unfound(pending, done, None, timeout)
    return [done[w.event_id] for w in wanted]


class ArrivalInterrupted(KeyboardInterrupt):
    """Ctrl-C while waiting; ``arrivals`` says what was found until then."""

    def __init__(self, arrivals: list[Arrival]) -> None:
        super().__init__("interrupted while waiting for the test events")
        self.arrivals = arrivals


def _unfound(
    pending: list[_Pending],
    done: dict[str, Arrival],
    reason: str | None,
    timeout: float = 0.0,
) -> None:
    for item in pending:
        w = item.wanted
        done[w.event_id] = Arrival(
            w.kind,
            w.event_id,
            found=False,
            seconds=None,
            project=item.project,
            group_id=item.group_id,
            reason=reason
            or (
                f"found by the lookup but not readable within {timeout:g} s"
                if item.located
                else f"not found within {timeout:g} s"
            ),
        )


def _poll(
    api: EventApi,
    pending: list[_Pending],
    done: dict[str, Arrival],
    org: str,
    project: str | None,
    deadline: float,
    started: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    show: Callable[[], None],
) -> None:
    """Look events up until none is pending or the deadline passes (fills ``done``)."""
    last_lookup: float | None = None
    last_project: float | None = None

    def wait(last: float | None, interval: float) -> bool:
        """Sleep until ``interval`` after ``last``; False if that passes the deadline."""
        if last is None:
            return True
        ready = last + interval
        now = clock()
        if ready > deadline:
            return False
        if ready > now:
            show()
            sleep(ready - now)
        return True

    while pending:
        progressed = False
        # transactions first: their endpoint is not held back by the lookup's 1 request/s
        for item in sorted(pending, key=lambda p: not p.wanted.transaction):
            w = item.wanted
            if not w.transaction and not item.located:
                if not wait(last_lookup, EVENTIDS_INTERVAL):
                    break
                last_lookup = clock()
                try:
                    found = api.lookup_event_id(w.event_id, org=org)
                except NotFoundError:
                    continue
                item.located = True
                if isinstance(found, dict):
                    item.group_id = _str(found.get("groupId"))
                    item.project = _str(found.get("projectSlug")) or item.project
            if item.project is None:
                if any(not p.wanted.transaction for p in pending):
                    continue  # a lookup still to come will name the project
                done[w.event_id] = Arrival(
                    w.kind,
                    w.event_id,
                    found=False,
                    seconds=None,
                    reason="no project configured (pass --project) to read the event",
                )
                pending.remove(item)
                continue
            if not wait(last_project, PROJECT_EVENT_INTERVAL):
                break
            last_project = clock()
            try:
                stored = api.project_event(item.project, w.event_id, org=org)
            except NotFoundError:
                continue
            group = item.group_id
            if isinstance(stored, dict):
                group = group or _str(stored.get("groupID") or stored.get("groupId"))
            done[w.event_id] = Arrival(
                w.kind,
                w.event_id,
                found=True,
                seconds=clock() - started,
                group_id=group,
                project=item.project,
                stored=stored,
            )
            pending.remove(item)
            progressed = True
            if project is None:  # later lookups can reuse the project the first one named
                for other in pending:
                    other.project = other.project or item.project
        if not pending:
            break
        now = clock()
        if now >= deadline:
            break
        if not progressed:
            # nothing new this round: wait for the next allowed lookup, within the deadline
            next_at = min((last_lookup or now) + EVENTIDS_INTERVAL, (last_project or now) + 1.0)
            if next_at > deadline:
                break
            if next_at > now:
                show()
                sleep(next_at - now)


def _str(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
