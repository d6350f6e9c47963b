"""The probe's pure parts: the leak finder, links, delivery classification and the arrival
poller (with a fake clock: the eventids lookup is never called twice within a second)."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
import urllib3

from para_monitor_cli.errors import DeliveryError, NotFoundError, UnreachableError
from para_monitor_cli.probe import (
    EnvelopeRecord,
    Wanted,
    confirm_arrival,
    delivery_problem,
    event_link,
    find_leaks,
    plant,
)
from para_monitor_cli.probe.transport import classify_exception


# --------------------------------------------------------------------------- leaks
def test_planted_secrets_are_fresh_and_distinct() -> None:
    first, second = plant(), plant()
    assert len(set(first.values())) == 5
    assert not set(first.values()) & set(second.values())
    assert first.header.value.startswith("Bearer pmfake_")


def test_find_leaks_reports_paths_never_values() -> None:
    planted = plant()
    document = {
        "request": {"headers": {"Authorization": planted.header.value, "Accept": "*/*"}},
        "extra": {"note": f"user said {planted.body.core[:-1]}"},  # a different string
        "spans": [{"data": {"db.password": "[Filtered]"}}],
        "breadcrumbs": {"values": [{"message": f"token={planted.breadcrumb.core}"}]},
        planted.frame_local.value: "a secret used as a key",
        "raw": planted.span_data.value.encode(),
    }
    leaks = find_leaks(document, planted)
    assert [(leak.path, leak.place) for leak in leaks] == [
        ("$.request.headers.Authorization", "header"),
        ("$.breadcrumbs.values[0].message", "breadcrumb"),
        ("$.****<key>", "frame_local"),
        ("$.raw", "span_data"),
    ]
    text = json.dumps([leak.describe() for leak in leaks])
    for secret in planted.all():
        assert secret.core not in text


def test_find_leaks_on_a_clean_document() -> None:
    planted = plant()
    assert find_leaks({"a": ["[Filtered]", 1, None, {"b": "pmfake"}]}, planted) == []


# --------------------------------------------------------------------------- links
@pytest.mark.parametrize(
    ("base", "group", "transaction", "expected"),
    [
        ("https://sentry.io/", "7", False, "https://acme.sentry.io/issues/7/events/E/"),
        ("https://de.sentry.io", None, False, "https://acme.sentry.io/projects/be/events/E/"),
        ("https://sentry.io/", None, True, "https://acme.sentry.io/performance/be:E/"),
        (
            "http://127.0.0.1:8000/",
            "7",
            False,
            "http://127.0.0.1:8000/organizations/acme/issues/7/events/E/",
        ),
        (
            "https://sentry.example.com/",
            None,
            True,
            "https://sentry.example.com/organizations/acme/performance/be:E/",
        ),
    ],
)
def test_event_links(base: str, group: str | None, transaction: bool, expected: str) -> None:
    assert event_link(base, "acme", "be", "E", group_id=group, transaction=transaction) == expected


def test_no_link_without_a_project_or_group() -> None:
    assert event_link("https://sentry.io/", "acme", None, "E") is None


# --------------------------------------------------------------------------- delivery
def record(outcome: str, status: int | None = None, **kwargs: Any) -> EnvelopeRecord:
    return EnvelopeRecord(
        event_id="e" * 32,
        item_types=("event",),
        queued_at=0.0,
        outcome=outcome,
        status=status,
        **kwargs,
    )


def test_all_accepted_is_no_problem() -> None:
    client_report = EnvelopeRecord(None, ("client_report",), 0.0, outcome="refused", status=500)
    assert delivery_problem([record("accepted", 200), client_report], "h") is None


def test_the_most_telling_failure_wins() -> None:
    records = [
        record("timeout", reason="no answer within 1 s"),
        record("rate_limited", 429, retry_after=60.0, reason="HTTP 429"),
        record("refused", 403, reason="HTTP 403"),
    ]
    problem = delivery_problem(records, "h:1")
    assert isinstance(problem, DeliveryError)
    assert problem.message.startswith("the receiver at h:1 refused the DSN key (HTTP 403)")
    assert problem.message.endswith("3 of 3 test events not accepted")
    problem = delivery_problem(records[:2], "h:1")
    assert problem is not None
    assert "rate limited the test events (HTTP 429, retry after 60 s)" in problem.message
    problem = delivery_problem(records[:1], "h:1")
    assert isinstance(problem, UnreachableError)
    assert "too slow (no answer within 1 s)" in problem.message


def test_413_and_gzip_hints() -> None:
    too_big = delivery_problem([record("refused", 413, reason="HTTP 413")], "h")
    assert too_big is not None
    assert too_big.hint == "the envelope is larger than the receiver accepts"
    brotli = delivery_problem([record("refused", 500, reason="HTTP 500")], "h")
    assert brotli is not None
    assert "--compression gzip" in str(brotli.hint)
    gzip = delivery_problem([record("refused", 500, reason="HTTP 500")], "h", compression="gzip")
    assert gzip is not None
    assert "--compression" not in str(gzip.hint)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            urllib3.exceptions.NewConnectionError(None, "[Errno 111] Connection refused"),  # type: ignore[arg-type]
            ("unreachable", "connection refused"),
        ),
        (
            urllib3.exceptions.NameResolutionError("h", None, OSError()),  # type: ignore[arg-type]
            ("unreachable", "the host name could not be resolved"),
        ),
        (
            urllib3.exceptions.ReadTimeoutError(None, "/", "read timed out"),  # type: ignore[arg-type]
            ("timeout", "no answer within 2 s"),
        ),
        (
            urllib3.exceptions.ConnectTimeoutError("x"),
            ("timeout", "no connection within 2 s"),
        ),
        (
            urllib3.exceptions.ProtocolError("Connection aborted."),
            ("unreachable", "the connection was dropped before an answer"),
        ),
        (ValueError("x"), ("unreachable", "sending failed (ValueError)")),
    ],
)
def test_classify_exception(exc: BaseException, expected: tuple[str, str]) -> None:
    assert classify_exception(exc, 2.0) == expected
    wrapped = urllib3.exceptions.MaxRetryError(None, "/", exc)  # type: ignore[arg-type]
    if isinstance(exc, urllib3.exceptions.HTTPError):
        assert classify_exception(wrapped, 2.0) == expected


# --------------------------------------------------------------------------- arrival
class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds


class FakeApi:
    """Events become visible after ``ready_at`` fake seconds; every call is logged."""

    def __init__(self, clock: FakeClock, ready_at: dict[str, float]) -> None:
        self.clock = clock
        self.ready_at = ready_at
        self.calls: list[tuple[float, str, str]] = []

    def _visible(self, event_id: str) -> bool:
        return self.clock() >= self.ready_at.get(event_id, float("inf"))

    def lookup_event_id(self, event_id: str, org: str | None = None) -> Any:
        self.calls.append((self.clock(), "eventids", event_id))
        if event_id.startswith("t") or not self._visible(event_id):
            raise NotFoundError("not found", status=404)
        return {"projectSlug": "backend", "groupId": "17", "eventId": event_id}

    def project_event(self, project: str, event_id: str, org: str | None = None) -> Any:
        self.calls.append((self.clock(), "event", event_id))
        if not self._visible(event_id):
            raise NotFoundError("not found", status=404)
        return {"eventID": event_id, "tags": [{"key": "k", "value": "v"}], "groupID": "17"}


def test_arrival_polls_within_the_lookup_rate_limit() -> None:
    clock = FakeClock()
    api = FakeApi(clock, {"e1": 2.5, "m1": 0.0, "t1": 4.0})
    wanted = [Wanted("error", "e1", False), Wanted("message", "m1", False)]
    wanted.append(Wanted("transaction", "t1", True))
    found = confirm_arrival(
        api, wanted, org="acme", project=None, timeout=30, clock=clock, sleep=clock.sleep
    )
    assert [a.found for a in found] == [True, True, True]
    assert [a.group_id for a in found[:2]] == ["17", "17"]
    assert found[2].project == "backend"  # learnt from the first lookup
    lookups = [t for t, kind, _ in api.calls if kind == "eventids"]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(lookups))
    assert all(a.seconds is not None and a.seconds <= 5.5 for a in found)
    # transactions are never looked up by id (Sentry's lookup excludes them)
    assert ("eventids", "t1") not in {(kind, event) for _, kind, event in api.calls}


def test_arrival_gives_up_at_the_deadline() -> None:
    clock = FakeClock()
    api = FakeApi(clock, {"m1": 0.0})
    wanted = [Wanted("error", "e1", False), Wanted("message", "m1", False)]
    found = confirm_arrival(
        api, wanted, org="acme", project="backend", timeout=5, clock=clock, sleep=clock.sleep
    )
    assert [a.found for a in found] == [False, True]
    assert found[0].reason == "not found within 5 s"
    assert clock() <= 5.0
    assert sum(1 for _, kind, _ in api.calls if kind == "eventids") <= 6


def test_a_transaction_without_any_project_cannot_be_read() -> None:
    clock = FakeClock()
    api = FakeApi(clock, {"t1": 0.0})
    found = confirm_arrival(
        api,
        [Wanted("transaction", "t1", True)],
        org="acme",
        project=None,
        timeout=5,
        clock=clock,
        sleep=clock.sleep,
    )
    assert not found[0].found
    assert found[0].reason == "no project configured (pass --project) to read the event"
