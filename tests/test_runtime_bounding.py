"""Shapes that would hang sentry-sdk's own serialiser, through the real SDK: the application's
parts of an event (extra, contexts, tags, user) are bounded by our event processor before
sentry-sdk serialises the event (sentry_sdk/client.py, _Client._prepare_event), so a capture
returns, and what is sent is JSON and holds no planted secret."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from para_monitor_cli.runtime import init_sentry, sdk_options
from para_monitor_cli.runtime.scrubbing import PLAIN_NODES, _plain

DSN = "https://publickey0123@o42.ingest.sentry.io/4242"
SECRET = "planted-Secret-Value-8c1f"  # under a sensitive name: must be filtered
LIVE_KEY = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"  # a credential by its shape
WATCHDOG_S = 10.0


class KeepingTransport(Transport):
    def __init__(self) -> None:
        super().__init__({"dsn": DSN})
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict[str, Any]]:
        return [
            item.payload.json
            for envelope in self.envelopes
            for item in envelope.items
            if item.type == "event" and item.payload.json is not None
        ]


@pytest.fixture
def transport() -> Iterator[KeepingTransport]:
    keep = KeepingTransport()
    yield keep
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)
    sentry_sdk.get_isolation_scope().clear()
    sentry_sdk.get_current_scope().clear()


def _leaf() -> dict[str, Any]:
    return {"password": SECRET, "note": f"charged with {LIVE_KEY}", "n": 1}


def _dag(depth: int = 40) -> dict[str, Any]:
    d: dict[str, Any] = _leaf()
    for _ in range(depth):
        d = {"a": d, "b": d}
    return d


def _cycle() -> dict[str, Any]:
    d: dict[str, Any] = _leaf()
    d["a"] = d
    d["b"] = d
    return d


def _capture_within_watchdog(place: Callable[[sentry_sdk.Scope], None]) -> float:
    """capture_message with ``place`` applied to its scope, in a thread: the seconds it took
    (the test fails, rather than hangs, when it does not return within the watchdog)."""
    done: list[float] = []
    failed: list[BaseException] = []

    def run() -> None:
        start = time.perf_counter()
        try:
            with sentry_sdk.new_scope() as scope:
                place(scope)
                sentry_sdk.capture_message("m")
        except BaseException as exc:  # reported by the test, not lost in the thread
            failed.append(exc)
        done.append(time.perf_counter() - start)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WATCHDOG_S)
    assert done, f"capture_message did not return within {WATCHDOG_S} s"
    assert not failed, repr(failed[0])
    return done[0]


def _set_extra(value: Any) -> Callable[[sentry_sdk.Scope], None]:
    return lambda scope: scope.set_extra("x", value)


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("shared DAG 40 deep in extra", lambda: _set_extra(_dag())),
        ("two-branch cycle in extra", lambda: _set_extra(_cycle())),
        ("shared DAG in a context", lambda: lambda scope: scope.set_context("c", _dag())),
        ("shared DAG in the user", lambda: lambda scope: scope.set_user({"id": "1", "d": _dag()})),
        ("100k keys in extra", lambda: _set_extra({f"k{i}": _leaf() for i in range(100_000)})),
        (
            "non-JSON values in extra",
            lambda: _set_extra({("password", "x"): SECRET, "s": {LIVE_KEY}, "t": (_dag(),)}),
        ),
    ],
)
def test_adversarial_scope_data_is_bounded_before_the_sdk_serialises_it(
    transport: KeepingTransport, name: str, place: Callable[[], Callable[[sentry_sdk.Scope], None]]
) -> None:
    init_sentry(DSN, environ={}, transport=transport)
    _capture_within_watchdog(place())
    (event,) = transport.events()
    sent = json.dumps(event)  # JSON-serialisable as sent
    assert SECRET not in sent, name
    assert LIVE_KEY not in sent, name
    assert len(sent) < 4_000_000, name  # within the engine's node budget, as JSON


def test_a_normal_event_keeps_its_parts_as_the_application_set_them(
    transport: KeepingTransport,
) -> None:
    init_sentry(DSN, environ={}, transport=transport)
    extra = {"order": {"id": 7, "items": ["a", "b"]}, "retry": True}
    with sentry_sdk.new_scope() as scope:
        scope.set_extra("ctx", extra)
        scope.set_tag("region", "eu")
        sentry_sdk.capture_message("m")
    (event,) = transport.events()
    assert event["extra"]["ctx"] == extra
    assert event["tags"]["region"] == "eu"


def test_the_processor_leaves_clients_without_our_hooks_alone(transport: KeepingTransport) -> None:
    init_sentry(DSN, environ={}, transport=transport)  # registers the global processor
    sentry_sdk.get_client().close()
    options = sdk_options(DSN, environ={}, transport=transport)
    for hook in ("before_send", "before_send_transaction", "before_breadcrumb"):
        del options[hook]
    sentry_sdk.init(**options)
    big = {f"k{i}": i for i in range(PLAIN_NODES + 1)}
    with sentry_sdk.new_scope() as scope:
        scope.set_extra("big", big)
        sentry_sdk.capture_message("m")
    (event,) = transport.events()
    # the SDK's own trimming (10 keys per databag), not our engine's bounding
    assert "[truncated" not in json.dumps(event)


def test_the_plain_check_is_bounded_whatever_the_shape() -> None:
    assert _plain({"a": [1, "x", None, {"b": 2.5}]}, PLAIN_NODES, 0) >= 0
    assert _plain(_dag(), PLAIN_NODES, 0) == -1
    assert _plain(_cycle(), PLAIN_NODES, 0) == -1
    assert _plain({"s": {1}}, PLAIN_NODES, 0) == -1
    assert _plain({1: "x"}, PLAIN_NODES, 0) == -1
