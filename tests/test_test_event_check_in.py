"""test-event --check-in JOB against the sandbox: a run's check-ins go out through the backend's
SDK set-up with the job's schedule from alert_rules.yaml, and are found through the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from para_monitor_cli.api.client import set_testing
from para_monitor_cli.cli import app
from para_monitor_cli.runtime import crons as runtime_crons

runner = CliRunner()
RULES = """\
version: 1
crons:
  - name: Data cleanup
    slug: data-cleanup
    schedule: "0 3 * * *"
    checkin_margin: 30m
"""


@pytest.fixture(autouse=True)
def _no_backoff() -> Iterator[None]:
    set_testing(True)
    runtime_crons._cache.clear()
    yield
    set_testing(False)


def invoke(sandbox: Any, tmp_path: Path, *args: str, token: bool = True) -> Any:
    rules = tmp_path / "alert_rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    base = ["--url", sandbox.url, "--org", sandbox.org, "--project", sandbox.project]
    base += ["--dsn", sandbox.dsn, "--config", str(rules)]
    if token:
        base += ["--auth-token", sandbox.token]
    return runner.invoke(app, [*base, *args], env={"COLUMNS": "200", "ENVIRONMENT": "production"})


def test_a_check_in_is_sent_with_its_schedule_and_found(sandbox: Any, tmp_path: Path) -> None:
    result = invoke(
        sandbox, tmp_path, "--output", "json", "test-event", "--check-in", "Data cleanup"
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["monitor_slug"] == "data-cleanup"
    assert doc["schedule_sent"] is True
    assert doc["delivered"] is True
    assert doc["verified"] is True
    assert doc["status"] == "ok"
    assert doc["environment"] == "production"
    assert sandbox.token not in result.stdout + result.stderr


def test_text_output(sandbox: Any, tmp_path: Path) -> None:
    result = invoke(sandbox, tmp_path, "test-event", "--check-in", "data-cleanup")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "for data-cleanup (environment production), with its schedule" in result.stdout
    assert "arrival: found, status ok" in result.stdout


def test_a_job_not_in_the_file_and_not_in_sentry_is_not_found(sandbox: Any, tmp_path: Path) -> None:
    result = invoke(
        sandbox, tmp_path, "--output", "json", "test-event", "--check-in", "ghost", "--wait", "1"
    )
    assert result.exit_code == 1, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["schedule_sent"] is False
    assert doc["delivered"] is True
    assert doc["status"] is None
    assert "no cron monitor 'ghost'" in doc["reason"]
    assert "carried no schedule" in doc["reason"]


def test_without_a_token_it_is_sent_but_not_verified(sandbox: Any, tmp_path: Path) -> None:
    result = invoke(sandbox, tmp_path, "test-event", "--check-in", "data-cleanup", token=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "arrival: NOT VERIFIED" in result.stdout


def test_a_failing_receiver_is_a_delivery_error(sandbox: Any, tmp_path: Path) -> None:
    sandbox.faults.error(r"/envelope/", status=503)
    result = invoke(sandbox, tmp_path, "test-event", "--check-in", "data-cleanup")
    assert result.exit_code == 3, result.stdout + result.stderr
    assert "delivery: FAILED" in result.stdout


def test_a_wrong_organization_shows_what_was_sent_then_exits_3(
    sandbox: Any, tmp_path: Path
) -> None:
    result = invoke(
        sandbox, tmp_path, "test-event", "--check-in", "data-cleanup", "--org", "wrong-org"
    )
    assert result.exit_code == 3, result.stdout + result.stderr
    assert "delivery: in_progress and ok accepted" in result.stdout
    assert "arrival: NOT VERIFIED" in result.stdout
    assert "organization 'wrong-org' not found" in result.stderr
    assert sandbox.org in result.stderr  # the organizations this token can see are named


def test_a_server_that_does_not_answer_the_read_exits_3(sandbox: Any, tmp_path: Path) -> None:
    sandbox.faults.latency(r"/checkins/", 5.0)
    result = invoke(sandbox, tmp_path, "--timeout", "1", "test-event", "--check-in", "data-cleanup")
    assert result.exit_code == 3, result.stdout + result.stderr
    assert "arrival: NOT VERIFIED" in result.stdout
    assert "timed out" in result.stderr
