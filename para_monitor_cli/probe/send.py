"""Send the test events through the backend's own sentry-sdk set-up, and measure delivery.

The SDK options come from :func:`para_monitor_cli.runtime.sdk_options`, the function the
backend's ``init_sentry`` uses, so the DSN, environment, release, sample rates, integrations
and scrubbing hooks are the backend's. Nothing is read from the process environment (the
settings are passed in), and the SDK never attaches the OS user name (``send_default_pii`` is
off). The events go through a fresh ``sentry_sdk.Client`` bound to an isolated scope, so a
process that already initialised sentry-sdk keeps its own client; the client is flushed and
closed before returning.

Every event carries the run id tag and planted fake secrets: an ``Authorization`` header and a
``password`` in the request body (both added the way a web integration adds them, before the
hooks run), an ``api_key`` local variable in the raising frame, a ``token`` in a breadcrumb,
and, in the transaction, a ``db.password`` in span data.
"""

from __future__ import annotations

import secrets as _random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from para_monitor_cli.errors import UsageError
from para_monitor_cli.probe.planted import PlantedSecrets, plant
from para_monitor_cli.probe.transport import (
    DEFAULT_SEND_TIMEOUT,
    DeliveryLog,
    EnvelopeRecord,
    transport_class,
)
from para_monitor_cli.redaction import redact
from para_monitor_cli.runtime.hooks import BreadcrumbHook, EventHook
from para_monitor_cli.waits import notify
from para_monitor_cli.wording import plural

RUN_TAG = "para_monitor.run_id"
KIND_TAG = "para_monitor.kind"
COMPRESSIONS = ("auto", "gzip", "br", "none")

ERROR = "error"
MESSAGE = "message"
TRANSACTION = "transaction"
DROPPED_BY_SDK = "dropped by the SDK"


class ProbeTestError(Exception):
    """Raised (and caught) on purpose so the test error carries a real stack trace."""


@dataclass(frozen=True)
class ProbeOptions:
    """What the probe sends, and with which SDK set-up."""

    dsn: str
    environment: str | None = None
    version: str | None = None
    release: str | None = None
    sensitive_fields: tuple[str, ...] = ()
    safe_fields: tuple[str, ...] = ()
    before_send: EventHook | None = None
    before_send_transaction: EventHook | None = None
    before_breadcrumb: BreadcrumbHook | None = None
    transaction: bool = False
    send_timeout: float = DEFAULT_SEND_TIMEOUT
    # "auto": the SDK's choice (brotli when importable), as the backend sends; "gzip" for
    # receivers that cannot decode brotli; "none" for no compression.
    compression: str = "auto"
    # False: only the application's hooks scrub (``test-event --hook-only``)
    scrubbing_engine: bool = True


@dataclass(frozen=True)
class SentEvent:
    """One test event: its kind, the id the SDK gave it, and what became of its envelope."""

    kind: str
    event_id: str | None  # None: a hook or the sampler dropped it before it was sent
    record: EnvelopeRecord | None
    # why it was dropped before sending: "raised ValueError" (the application's hook raised),
    # "returned None" (its hook returned None), DROPPED_BY_SDK (no application hook)
    dropped_by: str | None = None

    @property
    def accepted(self) -> bool:
        return self.record is not None and self.record.outcome == "accepted"


@dataclass(frozen=True)
class SendReport:
    """The outcome of sending the test events."""

    run_id: str
    planted: PlantedSecrets
    events: tuple[SentEvent, ...]
    records: tuple[EnvelopeRecord, ...]
    environment: str
    release: str | None
    send_seconds: float
    options_used: dict[str, Any] = field(default_factory=dict)

    @property
    def dropped(self) -> tuple[SentEvent, ...]:
        return tuple(e for e in self.events if e.event_id is None)


class HookWatch:
    """Wraps the application's event hooks to record the ones that raised, as the chain in
    :mod:`para_monitor_cli.runtime.hooks` drops those events (and logs one warning each)."""

    def __init__(self) -> None:
        self.raised: list[str] = []  # exception class names, in call order

    def wrap(self, hook: EventHook | None) -> EventHook | None:
        if hook is None:
            return None
        watched: EventHook = hook

        def watching(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
            try:
                return watched(event, hint)
            except Exception as exc:
                # a hook from load_hook is guarded: its HookFailure names the original class
                self.raised.append(getattr(exc, "kind", None) or type(exc).__name__)
                raise

        watching.__qualname__ = getattr(hook, "__qualname__", repr(hook))
        return watching


def sdk_probe_options(
    options: ProbeOptions, log: DeliveryLog, watch: HookWatch | None = None
) -> dict[str, Any]:
    """The backend's sentry-sdk options, with the observing transport and compression set."""
    from para_monitor_cli.runtime import sdk_options

    watch = watch or HookWatch()

    if options.compression not in COMPRESSIONS:
        raise UsageError(
            f"unknown compression {options.compression!r}: use one of {', '.join(COMPRESSIONS)}"
        )
    extra: dict[str, Any] = {"transport": transport_class(log, options.send_timeout)}
    if options.compression == "none":
        extra["_experiments"] = {"transport_compression_level": 0}
    elif options.compression != "auto":
        extra["_experiments"] = {"transport_compression_algo": options.compression}
    return sdk_options(
        options.dsn,
        environment=options.environment,
        version=options.version,
        release=options.release,
        before_send=watch.wrap(options.before_send),
        before_send_transaction=watch.wrap(options.before_send_transaction),
        before_breadcrumb=options.before_breadcrumb,
        sensitive_fields=options.sensitive_fields,
        safe_fields=options.safe_fields,
        environ={},  # the settings were resolved by the caller; read nothing else
        scrubbing_engine=options.scrubbing_engine,
        **extra,
    )


def send_test_events(options: ProbeOptions) -> SendReport:
    """Send the error, the message and (with ``transaction``) a transaction; wait for the
    receiver's answers (at most ``send_timeout`` per envelope) and report each outcome."""
    import sentry_sdk

    run_id = _random.token_hex(8)
    planted = plant()
    log = DeliveryLog()
    watch = HookWatch()
    sdk = sdk_probe_options(options, log, watch)
    started = time.monotonic()
    client = sentry_sdk.Client(**sdk)
    sent: list[tuple[str, str | None]] = []
    dropped_by: dict[int, str] = {}  # index in ``sent`` -> why it was dropped

    def send(kind: str, capture: Callable[[], str | None]) -> None:
        """Capture one event; the hooks run synchronously, so a raise recorded during the
        call belongs to this event."""
        before = len(watch.raised)
        event_id = capture()
        if event_id is None:
            hook = options.before_send_transaction if kind == TRANSACTION else options.before_send
            if len(watch.raised) > before:
                dropped_by[len(sent)] = f"raised {watch.raised[-1]}"
            else:
                dropped_by[len(sent)] = "returned None" if hook else DROPPED_BY_SDK
        sent.append((kind, event_id))

    try:
        with sentry_sdk.isolation_scope() as isolation:
            # start clean: no breadcrumbs, tags or user inherited from this process's scopes
            scope = sentry_sdk.get_current_scope()
            isolation.clear()
            scope.clear()
            isolation.set_client(client)
            scope.set_client(client)
            isolation.set_tag(RUN_TAG, run_id)
            isolation.add_event_processor(_request_processor(planted))
            isolation.add_event_processor(_argv_processor)
            sentry_sdk.add_breadcrumb(
                category="auth",
                message="session refreshed",
                level="info",
                data={planted.breadcrumb.key: planted.breadcrumb.value, "attempt": 1},
            )
            send(ERROR, lambda: _send_error(planted.frame_local.value, run_id))
            send(MESSAGE, lambda: _send_message(run_id))
            if options.transaction:
                send(TRANSACTION, lambda: _send_transaction(planted, run_id))
        expected = sum(1 for _kind, event_id in sent if event_id)
        bound = options.send_timeout * (expected + 1) + 1.0
        notify(f"sending {plural(expected, 'test event')} (at most {bound:g} s)", "wait")
        try:
            client.flush(timeout=bound)
        finally:
            notify("", "done")
    finally:
        records = _snapshot(log)
        client.close(timeout=0)
    elapsed = time.monotonic() - started
    by_id = {r.event_id: r for r in records if r.event_id}
    events = tuple(
        SentEvent(
            kind=kind,
            event_id=event_id,
            record=by_id.get(event_id) if event_id else None,
            dropped_by=dropped_by.get(index),
        )
        for index, (kind, event_id) in enumerate(sent)
    )
    return SendReport(
        run_id=run_id,
        planted=planted,
        events=events,
        records=tuple(records),
        environment=str(sdk.get("environment")),
        release=sdk.get("release"),
        send_seconds=elapsed,
        options_used={
            "traces_sample_rate": sdk.get("traces_sample_rate"),
            "compression": options.compression,
            "send_timeout": options.send_timeout,
        },
    )


def _snapshot(log: DeliveryLog) -> list[EnvelopeRecord]:
    log.finish_pending()
    with log._lock:
        return [replace(r) for r in log.records]


def _request_processor(planted: PlantedSecrets) -> Any:
    """An event processor that attaches a request the way a web framework integration does
    (before the hooks run), carrying the planted header and body secrets."""

    def processor(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
        event["request"] = {
            "method": "POST",
            "url": "https://para-monitor.invalid/test-event",
            "headers": {
                planted.header.key: planted.header.value,
                "Content-Type": "application/json",
                "User-Agent": "para-monitor test-event",
            },
            "data": {
                "subject": "weekly review",
                planted.body.key: planted.body.value,
            },
        }
        return event

    return processor


def _argv_processor(event: Any, hint: Any) -> Any:
    """sentry-sdk's Argv integration attaches this process's argv, which for para-monitor may
    hold an ``--auth-token``; keep the shape, redact the values."""
    extra = event.get("extra")
    if isinstance(extra, dict) and "sys.argv" in extra:
        extra["sys.argv"] = [redact(str(arg)) for arg in sys.argv]
    return event


def _send_error(api_key: str, run_id: str) -> str | None:
    # This frame is in the stack trace too: it holds only the planted ``api_key``.
    import sentry_sdk

    try:
        _failing_call(api_key, run_id)
    except ProbeTestError:
        with sentry_sdk.new_scope() as scope:
            scope.set_tag(KIND_TAG, ERROR)
            return sentry_sdk.capture_exception()
    raise AssertionError("unreachable: _failing_call always raises")


def _failing_call(api_key: str, run_id: str) -> None:
    """Raises from a frame whose local variables hold a planted secret (``api_key``) and
    harmless values that scrubbing must leave alone."""
    token_count = 42
    message = f"para-monitor test error (run {run_id})"
    if api_key and token_count:
        raise ProbeTestError(message)


def _send_message(run_id: str) -> str | None:
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        scope.set_tag(KIND_TAG, MESSAGE)
        return sentry_sdk.capture_message(f"para-monitor test message (run {run_id})", "info")


def _send_transaction(planted: PlantedSecrets, run_id: str) -> str | None:
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        scope.set_tag(KIND_TAG, TRANSACTION)
        # sampled=True: the test transaction is sent whatever traces_sample_rate says
        transaction = scope.start_transaction(
            op="para_monitor.test",
            name=f"para-monitor test transaction {run_id}",
            sampled=True,
        )
        scope.span = transaction
        span = transaction.start_child(op="db.query", name="SELECT 1")
        span.set_data(planted.span_data.key, planted.span_data.value)
        span.set_data("db.system", "postgresql")
        span.finish()
        return transaction.finish(scope=scope)
