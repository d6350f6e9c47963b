"""Safety nets: no test can reach a real Sentry or read the developer's settings by accident."""

from __future__ import annotations

import os
import sys
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
    _stop_sdk_profiler()


def _stop_sdk_profiler() -> None:
    """Stop sentry-sdk's continuous profiler if a test started it. ``init_sentry`` keeps the
    seed's profiling (10% of sessions, while a sampled trace runs): the profiler then samples
    every thread's stack from a thread of its own for the rest of the test process, and one
    full run hung with it sampling while Hypothesis collected garbage. (sentry-sdk 2.75,
    sentry_sdk/profiler/continuous_profiler.py: ``teardown_continuous_profiler`` only asks the
    scheduler to stop; ``ThreadContinuousScheduler.teardown`` ends and joins its thread.)"""
    profiler = sys.modules.get("sentry_sdk.profiler.continuous_profiler")
    scheduler = getattr(profiler, "_scheduler", None)
    if profiler is None or scheduler is None:
        return
    scheduler.running = False
    thread = getattr(scheduler, "thread", None)
    if thread is not None:
        thread.join(timeout=5)
    profiler._scheduler = None


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
