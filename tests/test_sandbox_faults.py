"""Fault injection: each fault kind through a small Starlette app wrapped by the middleware."""

from __future__ import annotations

import asyncio
import random
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import jsonschema
import pytest
import uvicorn
from openapi_support import ERROR_BODY_SCHEMA
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from para_monitor_cli.sandbox.faults import (
    ConnectionDropped,
    FaultMiddleware,
    FaultRule,
    Faults,
    FaultSyntaxError,
    deprecation_headers,
    faults_from_json,
    parse_fault,
    rate_limit_message,
)

ORG = "/api/0/organizations/acme"


async def _detectors(request: Request) -> JSONResponse:
    return JSONResponse([] if request.method == "GET" else {"id": "1"}, status_code=200)


async def _slow(request: Request) -> JSONResponse:
    await asyncio.sleep(0.3)
    return JSONResponse({"ok": True})


async def _admin(request: Request) -> JSONResponse:
    return JSONResponse({"admin": True})


def _app(faults: Faults) -> FaultMiddleware:
    app = Starlette(
        routes=[
            Route(ORG + "/detectors/", _detectors, methods=["GET", "POST"]),
            Route(ORG + "/alert-rules/", _detectors, methods=["GET"]),
            Route("/api/0/projects/acme/backend/rules/", _detectors, methods=["GET"]),
            Route("/slow/", _slow),
            Route("/_sandbox/faults/", _admin),
        ]
    )
    return FaultMiddleware(app, faults)


def _call(faults: Faults, *requests: tuple[str, str]) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=_app(faults))
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            return [await client.request(method, url) for method, url in requests]

    return asyncio.run(run())


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Faults]]:
    faults = Faults()
    config = uvicorn.Config(
        _app(faults), host="127.0.0.1", port=0, log_level="error", lifespan="off"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", faults
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def live(server: tuple[str, Faults]) -> Iterator[tuple[httpx.Client, Faults]]:
    url, faults = server
    faults.clear()
    with httpx.Client(base_url=url, timeout=5) as client:
        yield client, faults
    faults.clear()


# --------------------------------------------------------------------------- syntax


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "POST /detectors/:429x3",
            {"action": "status", "status": 429, "method": "POST", "times": 3},
        ),
        ("/alert-rules/:410", {"action": "status", "status": 410, "path": "/alert-rules/"}),
        (
            "GET /eventids/:latency=0.5@0.25",
            {"action": "latency", "seconds": 0.5, "probability": 0.25},
        ),
        ("*:503x1", {"action": "status", "status": 503, "path": "*", "times": 1}),
        ("/envelope/:drop x2", {"action": "drop", "times": 2}),
        (
            "*:ratelimit=40/1s,25",
            {"action": "ratelimit", "limit": 40, "window": 1.0, "concurrent": 25},
        ),
        ("* /x:ratelimit=5/60", {"action": "ratelimit", "limit": 5, "window": 60.0}),
    ],
)
def test_parse_fault(text: str, expected: dict[str, Any]) -> None:
    data = parse_fault(text).to_json()
    for key, value in expected.items():
        assert data[key] == value, (key, data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/detectors/", "cannot read fault"),
        ("/detectors/:404", "410, 429 or 5xx"),
        ("FETCH /x:500", "unknown method"),
        ("/x:latency=0.1@1.5", "probability"),
        ("/x(:500", "bad path pattern"),
        ("/x:ratelimit=0/1", "limit >= 1"),
    ],
)
def test_bad_fault_text_is_refused_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(FaultSyntaxError, match=re.escape(message)):
        parse_fault(text)


def test_faults_from_json_takes_strings_and_objects() -> None:
    rules = faults_from_json(
        {
            "faults": [
                "POST /detectors/:429x3",
                {"method": "GET", "path": "/eventids/", "action": "latency", "seconds": 0.1},
                {"path": "/rules/", "action": 410},
                {"action": "ratelimit", "limit": 40, "window": 1, "concurrent": 25},
            ]
        }
    )
    assert [r.action for r in rules] == ["status", "latency", "status", "ratelimit"]
    assert rules[2].status == 410
    with pytest.raises(FaultSyntaxError, match="unknown fault keys"):
        faults_from_json({"faults": [{"action": "drop", "pth": "/x"}]})
    with pytest.raises(FaultSyntaxError, match="list of rules"):
        faults_from_json({"faults": "POST /x:500"})
    with pytest.raises(FaultSyntaxError, match="unknown fault action"):
        faults_from_json([{"action": "explode"}])


def test_controller_round_trips_its_rules_as_json() -> None:
    faults = Faults(["POST /detectors/:429x3", "*:latency=0.01"])
    dumped = faults.to_json()
    assert [r.to_json() for r in faults_from_json(dumped_without_state(dumped))] == [
        r.to_json() for r in faults.rules()
    ]


def dumped_without_state(data: dict[str, Any]) -> dict[str, Any]:
    return {"faults": [{k: v for k, v in rule.items() if k != "fired"} for rule in data["faults"]]}


# --------------------------------------------------------------------------- each fault kind


def test_no_rule_passes_requests_through() -> None:
    (response,) = _call(Faults(), ("GET", ORG + "/detectors/"))
    assert response.status_code == 200
    assert response.json() == []
    assert "x-sentry-rate-limit-limit" not in response.headers


def test_latency_delays_matching_requests_only() -> None:
    faults = Faults(["GET /detectors/:latency=0.2"])
    started = time.perf_counter()
    (slow,) = _call(faults, ("GET", ORG + "/detectors/"))
    assert time.perf_counter() - started >= 0.2
    assert slow.status_code == 200
    (fast,) = _call(faults, ("POST", ORG + "/detectors/"))
    assert fast.status_code == 200
    # the other method is not delayed: the rule fired for the GET only (counted, not timed: a
    # wall-clock bound on an undelayed request is flaky on a loaded machine)
    assert [rule.fired for rule in faults.rules()] == [1]


def test_5xx_carries_sentrys_internal_error_body_for_n_times() -> None:
    faults = Faults(["*:500x2"])
    first, second, third = _call(faults, *[("GET", ORG + "/detectors/")] * 3)
    assert [first.status_code, second.status_code, third.status_code] == [500, 500, 200]
    body = first.json()
    assert body["detail"] == "Internal Error"
    assert re.fullmatch(r"[0-9a-f]{32}", body["errorId"])
    assert body["errorId"] != second.json()["errorId"]
    jsonschema.validate(body, ERROR_BODY_SCHEMA)
    (other,) = _call(Faults(["*:503"]), ("GET", ORG + "/detectors/"))
    assert other.status_code == 503


def test_429_is_a_bare_string_with_rate_limit_headers() -> None:
    faults = Faults(["POST /detectors/:429x3"])
    responses = _call(faults, *[("POST", ORG + "/detectors/")] * 4, ("GET", ORG + "/detectors/"))
    assert [r.status_code for r in responses] == [429, 429, 429, 200, 200]
    limited = responses[0]
    assert limited.json() == rate_limit_message(40, 1)
    assert limited.json().startswith("You are attempting to use this endpoint too frequently")
    jsonschema.validate(limited.json(), ERROR_BODY_SCHEMA)
    headers = limited.headers
    assert headers["X-Sentry-Rate-Limit-Limit"] == "40"
    assert headers["X-Sentry-Rate-Limit-Remaining"] == "0"
    assert int(headers["X-Sentry-Rate-Limit-Reset"]) >= int(time.time())
    assert headers["X-Sentry-Rate-Limit-ConcurrentLimit"] == "25"
    assert "X-Sentry-Rate-Limit-ConcurrentRemaining" in headers
    assert "retry-after" not in headers


def test_410_brownout_on_deprecated_routes_with_deprecation_headers() -> None:
    faults = Faults()
    faults.brownout(times=2)
    legacy, rules, modern = _call(
        faults,
        ("GET", ORG + "/alert-rules/"),
        ("GET", "/api/0/projects/acme/backend/rules/"),
        ("GET", ORG + "/detectors/"),
    )
    assert legacy.status_code == 410
    assert legacy.json() == {"message": "This API no longer exists."}
    assert legacy.headers["X-Sentry-Deprecation-Date"] == "2026-05-14T00:00:00+00:00"
    assert legacy.headers["X-Sentry-Replacement-Endpoint"] == "/api/0/organizations/acme/detectors/"
    assert rules.status_code == 410
    assert rules.headers["X-Sentry-Replacement-Endpoint"] == "/api/0/organizations/acme/workflows/"
    assert modern.status_code == 200
    assert deprecation_headers(ORG + "/detectors/") is None


def test_drop_closes_the_connection_without_a_response(live: tuple[httpx.Client, Faults]) -> None:
    client, faults = live
    faults.add("GET /detectors/:drop x1")
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(ORG + "/detectors/")
    assert client.get(ORG + "/detectors/").status_code == 200


def test_drop_without_a_socket_raises_to_the_caller() -> None:
    with pytest.raises(ConnectionDropped):
        _call(Faults(["*:drop"]), ("GET", ORG + "/detectors/"))


def test_probability_uses_the_controllers_dice() -> None:
    never = Faults([FaultRule("status", status=500, probability=0.0)])
    always = Faults([FaultRule("status", status=500, probability=1.0)])
    assert {r.status_code for r in _call(never, *[("GET", ORG + "/detectors/")] * 5)} == {200}
    assert {r.status_code for r in _call(always, *[("GET", ORG + "/detectors/")] * 5)} == {500}
    half = Faults(["*:500@0.5"], rng=random.Random(7))
    codes = [r.status_code for r in _call(half, *[("GET", ORG + "/detectors/")] * 40)]
    assert 0 < codes.count(500) < 40
    assert half.rules()[0].fired == codes.count(500)


def test_method_and_path_filters() -> None:
    faults = Faults(["POST /detectors/:500"])
    get, post, rules = _call(
        faults,
        ("GET", ORG + "/detectors/"),
        ("POST", ORG + "/detectors/"),
        ("GET", ORG + "/alert-rules/"),
    )
    assert (get.status_code, post.status_code, rules.status_code) == (200, 500, 200)


def test_admin_prefix_is_never_faulted() -> None:
    (response,) = _call(Faults(["*:500"]), ("GET", "/_sandbox/faults/"))
    assert response.json() == {"admin": True}


def test_enforced_rate_limit_counts_a_fixed_window() -> None:
    now = [1_000_000.0]
    faults = Faults(clock=lambda: now[0])
    faults.rate_limit(limit=3, window=10, concurrent=25)
    responses = _call(faults, *[("GET", ORG + "/detectors/")] * 4)
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["X-Sentry-Rate-Limit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
    for response in responses:
        assert response.headers["X-Sentry-Rate-Limit-Limit"] == "3"
        assert response.headers["X-Sentry-Rate-Limit-Reset"] == "1000010"
        assert response.headers["X-Sentry-Rate-Limit-ConcurrentLimit"] == "25"
    assert (
        responses[3].json() == "You are attempting to use this endpoint too frequently. "
        "Limit is 3 requests in 10 seconds"
    )
    now[0] += 10  # the next window
    (again,) = _call(faults, ("GET", ORG + "/detectors/"))
    assert again.status_code == 200
    assert again.headers["X-Sentry-Rate-Limit-Remaining"] == "2"


def test_enforced_concurrency_limit(live: tuple[httpx.Client, Faults]) -> None:
    client, faults = live
    faults.rate_limit(path="/slow/", limit=100, window=60, concurrent=2)
    with ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(pool.map(lambda _: client.get("/slow/"), range(3)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 200, 429]
    limited = next(r for r in responses if r.status_code == 429)
    assert "concurrency" in limited.json()
    assert limited.headers["X-Sentry-Rate-Limit-ConcurrentRemaining"] == "0"
    # once they finish, the slots are free again
    after = client.get("/slow/")
    assert after.status_code == 200
    assert after.headers["X-Sentry-Rate-Limit-ConcurrentRemaining"] == "1"


def test_faults_can_change_while_the_server_runs(live: tuple[httpx.Client, Faults]) -> None:
    client, faults = live
    assert client.get(ORG + "/detectors/").status_code == 200
    faults.replace(faults_from_json({"faults": ["GET /detectors/:503x1"]}))
    assert client.get(ORG + "/detectors/").status_code == 503
    assert client.get(ORG + "/detectors/").status_code == 200
    assert faults.to_json()["faults"][0]["fired"] == 1


def test_rate_limit_windows_are_aligned_to_the_epoch_as_sentry_buckets_time() -> None:
    now = [1_000_000.7]  # mid-second: the window is [1000000, 1000001), not [.7, 1.7)
    faults = Faults(clock=lambda: now[0])
    faults.rate_limit(limit=1, window=1)
    first, over = _call(faults, *[("GET", ORG + "/detectors/")] * 2)
    assert (first.status_code, over.status_code) == (200, 429)
    assert over.headers["X-Sentry-Rate-Limit-Reset"] == "1000001"
    now[0] = 1_000_001.0  # exactly when Reset said: a fresh window
    (again,) = _call(faults, ("GET", ORG + "/detectors/"))
    assert again.status_code == 200


def test_a_request_held_by_latency_when_the_sandbox_resets_never_lands(sandbox: Any) -> None:
    """A test that ends while a latency rule holds its create (a killed apply) must not leave
    that create to land in the next test's fresh state: reset drops it."""
    org = f"{sandbox.url.rstrip('/')}/api/0/organizations/{sandbox.org}"
    body = {
        "name": "held create",
        "type": "metric_issue",
        "dataSources": [
            {
                "dataset": "events",
                "queryType": 0,
                "eventTypes": ["error", "default"],
                "aggregate": "count()",
                "query": "",
                "timeWindow": 300,
            }
        ],
        "conditionGroup": {
            "logicType": "any",
            "conditions": [{"type": "gt", "comparison": 5, "conditionResult": 75}],
        },
        "config": {"detectionType": "static"},
    }
    auth = {"Authorization": f"Bearer {sandbox.token}"}
    held = sandbox.faults.latency(r"/detectors/$", 0.5, method="POST")
    outcome: list[BaseException | httpx.Response] = []

    def create() -> None:
        try:
            outcome.append(
                httpx.post(
                    f"{org}/projects/{sandbox.project}/detectors/",
                    json=body,
                    headers=auth,
                    timeout=10,
                )
            )
        except httpx.HTTPError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=create)
    thread.start()
    deadline = time.monotonic() + 10
    while held.fired == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert held.fired == 1
    sandbox.reset()
    thread.join(10)
    assert len(outcome) == 1
    assert isinstance(outcome[0], httpx.HTTPError)  # dropped, no answer
    listed = httpx.get(f"{org}/detectors/", headers=auth, timeout=10).json()
    assert isinstance(listed, list), listed
    assert [d["name"] for d in listed if d["name"] == "held create"] == []
