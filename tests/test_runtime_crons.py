"""monitor_job: check-ins through the real sentry-sdk (a capturing transport, no network), the
schedule taken from alert_rules.yaml, and a job that never breaks because monitoring did."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sentry_sdk
from cron_support import DSN, WEEKLY_REVIEW, CapturingTransport, use_rules

from para_monitor_cli.runtime import crons as runtime_crons
from para_monitor_cli.runtime import init_sentry, monitor_job

RULES = f"""\
version: 1
crons:
{WEEKLY_REVIEW}\
  - name: MCP sync
    schedule: every 15 minutes
  - name: broken
    schedule: "0 25 * * *"
"""


@pytest.fixture
def rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_rules(tmp_path, RULES, monkeypatch)


@pytest.fixture
def transport() -> Iterator[CapturingTransport]:
    capture = CapturingTransport()
    # init_sentry: the backend's own set-up, scrubbing hooks included (check-ins pass before_send)
    assert init_sentry(DSN, environ={"ENVIRONMENT": "production"}, transport=capture)
    yield capture
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


WEEKLY_CONFIG = {
    "schedule": {"type": "crontab", "value": "0 6 * * 1"},
    "checkin_margin": 15,
    "max_runtime": 60,
    "timezone": "Europe/Berlin",
    "failure_issue_threshold": 1,
}


def _pairs(check_ins: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(c["monitor_slug"], c["status"]) for c in check_ins]


def test_a_job_that_succeeds_sends_in_progress_then_ok(
    rules: Path, transport: CapturingTransport
) -> None:
    @monitor_job("weekly-review")
    def job(x: int) -> int:
        return x * 2

    assert job(21) == 42
    sent = transport.check_ins()
    assert _pairs(sent) == [("weekly-review", "in_progress"), ("weekly-review", "ok")]
    assert sent[0]["check_in_id"] == sent[1]["check_in_id"]
    assert sent[0]["monitor_config"] == WEEKLY_CONFIG == sent[1]["monitor_config"]
    assert sent[1]["duration"] >= 0
    assert "duration" not in sent[0] or sent[0]["duration"] is None
    assert sent[1]["environment"] == "production"


def test_a_job_that_raises_sends_error_and_its_exception_propagates_unchanged(
    rules: Path, transport: CapturingTransport
) -> None:
    boom = RuntimeError("database gone")

    @monitor_job("weekly-review")
    def job() -> None:
        raise boom

    with pytest.raises(RuntimeError) as caught:
        job()
    assert caught.value is boom
    assert _pairs(transport.check_ins()) == [
        ("weekly-review", "in_progress"),
        ("weekly-review", "error"),
    ]


def test_context_manager_and_lookup_by_name(rules: Path, transport: CapturingTransport) -> None:
    with monitor_job("MCP sync"):
        pass
    with pytest.raises(KeyError), monitor_job("mcp-sync"):
        raise KeyError("x")
    sent = transport.check_ins()
    assert _pairs(sent) == [
        ("mcp-sync", "in_progress"),
        ("mcp-sync", "ok"),
        ("mcp-sync", "in_progress"),
        ("mcp-sync", "error"),
    ]
    assert sent[0]["monitor_config"] == {
        "schedule": {"type": "interval", "value": 15, "unit": "minute"}
    }
    assert sent[0]["check_in_id"] == sent[1]["check_in_id"] != sent[2]["check_in_id"]


def test_async_decorator_and_async_with(rules: Path, transport: CapturingTransport) -> None:
    @monitor_job("weekly-review")
    async def job() -> str:
        await asyncio.sleep(0)
        return "done"

    checker = monitor_job("mcp-sync")

    async def both() -> None:
        assert await job() == "done"

        async def one() -> None:  # two tasks share one instance: each keeps its own run
            async with checker:
                await asyncio.sleep(0)

        await asyncio.gather(one(), one())

    asyncio.run(both())
    sent = transport.check_ins()
    assert _pairs(sent)[:2] == [("weekly-review", "in_progress"), ("weekly-review", "ok")]
    mcp = [c for c in sent if c["monitor_slug"] == "mcp-sync"]
    assert sorted(c["status"] for c in mcp) == ["in_progress", "in_progress", "ok", "ok"]
    ids = {c["check_in_id"] for c in mcp}
    assert len(ids) == 2  # each ok closes the in_progress of its own task


def test_missing_file_warns_once_and_checks_in_without_config(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    transport: CapturingTransport,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.chdir(tmp_path)  # no alert_rules.yaml here, no PARA_MONITOR_CONFIG
    runtime_crons._warned.clear()
    caplog.set_level(logging.WARNING, logger="para_monitor")

    @monitor_job("nightly")
    def job() -> str:
        return "ran"

    assert job() == "ran"
    assert job() == "ran"
    sent = transport.check_ins()
    assert _pairs(sent) == [("nightly", "in_progress"), ("nightly", "ok")] * 2
    assert all("monitor_config" not in c for c in sent)
    warnings = [r.getMessage() for r in caplog.records if "nightly" in r.getMessage()]
    assert len(warnings) == 1
    assert "cannot read alert_rules.yaml" in warnings[0]


@pytest.mark.parametrize(
    ("job", "message"),
    [("unknown-job", "has no cron monitor 'unknown-job'"), ("broken", "is invalid (schedule)")],
)
def test_unknown_or_invalid_entry_warns_and_the_job_runs(
    rules: Path,
    transport: CapturingTransport,
    caplog: pytest.LogCaptureFixture,
    job: str,
    message: str,
) -> None:
    caplog.set_level(logging.WARNING, logger="para_monitor")
    with monitor_job(job):
        pass
    assert _pairs(transport.check_ins()) == [(job, "in_progress"), (job, "ok")]
    assert any(message in r.getMessage() for r in caplog.records)


def test_an_sdk_that_raises_never_breaks_the_job(
    rules: Path,
    transport: CapturingTransport,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(**_kwargs: Any) -> str:
        raise ConnectionError("transport exploded")

    monkeypatch.setattr("sentry_sdk.crons.capture_checkin", broken)
    caplog.set_level(logging.WARNING, logger="para_monitor")

    @monitor_job("weekly-review")
    def job() -> int:
        return 7

    assert job() == 7
    failed = [r for r in caplog.records if "check-in of 'weekly-review' failed" in r.getMessage()]
    assert len(failed) == 2  # in_progress and ok, each logged, neither raised


def test_a_file_changed_on_disk_is_read_again(rules: Path, transport: CapturingTransport) -> None:
    with monitor_job("weekly-review"):
        pass
    rules.write_text(RULES.replace("checkin_margin: 15m", "checkin_margin: 20m"), encoding="utf-8")
    import os

    stat = rules.stat()
    os.utime(rules, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with monitor_job("weekly-review"):
        pass
    margins = [c["monitor_config"]["checkin_margin"] for c in transport.check_ins()]
    assert margins == [15, 15, 20, 20]


def test_without_a_client_nothing_is_read_or_imported(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from para_monitor_cli.runtime import monitor_job\n"
        "@monitor_job('weekly-review')\n"
        "def job():\n"
        "    return 'ran'\n"
        "with monitor_job('other'):\n"
        "    pass\n"
        "print(job(), *(m in sys.modules for m in ('sentry_sdk', 'yaml', 'pydantic')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.split() == ["ran", "False", "False", "False"]


def test_sdk_imported_but_not_initialised_sends_nothing(rules: Path) -> None:
    assert not sentry_sdk.get_client().is_active()

    @monitor_job("weekly-review")
    def job() -> str:
        return "ran"

    assert job() == "ran"  # no client: no check-in, no file read
    assert runtime_crons._cache == {}
