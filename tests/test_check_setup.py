"""check-setup against the sandbox: a fully set-up project passes every check; breaking one
part of the set-up (through Sentry's API, as a person would) fails exactly that check, with
evidence that names the problem."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ingest_support import send_event
from typer.testing import CliRunner

from para_monitor_cli.api import client as api
from para_monitor_cli.api.client import SentryClient, client_from_settings
from para_monitor_cli.checks import NAMES, Report, result_schema
from para_monitor_cli.cli import app
from para_monitor_cli.commands.apply import apply_command
from para_monitor_cli.commands.check_setup import CheckSetupOptions, check_setup
from para_monitor_cli.settings import Settings, resolve

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "alert_rules.yaml"
ARRIVAL = 10.0
LEAKY_HOOK = """
def filter_sensitive_data(event, hint):
    # the seed's own before_send: top-level keys only, so nested secrets go through
    for field in ["password", "token", "api_key", "secret"]:
        if field in event:
            event[field] = "[FILTERED]"
    return event
"""


@pytest.fixture(autouse=True)
def _no_backoff() -> Iterator[None]:
    api.set_testing(True, attempts=2)
    yield
    api.set_testing(False)


def settings_for(sandbox: Any, tmp_path: Path, **overrides: str | None) -> Settings:
    values: dict[str, str | None] = {
        "url": sandbox.url,
        "auth_token": sandbox.token,
        "org": sandbox.org,
        "project": sandbox.project,
        "dsn": overrides.pop("dsn", None) or sandbox.dsn,
    }
    environ = {"ENVIRONMENT": "production", "VERSION": "0.1.0"}
    for key, value in overrides.items():
        if key in ("ENVIRONMENT", "VERSION"):
            if value is None:
                environ.pop(key)
            else:
                environ[key] = value
        else:
            values[key] = value
    config = Path(overrides.get("config") or SPEC)  # type: ignore[arg-type]
    return resolve(values, environ=environ, cwd=tmp_path, home=tmp_path, config=config)


@pytest.fixture
def set_up(sandbox: Any, tmp_path: Path) -> Iterator[tuple[Any, Settings, SentryClient]]:
    """The sandbox as a finished set-up: legacy rules migrated away, alert_rules.yaml applied."""
    settings = settings_for(sandbox, tmp_path)
    client = client_from_settings(settings, on_warning=lambda _w: None)
    org, project = sandbox.org, sandbox.project
    try:
        for rule in client.issue_alert_rules(project, org=org):
            client.delete(f"projects/{org}/{project}/rules/{rule['id']}/")
        for rule in client.metric_alert_rules(org=org):
            client.delete(f"organizations/{org}/alert-rules/{rule['id']}/")
        # the file's monitors and alerts are in production: the organization has that
        # environment once an event from it arrived (plan's pre-flight refuses them before)
        send_event(sandbox, "production")
        apply_command(settings, client=client)
        check_in_every_job(sandbox, settings)
        yield sandbox, settings, client
    finally:
        client.http.close()


def check_in_every_job(sandbox: Any, settings: Settings) -> None:
    """One ok run of each background job of the file, as the backend's monitor_job sends it
    (``test-event --check-in``'s sender): a finished set-up has jobs that ran."""
    from para_monitor_cli.probe.checkin import send_check_ins
    from para_monitor_cli.spec import load_spec

    for cron in load_spec(settings.config).crons:
        sent = send_check_ins(
            sandbox.dsn,
            cron.monitor_slug,
            rules=settings.config,
            environment="production",
            version="0.1.0",
            send_timeout=10.0,
        )
        assert sent.delivered, sent.delivery_error


def run(settings: Settings, **options: Any) -> Report:
    return check_setup(settings, CheckSetupOptions(arrival_timeout=ARRIVAL, **options))


def statuses(report: Report) -> dict[str, str]:
    return {r.name: r.status for r in report.results}


def result(report: Report, name: str) -> Any:
    return next(r for r in report.results if r.name == name)


def test_a_finished_set_up_passes_every_check(set_up: Any) -> None:
    _sandbox, settings, _client = set_up
    report = run(settings)
    assert list(statuses(report)) == list(NAMES)
    assert statuses(report) == dict.fromkeys(NAMES, "passed"), [
        (r.name, r.summary, r.details[:3]) for r in report.results if r.status != "passed"
    ]
    assert report.exit_code() == 0
    assert report.requests is not None
    assert report.requests > 0
    jsonschema.validate(report.to_json(), result_schema())
    evidence = {r.name: r.summary for r in report.results}
    assert "key 'Default' is active in para-autopilot/para-autopilot-backend" in evidence["dsn"]
    assert "release para-autopilot@0.1.0 exists" in evidence["release"]
    assert "no drift: 3 cron monitors, 3 monitors, 1 uptime check, 7 alerts" in evidence["alerts"]
    assert "3 background jobs checked in on time" in evidence["jobs"]
    assert evidence["uptime"] == "1 uptime check in place and up: API health"
    assert "test error and message arrived" in evidence["test_error"]


# --------------------------------------------------------------------------- one break each
Break = Callable[[Any, SentryClient, Path], dict[str, Any]]


def revoke_key(sb: Any, c: SentryClient, _tmp: Path) -> dict[str, Any]:
    for key in c.project_keys(sb.project, org=sb.org):
        c.put(f"projects/{sb.org}/{sb.project}/keys/{key['id']}/", {"isActive": False})
    return {}


def drop_ingest(sb: Any, _c: SentryClient, _tmp: Path) -> dict[str, Any]:
    sb.faults.error(r"/envelope/", status=503)
    return {}


def leaky_hook(_sb: Any, _c: SentryClient, tmp: Path) -> dict[str, Any]:
    module = tmp / "leaky_backend_hooks.py"
    module.write_text(LEAKY_HOOK, encoding="utf-8")
    return {"hook": "leaky_backend_hooks:filter_sensitive_data", "chdir": tmp}


def scrubber_off(sb: Any, c: SentryClient, _tmp: Path) -> dict[str, Any]:
    c.put(f"projects/{sb.org}/{sb.project}/", {"dataScrubber": False})
    return {}


def edit_rule(sb: Any, c: SentryClient, _tmp: Path) -> dict[str, Any]:
    workflow = next(w for w in c.workflows(org=sb.org) if w["name"] == "Error rate alert")
    body = dict(workflow)
    body["config"] = {**workflow["config"], "frequency": 1440}
    c.put(f"organizations/{sb.org}/workflows/{workflow['id']}/", body)
    return {}


def delete_dashboard(sb: Any, c: SentryClient, _tmp: Path) -> dict[str, Any]:
    for dash in c.dashboards(org=sb.org):
        if dash.get("title") == "PARA Autopilot backend health":
            c.delete_dashboard(str(dash["id"]), org=sb.org)
    return {}


def empty_team(sb: Any, c: SentryClient, _tmp: Path) -> dict[str, Any]:
    whoami = c.get("")
    owner = str(whoami["user"]["id"])
    for member in c.list_all(f"teams/{sb.org}/backend/members/"):
        if str(member["user"]["id"]) != owner:
            c.delete(f"organizations/{sb.org}/members/{member['id']}/teams/backend/")
    return {}


def remove_slack(sb: Any, c: SentryClient, _tmp: Path) -> dict[str, Any]:
    for integration in c.integrations("slack", org=sb.org):
        c.delete(f"organizations/{sb.org}/integrations/{integration['id']}/")
    return {}


def disable_slack(sb: Any, _c: SentryClient, _tmp: Path) -> dict[str, Any]:
    store = sb.state.store  # someone disabled the integration in Sentry: it stays listed
    for doc in store.all("integration"):
        if doc.get("provider") == "slack":
            store.put("integration", str(doc["id"]), {**doc, "status": "disabled"})
    return {}


def delete_release(sb: Any, c: SentryClient, _tmp: Path) -> dict[str, Any]:
    c.delete(f"organizations/{sb.org}/releases/para-autopilot@0.1.0/")
    return {}


def unset_version(_sb: Any, _c: SentryClient, _tmp: Path) -> dict[str, Any]:
    return {"settings": {"VERSION": None}}


def broken_spec(_sb: Any, _c: SentryClient, tmp: Path) -> dict[str, Any]:
    spec = tmp / "alert_rules.yaml"
    shutil.copy(SPEC, spec)
    text = spec.read_text(encoding="utf-8").replace("window: 1h", "window: 7 fortnights", 1)
    spec.write_text(text, encoding="utf-8")
    return {"settings": {"config": str(spec)}}


# (break, the check that must fail, words its evidence must contain, checks skipped because
# they need the failed one)
def miss_a_run(sb: Any, _c: SentryClient, _tmp: Path) -> dict[str, Any]:
    """The data cleanup job did not run when due (the sandbox's check_missed, on demand)."""
    _control(sb, f"/_sandbox/organizations/{sb.org}/monitors/data-cleanup/missed/", {})
    return {}


def take_the_api_down(sb: Any, c: SentryClient, _tmp: Path) -> dict[str, Any]:
    """The health endpoint fails its checks past the downtime threshold."""
    [check] = [d for d in c.detectors(org=sb.org) if d["type"] == "uptime_domain_failure"]
    path = f"/_sandbox/organizations/{sb.org}/detectors/{check['id']}/uptime-check/"
    for _ in range(check["config"]["downtimeThreshold"]):
        _control(sb, path, {"status": "failure", "httpStatusCode": 503})
    return {}


def _control(sb: Any, path: str, body: dict[str, Any]) -> None:
    import httpx

    answer = httpx.post(
        sb.url.rstrip("/") + path, json=body, headers={"Authorization": f"Bearer {sb.token}"}
    )
    assert answer.status_code == 201, answer.text


BREAKS: list[tuple[Break, str, tuple[str, ...], set[str]]] = [
    (revoke_key, "dsn", ("revoked", "'Default'"), {"test_error"}),
    (drop_ingest, "test_error", ("503",), set()),
    (leaky_hook, "scrubbing", ("leak through leaky_backend_hooks:filter_sensitive_data",), set()),
    (scrubber_off, "server_scrubbing", ("data scrubber is off (dataScrubber)",), set()),
    (edit_rule, "alerts", ("alert 'Error rate alert' differs in Sentry",), set()),
    (delete_dashboard, "dashboards", ("'PARA Autopilot backend health' is missing",), set()),
    (empty_team, "team", ("no member besides the token's owner", "backend: 1 member"), set()),
    (remove_slack, "notifications", ("slack-alerts", "no active Slack integration"), {"alerts"}),
    (
        disable_slack,
        "notifications",
        ("no active Slack integration", "(installed: PARA Autopilot Workspace (disabled))"),
        {"alerts"},
    ),
    (delete_release, "release", ("no release para-autopilot@0.1.0",), set()),
    (unset_version, "environment_release", ("VERSION is not set",), {"release"}),
    (
        broken_spec,
        "spec",
        ("alert_rules.yaml is invalid",),
        {"alerts", "dashboards", "jobs", "uptime", "notifications"},
    ),
    (miss_a_run, "jobs", ("data-cleanup: the last run was missed",), set()),
    (take_the_api_down, "uptime", ("API health:", "is down", "HTTP 503"), set()),
]


@pytest.mark.parametrize(
    ("breaker", "name", "words", "blocked"),
    BREAKS,
    ids=[b[0].__name__ for b in BREAKS],
)
def test_breaking_one_part_fails_only_that_check(
    set_up: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    breaker: Break,
    name: str,
    words: tuple[str, ...],
    blocked: set[str],
) -> None:
    sandbox, _settings, client = set_up
    dsn = sandbox.dsn  # read before the key may be revoked
    extra = breaker(sandbox, client, tmp_path)
    if "chdir" in extra:
        monkeypatch.chdir(extra["chdir"])
        monkeypatch.syspath_prepend(str(extra["chdir"]))
    settings = settings_for(sandbox, tmp_path, dsn=dsn, **extra.get("settings", {}))
    report = run(settings, hook=extra.get("hook"))
    got = statuses(report)
    failing = result(report, name)
    assert failing.status == "failed", (failing.summary, failing.details)
    text = " ".join((failing.summary, *failing.details))
    for word in words:
        assert word in text
    expected = dict.fromkeys(NAMES, "passed")
    expected[name] = "failed"
    for other in blocked:
        expected[other] = "skipped"
        assert result(report, other).summary == f"needs {name}, which failed"
    assert got == expected, [(r.name, r.summary) for r in report.results if r.status != "passed"]
    assert report.exit_code() == 1


def test_legacy_rules_are_a_warning_with_the_migration_command(
    sandbox: Any, tmp_path: Path
) -> None:
    settings = settings_for(sandbox, tmp_path)
    report = run(settings, only=("legacy_alerts",))
    legacy = result(report, "legacy_alerts")
    assert legacy.status == "warning"
    assert "3 rules still on deprecated alert endpoints" in legacy.summary
    assert any("para-monitor export --out alert_rules.exported.yaml" in d for d in legacy.details)
    assert not any("--out alert_rules.yaml " in d for d in legacy.details)
    assert report.exit_code() == 0


def test_unreachable_sentry_exits_3(tmp_path: Path) -> None:
    dead = "http://127.0.0.1:9/"  # discard port: connection refused
    settings = resolve(
        {
            "url": dead,
            "auth_token": "sntrys_not_a_real_token_0123456789",
            "org": "acme",
            "project": "api",
            "dsn": "http://0123456789abcdef0123456789abcdef@127.0.0.1:9/1",
        },
        environ={"ENVIRONMENT": "production", "VERSION": "1.0"},
        cwd=tmp_path,
        home=tmp_path,
        config=SPEC,
    )
    report = check_setup(settings, CheckSetupOptions(arrival_timeout=1.0, skip=("test_error",)))
    assert report.unreachable
    assert report.exit_code() == 3
    assert result(report, "team").summary.startswith("not run: cannot reach Sentry")


def test_a_wrong_token_exits_3(sandbox: Any, tmp_path: Path) -> None:
    settings = settings_for(sandbox, tmp_path, auth_token="sntrys_wrong_token_0123456789abc")
    report = run(settings, skip=("test_error",))
    assert report.exit_code() == 3
    assert "401" in result(report, "server_scrubbing").summary


def test_offline_needs_no_token_and_skips_what_needs_sentry(tmp_path: Path) -> None:
    settings = resolve(
        {"dsn": "https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/42"},
        environ={"ENVIRONMENT": "production", "VERSION": "1.0"},
        cwd=tmp_path,
        home=tmp_path,
        config=SPEC,
    )
    report = check_setup(settings, CheckSetupOptions(offline=True))
    got = statuses(report)
    assert {n for n, s in got.items() if s != "skipped"} == {
        "spec",
        "dsn",
        "environment_release",
        "scrubbing",
    }
    assert got["dsn"] == "passed"
    assert "key not checked (--offline)" in result(report, "dsn").summary
    assert report.requests is None
    assert report.exit_code() == 0


# --------------------------------------------------------------------------- the CLI
def cli_env(sandbox: Any) -> dict[str, str]:
    return {
        "SENTRY_URL": sandbox.url,
        "SENTRY_AUTH_TOKEN": sandbox.token,
        "SENTRY_ORG": sandbox.org,
        "SENTRY_PROJECT": sandbox.project,
        "SENTRY_DSN": sandbox.dsn,
        "ENVIRONMENT": "production",
        "VERSION": "0.1.0",
    }


def test_cli_json_output_matches_the_schema_and_junit_parses(
    set_up: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, _settings, client = set_up
    remove_slack(sandbox, client, tmp_path)
    monkeypatch.chdir(REPO)
    junit = tmp_path / "check-setup.xml"
    result_ = CliRunner().invoke(
        app,
        [
            "--output",
            "json",
            "check-setup",
            "--junit",
            str(junit),
            "--wait",
            str(ARRIVAL),
        ],
        env=cli_env(sandbox),
    )
    assert result_.exit_code == 1, result_.output
    document = json.loads(result_.stdout)
    jsonschema.validate(document, result_schema())
    assert document["summary"]["failed"] == 1
    assert sandbox.token not in result_.output
    root = ET.parse(junit).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "1"
    assert suite.get("skipped") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert list(cases) == list(NAMES)
    failure = cases["notifications"].find("failure")
    assert failure is not None
    assert "no active Slack integration" in (failure.get("message") or "")
    assert cases["alerts"].find("skipped") is not None


def test_cli_text_checklist_with_only(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    out = CliRunner().invoke(
        app, ["check-setup", "--only", "dsn,team", "--skip", "team"], env=cli_env(sandbox)
    )
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0].startswith("Sentry DSN added to environment variables [dsn]....")
    assert lines[0].endswith("Passed")
    assert len(lines[0]) == 79
    assert lines[-1].startswith("OK: 1 check: 1 passed, 0 failed, 0 warnings, 0 skipped")


def test_cli_without_a_token_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    out = CliRunner().invoke(app, ["check-setup", "--only", "team"])
    assert out.exit_code == 2
    assert "--offline" in out.stderr


def test_an_invalid_dsn_names_where_it_came_from(tmp_path: Path) -> None:
    for flags, environ, name in (
        ({"dsn": "ftp://k@h/1"}, {}, "--dsn"),
        ({}, {"SENTRY_DSN": "http://k@[::1/2"}, "SENTRY_DSN (environment)"),
    ):
        settings = resolve(flags, environ=environ, cwd=tmp_path, home=tmp_path, config=SPEC)
        report = check_setup(settings, CheckSetupOptions(offline=True, only=("dsn",)))
        dsn = result(report, "dsn")
        assert dsn.status == "failed"
        assert dsn.summary.startswith(f"{name} is not a valid Sentry DSN ("), dsn.summary
        assert "from flag" not in dsn.summary


def test_cli_sentry_failing_is_exit_3_not_failed_checks(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    sandbox.faults.error("*", 500, method="GET")
    out = CliRunner().invoke(app, ["check-setup", "--wait", "1"], env=cli_env(sandbox))
    assert out.exit_code == 3, out.output
    assert "Failed" not in out.stdout
    lines = out.stdout.splitlines()
    errors = [i for i, line in enumerate(lines) if re.search(r"\]\.+Not run$", line)]
    assert errors, out.stdout
    for i in errors:
        assert lines[i + 1] == "  not run: Sentry answered 500"
    assert lines[-1].startswith("INCOMPLETE: 14 checks: ")
    assert "error: Sentry kept failing (5xx) past the retry budget" in out.stderr
    document = json.loads(
        CliRunner()
        .invoke(app, ["-o", "json", "check-setup", "--only", "team"], env=cli_env(sandbox))
        .stdout
    )
    assert (document["exit_code"], document["ok"]) == (3, False)
    assert document["checks"][0]["status"] == "not_run"


def test_cli_a_refused_token_says_so(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    env = {**cli_env(sandbox), "SENTRY_AUTH_TOKEN": "sntrys_wrong_token_0123456789abc"}
    out = CliRunner().invoke(app, ["check-setup", "--skip", "test_error"], env=env)
    assert out.exit_code == 3, out.output
    assert "not run: Sentry refused the token (401)" in out.stdout
    assert "error: Sentry refused the token (401)" in out.stderr
    assert "could not be reached" not in out.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--junit", "/nonexistent/dir/x.xml"], "--junit /nonexistent/dir/x.xml: the directory"),
        (["--junit", "."], "--junit . is a directory"),
        (["--only", "spec", "--skip", "spec"], "--only and --skip leave no check to run"),
        (["--wait", "-1"], "--wait must be a finite number of seconds >= 0"),
        (["--wait", "nan"], "--wait must be a finite number of seconds >= 0"),
        (["--wait", "inf"], "--wait must be a finite number of seconds >= 0"),
    ],
)
def test_cli_bad_options_are_usage_errors_before_any_check_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(app, ["--config", str(SPEC), "check-setup", "--offline", *args])
    assert out.exit_code == 2, out.output
    assert out.stdout == ""  # nothing ran
    assert message in out.stderr


@pytest.mark.parametrize("command", [["check-setup", "--offline"], ["scrub-check"]])
def test_cli_a_missing_config_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(app, ["--config", "missing.yaml", *command])
    assert out.exit_code == 2, out.output
    assert "error: --config missing.yaml: no such file" in out.stderr


def test_cli_help_shows_metavars_and_every_exit_code() -> None:
    text = CliRunner().invoke(app, ["check-setup", "--help"], terminal_width=100).stdout
    for metavar in ("--only NAME", "--samples PATH", "--junit PATH", "--wait SECONDS"):
        assert metavar in text
    assert "<list[" not in text
    assert "<float>" not in text
    for code in ("Exit 0", "1 when", "2 on", "3 when", "4 on"):
        assert code in text
