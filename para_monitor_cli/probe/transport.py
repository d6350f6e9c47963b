"""An sentry-sdk HTTP transport that records what became of every envelope it sends.

sentry-sdk's ``HttpTransport`` sends from a background worker and swallows every outcome: a
403, a 429 or a refused connection only reach its debug log. :class:`ObservingTransport` keeps
the SDK's own sending code and records, per envelope, the HTTP status (through
``_handle_response(response, envelope)``, the hook sentry-sdk 2.x calls for each response), or
the network error, or that the SDK dropped it before sending (rate-limit backoff), and how
long it took. :func:`delivery_problem` turns those records into one clear error.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import urllib3
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import HttpTransport

from para_monitor_cli.errors import DeliveryError, ParaMonitorError, UnreachableError
from para_monitor_cli.wording import plural

DEFAULT_SEND_TIMEOUT = 10.0

# Outcome kinds of one envelope.
ACCEPTED = "accepted"
REFUSED = "refused"  # an HTTP status outside 2xx
RATE_LIMITED = "rate_limited"  # 429, or dropped by the SDK's own rate-limit backoff
UNREACHABLE = "unreachable"  # connection refused, DNS failure, TLS failure, dropped connection
TIMEOUT = "timeout"
NOT_SENT = "not_sent"  # still queued when the flush deadline passed


@dataclass
class EnvelopeRecord:
    """What became of one envelope."""

    event_id: str | None
    item_types: tuple[str, ...]
    queued_at: float
    outcome: str | None = None
    status: int | None = None
    reason: str | None = None  # a short, secret-free description of a failure
    retry_after: float | None = None
    sent_at: float | None = None
    finished_at: float | None = None
    # the event payloads exactly as serialised for sending (kept to check them for planted
    # secrets; never printed)
    payloads: tuple[Any, ...] = ()

    @property
    def seconds(self) -> float | None:
        if self.sent_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.sent_at

    @property
    def carries_event(self) -> bool:
        """Whether the envelope holds an event (not only client reports or sessions)."""
        return any(t in {"event", "transaction"} for t in self.item_types)


@dataclass
class DeliveryLog:
    """Every envelope the transport was given, in order (thread-safe)."""

    records: list[EnvelopeRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def queued(self, envelope: Envelope) -> EnvelopeRecord:
        event_id = envelope.headers.get("event_id")
        record = EnvelopeRecord(
            event_id=str(event_id).replace("-", "") if event_id else None,
            item_types=tuple(str(item.type) for item in envelope.items),
            queued_at=time.monotonic(),
            payloads=tuple(_payloads(envelope)),
        )
        with self._lock:
            self.records.append(record)
        return record

    def for_event(self, event_id: str) -> EnvelopeRecord | None:
        with self._lock:
            for record in self.records:
                if record.event_id == event_id:
                    return record
        return None

    def event_records(self) -> list[EnvelopeRecord]:
        with self._lock:
            return [r for r in self.records if r.carries_event]

    def finish_pending(self) -> None:
        """Mark what the worker never got to as not sent (called after the flush deadline)."""
        with self._lock:
            for record in self.records:
                if record.outcome is None:
                    record.outcome = NOT_SENT
                    record.reason = (
                        "still waiting for the receiver when the send deadline passed"
                        if record.sent_at is not None
                        else "still queued when the send deadline passed"
                    )


class ObservingTransport(HttpTransport):
    """``HttpTransport`` plus a :class:`DeliveryLog`; configure it with :func:`transport_class`."""

    delivery_log: DeliveryLog = DeliveryLog()
    # sentry-sdk annotates TIMEOUT as int; urllib3 takes any number of seconds
    TIMEOUT = DEFAULT_SEND_TIMEOUT  # type: ignore[assignment]

    def __init__(self, options: dict[str, Any]) -> None:
        self._current: EnvelopeRecord | None = None
        self._records: dict[int, EnvelopeRecord] = {}
        super().__init__(options)

    def capture_envelope(self, envelope: Envelope) -> None:
        self._records[id(envelope)] = self.delivery_log.queued(envelope)
        super().capture_envelope(envelope)

    def _send_envelope(self, envelope: Envelope) -> None:
        record = self._records.pop(id(envelope), None) or self.delivery_log.queued(envelope)
        self._current = record
        record.sent_at = time.monotonic()
        try:
            super()._send_envelope(envelope)
        except Exception as exc:
            record.outcome, record.reason = classify_exception(exc, self.TIMEOUT)
            raise
        finally:
            record.finished_at = time.monotonic()
            self._current = None
        if record.outcome is None:
            # _prepare_envelope removed every item: the SDK is backing off after a 429
            record.outcome = RATE_LIMITED
            record.reason = "dropped by the SDK, which is backing off after a rate limit"

    def _handle_response(self, response: Any, envelope: Envelope | None) -> None:
        record = self._current
        if record is not None:
            status = int(response.status)
            record.status = status
            if 200 <= status < 300:
                record.outcome = ACCEPTED
            elif status == 429:
                record.outcome = RATE_LIMITED
                record.retry_after = _retry_after(response)
                record.reason = "HTTP 429"
            else:
                record.outcome = REFUSED
                record.reason = f"HTTP {status}"
        super()._handle_response(response=response, envelope=envelope)


def _payloads(envelope: Envelope) -> list[Any]:
    found: list[Any] = []
    for item in envelope.items:
        if item.type not in {"event", "transaction"}:
            continue
        try:
            found.append(json.loads(item.payload.get_bytes()))
        except ValueError:
            found.append(item.payload.get_bytes().decode("utf-8", "replace"))
    return found


def transport_class(log: DeliveryLog, timeout: float) -> type[ObservingTransport]:
    """An :class:`ObservingTransport` subclass bound to ``log``, with ``timeout`` seconds per
    request (sentry-sdk builds the transport itself from the class, in ``Client.__init__``)."""
    return type(
        "BoundObservingTransport",
        (ObservingTransport,),
        {"delivery_log": log, "TIMEOUT": timeout},
    )


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name in ("Retry-After", "X-Sentry-Rate-Limits"):
        value = headers.get(name)
        if not value:
            continue
        first = str(value).split(":", 1)[0].split(",", 1)[0].strip()
        try:
            return float(first)
        except ValueError:
            continue
    return None


def classify_exception(exc: BaseException, timeout: float) -> tuple[str, str]:
    """(outcome, reason) for an exception raised while sending; the reason names no URL."""
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    if isinstance(exc, urllib3.exceptions.NameResolutionError):
        return UNREACHABLE, "the host name could not be resolved"
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        text = str(exc).lower()
        if "refused" in text:
            return UNREACHABLE, "connection refused"
        return UNREACHABLE, "could not open a connection"
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return TIMEOUT, f"no connection within {timeout:g} s"
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError | TimeoutError):
        return TIMEOUT, f"no answer within {timeout:g} s"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return UNREACHABLE, "TLS handshake failed"
    if isinstance(exc, urllib3.exceptions.ProtocolError | ConnectionError):
        return UNREACHABLE, "the connection was dropped before an answer"
    return UNREACHABLE, f"sending failed ({type(exc).__name__})"


def delivery_problem(
    records: list[EnvelopeRecord], host: str, *, compression: str = "auto"
) -> ParaMonitorError | None:
    """The error that explains why an event envelope was not accepted, or None if all were.

    The most telling failure wins: a refused key, then a rate limit, then an unreachable host,
    then a timeout, then anything else.
    """
    failed = [r for r in records if r.carries_event and r.outcome != ACCEPTED]
    if not failed:
        return None
    total = sum(1 for r in records if r.carries_event)
    count = f"{len(failed)} of {plural(total, 'test event')}"
    for record in failed:
        if record.status in (401, 403):
            return DeliveryError(
                f"the receiver at {host} refused the DSN key (HTTP {record.status}): "
                f"{count} not accepted",
                hint="check that the DSN is current and its client key is active "
                "(Project Settings > Client Keys)",
            )
    for record in failed:
        if record.outcome == RATE_LIMITED:
            after = (
                f", retry after {record.retry_after:g} s" if record.retry_after is not None else ""
            )
            detail = f"HTTP 429{after}" if record.status == 429 else str(record.reason)
            return DeliveryError(
                f"the receiver at {host} rate limited the test events ({detail}): "
                f"{count} not accepted",
                hint="the project or organization is over its quota or rate limit; "
                "try again later or check Settings > Subscription / Rate Limits",
            )
    for record in failed:
        if record.outcome == UNREACHABLE:
            return UnreachableError(
                f"cannot reach the receiver at {host} ({record.reason}): {count} not sent",
                hint="check the DSN's host and port, and that the server is running",
            )
    for record in failed:
        if record.outcome in (TIMEOUT, NOT_SENT):
            return UnreachableError(
                f"the receiver at {host} is too slow ({record.reason}): {count} not confirmed",
                hint="raise --send-timeout, or check the server's health",
            )
    record = failed[0]
    if record.status == 413:
        hint = "the envelope is larger than the receiver accepts"
    elif compression in ("auto", "br") and record.status in (400, 415, 500):
        hint = (
            "the receiver may not decode brotli, which sentry-sdk uses when the brotli "
            "module is installed: try --compression gzip"
        )
    else:
        hint = "5xx is a problem on the receiver's side; check its logs"
    return DeliveryError(
        f"the receiver at {host} did not accept the test events ({record.reason}): "
        f"{count} not accepted",
        hint=hint,
    )
