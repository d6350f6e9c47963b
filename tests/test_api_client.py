"""SentryClient edge cases over httpx.MockTransport: faults the sandbox cannot make."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from para_monitor_cli import errors
from para_monitor_cli.api import client as api
from para_monitor_cli.api.client import SentryClient, error_message, parse_link_header
from para_monitor_cli.settings import resolve

TOKEN = "sntrys_" + "A1b2C3d4" * 6
BASE = "https://sentry.example.com/"

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def _no_backoff() -> Iterator[None]:
    api.set_testing(True, attempts=3)
    yield
    api.set_testing(False)


def make(handler: Handler, **kwargs: object) -> SentryClient:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return SentryClient(http, base_url=BASE, token=TOKEN, org="acme", **kwargs)  # type: ignore[arg-type]


def test_bearer_auth_prefix_and_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "1", "slug": "backend"})

    client = make(handler)
    assert client.project("backend") == {"id": "1", "slug": "backend"}
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert str(seen[0].url) == "https://sentry.example.com/api/0/projects/acme/backend/"


@pytest.mark.parametrize(
    ("base", "root"),
    [
        ("https://sentry.io", "https://sentry.io/api/0/"),
        ("https://de.sentry.io/", "https://de.sentry.io/api/0/"),
        ("https://sentry.corp.example/sentry/", "https://sentry.corp.example/sentry/api/0/"),
        ("http://127.0.0.1:5000/api/0/", "http://127.0.0.1:5000/api/0/"),
        ("sentry.io", "https://sentry.io/api/0/"),
    ],
)
def test_api_root(base: str, root: str) -> None:
    assert api.api_root(base) == root


@pytest.mark.parametrize(
    ("status", "body", "cls", "fragment"),
    [
        (401, {"detail": "Invalid token"}, errors.AuthError, "Invalid token"),
        (403, {"detail": "You do not have permission"}, errors.AuthError, "permission"),
        (404, {"detail": "The requested resource does not exist"}, errors.NotFoundError, "exist"),
        (400, {"name": ["too long"], "nonFieldErrors": ["bad"]}, errors.ValidationError, "name"),
        (409, "Dashboard title already taken", errors.ApiError, "already taken"),
        (400, ["first", "second"], errors.ValidationError, "first; second"),
    ],
)
def test_status_mapping(status: int, body: object, cls: type[Exception], fragment: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/0/organizations/acme/":  # the organization exists
            return httpx.Response(200, json={"id": "1", "slug": "acme"})
        return httpx.Response(status, json=body)

    client = make(answer)
    with pytest.raises(cls) as info:
        client.get("organizations/acme/dashboards/7/")
    assert fragment in str(info.value)
    assert isinstance(info.value, errors.ApiError)
    assert info.value.status == status
    assert info.value.exit_code == errors.EXIT_OPERATIONAL
    assert TOKEN not in str(info.value)


def test_validation_error_keeps_field_detail() -> None:
    body = {"widgets": [{}, {"queries": [{"fields": "Invalid fields"}]}]}
    client = make(lambda _r: httpx.Response(400, json=body))
    with pytest.raises(errors.ValidationError) as info:
        client.post("organizations/acme/dashboards/", {"title": "x"})
    assert info.value.detail == body
    assert "Invalid fields" in str(info.value)


def test_error_message_shapes() -> None:
    assert error_message("bare") == "bare"
    assert error_message({"detail": "d"}) == "d"
    assert error_message({"message": "This API no longer exists."}) == "This API no longer exists."
    assert error_message({"nonFieldErrors": ["x"], "name": ["y"]}) == "x; name: y"
    assert error_message(["a", {"detail": "b"}]) == "a; b"
    assert error_message(None) == "(no body)"
    assert error_message(42) == "42"


def test_malformed_json_error_body_and_success_body() -> None:
    client = make(lambda _r: httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(errors.ServerError) as info:
        client.get("x/")
    assert "bad gateway" in str(info.value)

    client = make(lambda _r: httpx.Response(200, text="{not json"))
    with pytest.raises(errors.ApiError, match="not JSON"):
        client.get("x/")


def test_429_retried_with_retry_after_then_succeeds() -> None:
    calls: list[int] = []
    sleeps: list[float] = []

    def handler(_r: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(
                429,
                json="You are attempting to use this endpoint too frequently",
                headers={"Retry-After": "0.05"},
            )
        return httpx.Response(200, json=[])

    client = make(handler)
    policy = api.current_policy()
    policy.max_wait = 100.0  # let the honoured value through, but record instead of sleeping
    policy.sleep = sleeps.append
    assert client.get("x/") == []
    assert len(calls) == 2
    assert sleeps == [0.05]


def test_429_without_retry_after_uses_reset_then_gives_up() -> None:
    calls: list[int] = []

    def handler(_r: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(
            429,
            json="You are attempting to use this endpoint too frequently. Limit is 40",
            headers={
                "X-Sentry-Rate-Limit-Remaining": "0",
                "X-Sentry-Rate-Limit-Reset": str(int(time.time()) + 1),
            },
        )

    client = make(handler)
    with pytest.raises(errors.RateLimitedError, match="too frequently") as info:
        client.get("x/")
    assert len(calls) == 3  # the test switch caps attempts
    assert info.value.hint


def test_retry_after_http_date() -> None:
    headers = httpx.Headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert api.retry_after(headers) == 0.0
    assert api.retry_after(httpx.Headers({"Retry-After": "3"})) == 3.0
    assert api.retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert api.retry_after(httpx.Headers()) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_retried_for_reads(status: int) -> None:
    calls: list[int] = []

    def handler(_r: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            return httpx.Response(status, json={"detail": "Internal Error", "errorId": "abc"})
        return httpx.Response(200, json={"ok": True})

    assert make(handler).get("x/") == {"ok": True}
    assert len(calls) == 3


def test_5xx_not_retried_for_posts() -> None:
    calls: list[int] = []

    def handler(_r: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500, json={"detail": "Internal Error"})

    with pytest.raises(errors.ServerError):
        make(handler).post("organizations/acme/workflows/", {"name": "a"})
    assert len(calls) == 1  # a create that may have happened is re-read by the applier


def test_410_brownout_retried_and_deprecation_warned(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []
    warnings: list[str] = []
    deprecation = {
        "X-Sentry-Deprecation-Date": "2026-05-14T00:00:00+00:00",
        "X-Sentry-Replacement-Endpoint": "/api/0/organizations/acme/detectors/",
    }

    def handler(_r: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(
                410, json={"message": "This API no longer exists."}, headers=deprecation
            )
        return httpx.Response(200, json=[{"id": "1"}], headers=deprecation)

    client = make(handler, on_warning=warnings.append)
    with caplog.at_level(logging.WARNING, logger="para_monitor_cli.api"):
        assert client.metric_alert_rules() == [{"id": "1"}]
        client.metric_alert_rules()
    assert len(warnings) == 1  # once per endpoint
    assert "deprecated" in warnings[0]
    assert "2026-05-14" in warnings[0]
    assert "/detectors/" in warnings[0]
    quiet = make(handler)  # without a callback the warning goes to the api logger
    with caplog.at_level(logging.WARNING, logger="para_monitor_cli.api"):
        quiet.metric_alert_rules()
    assert any("deprecated" in r.getMessage() for r in caplog.records)


def test_410_past_budget_is_gone() -> None:
    client = make(lambda _r: httpx.Response(410, json={"message": "This API no longer exists."}))
    with pytest.raises(errors.GoneError, match="no longer exists"):
        client.get("organizations/acme/alert-rules/")


def test_connection_errors_and_timeouts() -> None:
    calls: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        if len(calls) == 2:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json={"ok": 1})

    assert make(flaky).get("x/") == {"ok": 1}
    assert len(calls) == 3

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused {TOKEN}", request=request)

    with pytest.raises(errors.UnreachableError) as info:
        make(down).get("x/")
    assert TOKEN not in str(info.value)
    assert "connection refused" in str(info.value)


def test_post_timeout_not_resent_but_connect_error_is() -> None:
    calls: list[str] = []

    def timeout(request: httpx.Request) -> httpx.Response:
        calls.append("t")
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(errors.UnreachableError, match="timed out"):
        make(timeout).post("organizations/acme/workflows/", {"name": "a"})
    assert calls == ["t"]

    def refused_once(request: httpx.Request) -> httpx.Response:
        calls.append("c")
        if calls.count("c") == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(201, json={"id": "9"})

    assert make(refused_once).post("organizations/acme/workflows/", {"name": "a"}) == {"id": "9"}

    def dropped(request: httpx.Request) -> httpx.Response:
        calls.append("d")
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    with pytest.raises(errors.UnreachableError):
        make(dropped).post("organizations/acme/workflows/", {"name": "a"})
    assert calls.count("d") == 1


def page_handler(pages: list[list[int]], *, absolute: bool = True) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor", "0:0:0")
        index = int(cursor.split(":")[1])
        body = [{"id": str(i)} for i in pages[index]]
        base = (
            str(request.url.copy_with(query=None)) if absolute else "https://elsewhere.example/x/"
        )
        nxt = index + 1 < len(pages)
        prev_c, next_c = f"0:{max(index - 1, 0)}:1", f"0:{index + 1}:0"
        link = (
            f'<{base}?cursor={prev_c}>; rel="previous"; results="{str(index > 0).lower()}"; '
            f'cursor="{prev_c}", '
            f'<{base}?cursor={next_c}>; rel="next"; results="{str(nxt).lower()}"; cursor="{next_c}"'
        )
        return httpx.Response(200, json=body, headers={"Link": link})

    return handler


def test_link_pagination_follows_next_while_results_true() -> None:
    client = make(page_handler([[1, 2], [3], [4, 5]]))
    assert [item["id"] for item in client.workflows()] == ["1", "2", "3", "4", "5"]
    assert client.request_count == 3


def test_pagination_never_sends_token_to_another_host() -> None:
    hosts: list[str] = []
    inner = page_handler([[1], [2]], absolute=False)

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return inner(request)

    client = make(handler)
    assert [item["id"] for item in client.workflows()] == ["1", "2"]
    assert set(hosts) == {"sentry.example.com"}  # followed by cursor on our own host


def test_refuses_absolute_url_on_another_host() -> None:
    client = make(lambda _r: httpx.Response(200, json={}))
    with pytest.raises(errors.ApiError, match="refusing"):
        client.get("https://evil.example/api/0/x/")


def test_parse_link_header() -> None:
    header = (
        '<https://sentry.io/api/0/x/?cursor=0:0:1>; rel="previous"; results="false"; '
        'cursor="0:0:1", '
        '<https://sentry.io/api/0/x/?cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0"'
    )
    links = parse_link_header(header)
    assert links["next"] == {
        "url": "https://sentry.io/api/0/x/?cursor=0:100:0",
        "rel": "next",
        "results": "true",
        "cursor": "0:100:0",
    }
    assert links["previous"]["results"] == "false"


def test_list_that_is_not_a_list() -> None:
    client = make(lambda _r: httpx.Response(200, json={"detail": "x"}))
    with pytest.raises(errors.ApiError, match="expected a list"):
        client.teams()


def test_integrations_provider_key_and_detector_projects() -> None:
    urls: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(request.url)
        return httpx.Response(200, json=[])

    client = make(handler)
    client.integrations("slack")
    client.detectors(["1", "2"])
    client.detectors()
    assert urls[0].params["providerKey"] == "slack"
    assert urls[1].params.get_list("project") == ["1", "2"]
    # no project parameter means "projects I am a member of" to Sentry: always send one
    assert urls[2].params.get_list("project") == ["-1"]


def test_concurrency_bounded_by_server_limit() -> None:
    lock = threading.Lock()
    active = [0]
    peak = [0]

    def handler(_r: httpx.Request) -> httpx.Response:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.01)
        with lock:
            active[0] -= 1
        return httpx.Response(200, json={}, headers={"X-Sentry-Rate-Limit-ConcurrentLimit": "3"})

    client = make(handler)
    client.get("warmup/")  # learns the limit of 3
    assert client.limiter.limit == 3
    client.gather([lambda i=i: client.get(f"x/{i}/") for i in range(20)])
    assert peak[0] <= 3
    assert client.request_count == 21


def test_remaining_zero_pauses_until_reset() -> None:
    api.set_testing(False)
    policy = api.current_policy()
    saved = policy.max_wait
    try:
        limiter = api.RateLimiter()
        limiter.acquire()
        limiter.release(
            httpx.Headers(
                {
                    "X-Sentry-Rate-Limit-Remaining": "0",
                    "X-Sentry-Rate-Limit-Reset": str(time.time() + 0.2),
                }
            )
        )
        started = time.monotonic()
        limiter.acquire()
        limiter.release(None)
        assert time.monotonic() - started >= 0.1
    finally:
        policy.max_wait = saved


def test_gather_reraises_first_error() -> None:
    client = make(lambda r: httpx.Response(404 if "bad" in r.url.path else 200, json={}))
    with pytest.raises(errors.NotFoundError):
        client.gather([lambda: client.get("ok/"), lambda: client.get("bad/")])


def test_debug_trace_and_logs_never_show_token(caplog: pytest.LogCaptureFixture) -> None:
    lines: list[str] = []

    def handler(_r: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"detail": f"Invalid token {TOKEN}"})

    client = make(handler, trace=lines.append)
    with caplog.at_level(logging.DEBUG), pytest.raises(errors.AuthError) as info:
        client.get("organizations/acme/")
    everything = "\n".join(lines) + str(info.value) + caplog.text + repr(info.value.args)
    assert TOKEN not in everything
    assert any("Bearer ****" in line for line in lines)
    assert any("401" in line for line in lines)


def test_client_from_settings(tmp_path: Path) -> None:
    settings = resolve(
        {"auth_token": TOKEN, "url": "https://de.sentry.io", "org": "acme"},
        environ={},
        cwd=tmp_path,
        home=tmp_path,
    )
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    client = api.client_from_settings(settings, transport=httpx.MockTransport(handler))
    assert client.teams() == []
    assert str(seen[0].url) == "https://de.sentry.io/api/0/organizations/acme/teams/"

    no_token = resolve({}, environ={}, cwd=tmp_path, home=tmp_path)
    with pytest.raises(errors.UsageError, match="auth token"):
        api.client_from_settings(no_token)


def test_missing_org_is_usage_error() -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda _r: httpx.Response(200, json=[])))
    client = SentryClient(http, base_url=BASE, token=TOKEN)
    with pytest.raises(errors.UsageError, match="organization"):
        client.teams()


def test_empty_204_body() -> None:
    client = make(lambda _r: httpx.Response(204))
    assert client.json("DELETE", "organizations/acme/detectors/1/") is None
    client.delete_detector("1")


def test_every_status_maps_to_an_api_error() -> None:
    for status in range(400, 600):
        client = make(lambda _r, s=status: httpx.Response(s, content=json.dumps("x").encode()))
        with pytest.raises(errors.ApiError):
            client.get("x/")


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (
            {"version": "0", "user": {"id": "42", "name": "para-monitor"}},
            api.Identity("42", "para-monitor"),
        ),
        ({"version": "0", "auth": {"scopes": ["org:ci"]}, "user": None}, None),  # org token
    ],
)
def test_identity_is_read_once_from_the_api_index(
    index: dict[str, object], expected: api.Identity | None
) -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return httpx.Response(200, json=index)

    client = make(handler)
    assert client.identity() == expected
    assert client.gather([client.identity, client.identity]) == [expected, expected]
    assert paths == ["/api/0/"]
