"""Settings precedence: flag > environment > .env (cwd, then backend/) > .sentryclirc > the
spec file's organization: and project:."""

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
    with pytest.raises(UsageError, match=r"\.sentryclirc:1: not a valid \.sentryclirc"):
        resolve({}, environ={}, cwd=tmp_path, home=None)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("token = sntrys_secret_0123456789\n", 1, "before any [section] header"),
        ("[auth]\ntoken = a0000000\n\n[defaults]\nnot a setting line\n", 5, "key = value"),
        ("[defaults]\norg = a\norg = b\n", 3, "'org' appears twice in [defaults]"),
        ("[auth]\n[auth]\n", 2, "section [auth] appears twice"),
    ],
)
def test_sentryclirc_errors_name_the_line_and_never_quote_it(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    rc = write(tmp_path / ".sentryclirc", text)
    with pytest.raises(UsageError) as info:
        resolve({}, environ={}, cwd=tmp_path, home=None)
    assert info.value.message.startswith(f"{rc}:{line}: not a valid .sentryclirc: ")
    assert problem in info.value.message
    assert "sntrys_secret" not in info.value.message


def test_dotenv_unterminated_quote_names_file_and_line(tmp_path: Path) -> None:
    env = write(tmp_path / ".env", 'SENTRY_PROJECT=api\nSENTRY_ORG="para-autopilot\n')
    with pytest.raises(UsageError, match=rf"^{env}:2: the value of SENTRY_ORG opens a \" quote"):
        resolve({}, environ={}, cwd=tmp_path, home=None)


def test_dotenv_quoted_value_with_a_comment() -> None:
    assert parse_dotenv("A='x y' # note\nB=\"#not a comment\"\n") == {
        "A": "x y",
        "B": "#not a comment",
    }
    with pytest.raises(UsageError, match=r"^\.env:1: unexpected text after the quoted value"):
        parse_dotenv('A="x"y\n')


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("not a url", "it does not start with http:// or https://"),
        ("ftp://127.0.0.1:9000/", "it does not start with http:// or https://"),
        ("127.0.0.1:9000", "it does not start with http:// or https://"),
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://127.0.0.1:99999/", "Port out of range 0-65535"),
        ("http://127.0.0.1:90x/", "the port is not a number"),
        ("https:///path", "it has no host"),
    ],
)
def test_an_invalid_url_is_a_usage_error_naming_the_flag(
    tmp_path: Path, url: str, problem: str
) -> None:
    with pytest.raises(UsageError) as info:
        resolve({"url": url}, environ={}, cwd=tmp_path, home=None)
    assert info.value.message == f"--url {url!r} is not a Sentry URL: {problem}"


def test_an_invalid_url_names_its_source(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^SENTRY_URL \(environment\) 'x' is not a Sentry URL"):
        resolve({}, environ={"SENTRY_URL": "x"}, cwd=tmp_path, home=None)
    env = write(tmp_path / ".env", "SENTRY_URL=ftp://h/\n")
    with pytest.raises(UsageError, match=rf"^SENTRY_URL in {env} 'ftp://h/'"):
        resolve({}, environ={}, cwd=tmp_path, home=None)
    env.unlink()
    rc = write(tmp_path / ".sentryclirc", "[defaults]\nurl = localhost:9000\n")
    with pytest.raises(UsageError, match=rf"^url in {rc} 'localhost:9000'"):
        resolve({}, environ={}, cwd=tmp_path, home=None)


def test_valid_urls_pass(tmp_path: Path) -> None:
    for url in ("https://sentry.io/", "http://127.0.0.1:9000/", "https://[::1]:8443/sentry/"):
        assert resolve({"url": url}, environ={}, cwd=tmp_path, home=None).url == url


def test_the_token_is_shown_as_set_without_its_length(tmp_path: Path) -> None:
    s = resolve({"auth_token": "tok-abcdef123456"}, environ={}, cwd=tmp_path, home=None)
    shown = {name: value for name, value, _ in s.shown()}
    assert shown["auth_token"] == "set (hidden)"


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


SPEC_HEAD = "version: 1\norganization: file-org\nproject: file-project\n"


def test_the_spec_file_is_the_last_fallback_of_org_and_project(tmp_path: Path) -> None:
    write(tmp_path / "alert_rules.yaml", SPEC_HEAD)
    s = resolve({}, environ={}, cwd=tmp_path, home=tmp_path)
    assert (s.org, s.values["org"].source) == ("file-org", "file alert_rules.yaml (organization:)")
    assert (s.project, s.values["project"].source) == (
        "file-project",
        "file alert_rules.yaml (project:)",
    )
    write(tmp_path / ".sentryclirc", RC)
    s = resolve({}, environ={}, cwd=tmp_path, home=tmp_path)
    assert (s.org, s.project) == ("rc-org", "rc-project")
    write(tmp_path / ".env", "SENTRY_PROJECT=env-file-project\n")
    s = resolve({}, environ={"SENTRY_ORG": "env-org"}, cwd=tmp_path, home=tmp_path)
    assert (s.org, s.project) == ("env-org", "env-file-project")
    s = resolve({"org": "flag-org", "project": "flag-project"}, environ={}, cwd=tmp_path)
    assert (s.org, s.project) == ("flag-org", "flag-project")
    # a broken file gives no defaults (validate reports it) and no error here
    (tmp_path / ".env").unlink()
    write(tmp_path / "broken.yaml", "organization: [unclosed\n")
    s = resolve({}, environ={}, cwd=tmp_path, home=None, config=Path("broken.yaml"))
    assert s.project == "rc-project"
    assert s.values["org"].source.startswith(".sentryclirc")


def test_plan_apply_and_checks_take_org_and_project_from_the_settings_first(
    tmp_path: Path,
) -> None:
    from para_monitor_cli.settings import setting_label, with_settings_scope
    from para_monitor_cli.spec import load_spec

    path = write(tmp_path / "alert_rules.yaml", SPEC_HEAD)
    spec = load_spec(path)
    same = resolve({}, environ={}, cwd=tmp_path, home=tmp_path)
    assert with_settings_scope(spec, same) is spec  # the file's own values: nothing to change
    flagged = resolve({"project": "flag-project"}, environ={"SENTRY_ORG": "env-org"}, cwd=tmp_path)
    scoped = with_settings_scope(spec, flagged)
    assert (scoped.organization, scoped.project) == ("env-org", "flag-project")
    assert setting_label("org", same.values["org"].source) == "organization: in alert_rules.yaml"
