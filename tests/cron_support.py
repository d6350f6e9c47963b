"""What the runtime, monitor_job, cron and job-check tests share: the weekly review job's
``crons:`` entry, the rules file ``monitor_job`` reads, a transport that keeps what the real
sentry-sdk sends, an SDK pointed at the sandbox, a decorated job run with chosen outcomes, and
the production settings that point the client at the sandbox.

(benchmarks/monitor_job.py keeps its own rules text and transport: a benchmark does not import
the tests, and it must import sentry-sdk inside the measured subprocess only.)"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from para_monitor_cli.runtime import crons as runtime_crons
from para_monitor_cli.runtime import monitor_job
from para_monitor_cli.settings import Settings, resolve

DSN = "https://publickey0123@o42.ingest.sentry.io/4242"

#: The weekly review job as an item of ``crons:`` (indented for it).
WEEKLY_REVIEW = """\
  - name: Weekly review generation
    slug: weekly-review
    schedule: "0 6 * * 1"
    timezone: Europe/Berlin
    checkin_margin: 15m
    max_runtime: 1h
    failure_issue_threshold: 1
"""


class CapturingTransport(Transport):
    """Keeps every envelope the SDK sends (no network)."""

    def __init__(self) -> None:
        super().__init__({"dsn": DSN})
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def _payloads(self, types: set[str]) -> list[dict[str, Any]]:
        return [
            item.payload.json
            for envelope in self.envelopes
            for item in envelope.items
            if item.type in types and item.payload.json is not None
        ]

    def events(self) -> list[dict[str, Any]]:
        return self._payloads({"event", "transaction"})

    def check_ins(self) -> list[dict[str, Any]]:
        return self._payloads({"check_in"})


def use_rules(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Write ``text`` as the rules file and point ``monitor_job`` at it (nothing cached)."""
    path = tmp_path / "alert_rules.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(runtime_crons.CONFIG_ENV, str(path))
    runtime_crons._cache.clear()
    runtime_crons._warned.clear()
    return path


@contextlib.contextmanager
def sdk_sending_to(dsn: str) -> Iterator[None]:
    """The real sentry-sdk sending to ``dsn`` (production), closed afterwards."""
    sentry_sdk.init(dsn=dsn, environment="production", default_integrations=False)
    try:
        yield
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)


def run_job(slug: str, failures: Iterable[bool]) -> None:
    """Run a job decorated with ``monitor_job(slug)`` once per item (True: it raises), then
    flush what the SDK queued."""

    @monitor_job(slug)
    def job(fail: bool) -> None:
        if fail:
            raise RuntimeError("the job broke")

    for fail in failures:
        with contextlib.suppress(RuntimeError):
            job(fail)
    sentry_sdk.flush(timeout=5)


def sandbox_settings(sandbox: Any, tmp_path: Path, config: Path) -> Settings:
    """Settings for the sandbox's organization and project, in production, with ``config``."""
    values: dict[str, str | None] = {
        "url": sandbox.url,
        "auth_token": sandbox.token,
        "org": sandbox.org,
        "project": sandbox.project,
        "dsn": sandbox.dsn,
    }
    environ = {"ENVIRONMENT": "production", "VERSION": "0.1.0"}
    return resolve(values, environ=environ, cwd=tmp_path, home=tmp_path, config=config)
