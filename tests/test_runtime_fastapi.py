"""The guarded /sentry-test route, with FastAPI's TestClient."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sentry_sdk
from fastapi import FastAPI
from fastapi.testclient import TestClient
from test_runtime import DSN, CapturingTransport

from para_monitor_cli.runtime import add_sentry_test_route, init_sentry
from para_monitor_cli.runtime.fastapi import SECRET_HEADER


def client_for(environment: str, secret: str | None = None) -> TestClient:
    app = FastAPI()
    add_sentry_test_route(app, environment=environment, secret=secret)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def transport() -> Iterator[CapturingTransport]:
    capture = CapturingTransport()
    yield capture
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def test_open_outside_production() -> None:
    assert client_for("development").get("/sentry-test").status_code == 500


def test_refused_in_production_without_a_secret() -> None:
    client = client_for("production")
    assert client.get("/sentry-test").status_code == 404
    assert client.get("/sentry-test", headers={SECRET_HEADER: ""}).status_code == 404


def test_production_needs_the_matching_header() -> None:
    client = client_for("production", secret="s3cret-test-header")
    assert client.get("/sentry-test").status_code == 404
    assert client.get("/sentry-test", headers={SECRET_HEADER: "wrong"}).status_code == 404
    assert (
        client.get("/sentry-test", headers={SECRET_HEADER: "s3cret-test-header"}).status_code == 500
    )


def test_secret_and_environment_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SENTRY_TEST_SECRET", "from-env-secret")
    app = FastAPI()
    add_sentry_test_route(app)
    client = TestClient(app, raise_server_exceptions=False)
    assert client.get("/sentry-test").status_code == 404
    assert client.get("/sentry-test", headers={SECRET_HEADER: "from-env-secret"}).status_code == 500


def test_the_raised_error_reaches_sentry(transport: CapturingTransport) -> None:
    init_sentry(DSN, environ={"ENVIRONMENT": "development"}, transport=transport)
    assert client_for("development").get("/sentry-test").status_code == 500
    sentry_sdk.flush()
    errors = [e for e in transport.events() if "exception" in e]
    assert errors, "the test error was not captured"
    value = errors[0]["exception"]["values"][-1]
    assert (value["type"], value["value"]) == ("SentryTestError", "Test Sentry integration")
    assert errors[0]["request"]["url"].endswith("/sentry-test")
