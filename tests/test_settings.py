"""Settings precedence: flag > environment > .env (cwd, then backend/) > .sentryclirc."""

from __future__ import annotations

from pathlib import Path

import pytest

from para_monitor_cli.errors import UsageError
from para_monitor_cli.redaction import redact
from para_monitor_cli.settings import parse_dotenv, resolve

RC = """
[auth]
token = rc-token-123456
dsn = https://rckey@o1.ingest.sentry.io/7

[defaults]
url = https://rc.example.com/
org = rc-org
project = rc-project
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_nothing_is_configured(tmp_path: Path) -> None:
    s = resolve({}, environ={}, cwd=tmp_path, home=tmp_path)
    assert s.org is None
    assert s.values["org"].source == "unset"
    assert s.values["url"].source == "default"


def test_sentryclirc_in_a_parent_directory(tmp_path: Path) -> None:
    write(tmp_path / ".sentryclirc", RC)
    cwd = tmp_path / "a" / "b"
    cwd.mkdir(parents=True)
    s = resolve({}, environ={}, cwd=cwd, home=None)
    assert (s.org, s.project, s.url, s.auth_token) == (
        "rc-org",
        "rc-project",
        "https://rc.example.com/",
        "rc-token-123456",
    )
    assert s.dsn == "https://rckey@o1.ingest.sentry.io/7"
    assert s.values["org"].source == f".sentryclirc ({tmp_path / '.sentryclirc'})"


def test_project_sentryclirc_overrides_the_global_one(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(home / ".sentryclirc", "[defaults]\norg = global-org\nproject = global-project\n")
    project = tmp_path / "work"
    write(project / ".sentryclirc", "[defaults]\norg = local-org\n")
    s = resolve({}, environ={}, cwd=project, home=home)
    assert s.org == "local-org"
    assert s.project == "global-project"


def test_dotenv_beats_sentryclirc_and_backend_env_is_read(tmp_path: Path) -> None:
    write(tmp_path / ".sentryclirc", RC)
    write(tmp_path / ".env", "SENTRY_ORG=env-file-org\n")
    write(
        tmp_path / "backend" / ".env",
        "SENTRY_DSN=https://abc@o1.ingest.sentry.io/9\nENVIRONMENT=production\nVERSION=0.1.0\n",
    )
    s = resolve({}, environ={}, cwd=tmp_path, home=None)
    assert s.org == "env-file-org"
    assert s.values["org"].source == f".env ({tmp_path / '.env'})"
    assert s.dsn == "https://abc@o1.ingest.sentry.io/9"
    assert s.values["dsn"].source == f".env ({tmp_path / 'backend' / '.env'})"
    assert (s.environment, s.version) == ("production", "0.1.0")
    assert s.project == "rc-project"


def test_environment_beats_dotenv(tmp_path: Path) -> None:
    write(tmp_path / ".env", "SENTRY_ORG=file-org\nVERSION=1\n")
    s = resolve({}, environ={"SENTRY_ORG": "env-org", "VERSION": "2"}, cwd=tmp_path, home=None)
    assert (s.org, s.version) == ("env-org", "2")
    assert s.values["org"].source == "env SENTRY_ORG"


def test_flag_beats_everything(tmp_path: Path) -> None:
    write(tmp_path / ".sentryclirc", RC)
    write(tmp_path / ".env", "SENTRY_AUTH_TOKEN=file-token-0000\n")
    s = resolve(
        {"auth_token": "flag-token-0000"},
        environ={"SENTRY_AUTH_TOKEN": "env-token-0000"},
        cwd=tmp_path,
        home=None,
    )
    assert s.auth_token == "flag-token-0000"
    assert s.values["auth_token"].source == "flag --auth-token"


def test_dotenv_parsing() -> None:
    parsed = parse_dotenv(
        "# comment\nexport A=1\nB = 'two words'\nC=\"q\"\nD=plain # trailing\nnot a line\nE=\n"
    )
    assert parsed == {"A": "1", "B": "two words", "C": "q", "D": "plain", "E": ""}


def test_secrets_are_registered_and_redacted(tmp_path: Path) -> None:
    s = resolve(
        {
            "auth_token": "tok-abcdef123456",
            "dsn": "https://pubkey123:seckey456@o1.ingest.sentry.io/9",
        },
        environ={},
        cwd=tmp_path,
        home=None,
    )
    text = f"token {s.auth_token} dsn key pubkey123 secret seckey456"
    cleaned = redact(text)
    for secret in ("tok-abcdef123456", "pubkey123", "seckey456"):
        assert secret not in cleaned
    shown = {name: value for name, value, _ in s.shown()}
    assert "tok-abcdef123456" not in shown["auth_token"]
    assert shown["dsn"] == "https://****@o1.ingest.sentry.io/9"


def test_invalid_sentryclirc_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / ".sentryclirc", "not an ini file [\n")
    with pytest.raises(UsageError, match=r"\.sentryclirc: not a valid \.sentryclirc"):
        resolve({}, environ={}, cwd=tmp_path, home=None)


def test_require_says_how_to_configure(tmp_path: Path) -> None:
    s = resolve({}, environ={}, cwd=tmp_path, home=None)
    with pytest.raises(UsageError, match="pass --auth-token or set SENTRY_AUTH_TOKEN"):
        s.require("auth_token")


@pytest.mark.parametrize(
    "text",
    [
        "error: no auth token configured: pass --auth-token or set SENTRY_AUTH_TOKEN",
        "LEAK login.json: extra.token  kind=jwt  rule=jwt",
        "the token expired yesterday; basic authentication is off",
    ],
)
def test_redaction_keeps_ordinary_words_after_token(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abcdefghij", "abcdefghij"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("token tok-abcdef123456 refused", "tok-abcdef123456"),
        ("token " + "q" * 40, "q" * 40),
    ],
)
def test_redaction_masks_credential_shaped_words(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert "****" in cleaned
