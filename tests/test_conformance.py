"""Conformance with Sentry's official OpenAPI spec, not with our own reading of it.

(a) Every request example that the spec documents for an endpoint the client writes to
    (detectors create/update, workflows create/update; dashboards have none) is sent to the
    sandbox over loopback and accepted. The examples are read from
    tests/openapi/sentry-openapi-subset.json (the ```json blocks of the request-body
    descriptions, see openapi_support.request_examples), never retyped here. Ids in an example
    that name things of an organization are remapped to the sandbox's own (each remapping
    below says why); an environment an example names is made to exist by an event, as on
    Sentry. What Sentry itself refuses is listed with the reason from its source, and the
    sandbox must refuse it too: nothing is skipped in silence.
(b) Every detector, workflow and dashboard response example goes through the client's
    readers (canonical_*, export_*); exported into a file, it plans empty against itself.
(c) The requests the CLI sends (plan, apply-alerts, apply-alerts --prune with a changed file,
    export, check-setup) are recorded at httpx's transport: each is a documented operation
    with documented query parameters and a body valid against the spec, none carries a form
    Sentry refuses or ignores, and the sandbox's answers have the spec's shapes.

What is still open on the client's or the sandbox's side is a strict xfail naming who fixes
what (docs/conformance.md lists them).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_support import (
    RequestExample,
    is_monitor_path,
    load_spec,
    operation,
    request_examples,
    resolve_path,
    validate_monitor_response,
    validate_request,
    validate_response,
)
from typer.testing import CliRunner

from para_monitor_cli.api import wire
from para_monitor_cli.cli import app
from para_monitor_cli.kinds import alert as alert_kind
from para_monitor_cli.kinds import dashboard as dashboard_kind
from para_monitor_cli.kinds import monitor as monitor_kind
from para_monitor_cli.kinds import targets
from para_monitor_cli.reconcile.plan import Resource, plan
from para_monitor_cli.reconcile.state import desired_resources
from para_monitor_cli.sandbox.server import SandboxServer
from para_monitor_cli.sandbox.testing import run_sandbox
from para_monitor_cli.spec.check import check_spec

O = "/api/0/organizations/{organization_id_or_slug}"  # noqa: E741
DETECTOR_CREATE = ("POST", O + "/projects/{project_id_or_slug}/detectors/")
DETECTOR_UPDATE = ("PUT", O + "/detectors/{detector_id}/")
WORKFLOW_CREATE = ("POST", O + "/workflows/")
WORKFLOW_UPDATE = ("PUT", O + "/workflows/{workflow_id}/")
PACKAGE_SEED = Path(__file__).resolve().parents[1] / "para_monitor_cli" / "sandbox" / "seed.yaml"

#: Integrations the default seed lacks, added so that the spec's Discord, Microsoft Teams and
#: Opsgenie action examples have an installed integration of their provider to point at (on
#: Sentry an action's integrationId must name an integration of the organization).
EXTRA_INTEGRATIONS = [
    {"id": "301", "provider": "discord", "name": "Conformance Discord", "externalId": "D301"},
    {"id": "302", "provider": "msteams", "name": "Conformance Teams", "externalId": "M302"},
    {"id": "303", "provider": "opsgenie", "name": "Conformance Opsgenie", "externalId": "G303"},
]


# =========================================================================== the sandbox


@pytest.fixture(scope="module")
def _server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    seed = yaml.safe_load(PACKAGE_SEED.read_text(encoding="utf-8"))
    seed["organizations"][0]["integrations"].extend(copy.deepcopy(EXTRA_INTEGRATIONS))
    path = tmp_path_factory.mktemp("conformance") / "seed.yaml"
    path.write_text(yaml.safe_dump(seed), encoding="utf-8")
    with run_sandbox(seed=path) as server:
        yield server


class Org:
    """The sandbox organization, seen through Sentry's API (ids as the API returns them)."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.http = httpx.Client(
            base_url=server.url.rstrip("/") + "/api/0/",
            headers={"Authorization": f"Bearer {server.token}"},
            timeout=10,
        )
        org = server.org
        self.org_path = f"organizations/{org}"
        self.project = server.project
        body = self.get(f"organizations/{org}/")
        self.org_id = str(body["id"])
        self.user_id = str(self.get("")["user"]["id"])  # the token's user (GET /api/0/)
        self.team_id = str(self.get(f"organizations/{org}/teams/")[0]["id"])
        self.integrations: dict[str, str] = {}
        for integration in self.get(f"organizations/{org}/integrations/"):
            self.integrations.setdefault(integration["provider"]["key"], str(integration["id"]))

    def get(self, path: str) -> Any:
        response = self.http.get(path)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    def send(self, method: str, path: str, body: Any) -> httpx.Response:
        return self.http.request(method, path, json=body)

    def ingest(self, environment: str) -> None:
        ingest(self.server, environment)


def ingest(server: Any, environment: str) -> None:
    """An error event with this environment, sent as an SDK sends it (Sentry creates the
    organization's Environment row when it saves such an event)."""
    dsn = httpx.URL(server.dsn)
    response = httpx.post(
        f"{server.url}api/{server.project_id}/store/",
        params={"sentry_key": dsn.username, "sentry_version": "7"},
        json={"message": "conformance", "level": "error", "environment": environment},
        timeout=10,
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def org(_server: SandboxServer) -> Iterator[Org]:
    _server.reset()
    seen = Org(_server)
    yield seen
    seen.http.close()


# =========================================================================== (a) request examples


def _examples(method_path: tuple[str, str], field: str) -> list[RequestExample]:
    return [e for e in request_examples(*method_path) if e.field == field]


def _by_title(examples: list[RequestExample]) -> dict[str, Any]:
    return {e.title: e.value() for e in examples}


#: Examples of the spec that are not JSON even after loose_json's repairs: the Azure DevOps,
#: Jira, Jira Server and GitHub action examples have ``"targetIdentifier":",`` (an unclosed
#: string) and ``"data":{...}``. They cannot be sent; this list is checked to be exact.
NOT_JSON = {
    ("action_filters", "Notify on Azure DevOps"),
    ("action_filters", "Create a Jira ticket"),
    ("action_filters", "Create a Jira Server ticket"),
    ("action_filters", "Create a GitHub issue"),
}


@pytest.mark.parametrize("method_path", [DETECTOR_CREATE, DETECTOR_UPDATE, WORKFLOW_CREATE])
def test_the_examples_that_are_not_json_are_exactly_the_listed_ones(
    method_path: tuple[str, str],
) -> None:
    broken = set()
    for example in request_examples(*method_path):
        try:
            example.value()
        except ValueError:
            broken.add((example.field, example.title))
    expected = NOT_JSON if method_path[1].endswith("/workflows/") else set()
    assert broken == expected


def test_the_spec_documents_request_examples_for_what_we_write() -> None:
    """The example sets this suite walks: a guard against a subset without them."""
    fields = {e.field for e in request_examples(*DETECTOR_CREATE)}
    assert fields >= {"data_sources", "config", "condition_group", "owner"}
    fields = {e.field for e in request_examples(*WORKFLOW_CREATE)}
    assert fields >= {"config", "triggers", "action_filters", "owner"}
    assert [e.title for e in request_examples(*DETECTOR_CREATE)] == [
        e.title for e in request_examples(*DETECTOR_UPDATE)
    ]
    assert [e.title for e in request_examples(*WORKFLOW_CREATE)] == [
        e.title for e in request_examples(*WORKFLOW_UPDATE)
    ]


# --------------------------------------------------------------------------- detectors


def _owner(value: str, org: Org) -> str:
    """Remap: the spec's owners "user:123456" and "team:456789" name a user and a team of
    its organization; here the token's user and the seeded team."""
    kind, _, _ = value.partition(":")
    return f"{kind}:{org.user_id if kind == 'user' else org.team_id}"


def _detector_body(org: Org, *, title: str = "", **parts: Any) -> dict[str, Any]:
    """A detector body made only of the spec's examples: the first example of each part
    unless one is given. ``name`` and ``type`` have no example; ``type`` is the one value
    the spec's description gives (`metric_issue`)."""
    first = {
        field: _examples(DETECTOR_CREATE, field)[0].value()
        for field in ("data_sources", "config", "condition_group")
    }
    first.update(parts)
    return {
        "name": f"conformance {title or 'base'}",
        "type": "metric_issue",
        "dataSources": first["data_sources"],
        "config": first["config"],
        "conditionGroup": first["condition_group"],
    }


#: Which condition-group example goes with which config example: the spec's headings pair
#: them ("Threshold and Change Monitor" for static/percent, "Dynamic Monitor" for dynamic).
CONDITIONS_FOR_CONFIG = {
    "Threshold": "Threshold and Change Monitor",
    "Change": "Threshold and Change Monitor",
    "Dynamic": "Dynamic Monitor",
}
CONFIG_FOR_CONDITIONS = {
    "Threshold and Change Monitor": "Threshold",
    "Threshold Monitor with Medium Priority": "Threshold",
    "Dynamic Monitor": "Dynamic",
}

#: Examples Sentry itself refuses, with the reason in Sentry's source. The sandbox must refuse
#: them too, naming the same fields (checked below), so the list cannot hide a pass.
DETECTOR_REFUSED: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("data_sources", "Custom Metric Monitor"): (
        # src/sentry/snuba/snuba_query_validator.py, SnubaQueryValidator: query = CharField(
        # required=True), time_window = IntegerField(required=True), environment =
        # EnvironmentField(required=True, allow_null=True); the example lists only aggregate,
        # dataset and queryType (it shows the aggregate, it is not a whole data source).
        "SnubaQueryValidator requires query, timeWindow and environment",
        {"query", "timeWindow", "environment"},
    ),
}


def _dynamic_data_sources() -> Any:
    """The first data-source example Sentry allows under a dynamic detector: the
    'is:unresolved' query of the error examples is refused there (src/sentry/incidents/
    logic.py, create_alert_rule / update_alert_rule: "Dynamic alerts do not support
    'is:unresolved' queries", the rule the detector validator applies to a dynamic
    detection)."""
    for example in _examples(DETECTOR_CREATE, "data_sources"):
        value = example.value()
        if (example.field, example.title) in DETECTOR_REFUSED:
            continue
        if all("is:unresolved" not in source.get("query", "") for source in value):
            return value
    raise AssertionError("the spec has no data-source example usable with dynamic detection")


def _detector_cases() -> list[tuple[str, str]]:
    cases = []
    for field in ("data_sources", "config", "condition_group", "owner"):
        cases.extend((field, e.title) for e in _examples(DETECTOR_CREATE, field))
    return cases


def _detector_variant(org: Org, field: str, title: str) -> dict[str, Any]:
    examples = _by_title(_examples(DETECTOR_CREATE, field))
    value = copy.deepcopy(examples[title])
    if field == "data_sources":
        return _detector_body(org, title=title, data_sources=value)
    if field == "config":
        groups = _by_title(_examples(DETECTOR_CREATE, "condition_group"))
        group = groups[CONDITIONS_FOR_CONFIG[title]]
        return _detector_body(
            org, title=title, config=value, condition_group=group, **_sources(value)
        )
    if field == "condition_group":
        configs = _by_title(_examples(DETECTOR_CREATE, "config"))
        config = configs[CONFIG_FOR_CONDITIONS[title]]
        return _detector_body(
            org, title=title, condition_group=value, config=config, **_sources(config)
        )
    assert field == "owner"
    return {**_detector_body(org, title=f"owner {title}"), "owner": _owner(value, org)}


def _sources(config: dict[str, Any]) -> dict[str, Any]:
    dynamic = config.get("detectionType") == "dynamic"
    return {"data_sources": _dynamic_data_sources()} if dynamic else {}


def _environments_of(body: Any) -> set[str]:
    return {
        source["environment"]
        for source in body.get("dataSources", [])
        if isinstance(source, dict) and source.get("environment")
    }


def _prepare_environments(org: Org, body: dict[str, Any]) -> None:
    """Not a remapping: the examples' environment ("prod") is made to exist the way it comes
    to exist on Sentry, by an event that carries it (the organization has no "prod" before)."""
    for environment in sorted(_environments_of(body)):
        org.ingest(environment)


def _accepted_detector_cases() -> list[tuple[str, str]]:
    return [case for case in _detector_cases() if case not in DETECTOR_REFUSED]


@pytest.mark.parametrize(("field", "title"), _accepted_detector_cases())
def test_detector_create_examples_are_accepted(org: Org, field: str, title: str) -> None:
    body = _detector_variant(org, field, title)
    _prepare_environments(org, body)
    validate_request(*DETECTOR_CREATE, body)
    response = org.send("POST", f"{org.org_path}/projects/{org.project}/detectors/", body)
    assert response.status_code == 201, response.text
    validate_response(*DETECTOR_CREATE, 201, response.json())


@pytest.mark.parametrize(("field", "title"), _accepted_detector_cases())
def test_detector_update_examples_are_accepted(org: Org, field: str, title: str) -> None:
    base = _detector_body(org)
    _prepare_environments(org, base)
    created = org.send("POST", f"{org.org_path}/projects/{org.project}/detectors/", base)
    assert created.status_code == 201, created.text
    body = _detector_variant(org, field, title)
    _prepare_environments(org, body)
    validate_request(*DETECTOR_UPDATE, body)
    response = org.send("PUT", f"{org.org_path}/detectors/{created.json()['id']}/", body)
    assert response.status_code == 200, response.text
    validate_response(*DETECTOR_UPDATE, 200, response.json())


@pytest.mark.parametrize(("field", "title"), sorted(DETECTOR_REFUSED))
def test_detector_examples_sentry_refuses_are_refused(org: Org, field: str, title: str) -> None:
    reason, fields = DETECTOR_REFUSED[field, title]
    body = _detector_variant(org, field, title)
    _prepare_environments(org, body)
    response = org.send("POST", f"{org.org_path}/projects/{org.project}/detectors/", body)
    assert response.status_code == 400, reason
    validate_response(*DETECTOR_CREATE, 400, response.json())
    errors = response.json()["dataSources"]["0"]
    assert set(errors) == fields, reason


# --------------------------------------------------------------------------- workflows

BASIC_FILTER = ("action_filters", "")  # the action_filters description's first ("basic") example


def _workflow_examples(field: str, section: str | None = None) -> list[RequestExample]:
    found = _examples(WORKFLOW_CREATE, field)
    return [e for e in found if section is None or e.section == section]


def _slack_channel_names(server: SandboxServer) -> list[str]:
    """Channel names of the seeded Slack workspace: what Slack itself would answer (the
    seed's ``slack_channels``, id -> name; Sentry's API never lists them)."""
    names: list[str] = []
    for integration in _server_seed_integrations(server):
        if integration.get("provider") == "slack":
            names.extend(
                str(n).lstrip("#") for n in (integration.get("slack_channels") or {}).values()
            )
    assert names, "the seeded Slack workspace has no channels"
    return names


def _server_seed_integrations(server: SandboxServer) -> list[dict[str, Any]]:
    return list(server.seed["organizations"][0].get("integrations") or [])


def _pagerduty_service_id(server: SandboxServer) -> str:
    for integration in _server_seed_integrations(server):
        if integration.get("provider") == "pagerduty":
            return str(integration["services"][0]["id"])
    raise AssertionError("the seed has no PagerDuty service")


def _remap_action(action: dict[str, Any], org: Org, *, existing: list[str] | None) -> None:
    """Remap the ids of one action example to the sandbox organization's."""
    config = action.get("config") or {}
    kind = action.get("type")
    if "id" in action:
        if existing:
            # PUT: an action id names an action of the workflow being updated (Sentry:
            # WorkflowValidator._validate_action_filter_ownership, "Action ID ... does not
            # belong to this workflow"): the example's "123" becomes the workflow's own action.
            action["id"] = existing[0]
        else:
            # POST: a workflow being created has no actions for an id to name; dropped.
            del action["id"]
    if action.get("integrationId") is not None:
        # integrationId ("1", "2345"...) names an installed integration of the provider: ours.
        action["integrationId"] = org.integrations[str(kind)]
    if (
        kind == "email"
        and config.get("targetType") in ("user", "team")
        and config.get("targetIdentifier")
    ):
        # a user ("232692") or team id of the organization: the token's user / seeded team
        config["targetIdentifier"] = org.user_id if config["targetType"] == "user" else org.team_id
    if kind == "pagerduty":
        # the PagerDuty service id ("123456") must be a service of the integration
        config["targetIdentifier"] = _pagerduty_service_id(org.server)
    if kind == "slack":
        # the channel name ("notify-errors") must be a channel of the Slack workspace, which
        # Sentry looks up by name when targetIdentifier is "" (SlackNotifyServiceForm, through
        # SlackActionValidatorHandler.generate_action_form_data: channel = targetDisplay,
        # channel_id = targetIdentifier); ours has the seeded channels
        config["targetDisplay"] = _slack_channel_names(org.server)[0]


def _remap_condition(condition: dict[str, Any], org: Org) -> None:
    comparison = condition.get("comparison")
    if condition.get("type") == "assigned_to" and isinstance(comparison, dict):
        # "Member" 123456 names a user of the organization: the token's user
        comparison["targetIdentifier"] = int(org.user_id)


def _action_filter(org: Org, existing: list[str] | None, **parts: Any) -> list[dict[str, Any]]:
    filters = copy.deepcopy(_workflow_examples("action_filters", "")[0].value())
    for key, value in parts.items():
        filters[0][key] = copy.deepcopy(value)
    for action_filter in filters:
        for condition in action_filter.get("conditions", []):
            _remap_condition(condition, org)
        for action in action_filter.get("actions", []):
            _remap_action(action, org, existing=existing)
    return filters


def _workflow_body(
    org: Org, title: str, *, existing: list[str] | None = None, **parts: Any
) -> dict[str, Any]:
    triggers = copy.deepcopy(_workflow_examples("triggers")[0].value())
    # the example's organizationId "1" is the organization's id: ours
    triggers["organizationId"] = org.org_id
    body = {
        "name": f"conformance {title or 'base'}",
        "config": _workflow_examples("config")[0].value(),
        "triggers": triggers,
        "actionFilters": parts.pop("action_filters", None) or _action_filter(org, existing),
    }
    body.update(parts)
    return body


#: Workflow examples Sentry itself refuses: (field, section, title) -> (reason, the key the
#: sandbox's 400 must name). Checked by a test, so the list cannot hide a pass.
WORKFLOW_REFUSED: dict[tuple[str, str, str], tuple[str, str]] = {
    ("action_filters", "Conditions", "Percentage of Sessions Affected Percent"): (
        # src/sentry/workflow_engine/handlers/condition/percent_sessions_handlers.py,
        # PercentSessionsPercentHandler.comparison_json_schema: "required": ["interval",
        # "value", "comparison_interval"]; the example leaves comparisonInterval out (the
        # text above it lists it).
        "percent_sessions_percent requires comparisonInterval",
        "comparison",
    ),
}


def _all_workflow_cases() -> list[tuple[str, str, str]]:
    cases = [("config", "", ""), ("triggers", "", ""), ("action_filters", "", "")]
    for example in _workflow_examples("action_filters"):
        if example.section and ("action_filters", example.title) not in NOT_JSON:
            cases.append(("action_filters", example.section, example.title))
    cases.extend(("owner", "", e.title) for e in _workflow_examples("owner"))
    return cases


def _workflow_cases() -> list[tuple[str, str, str]]:
    return [case for case in _all_workflow_cases() if case not in WORKFLOW_REFUSED]


def _workflow_variant(
    org: Org, field: str, section: str, title: str, existing: list[str] | None
) -> dict[str, Any]:
    name = " ".join(part for part in (field, section, title) if part)
    if field == "owner":
        value = _by_title(_workflow_examples("owner"))[title]
        return _workflow_body(org, name, existing=existing, owner=_owner(value, org))
    if field == "action_filters" and section:
        (example,) = [e for e in _workflow_examples(field, section) if e.title == title]
        value = example.value()
        if section == "Conditions":
            filters = _action_filter(org, existing, conditions=[value])
        else:
            filters = _action_filter(
                org, existing, actions=value if isinstance(value, list) else [value]
            )
        return _workflow_body(org, name, existing=existing, action_filters=filters)
    # config, triggers and the basic action filter are the base body's own parts
    return _workflow_body(org, name, existing=existing)


def _prepare_workflow(org: Org, body: dict[str, Any]) -> None:
    """The environment a Release Age example names ("production") exists by an event."""
    for action_filter in body["actionFilters"]:
        for condition in action_filter.get("conditions", []):
            comparison = condition.get("comparison")
            if isinstance(comparison, dict) and comparison.get("environment"):
                org.ingest(comparison["environment"])


@pytest.mark.parametrize(("field", "section", "title"), _workflow_cases())
def test_workflow_create_examples_are_accepted(
    org: Org, field: str, section: str, title: str
) -> None:
    body = _workflow_variant(org, field, section, title, existing=None)
    _prepare_workflow(org, body)
    validate_request(*WORKFLOW_CREATE, body)
    response = org.send("POST", f"{org.org_path}/workflows/", body)
    assert response.status_code == 201, response.text
    validate_response(*WORKFLOW_CREATE, 201, response.json())


@pytest.mark.parametrize(("field", "section", "title"), _workflow_cases())
def test_workflow_update_examples_are_accepted(
    org: Org, field: str, section: str, title: str
) -> None:
    base = _workflow_body(org, "base")
    _prepare_workflow(org, base)
    created = org.send("POST", f"{org.org_path}/workflows/", base)
    assert created.status_code == 201, created.text
    workflow = created.json()
    actions = [str(a["id"]) for f in workflow.get("actionFilters", []) for a in f["actions"]]
    body = _workflow_variant(org, field, section, title, existing=actions)
    _prepare_workflow(org, body)
    validate_request(*WORKFLOW_UPDATE, body)
    response = org.send("PUT", f"{org.org_path}/workflows/{workflow['id']}/", body)
    assert response.status_code == 200, response.text
    validate_response(*WORKFLOW_UPDATE, 200, response.json())


@pytest.mark.parametrize(("field", "section", "title"), sorted(WORKFLOW_REFUSED))
def test_workflow_examples_sentry_refuses_are_refused(
    org: Org, field: str, section: str, title: str
) -> None:
    reason, key = WORKFLOW_REFUSED[field, section, title]
    assert (field, section, title) in _all_workflow_cases()
    body = _workflow_variant(org, field, section, title, existing=None)
    response = org.send("POST", f"{org.org_path}/workflows/", body)
    assert response.status_code == 400, reason
    validate_response(*WORKFLOW_CREATE, 400, response.json())
    assert key in response.text, reason


# =========================================================================== (c) what the CLI sends

REPO = Path(__file__).resolve().parents[1]
SPEC_FILE = REPO / "alert_rules.yaml"
#: Requests the CLI may send that Sentry's public spec does not document (named, not skipped).
UNDOCUMENTED = {
    ("GET", "/api/0/"),  # the API index: who the token acts as (identity for --prune)
}
#: Routes Sentry serves that its public spec leaves out, by path: an uptime monitor's state and
#: its check results (ProjectUptimeAlertDetailsEndpoint, ProjectUptimeAlertCheckIndexEndpoint
#: in src/sentry/uptime/endpoints/), which check-setup's "Uptime monitored" reads.
UNDOCUMENTED_PATHS = (re.compile(r"^/api/0/projects/[^/]+/[^/]+/uptime/\d+/(checks/)?$"),)
#: Query parameters Sentry reads that the spec does not list for the operation, with where.
UNDOCUMENTED_QUERY = {
    # OrganizationEnvironmentsEndpoint.get (src/sentry/api/endpoints/organization_
    # environments.py) filters by self.get_projects(request, organization), which reads
    # ?project= (OrganizationEndpoint.get_projects); the spec lists only "visibility"
    ("GET", f"{O}/environments/"): {"project"},
    # the check-ins index (src/sentry/monitors/endpoints/base_monitor_checkin_index.py,
    # get_monitor_checkins) filters by get_environments(request, organization), which reads
    # ?environment=, and pages with Sentry's paginator, which reads ?per_page=; the spec lists
    # only "cursor"
    ("GET", f"{O}/monitors/{{monitor_id_or_slug}}/checkins/"): {"environment", "per_page"},
}
#: Interval spellings Sentry's frequency handlers refuse (STANDARD_INTERVALS and
#: COMPARISON_INTERVALS in src/sentry/rules/conditions/event_frequency.py are 1m 5m 15m 1h 1d
#: 1w 30d); the first four are the legacy rule forms the endpoint's help text still shows.
WRONG_INTERVALS = {"1hr", "1min", "5min", "15min"}
#: A Slack channel id as Slack issues them (public C..., private G..., direct D...).
SLACK_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")


class Recorder:
    """Every request httpx sends through its real transport (the CLI's client builds its own
    httpx.Client; the hook is on the transport class, so nothing in the CLI is replaced)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, list[str]], Any]] = []
        self.answers: list[tuple[str, str, int, Any]] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = httpx.HTTPTransport.handle_request
        recorder = self

        def handle_request(transport: httpx.HTTPTransport, request: httpx.Request) -> Any:
            content = request.read()
            body = json.loads(content) if content else None
            query: dict[str, list[str]] = {}
            for key, value in request.url.params.multi_items():
                query.setdefault(key, []).append(value)
            recorder.sent.append((request.method, request.url.path, query, body))
            response = real(transport, request)
            content = response.read()
            answer = json.loads(content) if content else None
            recorder.answers.append(
                (request.method, request.url.path, response.status_code, answer)
            )
            return response

        monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle_request)


def _cli(sandbox: Any, *args: str, config: Path = SPEC_FILE) -> Any:
    env = {
        "SENTRY_URL": sandbox.url,
        "SENTRY_AUTH_TOKEN": sandbox.token,
        "SENTRY_ORG": sandbox.org,
        "SENTRY_PROJECT": sandbox.project,
        "SENTRY_DSN": sandbox.dsn,
        "ENVIRONMENT": "production",
        "VERSION": "0.1.0",
    }
    return CliRunner().invoke(app, ["--config", str(config), *args], env=env)


def _query_names(op: dict[str, Any]) -> set[str]:
    return {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}


def _walk(value: Any, path: str = "$") -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) of every member of every object in ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, item
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def wrong_forms(method: str, template: str, body: Any) -> list[str]:
    """The forms Sentry refuses or ignores that a request body contains."""
    found = []
    for where, key, value in _walk(body):
        if key in ("interval", "comparisonInterval") and value in WRONG_INTERVALS:
            found.append(f"{where}.{key} = {value!r} (Sentry: 1m 5m 15m 1h 1d 1w 30d)")
    if "/detectors/" in template and isinstance(body, dict):
        for index, source in enumerate(body.get("dataSources") or []):
            if isinstance(source, dict) and source.get("dataset") == "transactions":
                found.append(f"$.dataSources[{index}].dataset = 'transactions' (use spans)")
    if "/workflows/" in template and isinstance(body, dict):
        for where, key, value in _walk(body):
            if key != "actions" or not isinstance(value, list):
                continue
            for action in value:
                if not isinstance(action, dict) or action.get("type") != "slack":
                    continue
                ident = str((action.get("config") or {}).get("targetIdentifier") or "")
                if ident and not SLACK_CHANNEL_ID.match(ident):
                    found.append(f"{where} slack targetIdentifier {ident!r} is not a channel id")
    found.extend(environment_key_problems(template, body))
    return found


def environment_key_problems(template: str, body: Any) -> list[str]:
    """A workflow body whose environment is not in the key the spec documents.

    The spec's workflow create/update body (generated from Sentry's WorkflowValidator at the
    snapshot named in tests/openapi/SOURCE.md) has ``environment``: "The name of the
    environment for the alert to evaluate in" (string, nullable), beside ``detector_ids`` and
    ``owner``, and no ``environment_id``. The older WorkflowValidator with
    ``environment_id = IntegerField(...)  # TODO fix this, we pass the name, not the ID`` had
    neither ``detector_ids`` nor ``owner``: the field was since renamed to take the name. A
    serializer drops keys it does not declare, so an environment sent only as
    ``environmentId`` leaves the alert firing in every environment.
    """
    if "/workflows/" not in template or not isinstance(body, dict):
        return []
    if ("environmentId" in body or "environment_id" in body) and "environment" not in body:
        return ["the environment is sent only as environmentId; the spec's key is environment"]
    return []


def _spec_typing_gaps(method: str, path: str, answer: Any) -> Any:
    """The answer without the parts where the spec's schema is narrower than Sentry itself.

    One: the dashboards list's ``widgetPreview`` items are typed ``dict[str, str]`` in the spec,
    while Sentry puts each widget's ``layout`` there, an object or null (Sentry's own test
    ``test_get_default_overview_has_widget_preview_field`` of OrganizationDashboardsEndpoint
    expects ``{"displayType": ..., "layout": None}``): the layout is left out of the check.
    """
    if method == "GET" and resolve_path(path) == f"{O}/dashboards/" and isinstance(answer, list):
        answer = copy.deepcopy(answer)
        for dashboard in answer:
            for preview in dashboard.get("widgetPreview") or []:
                preview.pop("layout", None)
    return answer


def check_recorded(sent: list[tuple[str, str, dict[str, list[str]], Any]]) -> list[str]:
    """Validate every recorded API request against the spec; return its 'METHOD template's."""
    seen = []
    for method, path, query, body in sent:
        if not path.startswith("/api/0/"):
            continue  # event ingestion (the SDK's envelope endpoint) is not the web API
        if (method, path) in UNDOCUMENTED or any(p.match(path) for p in UNDOCUMENTED_PATHS):
            seen.append(f"{method} {path}")
            continue
        template, op = operation(method, path)
        undocumented = (
            set(query) - _query_names(op) - UNDOCUMENTED_QUERY.get((method, template), set())
        )
        assert not undocumented, f"{method} {path}: query {sorted(undocumented)} not in the spec"
        if body is not None:
            validate_request(method, path, body)
            assert wrong_forms(method, template, body) == [], (method, path)
        seen.append(f"{method} {template}")
    return seen


def test_wrong_forms_are_found() -> None:
    """The detector of wrong forms finds each form the issue names (so an empty result of
    the recorded requests means something)."""
    detector = f"{O}/projects/{{project_id_or_slug}}/detectors/"
    assert wrong_forms("POST", detector, {"dataSources": [{"dataset": "transactions"}]})
    workflow = f"{O}/workflows/"
    for interval in sorted(WRONG_INTERVALS):
        body = {"actionFilters": [{"conditions": [{"comparison": {"interval": interval}}]}]}
        assert wrong_forms("POST", workflow, body)
    for ident in ("#para-alerts", "para-alerts", "c0paraalrt"):
        slack = {"type": "slack", "config": {"targetIdentifier": ident}}
        assert wrong_forms("POST", workflow, {"actionFilters": [{"actions": [slack]}]})
    slack = {"type": "slack", "config": {"targetIdentifier": "C0PARAALRT"}}
    assert wrong_forms("POST", workflow, {"actionFilters": [{"actions": [slack]}]}) == []
    ok = {"actionFilters": [{"conditions": [{"comparison": {"interval": "1h"}}]}]}
    assert wrong_forms("POST", workflow, {**ok, "environment": "production"}) == []
    assert environment_key_problems(workflow, {"environmentId": 1})
    assert wrong_forms("POST", workflow, {"environmentId": 1})
    assert environment_key_problems(workflow, {"environment": "production"}) == []
    assert (
        environment_key_problems(workflow, {"environment": "production", "environmentId": 1}) == []
    )
    assert environment_key_problems(workflow, {"name": "no environment"}) == []


def test_the_cli_sends_only_what_the_spec_documents(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    recorder.install(monkeypatch)
    monkeypatch.chdir(REPO)
    steps: dict[str, list[str]] = {}

    def run(name: str, *args: str, config: Path = SPEC_FILE, codes: tuple[int, ...] = (0,)) -> None:
        start = len(recorder.sent)
        result = _cli(sandbox, *args, config=config)
        assert result.exit_code in codes, (name, result.output)
        steps[name] = check_recorded(recorder.sent[start:])

    # a new organization has no environment "production" until an event carries it: plan
    # stops in preflight (exit 3) having sent only reads
    run("plan (preflight)", "plan", codes=(3,))
    assert all(call.startswith("GET") for call in steps["plan (preflight)"])
    ingest(sandbox, "production")
    run("plan", "plan", codes=(0, 1))
    run("apply-alerts", "apply-alerts", "--yes")
    changed = tmp_path / "alert_rules.yaml"
    text = SPEC_FILE.read_text(encoding="utf-8")
    spec = yaml.safe_load(text)
    dropped = spec["monitors"][-1]["name"]
    spec["monitors"] = spec["monitors"][:-1]
    spec["alerts"] = [a for a in spec["alerts"] if dropped not in a.get("monitors", [])]
    spec["monitors"][0]["description"] = "changed by the conformance test"
    changed.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    run("apply-alerts --prune", "apply-alerts", "--prune", "--yes", config=changed)
    run("export", "export", "--out", str(tmp_path / "exported.yaml"))
    run("check-setup", "check-setup", "--arrival-timeout", "10", codes=(0, 1))

    answered = 0
    for method, path, status, answer in recorder.answers:
        if any(p.match(path) for p in UNDOCUMENTED_PATHS):
            continue
        if path.startswith("/api/0/") and (method, path) not in UNDOCUMENTED:
            # the sandbox's answers to what the CLI sent have the spec's shapes too
            if is_monitor_path(method, path):
                validate_monitor_response(method, path, status, answer)
            else:
                validate_response(method, path, status, _spec_typing_gaps(method, path, answer))
            answered += 1
    assert answered > 50
    writes = [call for name in steps for call in steps[name] if not call.startswith("GET")]
    assert any(call.startswith("POST") and "/detectors/" in call for call in writes), steps
    assert any(call.startswith("POST") and "/workflows/" in call for call in writes), steps
    assert any(
        call.startswith("PUT") and "/detectors/" in call for call in steps["apply-alerts --prune"]
    )
    assert any(call.startswith("DELETE") for call in steps["apply-alerts --prune"]), steps
    assert all(steps[name] for name in ("plan", "export", "check-setup")), steps


# =========================================================================== (b) response examples

READ_OPERATIONS = {
    "detector": [
        ("get", f"{O}/detectors/", "200"),
        ("put", f"{O}/detectors/", "200"),
        ("post", f"{O}/projects/{{project_id_or_slug}}/detectors/", "201"),
        ("get", f"{O}/detectors/{{detector_id}}/", "200"),
        ("put", f"{O}/detectors/{{detector_id}}/", "200"),
    ],
    "workflow": [
        ("get", f"{O}/workflows/", "200"),
        ("post", f"{O}/workflows/", "201"),
        ("get", f"{O}/workflows/{{workflow_id}}/", "200"),
        ("put", f"{O}/workflows/{{workflow_id}}/", "200"),
    ],
    "dashboard": [
        ("post", f"{O}/dashboards/", "201"),
        ("get", f"{O}/dashboards/{{dashboard_id}}/", "200"),
        ("put", f"{O}/dashboards/{{dashboard_id}}/", "200"),
    ],
}


def response_examples(kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(label, resource) of every response example of the kind's operations, lists flattened."""
    found = []
    paths = load_spec()
    for method, template, status in READ_OPERATIONS[kind]:
        media = paths[template][method]["responses"][status]["content"]["application/json"]
        for name, example in media["examples"].items():
            value = example["value"]
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                label = f"{method.upper()} {template.removeprefix(O)} {status} {name}"
                found.append((label + (f"[{index}]" if isinstance(value, list) else ""), item))
    return found


def directory_for(*docs: dict[str, Any]) -> wire.Directory:
    """A directory holding what the examples refer to, named after the ids (the examples'
    organization is not ours: its projects, teams, users and integrations are listed here
    under their own ids, so that nothing is remapped in the examples themselves)."""
    projects, teams, users, integrations, environments = set(), set(), set(), {}, set()
    for doc in docs:
        if doc.get("projectId") is not None:
            projects.add(str(doc["projectId"]))
        projects.update(str(p) for p in doc.get("projects") or [])
        environments.update(
            doc.get("environment") or [] if isinstance(doc.get("environment"), list) else []
        )
        for _, key, value in _walk(doc):
            if key != "actions" or not isinstance(value, list):
                continue
            for action in value:
                config = action.get("config") or {}
                ident = config.get("targetIdentifier")
                if action.get("type") == "email" and ident:
                    (teams if config.get("targetType") == "team" else users).add(str(ident))
                if action.get("integrationId") is not None:
                    integrations[str(action["integrationId"])] = (action.get("type"), ident)
    integration_list = []
    for iid, (provider, ident) in sorted(integrations.items()):
        item: dict[str, Any] = {
            "id": iid,
            "provider": {"key": provider},
            "name": f"{provider}-{iid}",
        }
        if provider == "pagerduty":
            item["configData"] = {"service_table": [{"id": ident, "service": f"service-{ident}"}]}
        integration_list.append(item)
    return wire.directory_from_lists(
        "example-org",
        projects=[{"id": p, "slug": f"project-{p}"} for p in sorted(projects)],
        teams=[{"id": t, "slug": f"team-{t}"} for t in sorted(teams)],
        members=[{"email": f"user-{u}@example.com", "user": {"id": u}} for u in sorted(users)],
        integrations=integration_list,
        detectors=[d for _, d in response_examples("detector")],
        environments=[{"id": str(i), "name": n} for i, n in enumerate(sorted(environments), 1)],
    )


def _spec_from(document: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / "alert_rules.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    spec, problems = check_spec(path)
    assert [p for p in problems if p.severity == "error"] == []
    assert spec is not None
    return spec


#: Examples the client cannot take back, with who fixes what (a strict xfail each). None since
#: A1's fixes (a8da2a1): span web-vital monitors validate, any-short action filters read as
#: any, widget fields compare regardless of order.
CLIENT_OPEN: dict[str, str] = {}


def _cases(found: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    return [
        pytest.param(
            label,
            doc,
            id=label,
            marks=[pytest.mark.xfail(strict=True, reason=CLIENT_OPEN[label])]
            if label in CLIENT_OPEN
            else [],
        )
        for label, doc in found
    ]


DETECTORS = response_examples("detector")
WORKFLOWS = response_examples("workflow")
DASHBOARDS = response_examples("dashboard")


@pytest.mark.parametrize(("label", "detector"), _cases(DETECTORS))
def test_detector_response_examples_read_and_plan_empty(
    label: str, detector: dict[str, Any], tmp_path: Path
) -> None:
    validate_response("GET", f"{O}/detectors/{{detector_id}}/", 200, detector)
    if monitor_kind.detector_is_builtin(detector):
        # the error and uptime detectors Sentry makes itself: listed, never managed
        assert detector["type"] != "metric_issue"
        return
    directory = directory_for(detector)
    fields = monitor_kind.canonical_detector(detector)
    snuba = detector["dataSources"][0]["queryObj"]["snubaQuery"]
    assert (fields["aggregate"], fields["window"]) == (snuba["aggregate"], snuba["timeWindow"])
    assert fields["detection"] == detector["config"]["detectionType"]
    exported = monitor_kind.export_detector(detector, directory)
    spec = _spec_from(
        {"version": 1, "organization": "example-org", "monitors": [exported]}, tmp_path
    )
    actual = Resource(
        kind="monitor",
        name=str(detector["name"]),
        project=directory.project_slug(str(detector["projectId"])),
        id=str(detector["id"]),
        fields=fields,
        managed=wire.detector_is_managed(detector),
    )
    result = plan(desired_resources(spec, directory), [actual])
    assert not result.has_drift, [c.to_json() for c in result.changes]


@pytest.mark.parametrize(("label", "workflow"), _cases(WORKFLOWS))
def test_workflow_response_examples_read_and_plan_empty(
    label: str, workflow: dict[str, Any], tmp_path: Path
) -> None:
    directory = directory_for(workflow)
    fields = alert_kind.canonical_workflow(workflow, directory)
    assert fields["frequency"] == workflow["config"]["frequency"]
    assert fields["environment"] == workflow["environment"]
    book = targets.TargetBook(directory)
    problems: list[str] = []
    exported = alert_kind.export_workflow(workflow, directory, book, problems)
    if problems:
        # what the file format cannot say is reported, never dropped in silence; such an
        # alert is not round-tripped (the file would describe another alert)
        assert all(repr(exported["name"]) in p for p in problems), problems
        return
    document: dict[str, Any] = {"version": 1, "organization": "example-org"}
    if book.targets:
        document["targets"] = book.targets
    document["alerts"] = [exported]
    spec = _spec_from(document, tmp_path)
    actual = Resource(
        kind="alert",
        name=str(workflow["name"]),
        id=str(workflow["id"]),
        fields=fields,
        managed=True,
        projects=alert_kind.workflow_projects(workflow, directory),
    )
    result = plan(desired_resources(spec, directory), [actual])
    assert not result.has_drift, [c.to_json() for c in result.changes]


@pytest.mark.parametrize(("label", "dashboard"), _cases(DASHBOARDS))
def test_dashboard_response_examples_read_and_plan_empty(
    label: str, dashboard: dict[str, Any], tmp_path: Path
) -> None:
    directory = directory_for(dashboard)
    fields = dashboard_kind.canonical_dashboard(dashboard)
    assert len(fields["widgets"]) == len(dashboard["widgets"])
    exported = dashboard_kind.export_dashboard(dashboard, directory)
    spec = _spec_from(
        {"version": 1, "organization": "example-org", "dashboards": [exported]}, tmp_path
    )
    actual = Resource(
        kind="dashboard",
        name=str(dashboard["title"]),
        id=str(dashboard["id"]),
        fields=fields,
        managed=dashboard_kind.dashboard_is_managed(dashboard),
        projects=dashboard_kind.dashboard_projects(dashboard, directory),
    )
    result = plan(desired_resources(spec, directory), [actual])
    assert not result.has_drift, [c.to_json() for c in result.changes]


# =========================================================================== environments


def test_the_spec_has_no_dashboard_request_examples() -> None:
    """Dashboards are documented by their schema only: there is no request example to send
    (the response examples are read back in (b)). Fails when the spec starts carrying some,
    so that this suite then sends them."""
    for method, path in (("POST", f"{O}/dashboards/"), ("PUT", f"{O}/dashboards/{{id}}/")):
        assert request_examples(method, path) == []


@pytest.mark.parametrize(
    "template",
    [
        f"{O}/environments/",
        "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/environments/",
    ],
)
def test_environment_examples_read_as_the_directory(template: str) -> None:
    media = load_spec()[template]["get"]["responses"]["200"]["content"]["application/json"]
    for example in media["examples"].values():
        listing = example["value"]
        directory = wire.directory_from_lists("example-org", environments=listing)
        assert directory.environments == {e["name"]: str(e["id"]) for e in listing}
        for item in listing:
            assert directory.environment_id(item["name"]) == str(item["id"])


def test_environments_appear_with_an_event_in_sentry_shapes(org: Org) -> None:
    org_path = f"{org.org_path}/environments/"
    project_path = f"projects/{org.server.org}/{org.project}/environments/"
    before = {e["name"] for e in org.get(org_path)}
    assert "conformance-env" not in before
    org.ingest("conformance-env")
    listing = org.get(org_path)
    validate_response("GET", f"{O}/environments/", 200, listing)
    assert "conformance-env" in {e["name"] for e in listing}
    project_listing = org.get(project_path)
    validate_response("GET", "/api/0/" + project_path, 200, project_listing)
    assert "conformance-env" in {e["name"] for e in project_listing}


def test_a_workflow_environment_is_sent_in_the_key_the_spec_documents(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    recorder.install(monkeypatch)
    monkeypatch.chdir(REPO)
    ingest(sandbox, "production")
    result = _cli(sandbox, "apply-alerts", "--yes")
    assert result.exit_code == 0, result.output
    workflows = [
        body
        for method, path, _, body in recorder.sent
        if method in ("POST", "PUT") and "/workflows/" in path
    ]
    assert any("environment" in b or "environmentId" in b for b in workflows)
    problems = [p for b in workflows for p in environment_key_problems(f"{O}/workflows/", b)]
    assert problems == []


# =========================================================================== every filter form

#: One filter of each kind and form the file format can write (spec/model.py AlertFilter),
#: each the only filter of an alert applied to the sandbox: the body the client builds for it
#: must be one Sentry's condition handlers accept.
FILTER_FORMS: list[dict[str, Any]] = [
    {"level": ">= fatal"},
    {"level": "== error"},
    {"level": "<= warning"},
    {"events": "> 10 in 1m"},
    {"events": "> 10 in 5m"},
    {"events": "> 10 in 15m"},
    {"events": "> 10 in 1h"},
    {"events": "> 10 in 1d"},
    {"events": "> 10 in 1w"},
    {"events": "> 10 in 30d"},
    {"users": "> 100 in 1h"},
    {"priority": ">= high"},
    {"occurrences": 100},
    {"category": "error"},
    *[
        {"tag": {"key": "endpoint", "match": match, "value": "/api/tasks"}}
        for match in ("eq", "ne", "sw", "ew", "co", "nc")
    ],
    *[
        {"tag": {"key": "endpoint", "match": match, "value": "/api/tasks,/api/users"}}
        for match in ("in", "nin")
    ],
    *[{"tag": {"key": "endpoint", "match": match}} for match in ("is", "ns")],
]


def _filter_case_id(item: dict[str, Any]) -> str:
    ((key, value),) = item.items()
    return f"{key}-{value['match']}" if key == "tag" else f"{key} {value}"


@pytest.mark.parametrize("item", FILTER_FORMS, ids=[_filter_case_id(f) for f in FILTER_FORMS])
def test_every_filter_form_the_file_can_write_is_accepted(
    item: dict[str, Any], sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = {
        "version": 1,
        "organization": sandbox.org,
        "project": sandbox.project,
        "targets": {"team-email": {"type": "email", "team": "backend"}},
        "alerts": [
            {
                "name": "every filter form",
                "triggers": ["first_seen"],
                "filters": [item],
                "actions": ["team-email"],
            }
        ],
    }
    path = tmp_path / "alert_rules.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    recorder = Recorder()
    recorder.install(monkeypatch)
    result = _cli(sandbox, "apply-alerts", "--yes", config=path)
    assert result.exit_code == 0, result.output
    check_recorded(recorder.sent)
    again = _cli(sandbox, "plan", "--detailed-exitcode", config=path)
    assert again.exit_code == 0, again.output  # read back as written: no change


# =================================================================== every monitor and target

#: One monitor of each kind the file format can write, each applied alone (linked to one
#: alert) to the sandbox, which must accept it and read it back unchanged.
MONITOR_FORMS: dict[str, dict[str, Any]] = {
    "error count": {"condition": "count() > 10", "window": "1h", "resolve": 5},
    "users with errors": {"condition": "count_unique(user) > 100", "window": "1h"},
    "error count below": {"condition": "count() < 5", "window": "30m"},
    "high and medium": {"aggregate": "count()", "high": 100, "medium": 50, "window": "1h"},
    "environment": {"condition": "count() > 10", "window": "1h", "environment": "production"},
    "percent change": {
        "condition": "count() > 50%",
        "detection": "percent",
        "comparison": "1d",
        "window": "1h",
    },
    "dynamic": {
        "aggregate": "count()",
        "detection": "dynamic",
        "sensitivity": "medium",
        "direction": "above_and_below",
        "window": "15m",
    },
    "span latency": {
        "dataset": "spans",
        "query": "is_transaction:true",
        "condition": "p95(span.duration) > 2s",
        "window": "10m",
    },
    "crash-free sessions": {
        "dataset": "metrics",
        "aggregate": "crash_free_rate(session)",
        "direction": "below",
        "high": "99%",
        "window": "1h",
    },
}
TARGET_FORMS: dict[str, dict[str, Any]] = {
    "email team": {"type": "email", "team": "backend"},
    "email member": {"type": "email", "member": "ben@para-autopilot.example"},
    "slack with channel id": {
        "type": "slack",
        "workspace": "PARA Autopilot Workspace",
        "channel": "#para-alerts",
        "channel_id": "C0PARAALRT",
    },
    "slack by name": {
        "type": "slack",
        "workspace": "PARA Autopilot Workspace",
        "channel": "#para-oncall",
    },
    **{
        f"pagerduty {severity}": {
            "type": "pagerduty",
            "integration": "para-autopilot",
            "service": "PARA Autopilot Backend",
            "severity": severity,
        }
        for severity in ("default", "critical", "warning", "error", "info")
    },
}


def _apply_and_replan(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, document: dict[str, Any]
) -> None:
    path = tmp_path / "alert_rules.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    recorder = Recorder()
    recorder.install(monkeypatch)
    ingest(sandbox, "production")  # as a backend's first event would
    result = _cli(sandbox, "apply-alerts", "--yes", config=path)
    assert result.exit_code == 0, result.output
    check_recorded(recorder.sent)
    again = _cli(sandbox, "plan", "--detailed-exitcode", config=path)
    assert again.exit_code == 0, again.output  # read back as written: no change


@pytest.mark.parametrize("name", sorted(MONITOR_FORMS))
def test_every_monitor_form_the_file_can_write_is_accepted(
    name: str, sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = {
        "version": 1,
        "organization": sandbox.org,
        "project": sandbox.project,
        "targets": {"team-email": {"type": "email", "team": "backend"}},
        "monitors": [{"name": name, **MONITOR_FORMS[name]}],
        "alerts": [{"name": f"{name} alert", "monitors": [name], "actions": ["team-email"]}],
    }
    _apply_and_replan(sandbox, tmp_path, monkeypatch, document)


@pytest.mark.parametrize("name", sorted(TARGET_FORMS))
def test_every_target_form_the_file_can_write_is_accepted(
    name: str, sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = {
        "version": 1,
        "organization": sandbox.org,
        "project": sandbox.project,
        "targets": {"target": TARGET_FORMS[name]},
        "alerts": [{"name": f"{name} alert", "triggers": ["first_seen"], "actions": ["target"]}],
    }
    _apply_and_replan(sandbox, tmp_path, monkeypatch, document)


#: One widget per display type and per dataset the repo's file uses, each in a dashboard of
#: its own applied to the sandbox.
WIDGET_FORMS: dict[str, dict[str, Any]] = {
    **{
        f"errors as {display}": {
            "display": display,
            "dataset": "error-events",
            "aggregates": ["count()"],
            "interval": "1h",
        }
        for display in ("line", "area", "bar", "big_number")
    },
    "errors by transaction": {
        "display": "table",
        "dataset": "error-events",
        "aggregates": ["count()", "count_unique(user)"],
        "columns": ["transaction"],
        "orderby": "-count()",
        "limit": 10,
    },
    "transaction latency": {
        "display": "table",
        "dataset": "transaction-like",
        "aggregates": ["p95(transaction.duration)"],
        "columns": ["transaction"],
        "orderby": "-p95(transaction.duration)",
    },
    "span latency": {
        "display": "line",
        "dataset": "spans",
        "aggregates": ["p95(span.duration)"],
        "conditions": "span.op:db*",
    },
    "crash-free sessions": {
        "display": "line",
        "dataset": "metrics",
        "aggregates": ["crash_free_rate(session)"],
        "interval": "1d",
    },
}


@pytest.mark.parametrize("name", sorted(WIDGET_FORMS))
def test_every_widget_form_is_accepted(
    name: str, sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = {
        "version": 1,
        "organization": sandbox.org,
        "project": sandbox.project,
        "dashboards": [
            {
                "title": f"{name} board",
                "widgets": [{"title": name, **WIDGET_FORMS[name]}],
            }
        ],
    }
    _apply_and_replan(sandbox, tmp_path, monkeypatch, document)
