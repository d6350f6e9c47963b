"""The sandbox's cron and uptime monitors: the monitors API with Sentry's validation, check-ins
from the real sentry-sdk (through ``monitor_job``) over loopback, uptime detectors, and the
controls that miss a run or take a URL down. Requests and responses are checked against the
official OpenAPI spec where it covers them."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sentry_sdk
import yaml
from cron_support import WEEKLY_REVIEW, run_job, sdk_sending_to, use_rules
from openapi_support import validate_monitor_response, validate_request, validate_response

from para_monitor_cli.sandbox import uptime as sandbox_uptime
from para_monitor_cli.sandbox.crons import Crontab, next_run
from para_monitor_cli.sandbox.testing import run_sandbox

SEED_FILE = Path(sandbox_uptime.__file__).with_name("seed.yaml")

MAX_RUNTIME_MESSAGE = (
    "Max runtime must be 40320 minutes (28 days) or less. Lower it to save this monitor."
)
RULES = f"""\
version: 1
crons:
{WEEKLY_REVIEW}\
    recovery_threshold: 1
"""


class Api:
    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.http = httpx.Client(
            base_url=sandbox.url.rstrip("/"),
            headers={"Authorization": f"Bearer {sandbox.token}"},
        )
        self.org = f"/api/0/organizations/{sandbox.org}"
        self.project = f"/api/0/projects/{sandbox.org}/{sandbox.project}"

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        if body is not None and not path.startswith("/_sandbox"):
            validate_request(method, path, body)
        return self.http.request(method, path, json=body, params=params or None)


@pytest.fixture
def api(sandbox: Any) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.http.close()


def validate_monitor(method: str, path: str, status: int, body: Any) -> None:
    validate_monitor_response(method, path, status, body)


def create(api: Api, *, check: bool = True, **overrides: Any) -> httpx.Response:
    """POST a monitor (the weekly review's body with ``overrides``; a None override drops the
    key); ``check=False`` sends a body the spec would refuse, to see the server refuse it."""
    body: dict[str, Any] = {
        "project": api.sandbox.project,
        "name": "Weekly review generation",
        "slug": "weekly-review",
        "config": {
            "schedule_type": "crontab",
            "schedule": "0 6 * * 1",
            "checkin_margin": 15,
            "max_runtime": 60,
            "timezone": "Europe/Berlin",
            "failure_issue_threshold": 1,
            "recovery_threshold": 1,
        },
    }
    body.update(overrides)
    body = {k: v for k, v in body.items() if v is not None}
    if not check:
        return api.http.post(f"{api.org}/monitors/", json=body)
    return api.call("POST", f"{api.org}/monitors/", body)


def test_create_read_update_delete_a_monitor(api: Api) -> None:
    created = create(api)
    assert created.status_code == 201, created.text
    monitor = created.json()
    validate_monitor("POST", f"{api.org}/monitors/", 201, monitor)
    assert monitor["slug"] == "weekly-review"
    assert monitor["status"] == "active"
    assert monitor["config"] == {
        "schedule_type": "crontab",
        "schedule": "0 6 * * 1",
        "checkin_margin": 15,
        "max_runtime": 60,
        "timezone": "Europe/Berlin",
        "failure_issue_threshold": 1,
        "recovery_threshold": 1,
        "alert_rule_id": None,
    }
    assert monitor["environments"] == []
    listed = api.call("GET", f"{api.org}/monitors/").json()
    validate_monitor("GET", f"{api.org}/monitors/", 200, listed)
    assert [m["slug"] for m in listed] == ["weekly-review"]
    # the spec documents PUT with the create body's required fields: a full body validates
    path = f"{api.org}/monitors/weekly-review/"
    full = {
        "project": api.sandbox.project,
        "name": "Weekly reviews",
        "config": {"schedule_type": "crontab", "schedule": "0 6 * * 1", "checkin_margin": 30},
    }
    updated = api.call("PUT", path, full)
    assert updated.status_code == 200, updated.text
    validate_monitor("PUT", path, 200, updated.json())
    assert updated.json()["name"] == "Weekly reviews"
    assert updated.json()["config"]["checkin_margin"] == 30
    assert (
        updated.json()["config"]["max_runtime"] == 60
    )  # config is merged (MonitorValidator.update)
    # Sentry's endpoint itself is partial
    partial = api.http.put(path, json={"config": {"max_runtime": 90}})
    assert partial.status_code == 200, partial.text
    assert partial.json()["config"]["schedule"] == "0 6 * * 1"
    assert partial.json()["config"]["max_runtime"] == 90
    # the project-scoped route sees the same monitor, by guid too
    by_id = api.call("GET", f"{api.project}/monitors/{monitor['id']}/")
    assert by_id.status_code == 200
    assert by_id.json()["name"] == "Weekly reviews"
    gone = api.call("DELETE", path)
    assert gone.status_code == 202
    validate_response("DELETE", path, 202, None)
    assert api.call("GET", path).status_code == 404


def test_a_monitor_has_a_cron_detector_alerts_connect_to(api: Api) -> None:
    monitor = create(api).json()
    detectors = api.call("GET", f"{api.org}/detectors/", query="type:monitor_check_in_failure")
    found = detectors.json()
    validate_response("GET", f"{api.org}/detectors/", 200, found)
    assert len(found) == 1
    source = found[0]["dataSources"][0]
    assert source["type"] == "cron_monitor"
    assert source["queryObj"]["slug"] == monitor["slug"]
    workflow = {
        "name": "jobs",
        "enabled": True,
        "config": {"frequency": 30},
        "triggers": {"logicType": "any-short", "conditions": []},
        "actionFilters": [],
        "detectorIds": [int(found[0]["id"])],
    }
    made = api.call("POST", f"{api.org}/workflows/", workflow)
    assert made.status_code == 201, made.text
    assert made.json()["detectorIds"] == [found[0]["id"]]
    assert api.call("GET", f"{api.org}/detectors/{found[0]['id']}/").json()["workflowIds"] == [
        made.json()["id"]
    ]


@pytest.mark.parametrize(
    ("config", "errors"),
    [
        (
            {"schedule_type": "crontab", "schedule": "@reboot"},
            {"schedule": ["Schedule was not parseable"]},
        ),
        (
            {"schedule_type": "crontab", "schedule": "0 0 * * * *"},
            {"schedule": ["Only 5 field crontab syntax is supported"]},
        ),
        (
            {"schedule_type": "crontab", "schedule": "0 25 * * *"},
            {"schedule": ["Schedule is invalid"]},
        ),
        ({"schedule": "0 0 * * *"}, {"schedule_type": ["Missing or invalid schedule type"]}),
        (
            {"schedule_type": "interval", "schedule": [0, "day"]},
            {"schedule": ["Interval must be greater than zero"]},
        ),
        (
            {"schedule_type": "interval", "schedule": [1, "fortnight"]},
            {"schedule": ["Invalid schedule for schedule unit name"]},
        ),
        (
            {"schedule_type": "interval", "schedule": "daily"},
            {"schedule": ["Invalid schedule for for 'interval' type"]},
        ),
        (
            {"schedule": "0 0 * * *", "schedule_type": "crontab", "max_runtime": 40321},
            {"max_runtime": [MAX_RUNTIME_MESSAGE]},
        ),
        (
            {"schedule": "0 0 * * *", "schedule_type": "crontab", "checkin_margin": -1},
            {"checkin_margin": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"schedule": "0 0 * * *", "schedule_type": "crontab", "failure_issue_threshold": 721},
            {"failure_issue_threshold": ["Ensure this value is less than or equal to 720."]},
        ),
        (
            {"schedule": "0 0 * * *", "schedule_type": "crontab", "timezone": "Mars/Olympus"},
            {"timezone": ['"Mars/Olympus" is not a valid choice.']},
        ),
    ],
)
def test_config_rules(api: Api, config: dict[str, Any], errors: dict[str, Any]) -> None:
    response = api.http.post(
        f"{api.org}/monitors/",
        json={"project": api.sandbox.project, "name": "job", "config": config},
    )
    assert response.status_code == 400, response.text
    assert response.json() == {"config": errors}


def test_monitor_rules(api: Api) -> None:
    assert create(api).status_code == 201
    taken = create(api, name="other")
    assert taken.json() == {"slug": ['The slug "weekly-review" is already in use.']}
    missing = api.http.post(f"{api.org}/monitors/", json={"name": "x"})
    assert missing.json() == {
        "project": ["This field is required."],
        "config": ["This field is required."],
    }
    bad_slug = create(api, check=False, slug="Weekly Review")
    assert "Enter a valid slug" in bad_slug.json()["slug"][0]
    # a monitor with no slug gets one from its name, made unique
    first = create(api, slug=None, name="Data cleanup")
    second = create(api, slug=None, name="Data cleanup")
    assert (first.json()["slug"], second.json()["slug"]) == ("data-cleanup", "data-cleanup-1")


@pytest.fixture
def sdk(sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    use_rules(tmp_path, RULES, monkeypatch)
    with sdk_sending_to(sandbox.dsn):
        yield


def test_check_ins_from_the_sdk_upsert_the_monitor_and_are_listed(api: Api, sdk: None) -> None:
    run_job("weekly-review", [False, True])
    monitor = api.call("GET", f"{api.org}/monitors/weekly-review/").json()
    validate_monitor("GET", f"{api.org}/monitors/weekly-review/", 200, monitor)
    # created by the upsert with the file's schedule (name = slug, as the consumer does)
    assert monitor["name"] == "weekly-review"
    assert monitor["config"]["schedule"] == "0 6 * * 1"
    assert monitor["config"]["timezone"] == "Europe/Berlin"
    assert monitor["config"]["checkin_margin"] == 15
    [env] = monitor["environments"]
    assert env["name"] == "production"
    assert env["status"] == "error"
    assert env["activeIncident"] is not None  # failure_issue_threshold 1
    path = f"{api.org}/monitors/weekly-review/checkins/"
    check_ins = api.call("GET", path).json()
    validate_response("GET", path, 200, check_ins)
    assert [c["status"] for c in check_ins] == ["error", "ok"]  # newest first
    assert all(c["duration"] is not None and c["duration"] >= 0 for c in check_ins)
    assert all(c["environment"] == "production" for c in check_ins)
    # the next run: Monday 06:00 in Berlin, plus the 15 minute margin for the latest
    next_in = env["nextCheckIn"]
    assert next_in.endswith("Z")
    run_job("weekly-review", [False])
    env = api.call("GET", f"{api.org}/monitors/weekly-review/").json()["environments"][0]
    assert env["status"] == "ok"
    assert env["activeIncident"] is None  # recovery_threshold 1


def test_a_missed_run_and_a_check_in_for_an_unknown_monitor(
    api: Api, sdk: None, sandbox: Any
) -> None:
    assert create(api).status_code == 201
    missed = api.call(
        "POST", f"/_sandbox/organizations/{sandbox.org}/monitors/weekly-review/missed/", {}
    )
    assert missed.status_code == 201, missed.text
    assert missed.json()["status"] == "missed"
    monitor = api.call("GET", f"{api.org}/monitors/weekly-review/").json()
    assert monitor["environments"][0]["status"] == "error"
    assert monitor["environments"][0]["activeIncident"] is not None
    # no monitor and no config: the consumer drops the check-in (MonitorNotFound)
    sentry_sdk.crons.capture_checkin(monitor_slug="nobody", status="ok")
    sentry_sdk.flush(timeout=5)
    assert api.call("GET", f"{api.org}/monitors/nobody/").status_code == 404


def test_next_runs() -> None:
    from datetime import UTC, datetime

    monday = Crontab("0 6 * * 1")
    assert monday.next_after(datetime(2026, 12, 2, 12, 0, tzinfo=UTC)) == datetime(
        2026, 12, 7, 6, 0, tzinfo=UTC
    )
    assert Crontab("0 0 L * *").next_after(datetime(2026, 2, 3, tzinfo=UTC)).day == 28
    assert Crontab("0 9 * * 5#2").next_after(datetime(2026, 12, 1, tzinfo=UTC)).day == 11
    berlin = next_run(
        {"schedule_type": "crontab", "schedule": "0 6 * * *", "timezone": "Europe/Berlin"},
        datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
    )
    assert berlin == datetime(2026, 7, 2, 4, 0, tzinfo=UTC)  # 06:00 CEST
    monthly = next_run(
        {"schedule_type": "interval", "schedule": [1, "month"]}, datetime(2026, 1, 31, tzinfo=UTC)
    )
    assert monthly == datetime(2026, 2, 28, tzinfo=UTC)


UPTIME = {
    "type": "uptime_domain_failure",
    "name": "API health",
    "dataSources": [
        {
            "url": "https://api.example.com/health",
            "intervalSeconds": 60,
            "timeoutMs": 5000,
            "method": "GET",
            "headers": [["accept", "application/json"]],
            "body": None,
            "traceSampling": False,
        }
    ],
    "config": {
        "mode": 1,
        "environment": "production",
        "downtimeThreshold": 2,
        "recoveryThreshold": 1,
    },
}


def test_uptime_detector_create_update_and_checks(api: Api, sandbox: Any) -> None:
    path = f"{api.org}/projects/{sandbox.project}/detectors/"
    made = api.call("POST", path, UPTIME)
    assert made.status_code == 201, made.text
    detector = made.json()
    validate_response("POST", path, 201, detector)
    assert detector["type"] == "uptime_domain_failure"
    assert detector["dataSources"][0]["type"] == "uptime_subscription"
    assert detector["dataSources"][0]["queryObj"]["url"] == "https://api.example.com/health"
    assert detector["config"] == {
        "mode": 1,
        "environment": "production",
        "downtimeThreshold": 2,
        "recoveryThreshold": 1,
    }
    assert [c["comparison"] for c in detector["conditionGroup"]["conditions"]] == [
        "failure",
        "success",
    ]
    detail = f"{api.org}/detectors/{detector['id']}/"
    change = {"name": "API health", "type": "uptime_domain_failure"}
    changed = api.call("PUT", detail, {**change, "dataSources": [{"intervalSeconds": 300}]})
    assert changed.status_code == 200, changed.text
    query = changed.json()["dataSources"][0]["queryObj"]
    assert (query["intervalSeconds"], query["url"]) == (300, "https://api.example.com/health")

    control = f"/_sandbox/organizations/{sandbox.org}/detectors/{detector['id']}/uptime-check/"
    monitor = f"{api.project}/uptime/{detector['id']}/"
    assert (
        api.call("POST", control, {"status": "failure", "httpStatusCode": 503}).status_code == 201
    )
    assert api.call("GET", monitor).json()["uptimeStatus"] == 1  # one failure, threshold 2
    api.call("POST", control, {"status": "failure"})
    assert api.call("GET", monitor).json()["uptimeStatus"] == 2
    checks = api.call("GET", monitor + "checks/").json()
    assert [c["checkStatus"] for c in checks] == ["failure_incident", "failure"]
    assert checks[1]["httpStatusCode"] == 503
    api.call("POST", control, {"status": "success"})
    assert api.call("GET", monitor).json()["uptimeStatus"] == 1
    assert api.call("POST", control, {"status": "sideways"}).status_code == 400


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"intervalSeconds": 120},
            {"dataSources": {"0": {"intervalSeconds": ['"120" is not a valid choice.']}}},
        ),
        (
            {"timeoutMs": 500},
            {
                "dataSources": {
                    "0": {"timeoutMs": ["Ensure this value is greater than or equal to 1000."]}
                }
            },
        ),
        (
            {"timeoutMs": 60001},
            {
                "dataSources": {
                    "0": {"timeoutMs": ["Ensure this value is less than or equal to 60000."]}
                }
            },
        ),
        ({"url": "ftp://example.com"}, {"dataSources": {"0": {"url": ["Enter a valid URL."]}}}),
        (
            {"headers": {"accept": "x"}},
            {"dataSources": {"0": {"headers": ["Expected array of header tuples."]}}},
        ),
        (
            {"method": "POST", "body": "x" * 1000},
            {
                "dataSources": {
                    "0": {"non_field_errors": ["Request is too large, max size is 1000 bytes"]}
                }
            },
        ),
    ],
)
def test_uptime_rules(
    api: Api, sandbox: Any, change: dict[str, Any], errors: dict[str, Any]
) -> None:
    body = copy.deepcopy(UPTIME)
    body["dataSources"][0].update(change)
    response = api.http.post(f"{api.org}/projects/{sandbox.project}/detectors/", json=body)
    assert response.status_code == 400, response.text
    assert response.json() == errors


def test_uptime_config_rules(api: Api, sandbox: Any) -> None:
    body = copy.deepcopy(UPTIME)
    body["config"] = {"mode": 2, "downtimeThreshold": 0}
    body["dataSources"].append(body["dataSources"][0])
    response = api.http.post(f"{api.org}/projects/{sandbox.project}/detectors/", json=body)
    assert response.json() == {
        "dataSources": ["Only one data source is allowed for this detector type."],
        "config": {
            "downtimeThreshold": ["Ensure this value is greater than or equal to 1."],
            "mode": ["Only superusers can modify `mode`"],
        },
    }


def envelope(dsn_key: str, *items: bytes) -> bytes:
    header = json.dumps({"dsn": f"http://{dsn_key}@x/1"}).encode()
    parts = [header]
    for payload in items:
        parts.append(json.dumps({"type": "check_in", "length": len(payload)}).encode())
        parts.append(payload)
    return b"\n".join(parts) + b"\n"


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        b'{"monitor_slug": "", "status": "ok"}',
        b'{"monitor_slug": 5, "status": "ok"}',
        b'{"monitor_slug": "weekly-review", "status": "ok", "duration": 1e308}',
        b'{"monitor_slug": "weekly-review", "status": "ok", "duration": -1}',
        b'{"monitor_slug": "weekly-review", "status": "ok", "environment": {"a": 1}}',
        b'{"monitor_slug": "weekly-review", "status": "ok", "check_in_id": ["x"]}',
        b'{"monitor_slug": "weekly-review", "status": "missed", "monitor_config": "daily"}',
        b'{"monitor_slug": "new", "status": "ok", "monitor_config": {"schedule": '
        b'{"type": "crontab", "value": 5}}}',
        b'{"monitor_slug": "new", "status": "ok", "monitor_config": {"schedule": '
        b'{"type": "interval", "value": 1, "unit": "day"}, "timezone": "Nowhere"}}',
        b'{"monitor_slug": "weekly-review", "status": 5}',
        b'{"monitor_slug": "weekly-review", "status": "sideways"}',
    ],
)
def test_malformed_check_ins_are_dropped_never_a_5xx(
    api: Api, sandbox: Any, payload: bytes
) -> None:
    assert create(api).status_code == 201
    key = sandbox.dsn.split("//", 1)[1].split("@", 1)[0]
    response = httpx.post(
        f"{sandbox.url.rstrip('/')}/api/{sandbox.project_id}/envelope/",
        content=envelope(key, payload),
        headers={"X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7"},
    )
    assert response.status_code == 200, response.text
    check_ins = api.call("GET", f"{api.org}/monitors/weekly-review/checkins/").json()
    # a client cannot send "missed" (Relay makes it "unknown"); nothing else is stored
    assert [c["status"] for c in check_ins] in ([], ["unknown"])
    assert api.call("GET", f"{api.org}/monitors/new/").status_code == 404


def test_a_cron_detector_keeps_a_description_and_enabled_is_the_monitor_status(api: Api) -> None:
    create(api)
    [detector] = api.call(
        "GET", f"{api.org}/detectors/", query="type:monitor_check_in_failure"
    ).json()
    path = f"{api.org}/detectors/{detector['id']}/"
    body = {"name": "Weekly review generation", "type": "monitor_check_in_failure"}
    marked = api.call("PUT", path, {**body, "description": "ours", "enabled": False})
    assert marked.status_code == 200, marked.text
    assert marked.json()["description"] == "ours"
    assert marked.json()["enabled"] is False
    monitor = api.call("GET", f"{api.org}/monitors/weekly-review/").json()
    assert monitor["status"] == "disabled"
    # the monitor's own update keeps the detector's description
    api.http.put(f"{api.org}/monitors/weekly-review/", json={"status": "active"})
    again = api.call("GET", path).json()
    assert (again["description"], again["enabled"]) == ("ours", True)
    refused = api.http.put(path, json={"enabled": "yes"})
    assert refused.status_code == 400


def _status(cmp: str, value: int) -> dict[str, Any]:
    return {"op": "status_code_check", "operator": {"cmp": cmp}, "value": value}


def _uptime_with(api: Api, sandbox: Any, assertion: Any) -> tuple[str, str, str]:
    """An uptime detector with this assertion (left out when ``...``): its detail path, its
    check control and its checks list."""
    body = copy.deepcopy(UPTIME)
    body["config"]["downtimeThreshold"] = 1
    if assertion is not ...:
        body["dataSources"][0]["assertion"] = assertion
    made = api.call("POST", f"{api.org}/projects/{sandbox.project}/detectors/", body)
    assert made.status_code == 201, made.text
    detector = made.json()
    control = f"/_sandbox/organizations/{sandbox.org}/detectors/{detector['id']}/uptime-check/"
    checks = f"{api.project}/uptime/{detector['id']}/checks/"
    return f"{api.org}/detectors/{detector['id']}/", control, checks


def test_the_assertion_is_stored_shown_and_decides_each_check(api: Api, sandbox: Any) -> None:
    expected = {"root": {"op": "or", "children": [_status("equals", 200), _status("equals", 404)]}}
    detail, control, checks = _uptime_with(api, sandbox, expected)
    shown = api.call("GET", detail).json()
    validate_response("GET", detail, 200, shown)
    assert shown["dataSources"][0]["queryObj"]["assertion"] == expected
    assert api.call("POST", control, {"httpStatusCode": 404}).json()["checkStatus"] == "success"
    failed = api.call("POST", control, {"httpStatusCode": 204}).json()
    assert (failed["checkStatus"], failed["checkStatusReason"]) == ("failure_incident", "failure")
    # extract_failure_data: the failing or, whole (no child passed)
    assert failed["assertionFailureData"] == expected
    assert failed["httpStatusCode"] == 204
    # a PUT without the assertion keeps it (update_uptime_subscription: NOT_SET); with one,
    # replaces it
    change = {"name": "API health", "type": "uptime_domain_failure"}
    kept = api.call("PUT", detail, {**change, "dataSources": [{"intervalSeconds": 300}]}).json()
    assert kept["dataSources"][0]["queryObj"]["assertion"] == expected
    only_201 = {"root": {"op": "and", "children": [_status("equals", 201)]}}
    api.call("PUT", detail, {**change, "dataSources": [{"assertion": only_201}]})
    assert api.call("POST", control, {"httpStatusCode": 201}).json()["checkStatus"] == "success"
    statuses = [c["checkStatus"] for c in api.call("GET", checks).json()]
    assert statuses == ["success", "failure_incident", "success"]


def test_without_an_assertion_any_2xx_is_up(api: Api, sandbox: Any) -> None:
    for assertion in (..., None):
        _detail, control, _checks = _uptime_with(api, sandbox, assertion)
        assert api.call("POST", control, {"httpStatusCode": 204}).json()["checkStatus"] == (
            "success"
        )
        moved = api.call("POST", control, {"httpStatusCode": 301}).json()
        assert (moved["checkStatus"], moved["checkStatusReason"]) == (
            "failure_incident",
            "failure",
        )
        assert moved["assertionFailureData"] is None


HEADER_CHECK = {
    "op": "header_check",
    "key_op": {"cmp": "equals"},
    "key_operand": {"header_op": "literal", "value": "x-ready"},
    "value_op": {"cmp": "always"},
    "value_operand": {"header_op": "none"},
}


@pytest.mark.parametrize(
    ("assertion", "status", "reason"),
    [
        # stored as sent (a JSONField); the checker cannot compile it when it runs the check
        ({"root": {"op": "maybe"}}, "failure", "assertion_compilation_error"),
        (
            {"root": {"op": "and", "children": [_status("roughly", 200)]}},
            "failure",
            "assertion_compilation_error",
        ),
        ("2xx", "failure", "assertion_compilation_error"),
        # 17 operations: one past the checker's max_assertion_ops
        (
            {"root": {"op": "or", "children": [_status("equals", c) for c in range(200, 216)]}},
            "failure",
            "assertion_compilation_error",
        ),
        (
            {"root": {"op": "or", "children": [_status("equals", c) for c in range(200, 215)]}},
            "success",
            None,
        ),
        # the checked response has no headers and an empty body
        (
            {"root": {"op": "and", "children": [_status("equals", 200), HEADER_CHECK]}},
            "failure",
            "failure",
        ),
        ({"root": {"op": "json_path", "value": "$.ok"}}, "failure", "assertion_evaluation_error"),
        ({"root": {"op": "not", "operand": _status("not_equal", 200)}}, "success", None),
    ],
)
def test_assertions_the_checker_cannot_run_fail_the_check(
    api: Api, sandbox: Any, assertion: Any, status: str, reason: str | None
) -> None:
    _detail, control, _checks = _uptime_with(api, sandbox, assertion)
    check = api.call("POST", control, {"httpStatusCode": 200}).json()
    assert check["checkStatus"] in (status, f"{status}_incident")
    assert check["checkStatusReason"] == reason


def test_the_check_control_needs_a_status_or_a_code(api: Api, sandbox: Any) -> None:
    _detail, control, _checks = _uptime_with(api, sandbox, ...)
    assert api.call("POST", control, {}).status_code == 400
    assert api.call("POST", control, {"httpStatusCode": "200"}).status_code == 400
    assert api.call("POST", control, {"httpStatusCode": 42}).status_code == 400
    # a result given outright (a timeout) ignores the assertion
    given = api.call("POST", control, {"status": "failure", "httpStatusCode": 200}).json()
    assert (given["checkStatus"], given["httpStatusCode"]) == ("failure_incident", 200)


def _check_in(sandbox: Any, slug: str, environment: str) -> None:
    key = sandbox.dsn.split("//", 1)[1].split("@", 1)[0]
    payload = json.dumps(
        {
            "monitor_slug": slug,
            "status": "ok",
            "environment": environment,
            "check_in_id": uuid.uuid4().hex,
        }
    ).encode()
    response = httpx.post(
        f"{sandbox.url.rstrip('/')}/api/{sandbox.project_id}/envelope/",
        content=envelope(key, payload),
        headers={"X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7"},
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def listed(api: Api, sandbox: Any) -> Any:
    """Four monitors: owned by team 1 (checks in from production), by user 2 (staging), by
    nobody (production and staging), and by user 3 with no check-in yet."""
    for slug, owner in (
        ("nightly", "team:1"),
        ("hourly", "user:2"),
        ("weekly", None),
        ("fresh", "user:3"),
    ):
        made = create(api, name=slug.title(), slug=slug, owner=owner)
        assert made.status_code == 201, made.text
    _check_in(sandbox, "nightly", "production")
    _check_in(sandbox, "hourly", "staging")
    _check_in(sandbox, "weekly", "production")
    _check_in(sandbox, "weekly", "staging")

    def slugs(**params: Any) -> Any:
        response = api.call("GET", f"{api.org}/monitors/", **params)
        if response.status_code != 200:
            return response.status_code
        validate_monitor("GET", f"{api.org}/monitors/", 200, response.json())
        return sorted(m["slug"] for m in response.json())

    return slugs


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["fresh", "hourly", "nightly", "weekly"]),
        ({"owner": "team:1"}, ["nightly"]),
        ({"owner": "user:2"}, ["hourly"]),
        ({"owner": "2"}, ["hourly"]),  # bare digits are a user id (Actor.from_identifier)
        ({"owner": ["user:2", "user:3"]}, ["fresh", "hourly"]),
        ({"owner": "unassigned"}, ["weekly"]),
        ({"owner": ["unassigned", "team:1"]}, ["nightly", "weekly"]),
        ({"owner": "myteams"}, ["nightly"]),  # the token's user is in team 1 (backend)
        ({"owner": "team:999"}, []),  # no such team: matches nothing
        ({"owner": "sideways"}, 400),
        ({"environment": "production"}, ["nightly", "weekly"]),
        ({"environment": ["production", "staging"]}, ["hourly", "nightly", "weekly"]),
        ({"environment": "staging", "includeNew": "1"}, ["fresh", "hourly", "weekly"]),
        ({"environment": "nowhere"}, 404),  # get_environments: an unknown name
        ({"environment": "production", "owner": "unassigned"}, ["weekly"]),
    ],
)
def test_the_monitor_list_filters_by_owner_and_environment(
    listed: Any, params: dict[str, Any], expected: Any
) -> None:
    assert listed(**params) == expected


def test_the_environment_filter_narrows_the_environments_shown(api: Api, listed: Any) -> None:
    def shown(**params: Any) -> dict[str, list[str]]:
        response = api.call("GET", f"{api.org}/monitors/", **params)
        return {m["slug"]: sorted(e["name"] for e in m["environments"]) for m in response.json()}

    assert listed(owner="unassigned") == ["weekly"]
    assert shown()["weekly"] == ["production", "staging"]
    assert shown(environment="staging") == {"hourly": ["staging"], "weekly": ["staging"]}


def test_an_owner_team_of_another_organization_is_refused(tmp_path: Path) -> None:
    """get_teams: a team the caller cannot access is a 403 naming it, not an empty list."""
    seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    [other] = [o for o in seed["organizations"] if o["slug"] == "someone-else"]
    other["teams"] = [{"id": "77", "slug": "outsiders", "name": "Outsiders", "members": ["90"]}]
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(seed), encoding="utf-8")
    with run_sandbox(seed=path) as server:
        response = httpx.get(
            f"{server.url.rstrip('/')}/api/0/organizations/{server.org}/monitors/",
            params={"owner": "team:77"},
            headers={"Authorization": f"Bearer {server.token}"},
        )
    assert response.status_code == 403
    assert response.json() == {"detail": "Error: You do not have permission to access Outsiders"}


@pytest.mark.parametrize(
    "assertion",
    [
        {"root": {**HEADER_CHECK, "key_operand": {"header_op": "glob"}}},  # glob needs a pattern
        {"root": {**HEADER_CHECK, "value_op": {"cmp": "roughly"}}},
        {"root": {"op": "json_path", "value": 5}},
        {"root": {"op": "json_path", "value": "$.ok", "operand": {"jsonpath_op": "regex"}}},
        {"root": {"op": "and", "children": [_status("equals", 70_000)]}},  # not a u16
        {"root": {"op": "or", "children": "none"}},
        {"root": {"op": "not", "operand": [1]}},
    ],
)
def test_malformed_ops_do_not_compile(assertion: Any) -> None:
    with pytest.raises(sandbox_uptime.AssertionCompileError):
        sandbox_uptime.compile_assertion(assertion)


def test_well_formed_header_and_json_path_ops_compile() -> None:
    glob = {"header_op": "glob", "pattern": {"value": "x-*"}}
    for root in (
        {**HEADER_CHECK, "key_operand": glob},
        {"op": "json_path", "value": "$.ok"},  # operator and operand default (serde default)
        {
            "op": "json_path",
            "value": "$.ok",
            "operator": {"cmp": "equals"},
            "operand": {"jsonpath_op": "literal", "value": "yes"},
        },
    ):
        assert sandbox_uptime.compile_assertion({"root": root}) == root
