"""The checks "Background jobs check in" and "Uptime monitored" against the sandbox: a job that
succeeds, raises, never runs or misses its run, and a URL that is up or down, each reported
with evidence that names it. Check-ins come from a decorated job through the real sentry-sdk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cron_support import run_job, sandbox_settings, sdk_sending_to, use_rules

from para_monitor_cli.api import client as api
from para_monitor_cli.api.client import SentryClient, client_from_settings
from para_monitor_cli.checks.context import CheckContext
from para_monitor_cli.checks.jobs import check_jobs, check_uptime
from para_monitor_cli.kinds.uptime import status_assertion
from para_monitor_cli.spec.status import parse_expected_status

RULES = """\
version: 1
crons:
  - name: Weekly review generation
    slug: weekly-review
    schedule: "0 6 * * 1"
    checkin_margin: 15m
  - name: MCP sync
    schedule: every 15 minutes
uptime:
  - name: API health
    url: https://api.example.com/health
    downtime_threshold: 1
"""


@pytest.fixture(autouse=True)
def _no_backoff() -> Iterator[None]:
    api.set_testing(True, attempts=2)
    yield
    api.set_testing(False)


@pytest.fixture
def setup(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[CheckContext, SentryClient]]:
    rules = use_rules(tmp_path, RULES, monkeypatch)
    settings = sandbox_settings(sandbox, tmp_path, rules)
    client = client_from_settings(settings, on_warning=lambda _w: None)
    try:
        with sdk_sending_to(sandbox.dsn):
            yield CheckContext(settings, client=client), client
    finally:
        client.http.close()


def control(sandbox: Any, path: str, body: dict[str, Any]) -> None:
    """A sandbox control (outside the API root the client adds)."""
    response = httpx.post(
        sandbox.url.rstrip("/") + path,
        json=body,
        headers={"Authorization": f"Bearer {sandbox.token}"},
    )
    assert response.status_code == 201, response.text


def test_jobs_that_ran_ok_pass(setup: tuple[CheckContext, SentryClient]) -> None:
    ctx, _client = setup
    run_job("weekly-review", [False])
    run_job("mcp-sync", [False])
    outcome = check_jobs(ctx)
    assert outcome.status == "passed", outcome
    assert outcome.summary == (
        "2 background jobs checked in on time, last run ok: weekly-review, mcp-sync"
    )


def test_a_job_that_raised_fails_naming_its_error(setup: tuple[CheckContext, SentryClient]) -> None:
    ctx, _client = setup
    run_job("weekly-review", [False])
    run_job("mcp-sync", [False, True])
    outcome = check_jobs(ctx)
    assert outcome.status == "failed"
    assert "1 background job not checking in: mcp-sync: the last run was error" in outcome.summary


def test_a_job_that_never_ran_fails_with_the_way_to_wire_it(
    setup: tuple[CheckContext, SentryClient],
) -> None:
    ctx, _client = setup
    run_job(
        "weekly-review", [False]
    )  # creates weekly-review by upsert; mcp-sync does not exist yet
    outcome = check_jobs(ctx)
    assert outcome.status == "failed"
    assert "mcp-sync: no such cron monitor" in outcome.summary
    assert any("apply-alerts" in d for d in outcome.details)


def test_a_job_that_exists_but_never_checked_in(
    setup: tuple[CheckContext, SentryClient], sandbox: Any
) -> None:
    ctx, client = setup
    for slug, schedule in (("weekly-review", "0 6 * * 1"), ("mcp-sync", "*/15 * * * *")):
        client.create_cron_monitor(
            {
                "project": sandbox.project,
                "name": slug,
                "slug": slug,
                "config": {"schedule_type": "crontab", "schedule": schedule},
            },
            org=sandbox.org,
        )
    run_job("weekly-review", [False])
    outcome = check_jobs(ctx)
    assert outcome.status == "failed"
    assert "mcp-sync: never checked in from production" in outcome.summary
    assert any("monitor_job" in d for d in outcome.details)


def test_a_missed_run_fails(setup: tuple[CheckContext, SentryClient], sandbox: Any) -> None:
    ctx, _client = setup
    run_job("weekly-review", [False])
    run_job("mcp-sync", [False])
    control(sandbox, f"/_sandbox/organizations/{sandbox.org}/monitors/weekly-review/missed/", {})
    outcome = check_jobs(ctx)
    assert outcome.status == "failed"
    assert "weekly-review: the last run was missed" in outcome.summary


def test_uptime_up_down_and_missing(setup: tuple[CheckContext, SentryClient], sandbox: Any) -> None:
    ctx, client = setup
    missing = check_uptime(ctx)
    assert missing.status == "failed"
    assert "API health: no uptime monitor in" in missing.summary
    detector = client.create_detector(
        sandbox.project,
        {
            "type": "uptime_domain_failure",
            "name": "API health",
            "dataSources": [
                {"url": "https://api.example.com/health", "intervalSeconds": 60, "timeoutMs": 5000}
            ],
            "config": {"mode": 1, "environment": "production", "downtimeThreshold": 1},
        },
        org=sandbox.org,
    )
    up = check_uptime(ctx)
    assert up.status == "passed", up
    assert up.summary == "1 uptime check in place and up: API health"
    path = f"/_sandbox/organizations/{sandbox.org}/detectors/{detector['id']}/uptime-check/"
    control(sandbox, path, {"status": "failure", "httpStatusCode": 503})
    down = CheckContext(ctx.settings, client=client)  # a fresh run: nothing memoised
    outcome = check_uptime(down)
    assert outcome.status == "failed"
    assert "API health: https://api.example.com/health is down" in outcome.summary
    assert "HTTP 503; expected 2xx" in outcome.summary


def test_an_answer_the_expected_status_refuses_is_down(
    setup: tuple[CheckContext, SentryClient], sandbox: Any
) -> None:
    """A 200 from an endpoint expected to answer 204 is an outage: the check says which answer
    came and which Sentry wanted."""
    ctx, client = setup
    detector = client.create_detector(
        sandbox.project,
        {
            "type": "uptime_domain_failure",
            "name": "API health",
            "dataSources": [
                {
                    "url": "https://api.example.com/health",
                    "intervalSeconds": 60,
                    "timeoutMs": 5000,
                    "assertion": status_assertion(parse_expected_status(204)),
                }
            ],
            "config": {"mode": 1, "environment": "production", "downtimeThreshold": 1},
        },
        org=sandbox.org,
    )
    path = f"/_sandbox/organizations/{sandbox.org}/detectors/{detector['id']}/uptime-check/"
    control(sandbox, path, {"httpStatusCode": 204})
    assert check_uptime(CheckContext(ctx.settings, client=client)).status == "passed"
    control(sandbox, path, {"httpStatusCode": 200})
    outcome = check_uptime(CheckContext(ctx.settings, client=client))
    assert outcome.status == "failed"
    assert "HTTP 200; expected 204" in outcome.summary


def test_ok_error_missed_each_shown_by_sentry_and_by_the_check(
    setup: tuple[CheckContext, SentryClient], sandbox: Any
) -> None:
    """Issue 18's walk-through: one decorated job that succeeds, then raises, then never runs
    (its run is missed); after each, the sandbox's check-ins and the check say so."""
    ctx, client = setup
    run_job("mcp-sync", [False])  # the other job stays healthy throughout

    def state() -> tuple[list[str], str, str]:
        listed = client.cron_check_ins("weekly-review", org=sandbox.org, limit=10)
        outcome = check_jobs(CheckContext(ctx.settings, client=client))
        return [c["status"] for c in listed], outcome.status, outcome.summary

    run_job("weekly-review", [False])
    statuses, status, summary = state()
    assert (statuses, status) == (["ok"], "passed"), summary
    run_job("weekly-review", [True])
    statuses, status, summary = state()
    assert (statuses, status) == (["error", "ok"], "failed")
    assert "weekly-review: the last run was error" in summary
    control(sandbox, f"/_sandbox/organizations/{sandbox.org}/monitors/weekly-review/missed/", {})
    statuses, status, summary = state()
    assert (statuses, status) == (["missed", "error", "ok"], "failed")
    assert "weekly-review: the last run was missed" in summary
    run_job("weekly-review", [False])  # it runs again: recovered
    statuses, status, summary = state()
    assert (statuses[0], status) == ("ok", "passed"), summary
