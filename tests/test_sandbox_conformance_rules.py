"""The sandbox answers what Sentry's server code answers, over loopback, for the rules that
issue 13 found the client and the sandbox agreeing on wrongly. Each test names the Sentry
function it follows; none of them looks at para-monitor's own client tables.

- a frequency filter's interval is one of STANDARD_INTERVALS (``1h``, not ``1hr``);
- a transaction-based monitor cannot be created on a migrated organization, nor changed;
- an environment exists only once an event carrying it has been saved;
- a Slack action's targetIdentifier is a channel id that Slack knows, never a name;
- actions can only use ACTIVE integrations, and PagerDuty services of the account.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_support import validate_response

from para_monitor_cli.sandbox.seed import load_seed
from para_monitor_cli.sandbox.testing import SandboxServer, run_sandbox

ORG = "para-autopilot"
PROJECT = "para-autopilot-backend"
O = f"/api/0/organizations/{ORG}"  # noqa: E741
P = f"/api/0/projects/{ORG}/{PROJECT}"
UNKNOWN_ENVIRONMENT = "Environment is not part of this organization"
CREATE_REFUSED = (
    "Creation of transaction-based alerts is disabled, as we migrate to the span dataset. "
    "Create span-based alerts (dataset: events_analytics_platform) with the "
    "is_transaction:true filter instead."
)
UPDATE_REFUSED = (
    "Updates to transaction-based alerts is disabled, as we migrate to the span dataset. "
    "Create span-based alerts (dataset: events_analytics_platform) with the "
    "is_transaction:true filter instead."
)


class Api:
    def __init__(self, server: SandboxServer) -> None:
        self.client = httpx.Client(
            base_url=server.url.rstrip("/"),
            headers={"Authorization": f"Bearer {server.token}"},
        )

    def __call__(self, method: str, path: str, status: int, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == status, (response.status_code, response.text[:800])
        return response.json() if response.content else None


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.client.close()


def _seed_file(tmp_path: Path, change: Any) -> Path:
    """The packaged seed, changed by ``change(first_org)``, written as JSON."""
    seed = copy.deepcopy(load_seed())
    change(seed["organizations"][0])
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- bodies


def _workflow(condition: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "name": extra.pop("name", "page on errors"),
        "enabled": True,
        "config": {"frequency": 30},
        "triggers": {
            "logicType": "any-short",
            "conditions": [
                {"type": "first_seen_event", "comparison": True, "conditionResult": True}
            ],
        },
        "actionFilters": [
            {
                "logicType": "all",
                "conditions": [condition] if condition else [],
                "actions": extra.pop(
                    "actions",
                    [
                        {
                            "type": "email",
                            "integrationId": None,
                            "data": {},
                            "config": {"targetType": "user", "targetIdentifier": "1"},
                        }
                    ],
                ),
            }
        ],
        **extra,
    }


def _frequency(interval: str, **more: Any) -> dict[str, Any]:
    kind = "event_frequency_percent" if "comparisonInterval" in more else "event_frequency_count"
    return {
        "type": kind,
        "comparison": {"value": 100, "interval": interval, **more},
        "conditionResult": True,
    }


def _slack(target: str, display: str | None, integration: str = "101") -> dict[str, Any]:
    return {
        "type": "slack",
        "integrationId": integration,
        "data": {},
        "config": {"targetType": "specific", "targetIdentifier": target, "targetDisplay": display},
        "status": "active",
    }


def _detector(dataset: str = "events_analytics_platform", **source: Any) -> dict[str, Any]:
    """A latency monitor on spans, as Sentry's spec documents it (Duration Metric Monitor)."""
    spans = {
        "dataset": dataset,
        "queryType": 1,
        "eventTypes": ["trace_item_span"],
        "aggregate": "p95(span.duration)",
        "query": "is_transaction:true",
        "environment": None,
        "timeWindow": 300,
    }
    if dataset == "transactions":
        spans.update(eventTypes=["transaction"], aggregate="p95(transaction.duration)", query="")
    return {
        "name": "checkout latency",
        "type": "metric_issue",
        "dataSources": [{**spans, **source}],
        "conditionGroup": {
            "logicType": "any",
            "conditions": [
                {"type": "gt", "comparison": 2000, "conditionResult": 75},
                {"type": "lte", "comparison": 2000, "conditionResult": 0},
            ],
        },
        "config": {"detectionType": "static"},
    }


# --------------------------------------------------------------------------- intervals


def test_frequency_interval_1hr_is_refused_and_1h_accepted(api: Api) -> None:
    """EventFrequencyCountHandler.comparison_json_schema (interval in STANDARD_INTERVALS),
    checked by BaseDataConditionValidator.validate_comparison; nested as
    WorkflowValidator.validate_action_filters nests the first failing condition."""
    refused = api("POST", f"{O}/workflows/", 400, json=_workflow(_frequency("1hr")))
    assert refused == {
        "actionFilters": {
            "conditions": {
                "comparison": [
                    "Value, {'value': 100, 'interval': '1hr'} does not match JSON Schema "
                    "for comparison"
                ]
            }
        }
    }
    for i, interval in enumerate(("1m", "5m", "15m", "1h", "1d", "1w", "30d")):
        body = _workflow(_frequency(interval), name=f"every {interval} {i}")
        created = api("POST", f"{O}/workflows/", 201, json=body)
        stored = created["actionFilters"][0]["conditions"][0]["comparison"]
        assert stored["interval"] == interval
    for legacy in ("1min", "5min", "15min"):
        api("POST", f"{O}/workflows/", 400, json=_workflow(_frequency(legacy)))


def test_percent_filters_take_comparison_intervals(api: Api) -> None:
    """EventFrequencyPercentHandler: comparison_interval in COMPARISON_INTERVALS (the
    serializer snake-cases comparisonInterval before the schema sees it)."""
    ok = _workflow(_frequency("1h", comparisonInterval="1w"))
    api("POST", f"{O}/workflows/", 201, json=ok)
    bad = _workflow(_frequency("1h", comparisonInterval="1hr"), name="bad percent")
    refused = api("POST", f"{O}/workflows/", 400, json=bad)
    message = refused["actionFilters"]["conditions"]["comparison"][0]
    assert message == (
        "Value, {'value': 100, 'interval': '1h', 'comparison_interval': '1hr'} does not match "
        "JSON Schema for comparison"
    )
    missing = _workflow(
        {
            "type": "event_frequency_percent",
            "comparison": {"value": 100, "interval": "1h"},
            "conditionResult": True,
        },
        name="no comparison interval",
    )
    api("POST", f"{O}/workflows/", 400, json=missing)


# --------------------------------------------------------------------------- detectors


def test_transaction_monitor_creation_is_refused_on_a_migrated_org(api: Api) -> None:
    """MetricIssueDetectorValidator.create -> _validate_transaction_dataset_deprecation under
    organizations:discover-saved-queries-deprecation (on for the sandbox's default org):
    raised from save(), so the 400 body is a bare list."""
    features = api("GET", f"{O}/", 200)["features"]
    assert "discover-saved-queries-deprecation" in features
    for dataset in ("transactions", "generic_metrics"):
        body = _detector(dataset="transactions")
        body["dataSources"][0]["dataset"] = dataset
        refused = api("POST", f"{O}/projects/{PROJECT}/detectors/", 400, json=body)
        assert refused == [CREATE_REFUSED]
    created = api("POST", f"{O}/projects/{PROJECT}/detectors/", 201, json=_detector())
    query = created["dataSources"][0]["queryObj"]["snubaQuery"]
    assert query["dataset"] == "events_analytics_platform"
    assert query["eventTypes"] == ["trace_item_span"]


def test_eap_rules_for_span_monitors(api: Api) -> None:
    """SnubaQueryValidator.validate: PERFORMANCE event types and one event type on EAP."""
    logs_and_spans = _detector(eventTypes=["trace_item_span", "trace_item_log"])
    refused = api("POST", f"{O}/projects/{PROJECT}/detectors/", 400, json=logs_and_spans)
    assert refused == {
        "dataSources": {
            "0": {
                "nonFieldErrors": [
                    "Multiple event types not allowed. Valid event types are "
                    "['trace_item_log', 'trace_item_span', 'transaction']"
                ]
            }
        }
    }
    errors = _detector(eventTypes=["error"])
    refused = api("POST", f"{O}/projects/{PROJECT}/detectors/", 400, json=errors)
    assert refused["dataSources"]["0"]["nonFieldErrors"][0].startswith(
        "Invalid event types for this dataset."
    )


@pytest.fixture
def unmigrated(tmp_path: Path) -> Iterator[SandboxServer]:
    """An organization without the span migration flag (it can still create transaction
    monitors), which has already seen ``production``, and whose older Slack workspace has
    been disabled."""

    def change(org: dict[str, Any]) -> None:
        org["features"] = ["incidents"]
        org["projects"][0]["environments"] = ["production"]
        org["integrations"].append(
            {
                "id": "103",
                "provider": "slack",
                "name": "Old Workspace",
                "status": "disabled",
                "slack_channels": {"C0OLDALRTS": "old-alerts"},
            }
        )

    with run_sandbox(seed=_seed_file(tmp_path, change)) as server:
        yield server


def test_transaction_monitor_updates_are_refused(unmigrated: SandboxServer) -> None:
    """MetricIssueDetectorValidator.update_data_source -> is_editing_transaction_dataset: a
    change to a transaction monitor's dataset, query, aggregate, time window or event types
    is refused whatever the organization's flags; a resend of the same query, a change of
    anything else, or a move to events_analytics_platform is not."""
    api = Api(unmigrated)
    body = _detector(dataset="transactions", environment="production")
    created = api("POST", f"{O}/projects/{PROJECT}/detectors/", 201, json=body)
    url = f"{O}/detectors/{created['id']}/"
    source = body["dataSources"][0]
    for change in (
        {"timeWindow": 600},
        {"query": "transaction:/checkout"},
        {"aggregate": "p99(transaction.duration)"},
        {"dataset": "generic_metrics"},
    ):
        changed = {"dataSources": [{**source, **change}]}
        assert api("PUT", url, 400, json=changed) == [UPDATE_REFUSED], change
    assert api("PUT", url, 200, json={"dataSources": [source]})["id"] == created["id"]
    assert api("PUT", url, 200, json={"name": "renamed"})["name"] == "renamed"
    spans = _detector(environment="production")["dataSources"]
    moved = api("PUT", url, 200, json={"dataSources": spans})
    assert moved["dataSources"][0]["queryObj"]["snubaQuery"]["dataset"] == (
        "events_analytics_platform"
    )
    api.client.close()


def test_metric_monitors_need_the_incidents_feature(tmp_path: Path) -> None:
    """OrganizationProjectDetectorIndexEndpoint.post: no organizations:incidents, no metric
    monitor."""

    def change(org: dict[str, Any]) -> None:
        org["features"] = []

    with run_sandbox(seed=_seed_file(tmp_path, change)) as server:
        api = Api(server)
        refused = api("POST", f"{O}/projects/{PROJECT}/detectors/", 400, json=_detector())
        assert refused == {"detail": "Unable to process request, confirm payment options."}
        api.client.close()


# --------------------------------------------------------------------------- environments


def test_a_new_organization_has_no_environments_until_an_event_arrives(
    api: Api, sandbox: SandboxServer
) -> None:
    """OrganizationEnvironmentsEndpoint / ProjectEnvironmentsEndpoint over the Environment
    rows that event_manager._get_or_create_environment_many creates on save."""
    assert api("GET", f"{O}/environments/", 200) == []
    assert api("GET", f"{P}/environments/", 200) == []
    sandbox.send_event("production")
    sandbox.send_event("production")  # get_or_create: still one row
    sandbox.send_event("staging")
    listed = api("GET", f"{O}/environments/", 200)
    validate_response("GET", "/api/0/organizations/{org}/environments/", 200, listed)
    assert [e["name"] for e in listed] == ["production", "staging"]
    assert all(set(e) == {"id", "name"} for e in listed)
    project = api("GET", f"{P}/environments/", 200)
    validate_response("GET", "/api/0/projects/{org}/{project}/environments/", 200, project)
    assert [(e["name"], e["isHidden"]) for e in project] == [
        ("production", False),
        ("staging", False),
    ]
    assert api("GET", f"{O}/environments/?visibility=hidden", 200) == []
    assert len(api("GET", f"{O}/environments/?project={sandbox.project_id}", 200)) == 2
    assert len(api("GET", f"{P}/environments/?visibility=all", 200)) == 2
    bad = api("GET", f"{O}/environments/?visibility=some", 400)
    assert bad == {
        "detail": "Invalid value for 'visibility', valid values are: ['all', 'hidden', 'visible']"
    }
    assert api("GET", f"{P}/", 200)["environments"] == ["production", "staging"]


def test_an_unknown_environment_is_refused_until_an_event_carries_it(
    api: Api, sandbox: SandboxServer
) -> None:
    """EnvironmentField.to_internal_value on the detector's data source (a ListField child:
    its errors sit under the item's index), and on the workflow's environment; the workflow
    shows the name (WorkflowSerializer) whether it was sent as a name or as environmentId."""
    monitor = _detector(environment="production")
    refused = api("POST", f"{O}/projects/{PROJECT}/detectors/", 400, json=monitor)
    assert refused == {"dataSources": {"0": {"environment": [UNKNOWN_ENVIRONMENT]}}}
    alert = _workflow(environment="production")
    assert api("POST", f"{O}/workflows/", 400, json=alert) == {"environment": [UNKNOWN_ENVIRONMENT]}
    sandbox.send_event("production")
    created = api("POST", f"{O}/projects/{PROJECT}/detectors/", 201, json=monitor)
    assert created["dataSources"][0]["queryObj"]["snubaQuery"]["environment"] == "production"
    assert api("POST", f"{O}/workflows/", 201, json=alert)["environment"] == "production"
    env_id = api("GET", f"{O}/environments/", 200)[0]["id"]
    by_id = _workflow(name="by id", environmentId=int(env_id))
    assert api("POST", f"{O}/workflows/", 201, json=by_id)["environment"] == "production"
    everywhere = api("POST", f"{O}/workflows/", 201, json=_workflow(name="all envs"))
    assert everywhere["environment"] is None
    # a detector's data source must name its environment (required, null allowed)
    del monitor["dataSources"][0]["environment"]
    refused = api("POST", f"{O}/projects/{PROJECT}/detectors/", 400, json=monitor)
    assert refused == {"dataSources": {"0": {"environment": ["This field is required."]}}}


# --------------------------------------------------------------------------- Slack, PagerDuty


def test_a_slack_channel_name_given_as_id_is_refused(api: Api) -> None:
    """SlackActionValidatorHandler -> SlackNotifyServiceForm.clean -> validate_channel_id:
    Slack's conversations.info does not know a name as an id. The form's own error is
    Django's __all__, camel-cased to "all" by the serializers."""
    as_name = _workflow(actions=[_slack("#para-alerts", "#para-alerts")])
    refused = api("POST", f"{O}/workflows/", 400, json=as_name)
    assert refused == {"actionFilters": {"all": ["Slack: Channel not found. Invalid ID provided."]}}
    wrong_name = _workflow(actions=[_slack("C0PARAALRT", "#para-oncall")])
    assert api("POST", f"{O}/workflows/", 400, json=wrong_name) == {
        "actionFilters": {
            "all": [
                "Slack: Received channel name para-alerts does not match inputted channel "
                "name para-oncall."
            ]
        }
    }
    by_id = _workflow(actions=[_slack("C0PARAALRT", "#para-alerts")], name="by id")
    created = api("POST", f"{O}/workflows/", 201, json=by_id)
    config = created["actionFilters"][0]["actions"][0]["config"]
    assert config["targetIdentifier"] == "C0PARAALRT"


def test_an_empty_slack_id_is_looked_up_by_name(api: Api) -> None:
    """Without a channel id the form looks the channel up by name (get_channel_id ->
    check_for_channel) and update_action_data stores the id it found."""
    by_name = _workflow(actions=[_slack("", "#para-oncall")], name="by name")
    created = api("POST", f"{O}/workflows/", 201, json=by_name)
    config = created["actionFilters"][0]["actions"][0]["config"]
    assert (config["targetIdentifier"], config["targetDisplay"]) == ("C0PARAONCL", "#para-oncall")
    unknown = _workflow(actions=[_slack("", "#nowhere")], name="unknown")
    assert api("POST", f"{O}/workflows/", 400, json=unknown) == {
        "actionFilters": {
            "all": [
                'Slack: The resource "nowhere" does not exist or has not been granted access '
                "in the PARA Autopilot Workspace Slack workspace."
            ]
        }
    }


def test_slack_channels_are_not_exposed_by_the_api(api: Api) -> None:
    """SlackIntegration.get_config_data: installationType only."""
    listed = api("GET", f"{O}/integrations/?providerKey=slack", 200)
    assert [i["configData"] for i in listed] == [{"installationType": "born_as_bot"}]
    assert "C0PARAALRT" not in json.dumps(api("GET", f"{O}/integrations/", 200))


def test_pagerduty_services_belong_to_the_account(api: Api) -> None:
    """PagerDutyNotifyServiceForm: service is one of the org's PagerDuty services."""
    action = {
        "type": "pagerduty",
        "integrationId": "102",
        "data": {"priority": "critical"},
        "config": {"targetType": "specific", "targetIdentifier": "999", "targetDisplay": "x"},
    }
    refused = api("POST", f"{O}/workflows/", 400, json=_workflow(actions=[action]))
    assert refused == {
        "actionFilters": {
            "service": ["Select a valid choice. 999 is not one of the available choices."]
        }
    }
    action["config"]["targetIdentifier"] = "201"
    api("POST", f"{O}/workflows/", 201, json=_workflow(actions=[action]))


def test_a_disabled_integration_cannot_be_wired(unmigrated: SandboxServer) -> None:
    """The action forms offer only integrations with status and organization status ACTIVE
    (notification_action/types.py _get_integrations): a disabled one is not a valid choice."""
    api = Api(unmigrated)
    shown = api("GET", f"{O}/integrations/103/", 200)
    assert (shown["status"], shown["organizationIntegrationStatus"]) == ("disabled", "disabled")
    body = _workflow(actions=[_slack("C0OLDALRTS", "#old-alerts", integration="103")])
    assert api("POST", f"{O}/workflows/", 400, json=body) == {
        "actionFilters": {
            "workspace": ["Select a valid choice. 103 is not one of the available choices."],
            "all": ["Slack: Workspace is a required field."],
        }
    }
    active = _workflow(actions=[_slack("C0PARAALRT", "#para-alerts")], environment="production")
    assert api("POST", f"{O}/workflows/", 201, json=active)["environment"] == "production"
    api.client.close()


def test_a_data_source_update_changes_the_stored_query_in_place(
    api: Api, sandbox: SandboxServer
) -> None:
    """update_data_source -> update_snuba_query: each key defaults to its stored value, and the
    data source keeps its ids."""
    sandbox.send_event("production")
    created = api(
        "POST", f"{O}/projects/{PROJECT}/detectors/", 201, json=_detector(environment="production")
    )
    before = created["dataSources"][0]
    source = {**_detector()["dataSources"][0], "timeWindow": 900}
    del source["environment"]  # not sent: the stored environment stays
    updated = api("PUT", f"{O}/detectors/{created['id']}/", 200, json={"dataSources": [source]})
    after = updated["dataSources"][0]
    assert (after["id"], after["queryObj"]["id"]) == (before["id"], before["queryObj"]["id"])
    query = after["queryObj"]["snubaQuery"]
    assert (query["timeWindow"], query["environment"]) == (900, "production")
    # validate() reads aggregate and time_window whatever the update leaves out
    refused = api(
        "PUT", f"{O}/detectors/{created['id']}/", 400, json={"dataSources": [{"timeWindow": 600}]}
    )
    assert refused["dataSources"]["0"]["aggregate"] == ["This field is required."]


def test_bulk_detector_endpoints_answer_as_sentry(api: Api) -> None:
    """OrganizationDetectorIndexEndpoint.put / .delete: a filter is needed, unknown ids are a
    400, an empty selection is a 200, a built-in detector cannot be deleted."""
    needed = "At least one of 'id', 'query', 'project', or 'projectSlug' must be provided."
    assert api("DELETE", f"{O}/detectors/", 400) == {"detail": needed}
    assert api("PUT", f"{O}/detectors/", 400, json={"enabled": False}) == {"detail": needed}
    assert api("DELETE", f"{O}/detectors/?id=99999", 400) == {
        "detail": "Some detectors were not found or you do not have permission to delete them."
    }
    assert api("DELETE", f"{O}/detectors/?query=nothing-matches", 200) == {
        "detail": "No detectors found."
    }
    assert api("GET", f"{O}/detectors/?id=abc", 400) == {"id": ["Invalid ID format"]}
    api("DELETE", f"{O}/detectors/?query=type:error", 403)
    disabled = api("PUT", f"{O}/detectors/?query=type:error", 200, json={"enabled": False})
    assert [d["enabled"] for d in disabled] == [False]
