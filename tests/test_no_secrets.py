"""No token, DSN key or planted secret in anything a command prints: every command, text and
JSON, with --debug, on success and on failure (design.md section 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from para_monitor_cli.cli import app

ROOT = Path(__file__).resolve().parent.parent
SPEC = str(ROOT / "alert_rules.yaml")
WRONG_TOKEN = "sntrys_wrongWRONGwrong_0123456789abcdef"

COMMANDS: list[list[str]] = [
    ["config"],
    ["validate"],
    ["plan", "--prune"],
    ["apply-alerts", "--dry-run"],
    ["apply-alerts", "--yes"],
    ["export"],
    ["test-event", "--transaction", "--wait", "10"],
    ["check-setup"],
    ["check-setup", "--offline"],
    ["scrub-check"],
]


def run(sandbox: Any, args: list[str], *, token: str, fmt: str) -> tuple[int, str]:
    base = [
        "--url", sandbox.url,
        "--auth-token", token,
        "--dsn", sandbox.dsn,
        "--org", sandbox.org,
        "--project", sandbox.project,
        "--config", SPEC,
        "--debug",
        "--output", fmt,
    ]  # fmt: skip
    result = CliRunner().invoke(app, [*base, *args], env={"VERSION": "0.1.0"})
    return result.exit_code, result.stdout + result.stderr


def secrets_of(sandbox: Any, token: str) -> list[str]:
    key = urlsplit(sandbox.dsn).username or ""
    assert len(key) >= 16
    return [token, key]


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_no_secret_on_success(sandbox: Any, args: list[str], fmt: str) -> None:
    sandbox.send_event("production")  # the file's monitors need it (plan's pre-flight)
    code, output = run(sandbox, args, token=sandbox.token, fmt=fmt)
    assert code in {0, 1}, output[-3000:]
    for secret in secrets_of(sandbox, sandbox.token):
        assert secret not in output


@pytest.mark.parametrize("args", COMMANDS[2:], ids=" ".join)
def test_no_secret_when_the_token_is_refused(sandbox: Any, args: list[str]) -> None:
    code, output = run(sandbox, args, token=WRONG_TOKEN, fmt="text")
    offline = args[0] == "scrub-check" or "--offline" in args
    assert code == (0 if offline else 3), output[-3000:]
    assert "Traceback" not in output
    for secret in secrets_of(sandbox, WRONG_TOKEN):
        assert secret not in output


@pytest.mark.parametrize("args", [["plan"], ["apply-alerts", "--yes"], ["check-setup"]])
def test_no_secret_when_sentry_fails(sandbox: Any, args: list[str]) -> None:
    sandbox.faults.error("*", status=500)
    code, output = run(sandbox, args, token=sandbox.token, fmt="text")
    assert code in {1, 3}, output[-3000:]
    assert "Traceback" not in output
    for secret in secrets_of(sandbox, sandbox.token):
        assert secret not in output
