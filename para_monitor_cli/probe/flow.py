"""The whole test-event flow, reusable by ``test-event`` and the checklist.

1. send the test events through the backend's SDK set-up (:mod:`.send`), observing the
   receiver's answer to every envelope;
2. check the outgoing payloads for the planted secrets (this needs no token);
3. with an API client, confirm that each event arrived (:mod:`.arrival`) and check the stored
   events for the planted secrets.

The result says which of these passed; :meth:`ProbeResult.exit_code` maps it onto the exit
code table (1 for a leak or a dropped event, 3 when delivery failed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from para_monitor_cli.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    ApiError,
    AuthError,
    NotSentryError,
    ParaMonitorError,
    RateLimitedError,
    ServerError,
    TargetNotFoundError,
    UnreachableError,
)
from para_monitor_cli.probe.arrival import (
    Arrival,
    ArrivalInterrupted,
    EventApi,
    Wanted,
    confirm_arrival,
)
from para_monitor_cli.probe.planted import Leak, PlantedSecrets, find_leaks
from para_monitor_cli.probe.send import (
    DROPPED_BY_SDK,
    RUN_TAG,
    TRANSACTION,
    ProbeOptions,
    SendReport,
    send_test_events,
)
from para_monitor_cli.probe.transport import ACCEPTED, delivery_problem

DEFAULT_ARRIVAL_TIMEOUT = 60.0  # the CLI's --wait default (cli.ARRIVAL_WAIT)

# Scrubbing verdicts
CLEAN = "clean"
LEAKED = "leaked"
NOT_CHECKED = "not checked"
# the sent events held no planted secret, but the stored ones were to be checked and none
# could be read (not found, or arrival could not be verified): not a "clean"
NOT_VERIFIED = "not verified"


@dataclass(frozen=True)
class EventOutcome:
    """Everything known about one test event."""

    kind: str
    event_id: str | None
    delivery: str  # "accepted", "refused", "rate_limited", "unreachable", "timeout", ...
    status: int | None
    send_seconds: float | None
    outgoing_leaks: tuple[Leak, ...]
    arrival: Arrival | None
    stored_leaks: tuple[Leak, ...]
    run_tag_ok: bool | None  # the stored event carries this run's tag (None: not read)
    link: str | None
    reason: str | None = None
    checked: bool = False  # the outgoing payload was checked for planted secrets

    @property
    def arrived(self) -> bool:
        return self.arrival is not None and self.arrival.found


@dataclass(frozen=True)
class ProbeResult:
    run_id: str
    environment: str
    release: str | None
    events: tuple[EventOutcome, ...]
    send_seconds: float
    arrival_seconds: float | None
    verified: bool  # arrival was checked through the API (a token was given)
    delivery_error: ParaMonitorError | None
    verify_note: str | None = None
    # why arrival could not be verified (token refused, Sentry failing): exit 3, raised by the
    # caller after the report is shown
    verify_error: ParaMonitorError | None = None
    # the fake secrets planted in this run (for callers that check a receiver themselves)
    planted: PlantedSecrets | None = field(default=None, repr=False)
    # Ctrl-C stopped the arrival wait: the report shows what was found until then, and the
    # caller then stops as interrupted (exit 130)
    interrupted: bool = False

    @property
    def leaks(self) -> list[Leak]:
        found: list[Leak] = []
        for event in self.events:
            found += event.outgoing_leaks
            found += event.stored_leaks
        return found

    @property
    def dropped(self) -> list[EventOutcome]:
        return [e for e in self.events if e.event_id is None]

    @property
    def missing(self) -> list[EventOutcome]:
        return [e for e in self.events if e.arrival is not None and not e.arrival.found]

    @property
    def scrubbing(self) -> str:
        if self.leaks:
            return LEAKED
        if not any(e.checked for e in self.events):
            return NOT_CHECKED
        wanted_stored = self.verified or self.verify_error is not None or self.interrupted
        if wanted_stored and not any(e.arrived for e in self.events):
            return NOT_VERIFIED
        return CLEAN

    @property
    def ok(self) -> bool:
        return (
            self.operational_error is None
            and not self.leaks
            and not self.dropped
            and not self.missing
        )

    @property
    def operational_error(self) -> ParaMonitorError | None:
        """What the caller raises (exit 3) once the report is shown: delivery failed, or
        arrival could not be verified."""
        return self.delivery_error or self.verify_error

    def exit_code(self) -> int:
        """0 all good; 1 findings (leak, dropped or missing event); a delivery failure is
        raised by the caller as ``delivery_error`` (exit 3)."""
        if self.leaks or self.dropped or self.missing:
            return EXIT_FINDINGS
        return EXIT_OK


def run_probe(
    options: ProbeOptions,
    *,
    api: EventApi | None = None,
    org: str | None = None,
    project: str | None = None,
    base_url: str | None = None,
    timeout: float = DEFAULT_ARRIVAL_TIMEOUT,
    report_api_errors: bool = False,
    report_interrupt: bool = False,
) -> ProbeResult:
    """Send, check delivery and (with ``api`` and ``org``) confirm arrival and scrubbing.

    An API error while confirming arrival (token refused, Sentry failing past the retry
    budget) propagates, unless ``report_api_errors``: then the result keeps every event's
    delivery and carries the error as ``verify_error``, saying why arrival was not verified.
    Likewise Ctrl-C during the arrival wait propagates (a KeyboardInterrupt), unless
    ``report_interrupt``: then the result says what was found so far (``interrupted``) and
    the caller stops once it has shown it.
    """
    report = send_test_events(options)
    host = _dsn_host(options.dsn)
    problem = delivery_problem(list(report.records), host, compression=options.compression)

    arrivals: dict[str, Arrival] = {}
    verified = False
    verify_error: ApiError | None = None
    note: str | None = None
    arrival_seconds: float | None = None
    interrupted = False
    accepted = [e for e in report.events if e.event_id and e.accepted]
    if api is None:
        note = "no auth token"
    elif not org:
        note = "no organization configured: pass --org or set SENTRY_ORG"
    elif problem is not None:
        note = "delivery failed: arrival was not checked"
    elif accepted:
        wanted = [
            Wanted(e.kind, str(e.event_id), transaction=e.kind == TRANSACTION) for e in accepted
        ]
        extend = getattr(api, "extend_budget", None)
        if extend is not None:  # the arrival wait has its own bound, on top of the API's
            extend(timeout)
        try:
            found = confirm_arrival(api, wanted, org=org, project=project, timeout=timeout)
        except ArrivalInterrupted as stop:
            if not report_interrupt:
                raise
            interrupted = True
            arrivals = {a.event_id: a for a in stop.arrivals}
            count = sum(1 for a in stop.arrivals if a.found)
            note = f"interrupted (Ctrl-C) while waiting: {count} of {len(wanted)} found"
        except ApiError as exc:
            if not report_api_errors:
                raise
            why = _unverified_because(exc)
            note = f"delivered; {why}"
            verify_error = type(exc)(
                f"arrival could not be verified: {why}",
                status=exc.status,
                method=exc.method,
                path=exc.path,
                hint=exc.hint,
            )
        else:
            arrivals = {a.event_id: a for a in found}
            verified = True
            times = [a.seconds for a in found if a.seconds is not None]
            arrival_seconds = max(times) if times else None

    outcomes = tuple(
        _outcome(report, i, arrivals, org, project, base_url) for i in range(len(report.events))
    )
    return ProbeResult(
        run_id=report.run_id,
        environment=report.environment,
        release=report.release,
        events=outcomes,
        send_seconds=report.send_seconds,
        arrival_seconds=arrival_seconds,
        verified=verified,
        delivery_error=problem,
        verify_note=note,
        verify_error=verify_error,
        planted=report.planted,
        interrupted=interrupted,
    )


def _unverified_because(exc: ApiError) -> str:
    """Why the arrival check stopped, in a few words (never the token)."""
    status = f" (HTTP {exc.status})" if exc.status is not None else ""
    if isinstance(exc, AuthError):
        return f"the auth token was refused{status}"
    if isinstance(exc, ServerError):
        return f"Sentry is failing{status}"
    if isinstance(exc, RateLimitedError):
        return f"Sentry rate limited the lookups{status}"
    if isinstance(exc, UnreachableError):
        return "Sentry could not be reached"
    if isinstance(exc, TargetNotFoundError | NotSentryError):
        return exc.message  # names the organization and what the token sees, or the server
    return f"Sentry answered an error{status}"


def _outcome(
    report: SendReport,
    index: int,
    arrivals: dict[str, Arrival],
    org: str | None,
    project: str | None,
    base_url: str | None,
) -> EventOutcome:
    sent = report.events[index]
    record = sent.record
    outgoing: list[Leak] = []
    if record is not None:
        outgoing = find_leaks(list(record.payloads), report.planted)
        outgoing = [Leak(f"sent{leak.path[1:]}", leak.place, leak.key) for leak in outgoing]
    arrival = arrivals.get(sent.event_id) if sent.event_id else None
    stored: list[Leak] = []
    tag_ok: bool | None = None
    if arrival is not None and arrival.found:
        stored = [
            Leak(f"stored{leak.path[1:]}", leak.place, leak.key)
            for leak in find_leaks(arrival.stored, report.planted)
        ]
        tag_ok = _has_tag(arrival.stored, RUN_TAG, report.run_id)
    reason = None
    if sent.event_id is None:
        if sent.dropped_by in (None, DROPPED_BY_SDK):
            reason = "dropped by the SDK before sending (sampling or an event processor)"
        else:
            reason = f"dropped: the hook {sent.dropped_by}"
    elif record is not None and record.outcome != ACCEPTED:
        reason = record.reason
    link = None  # only for an event the receiver accepted: the others are nowhere to see
    if sent.event_id and sent.accepted and org:
        link = event_link(
            base_url,
            org,
            (arrival.project if arrival else None) or project,
            sent.event_id,
            group_id=arrival.group_id if arrival else None,
            transaction=sent.kind == TRANSACTION,
        )
    return EventOutcome(
        kind=sent.kind,
        event_id=sent.event_id,
        delivery=(record.outcome or "unknown") if record is not None else "not sent",
        status=record.status if record is not None else None,
        send_seconds=record.seconds if record is not None else None,
        outgoing_leaks=tuple(outgoing),
        arrival=arrival,
        stored_leaks=tuple(stored),
        run_tag_ok=tag_ok,
        link=link,
        reason=reason,
        checked=record is not None and bool(record.payloads),
    )


def _has_tag(stored: object, key: str, value: str) -> bool:
    if not isinstance(stored, dict):
        return False
    tags = stored.get("tags")
    if isinstance(tags, dict):
        return tags.get(key) == value
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, dict) and tag.get("key") == key:
                return tag.get("value") == value
            if isinstance(tag, list | tuple) and len(tag) == 2 and tag[0] == key:
                return bool(tag[1] == value)
    return False


def _dsn_host(dsn: str) -> str:
    parts = urlsplit(dsn)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


def event_link(
    base_url: str | None,
    org: str,
    project: str | None,
    event_id: str,
    *,
    group_id: str | None = None,
    transaction: bool = False,
) -> str | None:
    """The event's page in the Sentry UI.

    sentry.io uses organization sub-domains (``https://{org}.sentry.io/...``); self-hosted
    Sentry and the sandbox use ``{url}/organizations/{org}/...`` on their own URL.
    """
    base = (base_url or "https://sentry.io/").rstrip("/")
    parts = urlsplit(base)
    host = (parts.hostname or "").lower()
    if host == "sentry.io" or host.endswith(".sentry.io"):
        root = f"https://{org}.sentry.io"
    else:
        root = f"{base}/organizations/{org}"
    if transaction:
        return f"{root}/performance/{project}:{event_id}/" if project else None
    if group_id:
        return f"{root}/issues/{group_id}/events/{event_id}/"
    if project:
        return f"{root}/projects/{project}/events/{event_id}/"
    return None
