"""The sandbox's REST API: every route, success and error cases, checked against Sentry's spec."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from openapi_support import validate_response

ORG = "para-autopilot"
PROJECT = "para-autopilot-backend"
P = f"/api/0/projects/{ORG}/{PROJECT}"
O = f"/api/0/organizations/{ORG}"  # noqa: E741
DEPRECATED_METRIC = f"/api/0/organizations/{ORG}/detectors/"
DEPRECATED_ISSUE = f"/api/0/organizations/{ORG}/workflows/"
FOREIGN = "You cannot update widgets that are not part of this dashboard."
V2 = "para-autopilot@0.2.0"


class Api:
    """An httpx client that checks every answer against the OpenAPI operation it hits."""

    def __init__(self, sandbox: Any, token: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token or sandbox.token}"}
        self.client = httpx.Client(base_url=sandbox.url.rstrip("/"), headers=headers)

    def __call__(
        self, method: str, path: str, status: int, documented: bool = True, **kwargs: Any
    ) -> Any:
        """``documented=False``: Sentry answers ``status`` but the spec does not list it."""
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == status, (response.status_code, response.text[:500])
        body = response.json() if response.content else None
        if documented:
            validate_response(method, path.split("?", maxsplit=1)[0], status, body)
        self.last = response
        return body


@pytest.fixture
def api(sandbox: Any) -> Any:
    client = Api(sandbox)
    yield client
    client.client.close()


def test_index_reports_user_and_scopes(sandbox: Any) -> None:
    response = httpx.get(
        sandbox.url + "api/0/", headers={"Authorization": f"Bearer {sandbox.token}"}
    )
    assert response.status_code == 200
    body = response.json()
    assert "project:write" in body["auth"]["scopes"]
    assert body["user"]["email"] == "ada@para-autopilot.example"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Authentication credentials were not provided."),
        ({"Authorization": "Bearer nope"}, "Invalid token"),
        ({"Authorization": "Basic abc"}, "Invalid token"),
    ],
)
def test_every_api_call_needs_a_valid_bearer_token(
    sandbox: Any, headers: dict[str, str], message: str
) -> None:
    for path in ("/api/0/", f"{O}/", f"{P}/keys/", f"{O}/detectors/"):
        response = httpx.get(sandbox.url.rstrip("/") + path, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": message}
    validate_response("GET", f"{O}/", 401, response.json())


def test_orgs_projects_and_other_orgs(api: Api) -> None:
    orgs = api("GET", "/api/0/organizations/", 200)
    assert [o["slug"] for o in orgs] == [ORG]  # only the orgs the user belongs to
    assert api("GET", f"{O}/", 200)["slug"] == ORG
    assert api("GET", "/api/0/organizations/1/", 200)["slug"] == ORG  # id or slug
    assert api("GET", "/api/0/organizations/someone-else/", 403)["detail"]
    assert api("GET", "/api/0/organizations/nope/", 404) == {
        "detail": "The requested resource does not exist"
    }
    projects = api("GET", f"{O}/projects/", 200)
    assert [p["slug"] for p in projects] == [PROJECT]
    assert projects[0]["latestRelease"] == {"version": "para-autopilot@0.1.0"}
    api("GET", f"/api/0/projects/{ORG}/nope/", 404)
    api("GET", "/api/0/projects/someone-else/their-project/", 403)


def test_project_detail_and_scrubbing_settings(api: Api) -> None:
    project = api("GET", f"{P}/", 200)
    assert project["dataScrubber"] is True
    assert project["scrubIPAddresses"] is True
    assert "password" in project["sensitiveFields"]
    body = {
        "dataScrubber": False,
        "dataScrubberDefaults": False,
        "scrubIPAddresses": False,
        "sensitiveFields": ["card"],
        "safeFields": ["token_count"],
    }
    updated = api("PUT", f"{P}/", 200, json=body)
    assert {k: updated[k] for k in body} == body
    assert api("GET", f"{P}/", 200)["safeFields"] == ["token_count"]
    errors = api("PUT", f"{P}/", 400, documented=False, json={"sensitiveFields": ["ok", " "]})
    assert errors == {"sensitiveFields": ["Empty values are not allowed."]}


def test_project_keys_lifecycle(api: Api, sandbox: Any) -> None:
    keys = api("GET", f"{P}/keys/", 200)
    assert len(keys) == 1
    assert keys[0]["isActive"]
    assert keys[0]["dsn"]["public"] == sandbox.dsn
    created = api("POST", f"{P}/keys/", 201, json={"name": "ci"})
    assert created["name"] == "ci"
    assert created["projectId"] == int(sandbox.project_id)
    off = api("PUT", f"{P}/keys/{created['id']}/", 200, json={"isActive": False})
    assert off["isActive"] is False
    assert [k["id"] for k in api("GET", f"{P}/keys/?status=inactive", 200)] == [created["id"]]
    assert api("GET", f"{P}/keys/{created['id']}/", 200)["name"] == "ci"
    api("POST", f"{P}/keys/", 400, json={"name": "x" * 65})
    api("DELETE", f"{P}/keys/{created['id']}/", 204)
    api("GET", f"{P}/keys/{created['id']}/", 404)


def test_teams_and_members(api: Api) -> None:
    teams = api("GET", f"{O}/teams/", 200)
    assert teams[0]["slug"] == "backend"
    assert teams[0]["memberCount"] == 3
    assert api("GET", f"{P}/teams/", 200)[0]["slug"] == "backend"
    members = api("GET", f"{O}/members/", 200)
    assert {m["email"] for m in members} >= {"ben@para-autopilot.example"}
    team_members = api("GET", f"/api/0/teams/{ORG}/backend/members/", 200)
    assert len(team_members) == 3
    ben = next(m for m in members if m["email"].startswith("ben"))
    team = api("DELETE", f"{O}/members/{ben['id']}/teams/backend/", 200)
    assert team["memberCount"] == 2
    api("DELETE", f"{O}/members/{ben['id']}/teams/backend/", 404)
    api("GET", f"/api/0/teams/{ORG}/nope/members/", 404)


def test_integrations_filter_and_delete(api: Api) -> None:
    assert len(api("GET", f"{O}/integrations/", 200)) == 2
    slack = api("GET", f"{O}/integrations/?providerKey=slack", 200)
    assert [i["provider"]["key"] for i in slack] == ["slack"]
    # SlackIntegration.get_config_data: installationType only, never Slack's channels
    assert slack[0]["configData"] == {"installationType": "born_as_bot"}
    assert "C0PARAALRT" not in json.dumps(slack)
    assert "para-alerts" not in json.dumps(slack)
    pagerduty = api("GET", f"{O}/integrations/?provider_key=pagerduty", 200)
    assert pagerduty[0]["configData"]["service_table"][0]["id"] == "201"
    api("DELETE", f"{O}/integrations/{slack[0]['id']}/", 204)
    assert api("GET", f"{O}/integrations/?providerKey=slack", 200) == []
    api("DELETE", f"{O}/integrations/{slack[0]['id']}/", 404)


def test_releases(api: Api) -> None:
    assert [r["version"] for r in api("GET", f"{O}/releases/", 200)] == ["para-autopilot@0.1.0"]
    assert api("GET", f"{P}/releases/", 200)[0]["shortVersion"] == "0.1.0"
    created = api(
        "POST",
        f"{O}/releases/",
        201,
        json={"version": "para-autopilot@0.2.0", "projects": [PROJECT]},
    )
    assert created["projects"][0]["slug"] == PROJECT
    api(
        "POST",
        f"{O}/releases/",
        208,
        documented=False,
        json={"version": "para-autopilot@0.2.0", "projects": [PROJECT]},
    )
    api("POST", f"{O}/releases/", 400, json={"version": "x", "projects": ["nope"]})
    assert api("GET", f"{O}/releases/{V2}/", 200)["version"] == V2
    api("DELETE", f"{O}/releases/para-autopilot@0.2.0/", 204)
    api("GET", f"{O}/releases/para-autopilot@0.2.0/", 404)


def test_pagination_link_header_and_cursors(api: Api) -> None:
    for n in range(5):
        api("POST", f"{P}/keys/", 201, json={"name": f"k{n}"})
    seen: list[str] = []
    path = f"{P}/keys/?per_page=2"
    while True:
        page = api("GET", path, 200)
        seen += [k["name"] for k in page]
        links = httpx.Response(200, headers=api.last.headers).links
        assert set(links) == {"previous", "next"}
        nxt = api.last.headers["link"].split(", ")[1]
        if 'results="false"' in nxt:
            break
        path = links["next"]["url"].split(api.client.base_url.host, 1)[1].split("/", 1)[1]
        path = "/" + path
    assert seen == ["Default", "k0", "k1", "k2", "k3", "k4"]
    first = api("GET", f"{P}/keys/?per_page=2", 200)
    assert 'rel="previous"; results="false"' in api.last.headers["link"]
    assert len(first) == 2
    assert api("GET", f"{P}/keys/?per_page=101", 400)["detail"]
    assert api("GET", f"{P}/keys/?cursor=bogus", 400)["detail"]


def test_detectors(api: Api, sandbox: Any) -> None:
    defaults = api("GET", f"{O}/detectors/", 200)
    assert {d["type"] for d in defaults} == {"error", "issue_stream"}
    error = next(d for d in defaults if d["type"] == "error")
    api("DELETE", f"{O}/detectors/{error['id']}/", 403)  # built-in: cannot be deleted
    body = {
        "name": "checkout errors high",
        "type": "metric_issue",
        "dataSources": [
            {
                "dataset": "events",
                "queryType": 0,
                "eventTypes": ["error", "default"],
                "aggregate": "count()",
                "query": "transaction:/api/checkout",
                "environment": "production",
                "timeWindow": 300,
            }
        ],
        "conditionGroup": {
            "logicType": "any",
            "conditions": [
                {"type": "gt", "comparison": 50, "conditionResult": 75},
                {"type": "gt", "comparison": 25, "conditionResult": 50},
                {"type": "lte", "comparison": 25, "conditionResult": 0},
            ],
        },
        "config": {"detectionType": "static"},
    }
    # a new organization has no environments: EnvironmentField refuses the name
    refused = api("POST", f"{O}/projects/{PROJECT}/detectors/", 400, json=body)
    assert refused == {
        "dataSources": {"0": {"environment": ["Environment is not part of this organization"]}}
    }
    sandbox.send_event("production")  # an event carrying it creates the environment
    created = api("POST", f"{O}/projects/{PROJECT}/detectors/", 201, json=body)
    assert created["projectId"] == sandbox.project_id
    assert created["dataSources"][0]["queryObj"]["snubaQuery"]["timeWindow"] == 300
    bad = api("POST", f"{O}/projects/{PROJECT}/detectors/", 400, json={**body, "name": ""})
    assert "name" in bad
    renamed = api("PUT", f"{O}/detectors/{created['id']}/", 200, json={"name": "renamed"})
    assert renamed["name"] == "renamed"
    assert api("GET", f"{O}/detectors/{created['id']}/", 200)["name"] == "renamed"
    listed = api("GET", f"{O}/detectors/?query=type:metric_issue", 200)
    assert [d["id"] for d in listed] == [created["id"]]
    api("DELETE", f"{O}/detectors/{created['id']}/", 204)
    api("GET", f"{O}/detectors/{created['id']}/", 404)
    again = api("POST", f"{O}/projects/{PROJECT}/detectors/", 201, json=body)
    api("DELETE", f"{O}/detectors/?id={again['id']}", 204)
    assert len(api("GET", f"{O}/detectors/", 200)) == 2


def test_workflows_link_detectors(api: Api, sandbox: Any) -> None:
    sandbox.send_event("production")
    body = {
        "name": "page on new fatal issues",
        "enabled": True,
        "environment": "production",
        "config": {"frequency": 30},
        "triggers": {
            "logicType": "any-short",
            "conditions": [
                {"type": "first_seen_event", "comparison": True, "conditionResult": True}
            ],
            "actions": [],
        },
        "actionFilters": [
            {
                "logicType": "all",
                "conditions": [
                    {
                        "type": "level",
                        "comparison": {"level": 50, "match": "gte"},
                        "conditionResult": True,
                    }
                ],
                "actions": [
                    {
                        "type": "pagerduty",
                        "integrationId": "102",
                        "data": {"priority": "critical"},
                        "config": {
                            "targetType": "specific",
                            "targetIdentifier": "201",
                            "targetDisplay": "Backend",
                        },
                        "status": "active",
                    }
                ],
            }
        ],
        "detectorIds": [],
    }
    created = api("POST", f"{O}/workflows/", 201, json=body)
    assert created["actionFilters"][0]["actions"][0]["integrationId"] == "102"
    api("POST", f"{O}/workflows/", 400, json={**body, "config": {"frequency": -1}})
    detector = api("GET", f"{O}/detectors/", 200)[0]
    linked = api(
        "PUT", f"{O}/workflows/{created['id']}/", 200, json={"detectorIds": [detector["id"]]}
    )
    assert linked["detectorIds"] == [detector["id"]]
    assert api("GET", f"{O}/detectors/{detector['id']}/", 200)["workflowIds"] == [created["id"]]
    assert [w["id"] for w in api("GET", f"{O}/workflows/", 200)] == [created["id"]]
    api("DELETE", f"{O}/workflows/{created['id']}/", 204)
    api("GET", f"{O}/workflows/{created['id']}/", 404)
    assert api("GET", f"{O}/detectors/{detector['id']}/", 200)["workflowIds"] == []


def widget(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "displayType": "line",
        "widgetType": "error-events",
        "interval": "1h",
        "queries": [
            {
                "name": "",
                "fields": ["count()"],
                "aggregates": ["count()"],
                "columns": [],
                "conditions": "",
                "orderby": "",
            }
        ],
        "layout": {"x": 0, "y": 0, "w": 3, "h": 2, "minH": 2},
        **extra,
    }


def test_dashboards_put_semantics_and_title_conflicts(api: Api) -> None:
    listed = api("GET", f"{O}/dashboards/", 200)
    assert listed[0]["id"] == "default-overview"
    created = api(
        "POST",
        f"{O}/dashboards/",
        201,
        json={"title": "health", "widgets": [widget("a"), widget("b")]},
    )
    a, b = created["widgets"]
    assert api("POST", f"{O}/dashboards/", 409, json={"title": "health"}) == (
        "Dashboard title already taken"
    )
    updated = api(
        "PUT",
        f"{O}/dashboards/{created['id']}/",
        200,
        json={"widgets": [{**widget("a2"), "id": a["id"]}, widget("c")]},
    )
    titles = [w["title"] for w in updated["widgets"]]
    assert titles == ["a2", "c"]  # a updated, b deleted, c created
    assert updated["widgets"][0]["id"] == a["id"]
    assert b["id"] not in {w["id"] for w in updated["widgets"]}
    other = api("POST", f"{O}/dashboards/", 201, json={"title": "other", "widgets": [widget("x")]})
    foreign = api(
        "PUT",
        f"{O}/dashboards/{created['id']}/",
        400,
        json={"widgets": [{**widget("x"), "id": other["widgets"][0]["id"]}]},
    )
    # DashboardDetailsSerializer.update_widgets raises it from save(): a bare list
    assert foreign == ["You cannot update widgets that are not part of this dashboard."]
    api("PUT", f"{O}/dashboards/{other['id']}/", 409, documented=False, json={"title": "health"})
    too_many = api(
        "POST",
        f"{O}/dashboards/",
        400,
        json={"title": "big", "widgets": [widget(str(i)) for i in range(31)]},
    )
    assert "Number of widgets must be less than 30" in json.dumps(too_many)
    bad_layout = widget("bad", layout={"x": 5, "y": 0, "w": 3, "h": 2})  # no minH
    assert api("POST", f"{O}/dashboards/", 400, json={"title": "l", "widgets": [bad_layout]}) == {
        "widgets": [{"layout": ["Missing required keys: minH"]}]
    }
    assert api("GET", f"{O}/dashboards/{created['id']}/", 200)["title"] == "health"
    api("DELETE", f"{O}/dashboards/{created['id']}/", 204)
    api("GET", f"{O}/dashboards/{created['id']}/", 404)


def test_legacy_alert_rules_carry_deprecation_headers(api: Api, sandbox: Any) -> None:
    sandbox.send_event("production")
    rules = api("GET", f"{O}/alert-rules/", 200)
    assert api.last.headers["X-Sentry-Deprecation-Date"] == "2026-05-14T00:00:00+00:00"
    assert api.last.headers["X-Sentry-Replacement-Endpoint"] == DEPRECATED_METRIC
    assert rules[0]["name"] == "Slow API p95 > 2s"
    assert rules[0]["projects"] == [PROJECT]
    body = {
        "name": "errors > 50 in 5m",
        "projects": [PROJECT],
        "environment": "production",
        "dataset": "events",
        "queryType": 0,
        "eventTypes": ["error", "default"],
        "aggregate": "count()",
        "query": "",
        "timeWindow": 5,
        "thresholdType": 0,
        "resolveThreshold": 10,
        "triggers": [
            {
                "label": "critical",
                "alertThreshold": 50,
                "actions": [
                    {
                        "type": "slack",
                        "targetType": "specific",
                        "targetIdentifier": "#para-alerts",
                        "inputChannelId": "C0PARAALRT",
                        "integrationId": 101,
                    }
                ],
            }
        ],
    }
    created = api("POST", f"{O}/alert-rules/", 201, json=body)
    # AlertRuleSerializer on a migrated organization: no new transaction-based rule
    migrating = {
        **body,
        "dataset": "transactions",
        "queryType": 1,
        "eventTypes": ["transaction"],
        "aggregate": "p95(transaction.duration)",
    }
    refused = api("POST", f"{O}/alert-rules/", 400, documented=False, json=migrating)
    assert refused[0].startswith("Creation of transaction-based alerts is disabled")
    bad = api("POST", f"{O}/alert-rules/", 400, documented=False, json={**body, "triggers": []})
    assert bad
    assert api.last.headers["X-Sentry-Deprecation-Date"]
    api("PUT", f"{O}/alert-rules/{created['id']}/", 200, json={**body, "name": "renamed"})
    assert api("GET", f"{O}/alert-rules/{created['id']}/", 200)["name"] == "renamed"
    api("DELETE", f"{O}/alert-rules/{created['id']}/", 202)
    api("GET", f"{O}/alert-rules/{created['id']}/", 404)
    assert api.last.headers["X-Sentry-Deprecation-Date"]


def test_legacy_issue_rules(api: Api, sandbox: Any) -> None:
    sandbox.send_event("production")
    rules = api("GET", f"{P}/rules/", 200)
    assert api.last.headers["X-Sentry-Replacement-Endpoint"] == DEPRECATED_ISSUE
    assert {r["name"] for r in rules} == {"New issue -> Slack", "Fatal error -> PagerDuty"}
    body = {
        "name": "new fatal issue -> email",
        "actionMatch": "any",
        "filterMatch": "all",
        "conditions": [{"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}],
        "filters": [
            {"id": "sentry.rules.filters.level.LevelFilter", "match": "gte", "level": "50"}
        ],
        "actions": [
            {
                "id": "sentry.mail.actions.NotifyEmailAction",
                "targetType": "IssueOwners",
                "fallthroughType": "ActiveMembers",
            }
        ],
        "frequency": 30,
        "environment": "production",
    }
    created = api("POST", f"{P}/rules/", 201, json=body)
    assert created["actions"][0]["uuid"]
    duplicate = api(
        "POST", f"{P}/rules/", 400, documented=False, json={**body, "name": "same again"}
    )
    assert duplicate["ruleId"] == [int(created["id"])]
    assert api("POST", f"{P}/rules/", 400, documented=False, json={**body, "frequency": 1})[
        "frequency"
    ]
    api("PUT", f"{P}/rules/{created['id']}/", 200, json={**body, "frequency": 60})
    assert api("GET", f"{P}/rules/{created['id']}/", 200)["frequency"] == 60
    api("DELETE", f"{P}/rules/{created['id']}/", 202)
    api("GET", f"{P}/rules/{created['id']}/", 404)


def test_missing_scope_is_403(sandbox: Any) -> None:
    sandbox.state.add_token("read-only", ["org:read"])
    client = Api(sandbox, token="read-only")
    try:
        assert client("GET", f"{O}/", 200)["slug"] == ORG
        assert client("POST", f"{P}/keys/", 403, json={})["detail"]
    finally:
        client.client.close()
        del sandbox.state.tokens["read-only"]


def test_unknown_route_is_sentry_404(sandbox: Any) -> None:
    response = httpx.get(
        sandbox.url + "api/0/nothing-here/", headers={"Authorization": f"Bearer {sandbox.token}"}
    )
    assert response.status_code == 404
    assert json.loads(response.text) == {"detail": "The requested resource does not exist"}
