"""test-event against the sandbox: every kind arrives and is verified through the REST API,
and each delivery fault (wrong key, stopped server, 429, slow server) has its own message."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from para_monitor_cli.api.client import set_testing
from para_monitor_cli.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_backoff() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


def invoke(sandbox: Any, *args: str, dsn: str | None = None, token: bool = True) -> Any:
    base = ["--url", sandbox.url, "--org", sandbox.org, "--project", sandbox.project]
    base += ["--dsn", dsn or sandbox.dsn]
    if token:
        base += ["--auth-token", sandbox.token]
    return runner.invoke(app, [*base, *args], env={"COLUMNS": "200"})


def test_all_three_kinds_arrive_and_are_verified(sandbox: Any) -> None:
    result = invoke(sandbox, "--output", "json", "test-event", "--transaction", "--wait", "20")
    assert result.exit_code == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["ok"] is True
    assert doc["verified"] is True
    assert doc["scrubbing"] == {"verdict": "clean", "checked": ["sent", "stored"], "leaks": []}
    assert [e["kind"] for e in doc["events"]] == ["error", "message", "transaction"]
    for event in doc["events"]:
        assert event["delivery"] == "accepted"
        assert event["arrived"] is True
        assert event["run_tag_ok"] is True
        assert event["arrival_seconds"] is not None
        assert re.fullmatch(r"[0-9a-f]{32}", event["event_id"])
        assert event["link"].startswith(f"{sandbox.url}organizations/{sandbox.org}/")
    error, _message, transaction = doc["events"]
    assert "/issues/" in error["link"]
    assert transaction["link"].endswith(
        f"/performance/{sandbox.project}:{transaction['event_id']}/"
    )
    assert sandbox.token not in result.stdout + result.stderr


def test_text_output_names_ids_links_timings_and_verdict(sandbox: Any) -> None:
    result = invoke(sandbox, "test-event", "--wait", "20")
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout
    assert re.search(
        r"^error\s+[0-9a-f]{32}\s+accepted \(HTTP 200\) in [0-9.]+ s, arrived", out, re.M
    )
    assert "arrival: 2 of 2 events confirmed through the API" in out
    assert "scrubbing: clean (no planted secret in the sent and stored events)" in out
    assert f"{sandbox.url}organizations/{sandbox.org}/issues/" in out


LEAKY_HOOK = '''
    def before_send(event, hint):
        """Puts the raw Authorization header back "to debug auth problems"."""
        headers = event.get("request", {}).get("headers", {})
        if hint.get("exc_info"):
            frame = hint["exc_info"][2]
            while frame.tb_next is not None:
                frame = frame.tb_next
            event.setdefault("extra", {})["api_key_seen"] = frame.tb_frame.f_locals["api_key"]
        return event
'''


def test_a_leaky_hook_is_caught_in_the_stored_event(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sandbox_leaky_hook.py").write_text(textwrap.dedent(LEAKY_HOOK))
    monkeypatch.syspath_prepend(str(tmp_path))
    result = invoke(
        sandbox, "--output", "json", "test-event", "--hook", "sandbox_leaky_hook:before_send"
    )
    assert result.exit_code == 1, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["scrubbing"]["verdict"] == "leaked"
    paths = {leak["path"] for leak in doc["scrubbing"]["leaks"]}
    assert "sent[0].extra.api_key_seen" in paths
    # the sandbox stored it, and test-event read it back from the project event endpoint
    assert any(p.startswith("stored.") and "api_key_seen" in p for p in paths)
    assert "sk-pmfake-" not in result.stdout + result.stderr


def test_hook_only_tests_a_hook_that_scrubs_nothing_by_itself(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A before_send_transaction that scrubs nothing. Behind para-monitor's engine (the chain
    # init_sentry builds) the transaction is clean; alone, the planted span data
    # ``db.password`` leaks: sentry-sdk's own EventScrubber matches key names exactly and
    # misses it (the other planted keys it does catch, before any hook runs).
    (tmp_path / "sandbox_passthrough_hook.py").write_text(
        "def before_send(event, hint):\n    return event\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    hooks = ["--transaction", "--transaction-hook", "sandbox_passthrough_hook:before_send"]
    chained = invoke(sandbox, "--output", "json", "test-event", *hooks)
    assert chained.exit_code == 0, chained.stdout + chained.stderr
    assert json.loads(chained.stdout)["scrubbing"]["verdict"] == "clean"
    alone = invoke(sandbox, "--output", "json", "test-event", *hooks, "--hook-only")
    assert alone.exit_code == 1, alone.stdout + alone.stderr
    doc = json.loads(alone.stdout)
    assert doc["scrubbing"]["verdict"] == "leaked"
    assert {leak["key"] for leak in doc["scrubbing"]["leaks"]} == {"db.password"}


def test_without_a_token_arrival_is_not_verified(sandbox: Any) -> None:
    result = invoke(sandbox, "test-event", token=False)
    assert result.exit_code == 0, result.stderr
    assert "arrival: NOT VERIFIED (no auth token)" in result.stdout


def test_no_verify_skips_the_api(sandbox: Any) -> None:
    result = invoke(sandbox, "--output", "json", "test-event", "--no-verify")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verified"] is False


# --------------------------------------------------------------------------- faults
def test_a_wrong_dsn_key(sandbox: Any) -> None:
    wrong = re.sub(r"//[0-9a-f]+@", "//" + "f" * 32 + "@", sandbox.dsn)
    result = invoke(sandbox, "test-event", dsn=wrong)
    assert result.exit_code == 3
    assert "refused the DSN key (HTTP 403)" in result.stderr
    assert "f" * 32 not in result.stdout + result.stderr


def test_a_stopped_server() -> None:
    from para_monitor_cli.sandbox.testing import run_sandbox

    with run_sandbox() as stopped:
        dsn, url, org, token = stopped.dsn, stopped.url, stopped.org, stopped.token
    result = runner.invoke(
        app, ["--url", url, "--org", org, "--auth-token", token, "--dsn", dsn, "test-event"]
    )
    assert result.exit_code == 3
    assert "cannot reach the receiver at 127.0.0.1:" in result.stderr
    assert "(connection refused)" in result.stderr


def test_a_rate_limit(sandbox: Any) -> None:
    sandbox.faults.add("POST /envelope/:429")
    result = invoke(sandbox, "test-event")
    assert result.exit_code == 3
    assert "rate limited the test events (HTTP 429" in result.stderr
    # plain words, and no link to an event Sentry never accepted
    assert re.search(r"^error\s+[0-9a-f]{32}\s+rate limited \(HTTP 429\)", result.stdout, re.M)
    assert "rate_limited" not in result.stdout
    assert "/events/" not in result.stdout
    assert "/issues/" not in result.stdout
    doc = json.loads(invoke(sandbox, "--output", "json", "test-event").stdout)
    assert [e["link"] for e in doc["events"]] == [None, None]


def test_a_slow_server(sandbox: Any) -> None:
    sandbox.faults.add("POST /envelope/:latency=1.2")
    result = invoke(sandbox, "test-event", "--send-timeout", "0.3")
    assert result.exit_code == 3
    assert "is too slow (no answer within 0.3 s)" in result.stderr


# --------------------------------------------------------------------------- verification faults
def test_a_refused_token_still_reports_every_event_then_exits_3(sandbox: Any) -> None:
    base = ["--url", sandbox.url, "--org", sandbox.org, "--project", sandbox.project]
    base += ["--dsn", sandbox.dsn, "--auth-token", "wrong-" + sandbox.token]
    result = runner.invoke(app, [*base, "test-event"], env={"COLUMNS": "200"})
    assert result.exit_code == 3, result.stdout + result.stderr
    out = result.stdout
    assert re.search(r"^error\s+[0-9a-f]{32}\s+accepted \(HTTP 200\)", out, re.M)
    assert re.search(r"^message\s+[0-9a-f]{32}\s+accepted \(HTTP 200\)", out, re.M)
    assert "arrival: NOT VERIFIED (delivered; the auth token was refused (HTTP 401))" in out
    # the sent events were clean, but nothing stored was read: never "scrubbing: clean"
    assert "scrubbing: NOT VERIFIED (no planted secret in the sent events" in out
    assert "scrubbing: clean" not in out
    assert "error: arrival could not be verified: the auth token was refused (HTTP 401)" in (
        result.stderr
    )
    assert sandbox.token not in out + result.stderr

    doc_run = runner.invoke(app, [*base, "--output", "json", "test-event"])
    assert doc_run.exit_code == 3
    doc = json.loads(doc_run.stdout)
    assert doc["ok"] is False
    assert doc["verified"] is False
    assert doc["scrubbing"] == {"verdict": "not verified", "checked": ["sent"], "leaks": []}
    assert (
        doc["verify_error"]
        == "arrival could not be verified: the auth token was refused (HTTP 401)"
    )
    assert [(e["kind"], e["delivery"]) for e in doc["events"]] == [
        ("error", "accepted"),
        ("message", "accepted"),
    ]
    assert all(re.fullmatch(r"[0-9a-f]{32}", e["event_id"]) for e in doc["events"])


def test_sentry_failing_on_the_lookup_still_reports_every_event_then_exits_3(
    sandbox: Any,
) -> None:
    sandbox.faults.error(r"/eventids/", status=500)
    result = invoke(sandbox, "--output", "json", "test-event", "--wait", "20")
    assert result.exit_code == 3, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["verify_error"] == "arrival could not be verified: Sentry is failing (HTTP 500)"
    assert doc["verify_note"] == "delivered; Sentry is failing (HTTP 500)"
    assert [e["delivery"] for e in doc["events"]] == ["accepted", "accepted"]
    assert all(e["arrived"] is None for e in doc["events"])
    assert "error: arrival could not be verified: Sentry is failing (HTTP 500)" in result.stderr
