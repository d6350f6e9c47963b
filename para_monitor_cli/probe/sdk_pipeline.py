"""The real sentry-sdk pipeline, for ``scrub-check --through-sdk``.

Samples are captured by a real sentry-sdk client initialised through :func:`runtime.sdk_options`
(our hooks), or with only the user's own ``before_send`` (what their set-up really does: no
``before_send_transaction``, no ``before_breadcrumb``), and a transport that keeps each
envelope instead of sending it. What is checked is the serialised payload that would have gone
over the wire: after the SDK's own scrubber, its serialiser and trimming, the hooks.

Breadcrumbs of a sample are recorded with ``add_breadcrumb`` (so ``before_breadcrumb`` sees
them, as in a running app), then the event is captured. A FastAPI scenario adds a request that
carries fresh fake secrets in headers, cookies, query and body to a route that raises, sent
through fastapi's TestClient: the error event and the transaction are both checked (the ASGI
scope shows up in frame locals, so this is where naive filters leak most).
"""

from __future__ import annotations

import copy
import json
import secrets
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from para_monitor_cli.runtime.sentry import sdk_options
from para_monitor_cli.scrub.checker import Hook, Planted, Sample

PIPELINE_DSN = "http://pipelinepublic@127.0.0.1:9/1"
FASTAPI_SAMPLE = "fastapi-request-with-secrets"


class CapturingTransport(Transport):
    """Keeps the event and transaction payloads of every envelope; sends nothing."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.payloads: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        for item in envelope.items:
            if item.type in ("event", "transaction"):
                payload = item.payload.json
                if payload is None:
                    payload = json.loads(item.payload.get_bytes())
                self.payloads.append(payload)

    def take(self) -> list[dict[str, Any]]:
        taken, self.payloads = self.payloads, []
        return taken


@contextmanager
def sdk_client(
    hook: Hook | None, sensitive: Sequence[str] = (), safe: Sequence[str] = ()
) -> Iterator[CapturingTransport]:
    """A global sentry-sdk client with a capturing transport, restored afterwards."""
    transport = CapturingTransport()
    options = sdk_options(
        PIPELINE_DSN,
        environment="production",
        release="para-autopilot@0.1.0",
        traces_sample_rate=1.0,
        sensitive_fields=sensitive,
        safe_fields=safe,
        environ={},
        transport=transport,
    )
    if hook is not None:
        # the user's set-up as it is: their before_send only
        options.update(before_send=hook, before_send_transaction=None, before_breadcrumb=None)
    global_scope = sentry_sdk.get_global_scope()
    previous = global_scope.client
    sentry_sdk.init(**options)
    client = sentry_sdk.get_client()
    try:
        yield transport
    finally:
        client.close(timeout=0)
        global_scope.set_client(previous)


def pipeline_runner(transport: CapturingTransport) -> Callable[[Sample], list[dict[str, Any]]]:
    """Capture one sample through the current client; return what would be sent."""

    def run(sample: Sample) -> list[dict[str, Any]]:
        event = copy.deepcopy(sample.event)
        crumbs = event.pop("breadcrumbs", None)
        values = crumbs.get("values") if isinstance(crumbs, dict) else crumbs
        with sentry_sdk.isolation_scope() as scope:
            scope.clear_breadcrumbs()
            for crumb in values if isinstance(values, list) else []:
                if isinstance(crumb, dict):
                    sentry_sdk.add_breadcrumb(crumb)
            sentry_sdk.capture_event(event)  # type: ignore[arg-type]
        sentry_sdk.flush(timeout=2)
        return transport.take()

    return run


def login_secrets() -> dict[str, str]:
    """Fresh fake secrets for one login request, by kind."""
    token = "pmjwt" + secrets.token_hex(12)
    return {
        "authorization": f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ{token}.{secrets.token_hex(16)}",
        "api_key": "sk-ant-api03-" + secrets.token_hex(20),
        "session": "pmsess" + secrets.token_hex(10),
        "csrf_token": "pmcsrf" + secrets.token_hex(10),
        "token": "pmquery" + secrets.token_hex(10),
        "password": "pmpw-" + secrets.token_hex(8),
    }


def login_client() -> Any:
    """A fastapi TestClient for an app whose login route raises (None without fastapi)."""
    try:
        with warnings.catch_warnings():
            # starlette warns that its TestClient's httpx use is deprecated; it works as is
            warnings.simplefilter("ignore")
            from fastapi import FastAPI, Request
            from fastapi.testclient import TestClient
    except ImportError:
        return None
    app = FastAPI()

    async def login(request: Request) -> None:
        body = await request.json()
        password = body.get("password")
        api_key = request.headers.get("x-api-key")
        if password and api_key:  # both stay in the frame's locals
            raise RuntimeError("login failed")
        raise RuntimeError("login refused")

    # real classes, not the strings `from __future__ import annotations` leaves behind
    login.__annotations__ = {"request": Request, "return": None}
    app.add_api_route("/api/auth/login", login, methods=["POST"])
    return TestClient(app, raise_server_exceptions=False)


def send_login(client: Any, planted: dict[str, str]) -> None:
    """One login request carrying ``planted`` in headers, cookies, query and body."""
    client.post(
        f"/api/auth/login?next=%2Fhome&access_token={planted['token']}",
        headers={
            "Authorization": f"Bearer {planted['authorization']}",
            "X-Api-Key": planted["api_key"],
            "Cookie": f"sessionid={planted['session']}; csrftoken={planted['csrf_token']}",
        },
        json={"email": "ana@example.com", "password": planted["password"]},
    )


def fastapi_sample(transport: CapturingTransport) -> Sample | None:
    """The FastAPI request scenario, with fresh fake secrets; None without fastapi."""
    client = login_client()
    if client is None:
        return None
    planted = login_secrets()

    def produce() -> list[dict[str, Any]]:
        send_login(client, planted)
        sentry_sdk.flush(timeout=2)
        return transport.take()

    return Sample(
        name=FASTAPI_SAMPLE,
        event={},
        planted=[Planted("(request)", kind, value) for kind, value in planted.items()],
        produce=produce,
    )
