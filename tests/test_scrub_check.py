"""scrub-check end to end, and the runtime hooks with a real sentry-sdk client."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import sentry_sdk
from typer.testing import CliRunner

from para_monitor_cli.cli import app
from para_monitor_cli.commands.fields import split_fields
from para_monitor_cli.probe.sdk_pipeline import fastapi_sample, sdk_client
from para_monitor_cli.runtime import filter_sensitive_data
from para_monitor_cli.scrub import FILTERED
from para_monitor_cli.scrub.checker import CheckReport, Leak, findings

NAIVE = """
def filter_sensitive_data(event, hint):
    sensitive_fields = ['password', 'token', 'api_key', 'secret']
    for field in sensitive_fields:
        if field in event:
            event[field] = '[FILTERED]'
    return event
"""
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJlLWZha2UtMDEyMzQ1Njc4OQ"
ANTHROPIC = "sk-ant-api03-FakeKeyForTests0123456789abcdefXYZ"


@pytest.fixture
def naive_hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    module = f"naive_config_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(NAIVE)
    monkeypatch.chdir(tmp_path)
    return f"{module}:filter_sensitive_data"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_builtin_corpus_passes_with_our_scrubber(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("--output", "json", "scrub-check")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"]
    assert data["leaks"] == []
    assert data["destroyed_harmless"] == []
    assert data["samples"] == 19
    assert data["planted_secrets"] >= 35


def test_seed_naive_hook_leaks_by_path(naive_hook: str) -> None:
    result = invoke("scrub-check", "--hook", naive_hook)
    assert result.exit_code == 1
    assert "LEAK login-failure-fastapi: request.headers.Authorization" in result.stdout
    assert "exception.values[0].stacktrace.frames[0].vars.scope.headers[1][1]" in result.stdout
    assert re.search(
        rf"^FAILED: \d+ values leak through {naive_hook} in \d+ of 19 events", result.stdout, re.M
    )
    # the leaked values themselves are never printed
    assert "Tr0ub4dor" not in result.output
    assert "sk-ant-api03" not in result.output


def test_seed_naive_hook_through_the_real_sdk_pipeline(naive_hook: str) -> None:
    result = invoke("--output", "json", "scrub-check", "--hook", naive_hook, "--through-sdk")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    leaks = data["leaks"]
    fastapi = [x for x in leaks if x["sample"] == "fastapi-request-with-secrets"]
    assert fastapi, "the FastAPI request scenario leaks through the naive hook"
    assert any("vars" in x["path"] for x in fastapi)  # ASGI scope / locals in frames
    transaction_leaks = [x for x in leaks if x["sample"] == "transaction-with-spans"]
    assert any(x["path"].startswith("spans") for x in transaction_leaks)


def test_our_hooks_through_the_real_sdk_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("--output", "json", "scrub-check", "--through-sdk")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["mode"] == "sdk"
    assert data["samples"] == 20
    assert data["dropped_samples"] == []
    assert data["leaks"] == []
    assert data["destroyed_harmless"] == []


def test_sample_files_jsonl_and_envelope(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, naive_hook: str
) -> None:
    event = {
        "event_id": "a" * 32,
        "request": {"headers": {"X-Api-Key": ANTHROPIC}},
        "extra": {"note": f"Bearer {JWT}"},
    }
    folder = tmp_path / "samples"
    folder.mkdir()
    (folder / "one.json").write_text(json.dumps(event))
    (folder / "many.jsonl").write_text(
        json.dumps(event) + "\n" + json.dumps({"message": "fine"}) + "\n"
    )
    payload = json.dumps({**event, "type": "transaction"}).encode()
    (folder / "tx.envelope").write_bytes(
        b'{"event_id":"'
        + b"b" * 32
        + b'"}\n'
        + json.dumps({"type": "transaction", "length": len(payload)}).encode()
        + b"\n"
        + payload
        + b"\n"
    )
    ours = invoke("--output", "json", "scrub-check", "--samples", str(folder))
    assert ours.exit_code == 0
    assert json.loads(ours.stdout)["samples"] == 4
    theirs = invoke(
        "--output", "json", "scrub-check", "--samples", str(folder), "--hook", naive_hook
    )
    assert theirs.exit_code == 1
    paths = {(x["path"], x["rule"]) for x in json.loads(theirs.stdout)["leaks"]}
    assert ('request.headers["X-Api-Key"]', "sensitive-key:X-Api-Key") in paths
    assert ("extra.note", "auth-scheme") in paths
    assert JWT not in theirs.output


def test_extra_sensitive_field_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A field only the user knows is sensitive: a leak unless it is configured."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "passthrough.py").write_text("def hook(event, hint):\n    return event\n")
    (tmp_path / "e.json").write_text(json.dumps({"extra": {"tenant_code": "acme-42"}}))
    plain = invoke("scrub-check", "--samples", "e.json", "--hook", "passthrough:hook")
    assert plain.exit_code == 0
    flagged = invoke(
        "-o",
        "json",
        "scrub-check",
        "--samples",
        "e.json",
        "--hook",
        "passthrough:hook",
        "--sensitive-field",
        "tenant_code",
    )
    assert flagged.exit_code == 1
    assert json.loads(flagged.stdout)["leaks"][0]["path"] == "extra.tenant_code"
    ours = invoke("scrub-check", "--samples", "e.json", "--sensitive-field", "tenant_code")
    assert ours.exit_code == 0


def test_bad_inputs_are_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.json").write_text("not json at all")
    assert invoke("scrub-check", "--samples", "bad.json").exit_code == 2
    assert invoke("scrub-check", "--samples", "missing.json").exit_code == 2
    assert invoke("scrub-check", "--hook", "nomodule_xyz:f").exit_code == 2
    assert invoke("scrub-check", "--hook", "no-colon").exit_code == 2


def test_runtime_hooks_scrub_errors_transactions_and_breadcrumbs() -> None:
    with sdk_client(None) as transport:
        with sentry_sdk.isolation_scope():
            sentry_sdk.add_breadcrumb(
                category="log",
                message=f"calling Claude with {ANTHROPIC}",
                data={"Authorization": f"Bearer {JWT}"},
            )
            sentry_sdk.set_context(
                "settings", {"ANTHROPIC_API_KEY": ANTHROPIC, "usage": {"input_tokens": 12}}
            )
            try:
                password = "hunter2-local"  # noqa: F841 - a frame local variable
                raise ValueError(f"failed with token {JWT}")
            except ValueError:
                sentry_sdk.capture_exception()
            with sentry_sdk.start_transaction(name="/api/tasks", op="http.server"):
                with sentry_sdk.start_span(
                    op="db", name="postgres://app:pw-1234567@db/para"
                ) as span:
                    span.set_data("api_key", ANTHROPIC)
        sentry_sdk.flush(timeout=2)
        payloads = transport.take()
    kinds = sorted(p.get("type", "event") for p in payloads)
    assert kinds == ["event", "transaction"]
    text = json.dumps(payloads)
    for secret in (ANTHROPIC, JWT, "hunter2-local", "pw-1234567"):
        assert secret not in text
    event = next(p for p in payloads if p.get("type", "event") == "event")
    assert event["contexts"]["settings"]["usage"]["input_tokens"] == 12
    assert event["breadcrumbs"]["values"][-1]["data"]["Authorization"] == FILTERED


def test_fastapi_request_with_secrets_leaks_nothing() -> None:
    with sdk_client(None) as transport:
        sample = fastapi_sample(transport)
        assert sample is not None
        assert sample.produce is not None
        payloads = sample.produce()
    assert {p.get("type", "event") for p in payloads} == {"event", "transaction"}
    text = json.dumps(payloads)
    for planted in sample.planted:
        assert planted.value not in text, planted.kind


def test_filter_sensitive_data_keeps_the_seed_call_shape() -> None:
    event = {"request": {"data": {"password": "x1234567"}}, "extra": {"token_count": 5}}
    out = filter_sensitive_data(event, {})
    assert out == {"request": {"data": {"password": FILTERED}}, "extra": {"token_count": 5}}
    assert filter_sensitive_data(event) == out


LOSING_HOOKS = """
def bad(event, hint):
    raise ValueError("a bug in the application's hook")


def none(event, hint):
    return None


def drop_transactions(event, hint):
    return None if event.get("type") == "transaction" else event
"""


@pytest.fixture
def losing_hooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    module = f"losing_hooks_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(LOSING_HOOKS)
    monkeypatch.chdir(tmp_path)
    return module


def test_a_hook_that_raises_on_every_event_fails(losing_hooks: str) -> None:
    result = invoke("scrub-check", "--hook", f"{losing_hooks}:bad")
    assert result.exit_code == 1, result.output
    assert "no leaks" not in result.stdout
    assert result.stdout.count("HOOK RAISED ") == 19
    assert "HOOK RAISED login-failure-fastapi: ValueError" in result.stdout
    assert f"{losing_hooks}:bad raised on 19 of 19 events" in result.stdout
    data = json.loads(invoke("-o", "json", "scrub-check", "--hook", f"{losing_hooks}:bad").stdout)
    assert data["ok"] is False
    assert len(data["hook_errors"]) == 19
    assert data["findings"] == [
        f"{losing_hooks}:bad raised on 19 of 19 events (the SDK would lose them)"
    ]


def test_a_hook_that_drops_every_event_fails(losing_hooks: str) -> None:
    result = invoke("-o", "json", "scrub-check", "--hook", f"{losing_hooks}:none")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert len(data["dropped_samples"]) == 19
    assert data["findings"] == [
        f"{losing_hooks}:none drops every event (19 of 19): nothing would reach Sentry"
    ]
    text = invoke("scrub-check", "--hook", f"{losing_hooks}:none").stdout
    assert text.count("DROPPED ") == 19
    assert "nothing would reach Sentry" in text


def test_a_hook_that_drops_some_events_fails_and_names_them(losing_hooks: str) -> None:
    result = invoke("-o", "json", "scrub-check", "--hook", f"{losing_hooks}:drop_transactions")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["dropped_samples"] == ["transaction-with-spans", "sql-credentials-any-dialect"]
    assert data["findings"][-1] == (
        f"{losing_hooks}:drop_transactions dropped 2 of 19 events: they would never reach Sentry"
    )


def test_the_verdict_is_shared_and_plural_aware() -> None:
    report = CheckReport(scrubber="hooks:f", mode="direct", samples=3)
    assert report.ok
    assert findings(report) == []
    report.leaks.append(Leak("a", "extra.k", "token", "planted", "<8 chars, redacted>"))
    report.hook_errors.append("b: KeyError")
    report.dropped.append("c")
    assert not report.ok
    assert findings(report) == [
        "1 value leaks through hooks:f in 1 of 3 events (first: a: extra.k, token)",
        "hooks:f raised on 1 of 3 events (the SDK would lose them)",
        "hooks:f dropped 1 of 3 events: it would never reach Sentry",
    ]


def test_field_options_are_repeatable_or_comma_separated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in test-event: `--sensitive-field a,b` is two names, not one that matches nothing."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "passthrough.py").write_text("def hook(event, hint):\n    return event\n")
    (tmp_path / "e.json").write_text(
        json.dumps({"extra": {"tenant_code": "acme-42", "branch_ref": "b-7", "plan": "pro"}})
    )
    args = ["-o", "json", "scrub-check", "--samples", "e.json", "--hook", "passthrough:hook"]
    flagged = invoke(
        *args, "--sensitive-field", "tenant_code, branch_ref", "--sensitive-field", "plan"
    )
    assert flagged.exit_code == 1
    paths = {leak["path"] for leak in json.loads(flagged.stdout)["leaks"]}
    assert paths == {"extra.tenant_code", "extra.branch_ref", "extra.plan"}
    safe = invoke(
        "-o",
        "json",
        "scrub-check",
        "--samples",
        "e.json",
        "--sensitive-field",
        "tenant_code,branch_ref",
        "--safe-field",
        "tenant_code,branch_ref",
    )
    assert safe.exit_code == 0
    help_text = " ".join(invoke("scrub-check", "--help").stdout.split())
    help_text = help_text.replace("- ", "-")  # help wraps lines after hyphens
    assert help_text.count("(repeatable, or comma-separated)") == 2


def test_split_fields_is_shared_by_test_event_and_scrub_check() -> None:
    assert split_fields(["a, b", "c", " ,", "d,"]) == ("a", "b", "c", "d")
    assert split_fields([]) == ()
