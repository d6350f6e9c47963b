"""The cron and uptime kinds against the sandbox: apply creates the cron monitors, the uptime
check and the alerts linking them; a second plan is empty; export writes them back as the file
says them; every request apply and export send validates against the official OpenAPI spec
where it documents them; prune leaves a monitor a job created by check-in alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from cron_support import sandbox_settings
from ingest_support import send_event
from openapi_support import validate_request
from typer.testing import CliRunner

from para_monitor_cli.api import client as api
from para_monitor_cli.api.client import SentryClient, client_from_settings
from para_monitor_cli.cli import app
from para_monitor_cli.commands.apply import apply_command
from para_monitor_cli.commands.export import export_command
from para_monitor_cli.commands.plan import plan_command
from para_monitor_cli.kinds import registry
from para_monitor_cli.kinds.base import Resource
from para_monitor_cli.reconcile.state import read_actual
from para_monitor_cli.settings import Settings
from para_monitor_cli.spec.check import load_spec

SPEC = """\
version: 1
targets:
  mail: {type: email, team: backend}
crons:
  - name: Weekly review generation
    slug: weekly-review
    schedule: "0 6 * * 1"
    timezone: Europe/Berlin
    checkin_margin: 30m
    max_runtime: 2h
    failure_issue_threshold: 1
    recovery_threshold: 1
    owner: team:backend
  - name: MCP sync
    schedule: every 15 minutes
    checkin_margin: 5m
    max_runtime: 10m
    failure_issue_threshold: 3
  - name: Data cleanup
    schedule: "@daily"
    max_runtime: 1h
uptime:
  - name: API health
    url: https://api.para-autopilot.example/health
    interval: 1m
    timeout: 10s
    headers: {Accept: application/json}
    environment: production
    downtime_threshold: 2
alerts:
  - name: Background job failed
    monitors: [weekly-review, MCP sync, Data cleanup]
    actions: [mail]
  - name: API down
    monitors: [API health]
    actions: [mail]
"""


@pytest.fixture(autouse=True)
def _no_backoff() -> Iterator[None]:
    api.set_testing(True, attempts=2)
    yield
    api.set_testing(False)


class Recorder:
    """Every API request the client sends: (method, path, JSON body)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Any]] = []

    def __call__(self, request: httpx.Request) -> None:
        body = json.loads(request.content) if request.content else None
        self.sent.append((request.method, request.url.path, body))


@pytest.fixture
def world(sandbox: Any, tmp_path: Path) -> Iterator[tuple[Settings, SentryClient, Recorder, Path]]:
    path = tmp_path / "alert_rules.yaml"
    path.write_text(SPEC, encoding="utf-8")
    settings = sandbox_settings(sandbox, tmp_path, path)
    recorder = Recorder()
    client = client_from_settings(
        settings, on_warning=lambda _w: None, event_hooks={"request": [recorder]}
    )
    send_event(sandbox, "production")
    try:
        yield settings, client, recorder, path
    finally:
        client.http.close()


def test_the_kinds_are_registered_before_the_alerts_that_link_them() -> None:
    names = registry().names()
    assert {"cron monitor", "uptime check"} <= set(names)
    assert names.index("cron monitor") < names.index("alert")
    assert names.index("uptime check") < names.index("alert")
    deleted = [k.name for k in registry().delete_order]
    assert deleted.index("alert") < deleted.index("cron monitor")


def test_apply_creates_then_plan_is_empty_and_export_round_trips(
    world: tuple[Settings, SentryClient, Recorder, Path], sandbox: Any
) -> None:
    settings, client, recorder, path = world
    outcome = apply_command(settings, client=client)
    created = sorted(f"{c.kind}:{c.action}" for c in outcome.applied)
    assert created == sorted(
        ["cron monitor:create"] * 3 + ["uptime check:create"] + ["alert:create"] * 2
    ), created

    monitors = {m["slug"]: m for m in client.cron_monitors(org=sandbox.org)}
    assert set(monitors) == {"weekly-review", "mcp-sync", "data-cleanup"}
    assert monitors["weekly-review"]["config"]["checkin_margin"] == 30
    assert monitors["weekly-review"]["config"]["max_runtime"] == 120
    assert monitors["mcp-sync"]["config"]["schedule"] == [15, "minute"]
    assert monitors["data-cleanup"]["config"]["schedule"] == "0 0 * * *"
    assert monitors["weekly-review"]["owner"]["type"] == "team"
    detectors = client.detectors(org=sandbox.org)
    by_name = {d["name"]: d for d in detectors}
    uptime = by_name["API health"]
    assert uptime["type"] == "uptime_domain_failure"
    assert uptime["dataSources"][0]["queryObj"]["timeoutMs"] == 10_000
    workflows = {w["name"]: w for w in client.workflows(org=sandbox.org)}
    jobs = {by_name[n]["id"] for n in ("Weekly review generation", "MCP sync", "Data cleanup")}
    assert set(workflows["Background job failed"]["detectorIds"]) == jobs
    assert workflows["API down"]["detectorIds"] == [uptime["id"]]

    second = plan_command(settings, client=client)
    assert not second.plan.has_drift, [c.label for c in second.plan.pending]

    for method, where, body in recorder.sent:
        if body is not None and where.startswith("/api/0/"):
            validate_request(method, where, body)
    sent = {(m, w.rsplit("/", 2)[-2] if w.endswith("/") else w) for m, w, _b in recorder.sent}
    assert ("POST", "monitors") in sent

    exported = export_command(settings, client=client, legacy=False)
    data = yaml.safe_load(exported.text)
    crons = {c["name"]: c for c in data["crons"]}
    assert crons["Weekly review generation"] == {
        "name": "Weekly review generation",
        "slug": "weekly-review",
        "project": sandbox.project,
        "schedule": "0 6 * * 1",
        "timezone": "Europe/Berlin",
        "checkin_margin": "30m",
        "max_runtime": "2h",
        "failure_issue_threshold": 1,
        "recovery_threshold": 1,
        "owner": "team:backend",
    }
    assert crons["MCP sync"]["schedule"] == "every 15 minutes"
    [check] = data["uptime"]
    assert check["url"] == "https://api.para-autopilot.example/health"
    assert check["timeout"] == "10s"
    assert check["headers"] == {"accept": "application/json"}
    alerts = {a["name"]: a for a in data["alerts"]}
    assert sorted(alerts["Background job failed"]["monitors"]) == [
        "Data cleanup",
        "MCP sync",
        "Weekly review generation",
    ]
    # the exported file applies with no change
    path.write_text(exported.text, encoding="utf-8")
    load_spec(path)
    again = plan_command(settings, client=client)
    assert not again.plan.has_drift, [c.label for c in again.plan.pending]


def test_a_change_in_the_file_is_a_field_level_update(
    world: tuple[Settings, SentryClient, Recorder, Path], sandbox: Any
) -> None:
    settings, client, _recorder, path = world
    apply_command(settings, client=client)
    path.write_text(
        SPEC.replace("checkin_margin: 5m", "checkin_margin: 10m").replace(
            "timeout: 10s", "timeout: 20s"
        ),
        encoding="utf-8",
    )
    planned = plan_command(settings, client=client)
    changes = {c.label: c for c in planned.plan.pending}
    assert set(changes) == {
        f"cron monitor '{sandbox.project}/mcp-sync'",
        f"uptime check '{sandbox.project}/API health'",
    }
    assert all(c.action == "update" for c in changes.values())
    apply_command(settings, client=client)
    assert client.cron_monitor("mcp-sync", org=sandbox.org)["config"]["checkin_margin"] == 10
    assert not plan_command(settings, client=client).plan.has_drift


def test_prune_deletes_ours_and_leaves_a_monitor_a_job_created(
    world: tuple[Settings, SentryClient, Recorder, Path], sandbox: Any
) -> None:
    settings, client, _recorder, path = world
    apply_command(settings, client=client)
    # a monitor made by a check-in upsert (no marker): not ours to delete
    client.create_cron_monitor(
        {
            "project": sandbox.project,
            "name": "adhoc",
            "slug": "adhoc",
            "config": {"schedule_type": "crontab", "schedule": "0 1 * * *"},
        },
        org=sandbox.org,
    )
    path.write_text(
        SPEC.split("uptime:", maxsplit=1)[0]
        .replace('  - name: Data cleanup\n    schedule: "@daily"\n    max_runtime: 1h\n', "")
        .replace("[weekly-review, MCP sync, Data cleanup]", "[weekly-review, MCP sync]"),
        encoding="utf-8",
    )
    apply_command(settings, client=client, prune=True)
    slugs = {m["slug"] for m in client.cron_monitors(org=sandbox.org)}
    assert slugs == {"weekly-review", "mcp-sync", "adhoc"}
    types = [d["type"] for d in client.detectors(org=sandbox.org)]
    assert "uptime_domain_failure" not in types
    assert not plan_command(settings, client=client, prune=True).plan.has_drift


def _uptime_detector(client: SentryClient, org: str) -> dict[str, Any]:
    [found] = [d for d in client.detectors(org=org) if d["type"] == "uptime_domain_failure"]
    return found


def _judge(sandbox: Any, detector: dict[str, Any], code: int) -> str:
    """What the sandbox's checker makes of an answer with this code."""
    response = httpx.post(
        f"{sandbox.url.rstrip('/')}/_sandbox/organizations/{sandbox.org}/detectors/"
        f"{detector['id']}/uptime-check/",
        json={"httpStatusCode": code},
        headers={"Authorization": f"Bearer {sandbox.token}"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["checkStatus"]).removesuffix("_incident")


def test_expected_status_is_applied_read_back_exported_and_judged(
    world: tuple[Settings, SentryClient, Recorder, Path], sandbox: Any
) -> None:
    settings, client, _recorder, path = world
    path.write_text(
        SPEC.replace("    downtime_threshold: 2\n", "    expected_status: [200, 3xx]\n"),
        encoding="utf-8",
    )
    apply_command(settings, client=client)
    detector = _uptime_detector(client, sandbox.org)
    assertion = detector["dataSources"][0]["queryObj"]["assertion"]
    assert assertion["root"]["op"] == "or"
    assert [_judge(sandbox, detector, code) for code in (200, 302, 204, 404)] == [
        "success",
        "success",
        "failure",
        "failure",
    ]
    assert not plan_command(settings, client=client).plan.has_drift

    exported = export_command(settings, client=client, legacy=False)
    [check] = yaml.safe_load(exported.text)["uptime"]
    assert check["expected_status"] == [200, "3xx"]
    path.write_text(exported.text, encoding="utf-8")
    assert not plan_command(settings, client=client).plan.has_drift

    path.write_text(
        SPEC.replace("    downtime_threshold: 2\n", "    expected_status: 204\n"), encoding="utf-8"
    )
    planned = plan_command(settings, client=client)
    [change] = planned.plan.pending
    assert change.action == "update"
    assert [(d.path, d.before, d.after) for d in change.diff] == [
        ("expected_status", "200, 3xx", "204")
    ]
    apply_command(settings, client=client)
    assert _judge(sandbox, _uptime_detector(client, sandbox.org), 204) == "success"


def test_sentrys_default_assertion_and_none_are_the_files_default(
    world: tuple[Settings, SentryClient, Recorder, Path], sandbox: Any
) -> None:
    settings, client, _recorder, _path = world
    apply_command(settings, client=client)
    detector = _uptime_detector(client, sandbox.org)
    # a monitor made before assertions existed (none stored), and Sentry's form's default pair
    ui_default = {
        "root": {
            "op": "and",
            "children": [
                {"op": "status_code_check", "operator": {"cmp": "greater_than"}, "value": 199},
                {"op": "status_code_check", "operator": {"cmp": "less_than"}, "value": 300},
            ],
        }
    }
    for assertion in (None, ui_default):
        client.update_detector(
            detector["id"],
            {"type": "uptime_domain_failure", "dataSources": [{"assertion": assertion}]},
            org=sandbox.org,
        )
        assert not plan_command(settings, client=client).plan.has_drift
    assert (
        "expected_status"
        not in yaml.safe_load(export_command(settings, client=client, legacy=False).text)["uptime"][
            0
        ]
    )


def test_an_assertion_on_headers_is_overwritten_and_not_exported(
    world: tuple[Settings, SentryClient, Recorder, Path], sandbox: Any
) -> None:
    settings, client, _recorder, _path = world
    apply_command(settings, client=client)
    detector = _uptime_detector(client, sandbox.org)
    header = {
        "op": "header_check",
        "key_op": {"cmp": "equals"},
        "key_operand": {"header_op": "literal", "value": "x-ready"},
        "value_op": {"cmp": "always"},
        "value_operand": {"header_op": "none"},
    }
    client.update_detector(
        detector["id"],
        {"type": "uptime_domain_failure", "dataSources": [{"assertion": {"root": header}}]},
        org=sandbox.org,
    )
    exported = export_command(settings, client=client, legacy=False)
    assert any("also checks headers or the body" in p for p in exported.problems)
    [change] = plan_command(settings, client=client).plan.pending
    assert [(d.path, d.before, d.after) for d in change.diff] == [
        ("expected_status", "a custom assertion (headers or body)", "2xx")
    ]
    apply_command(settings, client=client)
    assert not plan_command(settings, client=client).plan.has_drift


@pytest.mark.parametrize(
    ("written", "exported"),
    [
        ("2xx", None),  # the default: not written back
        ("200", 200),
        ("200-204", "200-204"),
        ("[200, 3xx, 404]", [200, "3xx", 404]),
        ("[100-599]", ["1xx", "2xx", "3xx", "4xx", "5xx"]),  # whole classes stand alone
    ],
)
def test_every_expected_status_form_applies_and_reads_back_unchanged(
    world: tuple[Settings, SentryClient, Recorder, Path], written: str, exported: Any
) -> None:
    settings, client, recorder, path = world
    path.write_text(
        SPEC.replace("    downtime_threshold: 2\n", f"    expected_status: {written}\n"),
        encoding="utf-8",
    )
    apply_command(settings, client=client)
    for method, where, body in recorder.sent:
        if body is not None and where.startswith("/api/0/"):
            validate_request(method, where, body)
    assert not plan_command(settings, client=client).plan.has_drift
    [check] = yaml.safe_load(export_command(settings, client=client, legacy=False).text)["uptime"]
    assert check.get("expected_status") == exported


def test_a_monitor_looked_for_after_a_lost_answer_is_never_an_uptime_check(
    world: tuple[Settings, SentryClient, Recorder, Path], sandbox: Any
) -> None:
    """After a create whose answer was lost, the applier looks for the monitor it may have made;
    an uptime check of ours with the same name in the project is not it."""
    settings, client, _recorder, path = world
    apply_command(settings, client=client)
    uptime = registry().get("uptime check")
    monitor = registry().get("monitor")
    actual = read_actual(client, sandbox.org, spec=load_spec(path))
    check = next(r for r in actual.resources if r.kind == uptime.name)
    wanted = Resource(kind=monitor.name, name=check.name, project=check.project, fields={})
    assert uptime.find(client, sandbox.org, actual.directory, check) is not None
    assert monitor.find(client, sandbox.org, actual.directory, wanted) is None


SECRET = "sk_live_51HqSecretValueForTheUptimeHeader"
HEADER_SPEC = """\
version: 1
organization: {org}
project: {project}
uptime:
  - name: API health
    url: https://api.para-autopilot.example/health
    interval: 1m
    timeout: 10s
    headers: {{Accept: application/json, X-Api-Key: "{key}"}}
    body: '{{"token": "{key}"}}'
"""


def test_a_header_or_body_credential_is_never_printed(sandbox: Any, tmp_path: Path) -> None:
    """Plan, apply (--debug too) and export show an uptime check's header values and body only
    as a digest or a ${VAR} reference; the file may take them from the environment."""
    send_event(sandbox, "production")
    path = tmp_path / "alert_rules.yaml"
    path.write_text(
        HEADER_SPEC.format(org=sandbox.org, project=sandbox.project, key="${API_KEY}"),
        encoding="utf-8",
    )
    base = ["--url", sandbox.url, "--auth-token", sandbox.token, "--config", str(path)]

    def run(*args: str, key: str | None = SECRET) -> Any:
        env = {"API_KEY": key} if key is not None else {}
        result = CliRunner().invoke(app, [*base, *args], env=env)
        assert SECRET not in result.stdout + result.stderr, args
        return result

    unset = run("plan", key=None)
    assert unset.exit_code == 2
    assert "header 'X-Api-Key' names ${API_KEY}, which is not set" in unset.stderr
    planned = run("plan", "-o", "json")
    assert planned.exit_code == 0, planned.stderr
    assert "(hidden, sha256 " in planned.stdout
    assert "application/json" in planned.stdout  # a plain header is shown as it is
    assert run("--debug", "apply-alerts", "--yes").exit_code == 0
    client = client_from_settings(
        sandbox_settings(sandbox, tmp_path, path), on_warning=lambda _w: None
    )
    try:
        stored = _uptime_detector(client, sandbox.org)["dataSources"][0]["queryObj"]
    finally:
        client.http.close()
    assert ["X-Api-Key", SECRET] in [list(h) for h in stored["headers"]]  # the value was sent
    assert stored["body"] == '{"token": "' + SECRET + '"}'
    assert run("plan", "--detailed-exitcode").exit_code == 0  # read back: no drift
    changed = run("plan", "--detailed-exitcode", key=SECRET + "2")
    assert changed.exit_code == 1  # a new value is a change, shown by its digest only
    assert "x-api-key" in changed.stdout
    exported = run("export")
    assert exported.exit_code == 0, exported.stderr
    [check] = yaml.safe_load(exported.stdout)["uptime"]
    assert check["headers"] == {
        "accept": "application/json",
        "x-api-key": "${UPTIME_API_HEALTH_X_API_KEY}",
    }
    assert check["body"] == "${UPTIME_API_HEALTH_BODY}"
    assert "set UPTIME_API_HEALTH_X_API_KEY in the environment" in exported.stderr
