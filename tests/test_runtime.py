"""The runtime module with real sentry-sdk and a capturing transport: no network."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sentry_sdk
from cron_support import DSN, CapturingTransport

from para_monitor_cli.errors import InvalidDsnError
from para_monitor_cli.runtime import (
    capture_exception,
    capture_message,
    init_sentry,
    release_for,
    sdk_options,
    set_user_context,
)


@pytest.fixture
def transport() -> Iterator[CapturingTransport]:
    capture = CapturingTransport()
    yield capture
    client = sentry_sdk.get_client()
    client.close()
    sentry_sdk.get_global_scope().set_client(None)
    sentry_sdk.get_isolation_scope().clear()
    sentry_sdk.get_current_scope().clear()


@pytest.mark.parametrize(
    ("environment", "traces"),
    [("production", 1.0), ("development", 0.1), ("staging", 0.1)],
)
def test_options_per_environment(environment: str, traces: float) -> None:
    options = sdk_options(DSN, environ={"ENVIRONMENT": environment, "VERSION": "0.1.0"})
    assert options["environment"] == environment
    assert options["release"] == "para-autopilot@0.1.0"
    assert options["traces_sample_rate"] == traces
    assert options["profile_session_sample_rate"] == 0.1
    assert options["profile_lifecycle"] == "trace"
    assert "send_default_pii" not in options  # deprecated in sentry-sdk 2.75; unset means False
    for hook in ("before_send", "before_send_transaction", "before_breadcrumb"):
        assert callable(options[hook])


def test_defaults_and_overrides() -> None:
    options = sdk_options(DSN, environ={})
    assert options["environment"] == "development"
    assert options["release"] is None
    options = sdk_options(
        DSN,
        environ={"ENVIRONMENT": "production"},
        traces_sample_rate=0.25,
        profiles_sample_rate=0.0,
        version="2.0.0",
    )
    assert (options["traces_sample_rate"], options["profile_session_sample_rate"]) == (0.25, 0.0)
    assert options["release"] == release_for("2.0.0") == "para-autopilot@2.0.0"


def test_dsn_comes_from_the_environment() -> None:
    assert sdk_options(environ={"SENTRY_DSN": DSN})["dsn"] == DSN


def test_integrations_include_logging_and_fastapi() -> None:
    names = {type(i).__name__ for i in sdk_options(DSN, environ={})["integrations"]}
    assert {"LoggingIntegration", "FastApiIntegration", "StarletteIntegration"} <= names


def test_no_dsn_disables_the_sdk_with_one_warning(
    transport: CapturingTransport, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="para_monitor"):
        enabled = init_sentry(environ={}, transport=transport)
    assert enabled is False
    assert [r.getMessage() for r in caplog.records if r.name == "para_monitor"] == [
        "para-monitor: SENTRY_DSN is not set; Sentry is disabled"
    ]
    assert not sentry_sdk.get_client().is_active()
    assert capture_message("nobody hears this") is None
    assert transport.envelopes == []


NO_DSN_SCRIPT = """
import sys
import para_monitor_cli.runtime as runtime
enabled = runtime.init_sentry()
results = (
    runtime.capture_message("nobody hears this"),
    runtime.capture_exception(RuntimeError("nor this")),
    runtime.set_user_context("user-1", "ana@example.com"),
)
loaded = sorted(
    m for m in sys.modules
    if m.split(".")[0] == "sentry_sdk" or m.split(".")[:2] == ["para_monitor_cli", "scrub"]
)
print(enabled, results, loaded)
"""


def test_without_a_dsn_neither_the_sdk_nor_the_engine_is_imported(tmp_path: Path) -> None:
    """A backend without a DSN pays nothing: importing the runtime and calling it imports
    neither sentry-sdk nor the scrubbing engine (whose patterns compile at import)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    done = subprocess.run(
        [sys.executable, "-c", NO_DSN_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "False (None, None, None) []"
    assert "SENTRY_DSN is not set; Sentry is disabled" in done.stderr


@pytest.mark.parametrize(
    "dsn",
    [
        "not a dsn",
        "ftp://key@o1.ingest.sentry.io/1",
        "https://o1.ingest.sentry.io/1",
        "https://secretkey999@o1.ingest.sentry.io/not-a-number",
    ],
)
def test_invalid_dsn_is_a_clear_error_without_the_dsn(dsn: str) -> None:
    with pytest.raises(InvalidDsnError) as info:
        init_sentry(dsn)
    assert "not a valid Sentry DSN" in str(info.value)
    assert "secretkey999" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_capture_helpers_return_ids_and_scope_context_to_one_event(
    transport: CapturingTransport,
) -> None:
    assert init_sentry(
        DSN, environ={"ENVIRONMENT": "production", "VERSION": "0.1.0"}, transport=transport
    )
    try:
        raise ValueError("classification failed")
    except ValueError as exc:
        first = capture_exception(exc, context={"operation": "classification", "item_id": "i-1"})
    second = capture_message(
        "AI classification confidence low", level="warning", context={"confidence": 0.3}
    )
    third = capture_message("plain")
    sentry_sdk.flush()
    events = {e["event_id"]: e for e in transport.events()}
    assert first in events
    assert second in events
    assert third in events
    assert events[first]["contexts"]["context"] == {"operation": "classification", "item_id": "i-1"}
    assert events[first]["release"] == "para-autopilot@0.1.0"
    assert events[first]["environment"] == "production"
    assert events[first]["exception"]["values"][0]["type"] == "ValueError"
    assert sentry_sdk.scope.should_send_default_pii() is False
    assert events[second]["level"] == "warning"
    assert events[second]["contexts"]["context"] == {"confidence": 0.3}
    assert "context" not in events[third].get("contexts", {})


def test_user_context_sends_email_only_when_pii_is_allowed(transport: CapturingTransport) -> None:
    init_sentry(DSN, environ={}, transport=transport)
    with sentry_sdk.isolation_scope():
        set_user_context(user_id="user-123", email="user@example.com")
        plain = capture_message("no pii")
    with sentry_sdk.isolation_scope():
        set_user_context(user_id="user-123", email="user@example.com", allow_pii=True)
        allowed = capture_message("pii allowed")
    sentry_sdk.flush()
    events = {e["event_id"]: e for e in transport.events()}
    assert events[plain]["user"] == {"id": "user-123"}
    assert events[allowed]["user"] == {"id": "user-123", "email": "user@example.com"}


def test_logging_info_is_a_breadcrumb_and_error_an_event(transport: CapturingTransport) -> None:
    init_sentry(DSN, environ={}, transport=transport)
    log = logging.getLogger("para.autopilot.test")
    log.setLevel(logging.INFO)
    with sentry_sdk.isolation_scope():
        log.info("weekly review generated")
        log.warning("not an event")
        log.error("classification failed for item")
    sentry_sdk.flush()
    events = transport.events()
    assert [e["logentry"]["message"] for e in events] == ["classification failed for item"]
    crumbs = [b["message"] for b in events[0]["breadcrumbs"]["values"]]
    assert crumbs == ["weekly review generated", "not an event"]


def test_the_applications_own_objects_are_never_scrubbed_in_their_place(
    transport: CapturingTransport,
) -> None:
    """The event hook scrubs the event in place: that is only sound because sentry-sdk
    serialises the event into new containers before before_send. The application's extra,
    context, user, tags and breadcrumb data keep their secrets; the sent event does not."""
    secret = "Tr0ub4dor-3-para"
    payload = {"form": {"email": "ana@example.com", "password": secret}, "attempts": [1, 2]}
    service = {"url": f"postgres://app:{secret}@db.internal/para", "pool": 5}
    crumb_data = {"authorization": f"Bearer {secret}-0123456789", "status": 401}
    before = repr((payload, service, crumb_data))
    init_sentry(DSN, environ={}, transport=transport)
    with sentry_sdk.isolation_scope():
        sentry_sdk.set_extra("payload", payload)
        sentry_sdk.set_context("service", service)
        sentry_sdk.set_tag("auth_token", secret)
        sentry_sdk.add_breadcrumb(category="http", message="login", data=crumb_data)
        try:
            raise RuntimeError(f"login failed for password={secret}")
        except RuntimeError as exc:
            capture_exception(exc)
    sentry_sdk.flush()
    assert repr((payload, service, crumb_data)) == before
    (event,) = transport.events()
    assert secret not in repr(event)
    assert event["extra"]["payload"]["attempts"] == [1, 2]
    assert "ana@example.com" not in repr(event)  # personal data in text: removed by default
    assert event["contexts"]["service"]["pool"] == 5


def test_user_hooks_run_after_the_engine_and_a_raising_hook_drops_the_event(
    transport: CapturingTransport, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    def tagging_hook(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
        seen.append(event["event_id"])
        event.setdefault("tags", {})["hooked"] = "yes"
        return event

    def broken_hook(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("hook bug")

    init_sentry(DSN, environ={}, transport=transport, before_send=tagging_hook)
    kept = capture_message("kept")
    sentry_sdk.flush()
    assert seen == [kept]
    assert transport.events()[0]["tags"]["hooked"] == "yes"

    init_sentry(DSN, environ={}, transport=transport, before_send=broken_hook)
    with caplog.at_level(logging.WARNING, logger="para_monitor"):
        capture_message("dropped")
    sentry_sdk.flush()
    assert len(transport.events()) == 1
    assert any("was dropped" in r.getMessage() for r in caplog.records)


def test_a_raising_hook_logs_one_warning_per_dropped_event_never_captured_by_the_sdk(
    transport: CapturingTransport, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def bad(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
        calls.append(event["event_id"])
        raise ValueError("hook bug")

    init_sentry(DSN, environ={}, transport=transport, before_send=bad)
    with caplog.at_level(logging.DEBUG, logger="para_monitor"):
        assert capture_exception(RuntimeError("boom")) is None
        sentry_sdk.flush()
    # the hook ran once: its warning did not come back as an event through the hook
    assert len(calls) == 1
    assert transport.events() == []
    ours = [r for r in caplog.records if r.name.startswith("para_monitor")]
    assert [r.levelno for r in ours] == [logging.WARNING]
    assert re.fullmatch(
        r"para-monitor: hook \S*\.bad raised ValueError; the event was dropped",
        ours[0].getMessage(),
    )


def test_our_own_log_records_are_neither_events_nor_breadcrumbs(
    transport: CapturingTransport,
) -> None:
    init_sentry(DSN, environ={}, transport=transport)
    with sentry_sdk.isolation_scope():
        logging.getLogger("para_monitor").error("para-monitor diagnostic")
        logging.getLogger("para_monitor_cli.api").error("an HTTP trace")
        kept = capture_message("kept")
    sentry_sdk.flush()
    events = transport.events()
    assert [e["event_id"] for e in events] == [kept]
    assert "breadcrumbs" not in events[0] or not events[0]["breadcrumbs"]["values"]
