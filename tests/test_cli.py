"""The CLI skeleton: global options, the one error handler, exit codes, redaction."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from para_monitor_cli import __version__
from para_monitor_cli.cli import app, guarded
from para_monitor_cli.errors import (
    EXIT_BUG,
    EXIT_CODES,
    EXIT_INTERRUPTED,
    EXIT_OPERATIONAL,
    EXIT_USAGE,
    ApiError,
    ApplyError,
    ApplyProgress,
    AuthError,
    DeliveryError,
    GoneError,
    InvalidDsnError,
    NotFoundError,
    ParaMonitorError,
    RateLimitedError,
    ServerError,
    SpecError,
    SpecProblem,
    UnreachableError,
    UsageError,
    ValidationError,
)
from para_monitor_cli.render import Output

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
TOKEN = "sntrys_supersecrettoken_0123456789"
DSN = "https://publickey0123@o42.ingest.sentry.io/4242"


def invoke(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        result = runner.invoke(app, args, env=env or {})
    return result.exit_code, result.stdout, result.stderr


def test_version(tmp_path: Path) -> None:
    code, out, _ = invoke(["--version"], tmp_path)
    assert (code, out.strip()) == (0, f"para-monitor {__version__}")


def test_show_config_names_each_source_and_never_prints_secrets(tmp_path: Path) -> None:
    env = {"SENTRY_AUTH_TOKEN": TOKEN, "SENTRY_DSN": DSN, "SENTRY_ORG": "para-autopilot"}
    for args in (["--show-config"], ["config"], ["--output", "json", "config"]):
        code, out, err = invoke(["--project", "backend", *args], tmp_path, env)
        assert code == 0, err
        assert TOKEN not in out + err
        assert "publickey0123" not in out + err
    code, out, _ = invoke(["-o", "json", "--project", "backend", "config"], tmp_path, env)
    rows = {row["name"]: row for row in json.loads(out)["settings"]}
    assert rows["org"] == {"name": "org", "value": "para-autopilot", "source": "env SENTRY_ORG"}
    assert rows["project"]["source"] == "flag --project"
    assert rows["dsn"]["value"] == "https://****@o42.ingest.sentry.io/4242"
    assert rows["auth_token"]["value"] == "set (hidden)"


def test_bad_flag_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke(["--output", "xml", "config"], tmp_path)
    assert code == EXIT_USAGE
    assert "xml" in err


def test_bad_sentryclirc_gives_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".sentryclirc").write_text("[broken\n", encoding="utf-8")
    code, _, err = invoke(["config"], tmp_path)
    assert code == EXIT_USAGE
    assert err.count("\n") == 1
    assert "not a valid .sentryclirc" in err


def run_guarded(exc: BaseException, debug: bool = False) -> tuple[int, str]:
    err = io.StringIO()
    output = Output(stdout=io.StringIO(), stderr=err)

    def boom() -> int:
        raise exc

    return guarded(output, debug, boom), err.getvalue()


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (UsageError("bad"), EXIT_USAGE),
        (InvalidDsnError("bad dsn"), EXIT_USAGE),
        (SpecError([SpecProblem("a.yaml", 3, 5, "monitors[0].window", "expected 1m")]), 2),
        (ApiError("x"), EXIT_OPERATIONAL),
        (AuthError("x"), EXIT_OPERATIONAL),
        (NotFoundError("x"), EXIT_OPERATIONAL),
        (RateLimitedError("x"), EXIT_OPERATIONAL),
        (ServerError("x"), EXIT_OPERATIONAL),
        (GoneError("x"), EXIT_OPERATIONAL),
        (ValidationError("x"), EXIT_OPERATIONAL),
        (UnreachableError("x"), EXIT_OPERATIONAL),
        (DeliveryError("x"), EXIT_OPERATIONAL),
        (ApplyError("x", ApplyProgress()), EXIT_OPERATIONAL),
        (KeyboardInterrupt(), EXIT_INTERRUPTED),
        (RuntimeError("kaboom"), EXIT_BUG),
    ],
)
def test_exit_code_of_each_error(exc: BaseException, code: int) -> None:
    got, err = run_guarded(exc)
    assert got == code
    assert code in EXIT_CODES
    assert "Traceback" not in err
    assert err.count("\n") <= 2  # one line, and a hint at most


def test_every_error_class_has_a_documented_exit_code() -> None:
    import para_monitor_cli.errors as errors

    classes = [
        c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, ParaMonitorError)
    ]
    assert all(c.exit_code in EXIT_CODES for c in classes)
    # the drawn tree in the module docstring lists every class
    assert all(c.__name__ in (errors.__doc__ or "") for c in classes)


def test_spec_error_names_file_line_and_path() -> None:
    _, err = run_guarded(
        SpecError(
            [
                SpecProblem("alert_rules.yaml", 12, 7, "monitors[1].window", "expected 1m..1d"),
                SpecProblem("alert_rules.yaml", 30, 3, "alerts[0]", "unknown key"),
            ]
        )
    )
    # every error, one line each (not "(and 1 more)")
    assert "error: alert_rules.yaml:12:7: monitors[1].window: expected 1m..1d\n" in err
    assert "error: alert_rules.yaml:30:3: alerts[0]: unknown key\n" in err
    assert "more)" not in err


def test_bug_traceback_only_with_debug_and_redacted() -> None:
    exc = RuntimeError(f"failed with Authorization: Bearer {TOKEN}")
    _, plain = run_guarded(exc)
    assert "Traceback" not in plain
    assert "--debug" in plain
    _, debug = run_guarded(exc, debug=True)
    assert "Traceback" in debug
    assert TOKEN not in debug


def test_known_error_message_is_redacted() -> None:
    from para_monitor_cli.redaction import register_secret

    register_secret(TOKEN)
    _, err = run_guarded(AuthError(f"token {TOKEN} refused"))
    assert TOKEN not in err
    assert "****" in err


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "para_monitor_cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"para-monitor {__version__}"


def test_help_imports_nothing_heavy() -> None:
    """Neither ``--help`` nor any ``COMMAND --help`` imports more than Typer (Typer 0.29
    coerces option values with pydantic: no value may be coerced before --help is seen)."""
    code = (
        "import sys\n"
        "from para_monitor_cli.cli import main, app\n"
        "import typer\n"
        "names = list(typer.main.get_command(app).commands)\n"
        "for args in (['--help'], *([n, '--help'] for n in names)):\n"
        "    sys.argv = ['para-monitor', *args]\n"
        "    try:\n        main()\n    except SystemExit:\n        pass\n"
        "heavy = [m for m in ('sentry_sdk', 'httpx', 'pydantic', 'para_monitor_cli.sandbox',"
        " 'starlette', 'uvicorn', 'yaml', 'rich', 'para_monitor_cli.render')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert "HEAVY []" in result.stderr, result.stderr[-2000:]


def test_validate_to_a_pipe_imports_no_rich_and_no_client() -> None:
    """``validate`` needs the spec's own modules only: no Rich (its output goes to a pipe, and
    the progress line asks whether stderr is a terminal only when something waits), no HTTP
    client, no sentry-sdk, no sandbox."""
    code = (
        "import sys\n"
        "from para_monitor_cli.cli import main\n"
        f"sys.argv = ['para-monitor', 'validate', {str(ROOT / 'alert_rules.yaml')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('rich', 'httpx', 'sentry_sdk', 'para_monitor_cli.sandbox')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert "HEAVY []" in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize(
    "args",
    [
        ["--url", "http://[::1", "plan"],
        ["--url", "not a url", "plan"],
        ["--url", "ftp://127.0.0.1:9000/", "check-setup"],
        ["--url", "http://127.0.0.1:99999/", "export"],
    ],
)
def test_an_invalid_url_is_exit_2_naming_the_flag(tmp_path: Path, args: list[str]) -> None:
    code, _, err = invoke(args, tmp_path)
    assert code == EXIT_USAGE, err
    assert err.startswith(f"error: --url {args[1]!r} is not a Sentry URL")


def test_an_unparsable_dsn_is_a_usage_error_naming_its_source() -> None:
    from para_monitor_cli.runtime.sentry import validate_dsn

    for dsn in ("http://k@[::1/2", "http://k@h:99999/1", "ftp://k@h/1", "nonsense"):
        with pytest.raises(InvalidDsnError) as info:
            validate_dsn(dsn, "flag --dsn")
        assert info.value.message.startswith("--dsn is not a valid Sentry DSN ("), dsn
    with pytest.raises(InvalidDsnError, match=r"^SENTRY_DSN \(environment\) is not"):
        validate_dsn("http://k@[::1/2", "env SENTRY_DSN")
    with pytest.raises(InvalidDsnError, match=r"^the DSN is not a valid Sentry DSN"):
        validate_dsn("http://k@[::1/2")


def test_test_event_with_an_unparsable_dsn_is_exit_2(tmp_path: Path) -> None:
    code, _, err = invoke(["--dsn", "http://k@[::1/2", "test-event", "--no-verify"], tmp_path)
    assert code == EXIT_USAGE, err
    assert "not a valid Sentry DSN (Invalid IPv6 URL)" in err


# --------------------------------------------------------------------------- export --out
def test_export_never_overwrites_a_file_without_force(tmp_path: Path) -> None:
    spec = tmp_path / "alert_rules.yaml"
    spec.write_text("# hand-written\n", encoding="utf-8")
    code, out, err = invoke(["--org", "acme", "export", "--out", str(spec)], tmp_path)
    assert code == EXIT_USAGE, err
    assert err.startswith(f"error: --out {spec} exists: export does not overwrite it")
    assert "alert_rules.exported.yaml" in err
    assert spec.read_text(encoding="utf-8") == "# hand-written\n"
    assert out == ""


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("missing/dir/x.yaml", "the directory {dir} does not exist"),
        (".", "is a directory"),
    ],
)
def test_export_refuses_an_out_path_it_cannot_write(
    tmp_path: Path, target: str, problem: str
) -> None:
    path = tmp_path / target
    code, _, err = invoke(["--org", "acme", "export", "--out", str(path)], tmp_path)
    assert code == EXIT_USAGE, err
    assert problem.format(dir=path.parent) in err
    assert "bug" not in err


def test_dash_o_after_export_is_the_global_output_format(tmp_path: Path) -> None:
    # export has no -o of its own (its file is --out): -o after it is the global --output
    code, out, err = invoke(["--org", "acme", "export", "-o", "json"], tmp_path)
    assert code == EXIT_USAGE
    assert json.loads(out)["error"]["message"].startswith("no auth token configured")
    assert "no auth token configured" in err
    assert not (tmp_path / "json").exists()


ENV = {"SENTRY_AUTH_TOKEN": TOKEN, "SENTRY_ORG": "para-autopilot"}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (["--org", "acme", "config"], ["config", "--org", "acme"]),
        (["--org=acme", "-o", "json", "config"], ["config", "-o", "JSON", "--org=acme"]),
        (
            ["--project", "p", "--url", "http://127.0.0.1:9/", "config"],
            ["config", "--url", "http://127.0.0.1:9/", "--project", "p"],
        ),
        (["--debug", "--dsn", DSN, "config"], ["config", "--dsn", DSN, "--debug"]),
        (["--config", "missing.yaml", "config"], ["config", "--config", "missing.yaml"]),
        (["--url", "ftp://x/", "check-setup"], ["check-setup", "--url", "ftp://x/"]),
        (["-o", "json", "validate", "missing.yaml"], ["validate", "missing.yaml", "-o", "json"]),
    ],
)
def test_a_global_option_after_the_command_means_the_same(
    tmp_path: Path, before: list[str], after: list[str]
) -> None:
    assert invoke(before, tmp_path, ENV) == invoke(after, tmp_path, ENV)


def test_the_later_global_option_wins(tmp_path: Path) -> None:
    code, out, err = invoke(
        ["--org", "first", "-o", "text", "config", "--org", "second", "-o", "json"], tmp_path
    )
    assert code == 0, err
    rows = {row["name"]: row for row in json.loads(out)["settings"]}
    assert rows["org"]["value"] == "second"
    # a default after the command does not undo a value given before it
    code, out, _ = invoke(["--org", "first", "-o", "json", "config"], tmp_path)
    rows = {row["name"]: row for row in json.loads(out)["settings"]}
    assert rows["org"]["value"] == "first"


def test_sub_command_help_lists_each_global_option_once(tmp_path: Path) -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    shared = [p for p in group.params if not getattr(p, "hidden", False) and not p.is_eager]
    assert {p.name for p in shared} >= {"org", "project", "url", "auth_token", "dsn", "output"}
    for name in group.commands:
        code, out, _ = invoke([name, "--help"], tmp_path)
        assert code == 0
        own, _, shown = out.partition("Global options (also accepted before the command):")
        assert shown, name
        own_lines = [line.strip() for line in own.splitlines() if line.startswith("  -")]
        shown_lines = [line.strip() for line in shown.splitlines() if line.startswith("  -")]
        for param in shared:
            for opt in param.opts:
                listed = [line for line in shown_lines if opt in line.replace(",", " ").split()[:2]]
                assert len(listed) == 1, (name, opt)
                assert not [
                    line for line in own_lines if opt in line.replace(",", " ").split()[:2]
                ], (name, opt)
        assert "<" not in out, f"{name}: a type name as metavar"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("apply", "apply-alerts"),
        ("check", "check-setup"),
        ("chek", "check-setup"),
        ("test", "test-event"),
        ("scrub", "scrub-check"),
        ("valdiate", "validate"),
        ("sandbx", "sandbox"),
    ],
)
def test_an_unknown_command_suggests_the_one_meant(tmp_path: Path, typed: str, meant: str) -> None:
    code, _, err = invoke([typed], tmp_path)
    assert code == EXIT_USAGE
    assert f"No such command {typed!r}. Did you mean {meant!r}?" in err


def test_output_format_is_case_insensitive(tmp_path: Path) -> None:
    for value in ("JSON", "Json", "json"):
        code, out, _ = invoke(["-o", value, "config"], tmp_path)
        assert code == 0
        assert "settings" in json.loads(out)


def test_an_unknown_output_format_is_one_plain_message(tmp_path: Path) -> None:
    code, _, err = invoke(["-o", "yaml", "config"], tmp_path)
    assert code == EXIT_USAGE
    assert "'yaml' is not an output format: use text or json" in err
    assert "Value error" not in err


def test_export_force_replaces_the_file(sandbox: object, tmp_path: Path) -> None:
    from typing import Any

    sb: Any = sandbox
    spec = tmp_path / "alert_rules.yaml"
    spec.write_text("# hand-written\n", encoding="utf-8")
    env = {"SENTRY_URL": sb.url, "SENTRY_AUTH_TOKEN": sb.token, "SENTRY_ORG": sb.org}
    code, _, err = invoke(["export", "--out", str(spec), "--force"], tmp_path, env)
    assert code == 0, err
    assert spec.read_text(encoding="utf-8").startswith("# Exported by para-monitor")
    fresh = tmp_path / "alert_rules.exported.yaml"
    code, _, err = invoke(["export", "--out", str(fresh)], tmp_path, env)
    assert code == 0, err
    assert fresh.read_text(encoding="utf-8") == spec.read_text(encoding="utf-8")


def test_json_mode_prints_one_error_document_when_a_command_fails() -> None:
    out, err = io.StringIO(), io.StringIO()
    output = Output("json", stdout=out, stderr=err)

    def boom() -> int:
        raise AuthError(f"token {TOKEN} refused", hint="check the token's scopes")

    from para_monitor_cli.redaction import register_secret

    register_secret(TOKEN)
    assert guarded(output, False, boom) == EXIT_OPERATIONAL
    document = json.loads(out.getvalue())
    assert document == {
        "error": {
            "type": "AuthError",
            "message": "token **** refused",
            "hint": "check the token's scopes",
            "exit_code": EXIT_OPERATIONAL,
        }
    }
    assert "error: token **** refused" in err.getvalue()


def test_json_mode_adds_no_error_document_after_the_command_printed_its_own() -> None:
    out = io.StringIO()
    output = Output("json", stdout=out, stderr=io.StringIO())

    def partial() -> int:
        output.emit_json({"report": "partial"})
        raise DeliveryError("one envelope was refused")

    assert guarded(output, False, partial) == EXIT_OPERATIONAL
    assert json.loads(out.getvalue()) == {"report": "partial"}


def test_json_mode_reports_a_bug_and_spec_problems() -> None:
    out = io.StringIO()
    output = Output("json", stdout=out, stderr=io.StringIO())
    assert guarded(output, False, lambda: 1 // 0) == EXIT_BUG
    assert json.loads(out.getvalue())["error"]["type"] == "Bug"

    out = io.StringIO()
    output = Output("json", stdout=out, stderr=io.StringIO())
    problems = [SpecProblem("a.yaml", 3, 5, "monitors[0].window", "expected 1m..1d")]

    def invalid() -> int:
        raise SpecError(problems)

    assert guarded(output, False, invalid) == EXIT_USAGE
    assert json.loads(out.getvalue())["error"]["problems"] == [
        "a.yaml:3:5: monitors[0].window: expected 1m..1d"
    ]


def test_a_hook_with_a_syntax_error_names_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken_hook.py").write_text(
        "def before_send(event, hint):\n    return event\nvalue = (\n", encoding="utf-8"
    )
    (tmp_path / "raising_hook.py").write_text(
        "import os\nraise RuntimeError('sk_live_secret_value')\n", encoding="utf-8"
    )
    code, _, err = invoke(["scrub-check", "--hook", "broken_hook:before_send"], tmp_path)
    assert code == EXIT_USAGE
    assert "SyntaxError at broken_hook.py:3: '(' was never closed" in err
    code, _, err = invoke(["scrub-check", "--hook", "raising_hook:before_send"], tmp_path)
    assert code == EXIT_USAGE
    assert "(RuntimeError at raising_hook.py:2)" in err
    assert "sk_live_secret_value" not in err  # the exception's text is never shown


def test_deprecated_spellings_still_work_and_warn(tmp_path: Path) -> None:
    (tmp_path / "e.json").write_text('{"extra": {"note": "hello"}}', encoding="utf-8")
    code, _, err = invoke(["scrub-check", "e.json"], tmp_path)
    assert code == 0, err
    assert "warning: sample paths as arguments are deprecated: use --samples" in err
    code, _, err = invoke(
        [
            "--config",
            str(ROOT / "alert_rules.yaml"),
            "check-setup",
            "--offline",
            "--only",
            "spec",
            "--arrival-timeout",
            "5",
        ],
        tmp_path,
    )
    assert code == 0, err
    assert "warning: --arrival-timeout is deprecated: use --wait" in err


def test_hook_only_needs_a_hook(tmp_path: Path) -> None:
    code, _, err = invoke(["test-event", "--dsn", DSN, "--no-verify", "--hook-only"], tmp_path)
    assert code == EXIT_USAGE
    assert "--hook-only leaves only the application's hooks, and none was given" in err


def test_one_arrival_wait_default_everywhere() -> None:
    from para_monitor_cli.checks.context import DEFAULT_ARRIVAL_TIMEOUT as checks_default
    from para_monitor_cli.cli import ARRIVAL_WAIT
    from para_monitor_cli.commands.check_setup import CheckSetupOptions
    from para_monitor_cli.commands.test_event import TestEventOptions
    from para_monitor_cli.probe import DEFAULT_ARRIVAL_TIMEOUT as probe_default

    assert ARRIVAL_WAIT == checks_default == probe_default == 60.0
    assert TestEventOptions().timeout == CheckSetupOptions().arrival_timeout == ARRIVAL_WAIT


def test_project_flag_beats_the_files_project_in_plan(sandbox: object, tmp_path: Path) -> None:
    from typing import Any

    sb: Any = sandbox
    spec = ROOT / "alert_rules.yaml"
    env = {"SENTRY_URL": sb.url, "SENTRY_AUTH_TOKEN": sb.token}
    sb.send_event("production")  # the file's monitors need it (plan's pre-flight)
    code, _out, err = invoke(["--config", str(spec), "plan"], tmp_path, env)
    assert code == 0, err  # the file's organization: and project:
    for args in (
        ["--config", str(spec), "--project", "not-a-project", "plan"],
        ["plan", "--config", str(spec), "--project", "not-a-project"],
    ):
        code, _, err = invoke(args, tmp_path, {**env, "SENTRY_PROJECT": "para-autopilot-backend"})
        assert code != 0
        assert "not-a-project" in err, err


def test_the_cli_names_the_default_spec_file_as_settings_does() -> None:
    from para_monitor_cli import cli, settings

    assert cli.DEFAULT_CONFIG == settings.DEFAULT_CONFIG


def test_many_lines_in_one_print_read_as_one_print_per_line() -> None:
    from para_monitor_cli.redaction import register_secret

    register_secret(TOKEN)
    lines = [(f"  ~ update monitor {i}: window 1h -> 2h", "yellow") for i in range(50)]
    lines += [(f"token {TOKEN}", None), ("", "dim"), ("  + create", "green")]
    each, once = io.StringIO(), io.StringIO()
    for text, style in lines:
        Output(stdout=each).line(text, style)
    Output(stdout=once).lines(lines)
    assert once.getvalue() == each.getvalue()
    assert TOKEN not in once.getvalue()


def test_a_command_declared_with_plain_app_command_takes_the_global_options(
    tmp_path: Path,
) -> None:
    from para_monitor_cli.cli import _Group, global_options

    extra = typer.Typer(cls=_Group)

    @extra.callback()
    def root(ctx: typer.Context, org: str | None = None, debug: bool = False) -> None:
        """Root."""

    @extra.command("show")
    def show(ctx: typer.Context) -> None:
        typer.echo(repr(sorted(global_options(ctx).items())))

    result = runner.invoke(extra, ["--org", "a", "show", "--org", "b", "--debug"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[('debug', True), ('org', 'b')]"


@pytest.mark.parametrize("styles", [(None,), ("bold red", "yellow"), ("green", None, "dim")])
def test_plain_lines_are_what_rich_writes_to_a_file(styles: tuple[str | None, ...]) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rich.console import Console
    from rich.text import Text

    from para_monitor_cli.render import is_terminal

    alphabet = st.characters(blacklist_categories=("Cs",)) | st.sampled_from("\t\r\x07\x0b é中😀")

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.text(alphabet, max_size=120), min_size=1, max_size=len(styles)))
    def same(texts: list[str]) -> None:
        parts = list(zip(texts, styles, strict=False))
        ours = io.StringIO()
        assert not is_terminal(ours)
        Output(stdout=ours).styled(parts)
        rich = io.StringIO()
        line = Text()
        for text, style in parts:
            line.append(text, style=style or "")
        Console(file=rich, highlight=False, soft_wrap=True).print(line)
        assert ours.getvalue() == rich.getvalue()

    same()


def test_output_imports_rich_only_to_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    code = (
        "import io, sys\n"
        "from para_monitor_cli.render import Output\n"
        "out = Output(stdout=io.StringIO(), stderr=io.StringIO())\n"
        "out.lines([('a', 'red'), ('b', None)]); out.note('n', 'dim'); out.emit_json({})\n"
        "print('rich' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    monkeypatch.setenv("FORCE_COLOR", "1")  # a terminal for Rich: styles are drawn
    ours = io.StringIO()
    Output(stdout=ours).line("styled", "bold red")
    assert "\x1b[" in ours.getvalue()
