"""Safety nets: no test can reach a real Sentry or read the developer's settings by accident."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from para_monitor_cli import redaction, settings
from para_monitor_cli.api import client as api_client

NO_NETWORK_URL = "http://tests-must-not-reach-sentry.invalid/"


@pytest.fixture(autouse=True)
def _clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("SENTRY_") and name != "SENTRY_DISABLE_UPDATE_CHECK":
            monkeypatch.delenv(name)
    for name in ("ENVIRONMENT", "VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SENTRY_DISABLE_UPDATE_CHECK", "true")
    # a HOME with no .sentryclirc, and a default URL that cannot be reached
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setattr(settings, "DEFAULT_URL", NO_NETWORK_URL)
    redaction.forget_secrets()
    # retries without sleeping, three attempts (tests of the backoff itself turn it off)
    api_client.set_testing(True, attempts=3)
    yield
    api_client.set_testing(False)
    redaction.forget_secrets()


@pytest.fixture(scope="session")
def _sandbox_server() -> Iterator[Any]:
    from para_monitor_cli.sandbox.testing import run_sandbox

    with run_sandbox() as server:
        yield server


@pytest.fixture
def sandbox(_sandbox_server: Any) -> Any:
    """A running sandbox (session-wide server) reset to its seed, faults off, for this test.

    Attributes: ``url``, ``dsn``, ``token``, ``org``, ``project``, ``project_id``, ``faults``.
    """
    _sandbox_server.reset()
    return _sandbox_server
