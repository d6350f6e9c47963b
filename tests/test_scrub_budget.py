"""The walk inside a running backend: linear whatever the input's shape, within its budget,
JSON-safe, never raising, never hanging the application.

Each adversarial shape goes through the runtime's own hooks (``init_sentry`` with a transport
that keeps what it is given, nothing sent anywhere): ``sentry_sdk.add_breadcrumb(message="m",
data=d)`` and an event carrying ``d`` in ``extra``; and through the engine directly, copying
and in place. The tests assert completion (a watchdog thread: 10 s, far above the 100 ms each
takes on this machine, so a hang fails instead of freezing the suite) and what comes out, never
timings.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from para_monitor_cli.runtime import init_sentry
from para_monitor_cli.scrub import FILTERED, Scrubber
from para_monitor_cli.scrub.engine import (
    BREADCRUMB_CHARS,
    CYCLE,
    EVENT_CHARS,
    EVENT_NODES,
    TRUNCATED,
)

DSN = "https://publickey0123@o42.ingest.sentry.io/4242"
SECRET = "hunter2-Pm-budget"
WATCHDOG_SECONDS = 10.0


class KeepingTransport(Transport):
    """Keeps the envelopes it is given; sends nothing."""

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
            if item.type in {"event", "transaction"} and item.payload.json is not None
        ]


def finishes(work: Callable[[], Any]) -> Any:
    """``work()``'s result, or a failure if it raised or had not finished after the watchdog's
    time (the thread is a daemon: a hang cannot keep the test process alive)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WATCHDOG_SECONDS)
    assert not thread.is_alive(), f"did not finish within {WATCHDOG_SECONDS} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


# ---- the adversarial shapes ------------------------------------------------------------------


def cycle_with_many_branches() -> dict[str, Any]:
    d: dict[str, Any] = {"password": SECRET, "note": f"token={SECRET}"}
    for name in "abcdefghijklmnopqrstuvwxyz":
        d[name] = d
    d["list"] = [d, d, d]
    return d


def shared_dag(depth: int = 40) -> dict[str, Any]:
    node: Any = {"leaf": f"password={SECRET}", "api_key": SECRET}
    for _ in range(depth):
        node = {"left": node, "right": node, "both": [node, node]}
    return node


def million_keys() -> dict[str, Any]:
    d: dict[str, Any] = {f"k{i}": f"value {i}" for i in range(1_000_000)}
    d["password"] = SECRET  # the last key: far beyond the budget
    return d


def huge_string() -> str:
    return ("a line of log text with password=" + SECRET + " in it\n") * 900_000  # ~50 MB


class Opaque:
    def __repr__(self) -> str:
        return f"Opaque(token={SECRET})"


class Broken:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def non_json_values() -> dict[Any, Any]:
    def generator() -> Iterator[int]:
        yield 1

    return {
        "a_set": {f"password={SECRET}", "plain"},
        "a_frozenset": frozenset({1, 2}),
        "a_tuple": ("authorization", f"Bearer {SECRET}"),
        ("user", "password"): SECRET,
        (1, 2): "tuple key",
        "object": Opaque(),
        "broken": Broken(),
        "generator": generator(),
        "bytes": f"password={SECRET}".encode(),
        "bytearray": bytearray(b"plain bytes"),
        "nested": {"inner": [({"token": SECRET},)]},
    }


SHAPES: dict[str, Callable[[], Any]] = {
    "cycle-many-branches": cycle_with_many_branches,
    "shared-dag-40-deep": shared_dag,
    "million-keys": million_keys,
    "50MB-string": huge_string,
    "non-json-values": non_json_values,
}


@pytest.fixture
def transport() -> Iterator[KeepingTransport]:
    keep = KeepingTransport()
    yield keep
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)
    sentry_sdk.get_isolation_scope().clear()
    sentry_sdk.get_current_scope().clear()


@pytest.mark.parametrize("shape", list(SHAPES))
def test_adversarial_shapes_through_the_runtime_hooks(
    shape: str, transport: KeepingTransport
) -> None:
    value = SHAPES[shape]()
    crumbs: list[dict[str, Any]] = []

    def after_engine(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
        crumbs.append(crumb)  # what the engine's breadcrumb hook returned
        return crumb

    init_sentry(DSN, environ={}, transport=transport, before_breadcrumb=after_engine)

    def record_and_capture() -> str | None:
        with sentry_sdk.isolation_scope() as scope:
            sentry_sdk.add_breadcrumb(message="m", data={"d": value})
            if shape != "shared-dag-40-deep":
                # sentry-sdk serialises extra before before_send, and its own serializer
                # (sentry_sdk/serializer.py, serialize -> _serialize_node_impl, which calls
                # safe_repr on what lies past its databag depth) expands a shared DAG into an
                # exponential repr: plain sentry-sdk never returns from that capture either,
                # before any hook of ours runs
                scope.set_extra("d", value)
            event_id = sentry_sdk.capture_message("adversarial")
        sentry_sdk.flush()
        return event_id

    event_id = finishes(record_and_capture)
    assert event_id is not None
    (crumb,) = crumbs
    data = json.dumps(crumb["data"])  # JSON-safe as the hook returns it, before the SDK
    assert SECRET not in data
    (event,) = transport.events()
    text = json.dumps(event)
    assert SECRET not in text
    assert event["breadcrumbs"]["values"][-1]["message"] == "m"


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("mode", ["event", "in-place", "breadcrumb", "value"])
def test_adversarial_shapes_through_the_engine(shape: str, mode: str) -> None:
    value = SHAPES[shape]()
    engine = Scrubber()

    def scrub() -> Any:
        if mode == "event":
            return engine.event({"extra": {"d": value}})
        if mode == "in-place":
            return engine.in_place().event({"extra": {"d": value}})
        if mode == "breadcrumb":
            return engine.breadcrumb({"message": "m", "data": {"d": value}})
        return engine.value(value)

    out = finishes(scrub)
    text = finishes(lambda: json.dumps(out))
    assert SECRET not in text
    # within the budget, as JSON: nodes and characters
    assert len(text) < 60 * EVENT_NODES + 2 * EVENT_CHARS


def test_a_cycle_becomes_a_marker_and_a_shared_object_is_scrubbed_once() -> None:
    shared = {"password": SECRET, "note": "kept"}
    d: dict[str, Any] = {"a": shared, "b": shared}
    d["self"] = d
    out = Scrubber().event({"extra": d})
    assert out is not None
    extra = out["extra"]
    assert extra["self"] == CYCLE
    assert extra["a"] == {"password": FILTERED, "note": "kept"}
    assert extra["b"] is extra["a"]  # the same scrubbed result, reused
    assert shared["password"] == SECRET  # the input is untouched
    # the same dict under a sensitive name is filtered there, whatever was seen first
    out = Scrubber().event({"extra": {"plain": {"x": "value"}, "password": {"x": "value"}}})
    assert out is not None
    assert out["extra"]["password"] == {"x": FILTERED}
    twice = {"x": "value"}
    out = Scrubber().event({"extra": {"plain": twice, "password": twice}})
    assert out is not None
    assert out["extra"] == {"plain": {"x": "value"}, "password": {"x": FILTERED}}


def test_what_lies_beyond_the_node_budget_is_a_marker() -> None:
    big = {f"k{i}": i for i in range(EVENT_NODES * 2)}
    out = Scrubber().event({"extra": {"big": big}})
    assert out is not None
    kept = out["extra"]["big"]
    assert kept[TRUNCATED] > 0
    assert len(kept) <= EVENT_NODES + 1
    # each value kept, or TRUNCATED once classifying new key names has spent the characters
    values = [kept[k] for k in kept if k != TRUNCATED]
    assert all(kept[k] in (int(k[1:]), TRUNCATED) for k in kept if k != TRUNCATED)
    assert values[:100] == list(range(100))
    items = list(range(EVENT_NODES * 2))
    out = Scrubber().event({"extra": {"items": items}})
    assert out is not None
    assert out["extra"]["items"][-1] == TRUNCATED


def test_a_long_string_is_scanned_up_to_the_budget_and_cut_at_whitespace() -> None:
    token = "sk-proj-" + "Pm7fakeKey0123456789abcdefABCDEF"
    # the budget ends inside the token: the token must not be sent cut short
    text = "x " * ((BREADCRUMB_CHARS - 20) // 2) + token + " tail"
    crumb = Scrubber().breadcrumb({"message": "m", "data": {"text": text}})
    assert crumb is not None
    out = crumb["data"]["text"]
    assert out.endswith(TRUNCATED)
    assert token[:12] not in out
    assert len(out) <= BREADCRUMB_CHARS + len(TRUNCATED)
    # a string with no whitespace at all: nothing of it is sent
    crumb = Scrubber().breadcrumb({"message": "m", "data": {"blob": "A" * (BREADCRUMB_CHARS * 4)}})
    assert crumb is not None
    assert crumb["data"]["blob"] == TRUNCATED


def test_non_json_values_come_out_as_json_types_scrubbed() -> None:
    crumb = Scrubber().breadcrumb({"message": "m", "data": non_json_values()})
    assert crumb is not None
    data = crumb["data"]
    json.dumps(data)
    assert data["a_tuple"] == ["authorization", FILTERED]
    # a two-item list led by a sensitive name is a pair (its second item filtered too)
    assert f"password={FILTERED}" in data["a_set"]
    assert SECRET not in json.dumps(data)
    assert data["a_frozenset"] in ([1, 2], [2, 1])
    assert data["object"].startswith(f"Opaque(token={FILTERED}")
    assert data["broken"] == "<Broken object>"
    assert data["generator"].startswith("<generator object")
    assert data["bytes"] == f"password={FILTERED}"
    assert data["bytearray"] == "plain bytes"
    assert data['["user", "password"]'] == FILTERED  # a tuple key is judged by its names
    assert data["[1, 2]"] == "tuple key"
    assert data["nested"] == {"inner": [[{"token": FILTERED}]]}


def test_a_breadcrumbs_timestamp_stays_a_datetime_for_the_sdk() -> None:
    import datetime

    now = datetime.datetime.now(datetime.UTC)
    crumb = Scrubber().breadcrumb({"message": "m", "timestamp": now, "data": {"at": now}})
    assert crumb is not None
    assert crumb["timestamp"] is now
    assert crumb["data"]["at"] == now.isoformat()


def test_budgets_leave_real_events_whole(corpus_events: list[dict[str, Any]]) -> None:
    """No event of the corpus comes near a budget: nothing in them is truncated."""
    engine = Scrubber()
    for event in corpus_events:
        assert TRUNCATED not in json.dumps(engine.event(event))


@pytest.fixture(scope="module")
def corpus_events() -> list[dict[str, Any]]:
    from para_monitor_cli.scrub.checker import load_corpus

    samples, _ = load_corpus()
    return [s.event for s in samples]
