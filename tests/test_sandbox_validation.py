"""Sentry's server-side validation rules in the sandbox: the reference examples pass, and each
rule refuses a wrong body with the field error Sentry gives."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openapi_support import validate_request

from para_monitor_cli.sandbox import dashboards, detectors, facts, legacy, workflows
from para_monitor_cli.sandbox import validation as v

Validator = Callable[..., Any]


def _reference_examples() -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, body) of every JSON request example in sentry-api-reference.md (its
    fenced JSON examples are copied verbatim into tests/reference/request-examples.md)."""
    text = (Path(__file__).parent / "reference" / "request-examples.md").read_text(encoding="utf-8")
    examples = []
    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        first, _, rest = block.strip().partition("\n")
        if first.startswith(("POST ", "PUT ")):
            method, path = first.split()[:2]
            examples.append((method, path, json.loads(rest)))
        else:  # the crash-free example continues the alert-rules section
            examples.append(("POST", "/api/0/organizations/acme/alert-rules/", json.loads(block)))
    return examples


EXAMPLES = _reference_examples()
VALIDATORS: dict[str, Validator] = {
    "alert-rules": legacy.validate_alert_rule,
    "rules": legacy.validate_issue_rule,
    "detectors": detectors.validate_detector,
    "workflows": workflows.validate_workflow,
    "dashboards": dashboards.validate_dashboard,
}


def _validator_for(path: str) -> Validator:
    return VALIDATORS[path.rstrip("/").rsplit("/", 1)[-1]]


def _example(kind: str, index: int = 0) -> dict[str, Any]:
    found = [body for _, path, body in EXAMPLES if path.rstrip("/").endswith("/" + kind)]
    return copy.deepcopy(found[index])


def test_the_reference_has_an_example_for_every_kind() -> None:
    kinds = {path.rstrip("/").rsplit("/", 1)[-1] for _, path, _ in EXAMPLES}
    assert kinds == set(VALIDATORS)
    assert len(EXAMPLES) == 6


@pytest.mark.parametrize(("method", "path", "body"), EXAMPLES, ids=[p for _, p, _ in EXAMPLES])
def test_reference_examples_are_accepted(method: str, path: str, body: dict[str, Any]) -> None:
    assert _validator_for(path)(body) is None
    validate_request(method, path, body)


@pytest.mark.parametrize(("method", "path", "body"), EXAMPLES, ids=[p for _, p, _ in EXAMPLES])
def test_snake_case_keys_are_accepted_too(method: str, path: str, body: dict[str, Any]) -> None:
    def snake(value: Any) -> Any:
        if isinstance(value, dict):
            return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): snake(x) for k, x in value.items()}
        if isinstance(value, list):
            return [snake(x) for x in value]
        return value

    if path.endswith("/rules/"):  # the legacy issue-rule serializer is camelCase only
        return
    assert _validator_for(path)(snake(body)) is None


# --------------------------------------------------------------------------- helpers


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set (or delete, with ...) the value at a dotted path; integers index lists."""
    target: Any = body
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    for key in keys[:-1]:
        target = target[key]
    if value is ...:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return body


def _refused(
    validator: Validator, body: Any, expected: dict[str, Any] | list[str], **kw: Any
) -> None:
    errors = validator(body, **kw)
    assert errors == expected


# --------------------------------------------------------------------------- detectors (5.1)

DETECTOR_CASES: list[tuple[str, Any, dict[str, Any]]] = [
    ("name", ..., {"name": ["This field is required."]}),
    ("name", "x" * 201, {"name": ["Ensure this field has no more than 200 characters."]}),
    ("type", "uptime", {"type": ["Unknown detector type 'uptime'. Must be one of: metric_issue"]}),
    ("conditionGroup", ..., {"conditionGroup": ["This field is required."]}),
    (
        "dataSources.0.timeWindow",
        90,
        {
            "dataSources": {
                "0": {
                    "timeWindow": [
                        "Time window must be a whole number of minutes between 60 and 86400 seconds"
                    ]
                }
            }
        },
    ),
    (
        "dataSources.0.dataset",
        "sessions_v2",
        {
            "dataSources": {
                "0": {
                    "dataset": [
                        "Invalid dataset, valid values are ['events', 'transactions', 'discover', "
                        "'sessions', 'metrics', 'generic_metrics', 'events_analytics_platform']"
                    ]
                }
            }
        },
    ),
    (
        "dataSources.0.queryType",
        1,
        {
            "dataSources": {
                "0": {
                    "nonFieldErrors": [
                        "Invalid dataset for this query type. Valid datasets are "
                        "['eventsanalyticsplatform', 'performancemetrics', 'transactions']"
                    ]
                }
            }
        },
    ),
    (
        "dataSources.0.eventTypes",
        ["transaction"],
        {
            "dataSources": {
                "0": {
                    "nonFieldErrors": [
                        "Invalid event types for this dataset. Valid event types are "
                        "['default', 'error']"
                    ]
                }
            }
        },
    ),
    (
        "dataSources.0.aggregate",
        "upsampled_count()",
        {
            "dataSources": {
                "0": {
                    "aggregate": [
                        "upsampled_count() is not allowed as user input. Use count() instead - "
                        "it will be automatically converted to upsampled_count() when "
                        "appropriate."
                    ]
                }
            }
        },
    ),
    (
        "dataSources.0.aggregate",
        "count_unique(http.referer)",
        {
            "dataSources": {
                "0": {"aggregate": ["Invalid Metric: We do not currently support this field."]}
            }
        },
    ),
    (
        "dataSources.0.query",
        "release:latest",
        {
            "dataSources": {
                "0": {
                    "query": [
                        "Unsupported Query: We do not currently support the release:latest query"
                    ]
                }
            }
        },
    ),
    (
        "conditionGroup.conditions.0.type",
        "eq",
        {"conditionGroup": {"conditions": [{"type": ["Unsupported type eq"]}, {}, {}]}},
    ),
    (
        "conditionGroup.conditions.1.conditionResult",
        25,
        {
            "conditionGroup": {
                "conditions": [{}, {"conditionResult": ["Unsupported condition result"]}, {}]
            }
        },
    ),
    (
        "conditionGroup.conditions.0.comparison",
        "fifty",
        {
            "conditionGroup": {
                "conditions": [{"comparison": ["A valid number or dict is required."]}, {}, {}]
            }
        },
    ),
    (
        "conditionGroup.conditions.2",
        ...,
        {
            "conditionGroup": {
                "conditions": ["Resolution condition required for metric issue detector."]
            }
        },
    ),
    (
        "config",
        {"detectionType": "percent"},
        {"config": ["Percentage-based alerts require a comparison delta"]},
    ),
    (
        "config",
        {"detectionType": "percent", "comparisonDelta": 7200},
        {"config": ["7200 is not one of [300, 900, 3600, 86400, 604800, 2592000, None]"]},
    ),
    (
        "config",
        {"detectionType": "adaptive"},
        {"config": ["'adaptive' is not one of ['static', 'percent', 'dynamic']"]},
    ),
    (
        "owner",
        "team-42",
        {
            "owner": [
                "Could not parse actor. Format should be `type:id` where type is `team` or `user`."
            ]
        },
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"), DETECTOR_CASES, ids=[c[0] for c in DETECTOR_CASES]
)
def test_detector_rules(path: str, value: Any, expected: dict[str, Any]) -> None:
    _refused(detectors.validate_detector, _set(_example("detectors"), path, value), expected)


def test_detector_has_at_most_three_conditions() -> None:
    body = _example("detectors")
    body["conditionGroup"]["conditions"].insert(
        0, {"type": "gt", "comparison": 90, "conditionResult": 75}
    )
    _refused(detectors.validate_detector, body, {"nonFieldErrors": ["Too many conditions"]})


def test_detector_priorities_are_75_50_0() -> None:
    assert (facts.PRIORITY_HIGH, facts.PRIORITY_MEDIUM, facts.PRIORITY_LOW) == (75, 50, 0)
    body = _example("detectors")
    assert [c["conditionResult"] for c in body["conditionGroup"]["conditions"]] == [75, 50, 0]


def _dynamic_detector(window: int) -> dict[str, Any]:
    body = _example("detectors")
    body["config"] = {"detectionType": "dynamic"}
    body["dataSources"][0]["timeWindow"] = window
    body["conditionGroup"]["conditions"] = [
        {
            "type": "anomaly_detection",
            "comparison": {"seasonality": "auto", "sensitivity": "medium", "thresholdType": 2},
            "conditionResult": 75,
        }
    ]
    return body


def test_dynamic_detector_needs_no_resolution_condition_and_allowed_windows() -> None:
    assert detectors.validate_detector(_dynamic_detector(900)) is None
    _refused(
        detectors.validate_detector,
        _dynamic_detector(600),
        {
            "dataSources": {
                "0": {
                    "nonFieldErrors": [
                        "Invalid time window for dynamic alert (valid "
                        "windows are 5, 15, 30, 60 minutes)"
                    ]
                }
            }
        },
    )
    bad = _dynamic_detector(900)
    bad["conditionGroup"]["conditions"][0]["comparison"]["sensitivity"] = "extreme"
    _refused(
        detectors.validate_detector,
        bad,
        {
            "conditionGroup": {
                "conditions": [
                    {
                        "comparison": [
                            "Invalid sensitivity, valid values are ['low', 'medium', 'high']"
                        ]
                    }
                ]
            }
        },
    )


def test_anomaly_condition_needs_dynamic_detection() -> None:
    body = _dynamic_detector(900)
    body["config"] = {"detectionType": "static"}
    errors = detectors.validate_detector(body)
    assert errors is not None
    assert errors["conditionGroup"]["conditions"][0] == {
        "type": ["Anomaly detection conditions require the dynamic detection type"]
    }


@pytest.mark.parametrize(
    ("dataset", "query_type", "aggregate", "event_types", "window", "error"),
    [
        (
            "metrics",
            2,
            "percentage(sessions_crashed, sessions) AS _crash_rate_alert_aggregate",
            [],
            300,
            "Invalid Time Window: Allowed time windows for crash rate alerts are: "
            "30min, 1h, 2h, 4h, 12h and 24h",
        ),
        (
            "metrics",
            2,
            "percentage(sessions_crashed, sessions) AS _crash_rate_alert_aggregate",
            [],
            1800,
            None,
        ),
        # SnubaQueryValidator._validate_time_window runs inside _validate_snql_query, which
        # _validate_query skips for EAP: a one-minute span monitor is not refused (the legacy
        # alert rule serializer does refuse it, see test_eap_alert_rule_window)
        ("events_analytics_platform", 1, "p95(span.duration)", ["trace_item_span"], 60, None),
        ("events_analytics_platform", 1, "p95(span.duration)", ["trace_item_span"], 3600, None),
        (
            "events_analytics_platform",
            1,
            "count(span.duration)",
            ["trace_item_span", "trace_item_log"],
            3600,
            "Multiple event types not allowed. Valid event types are "
            "['trace_item_log', 'trace_item_span', 'transaction']",
        ),
        ("transactions", 1, "apdex(300)", ["transaction"], 3600, None),
    ],
)
def test_windows_per_dataset(
    dataset: str,
    query_type: int,
    aggregate: str,
    event_types: list[str],
    window: int,
    error: str | None,
) -> None:
    body = _example("detectors")
    body["dataSources"][0].update(
        dataset=dataset,
        queryType=query_type,
        aggregate=aggregate,
        eventTypes=event_types,
        timeWindow=window,
    )
    expected = None if error is None else {"dataSources": {"0": {"nonFieldErrors": [error]}}}
    assert detectors.validate_detector(body) == expected


def test_detector_update_is_partial_and_checks_context() -> None:
    assert detectors.validate_detector({"enabled": False}, partial=True) is None
    assert detectors.validate_detector({"name": ""}, partial=True) == {
        "name": ["This field may not be blank."]
    }
    ctx = v.OrgContext(workflow_ids=frozenset({"1"}), team_ids=frozenset({"42"}))
    _refused(
        detectors.validate_detector,
        _example("detectors"),
        {"workflowIds": ["Some workflows do not exist."]},
        ctx=ctx,
    )
    ctx = v.OrgContext(workflow_ids=frozenset({"1234"}), team_ids=frozenset({"7"}))
    _refused(
        detectors.validate_detector,
        _example("detectors"),
        {"owner": ["Team is not a member of this organization"]},
        ctx=ctx,
    )


# --------------------------------------------------------------------------- workflows (5.2)

# WorkflowValidator nests the FIRST failing condition / action filter / action as one object
# (validate_conditions and validate_action_filters use is_valid(raise_exception=True)), and
# every comparison error is BaseDataConditionValidator's "does not match JSON Schema".
LEVEL_45 = "Value, {'level': 45, 'match': 'gte'} does not match JSON Schema for comparison"
WORKFLOW_CASES: list[tuple[str, Any, dict[str, Any]]] = [
    ("name", ..., {"name": ["This field is required."]}),
    ("name", "x" * 257, {"name": ["Ensure this field has no more than 256 characters."]}),
    ("config.frequency", -1, {"config": ["-1 is less than the minimum of 0"]}),
    ("config.frequency", "30", {"config": ["'30' is not of type 'integer'"]}),
    ("triggers.logicType", "some", {"triggers": {"logicType": ['"some" is not a valid choice.']}}),
    (
        "triggers.conditions.0.comparison",
        "yes",
        {
            "triggers": {
                "conditions": {
                    "comparison": ["Value, yes does not match JSON Schema for comparison"]
                }
            }
        },
    ),
    (
        "triggers.conditions.0.conditionResult",
        75,
        {
            "triggers": {
                "conditions": {
                    "conditionResult": [
                        "Value, 75, does not match JSON Schema for condition result"
                    ]
                }
            }
        },
    ),
    (
        "actionFilters.0.conditions.0.comparison",
        {"level": 45, "match": "gte"},
        {"actionFilters": {"conditions": {"comparison": [LEVEL_45]}}},
    ),
    (
        "actionFilters.0.conditions.0.type",
        "is_blue",
        {
            "actionFilters": {
                "conditions": {
                    "type": ['"is_blue" is not a valid choice.'],
                    "comparison": ["Invalid condition type: is_blue"],
                    "conditionResult": ["Invalid condition type: is_blue"],
                }
            }
        },
    ),
    ("actionFilters.0.actions", ..., {"actionFilters": ["Missing actions key in action filter"]}),
    (
        "actionFilters.0.actions.0.type",
        "carrier_pigeon",
        {"actionFilters": {"type": ['"carrier_pigeon" is not a valid choice.']}},
    ),
    (
        "actionFilters.0.actions.0.type",
        "plugin",
        {"actionFilters": {"type": ["Action type plugin is deprecated and cannot be created."]}},
    ),
    (
        "actionFilters.0.actions.0.integrationId",
        None,
        {
            "actionFilters": {
                "nonFieldErrors": ["Integration ID is required for action type pagerduty"]
            }
        },
    ),
    (
        "actionFilters.0.actions.0.config.targetType",
        "channel",
        {
            "actionFilters": {
                "config": [
                    "'channel' is not one of ['user', 'team', 'issue_owners', 'specific', "
                    "'sentry_app']"
                ]
            }
        },
    ),
    (
        "actionFilters.0.actions.0.data.priority",
        "P1",
        {
            "actionFilters": {
                "data": ["'P1' is not one of ['default', 'critical', 'warning', 'error', 'info']"]
            }
        },
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"), WORKFLOW_CASES, ids=[c[0] for c in WORKFLOW_CASES]
)
def test_workflow_rules(path: str, value: Any, expected: dict[str, Any]) -> None:
    _refused(workflows.validate_workflow, _set(_example("workflows"), path, value), expected)


@pytest.mark.parametrize("frequency", [*facts.WORKFLOW_FREQUENCIES, 15, 2880])
def test_workflow_frequencies_accepted(frequency: int) -> None:
    # Workflow.config_schema: any integer >= 0 (the help text documents only some values)
    assert (
        workflows.validate_workflow(_set(_example("workflows"), "config.frequency", frequency))
        is None
    )


def test_workflow_config_refuses_unknown_keys_like_sentrys_json_schema() -> None:
    # Workflow.config_schema has additionalProperties: false, and the CamelSnake serializer
    # snake_cases the keys first: an ownership marker in config is a 400 on real Sentry.
    body = _set(_example("workflows"), "config.managedBy", "para-monitor")
    _refused(
        workflows.validate_workflow,
        body,
        {"config": ["Additional properties are not allowed ('managed_by' was unexpected)"]},
    )
    body["config"]["owner"] = "x"
    _refused(
        workflows.validate_workflow,
        body,
        {
            "config": [
                "Additional properties are not allowed ('managed_by', 'owner' were unexpected)"
            ]
        },
    )
    assert (
        workflows.validate_workflow(_set(_example("workflows"), "config", {"frequency": 5})) is None
    )


def test_workflow_action_integrations_come_from_the_org() -> None:
    # PagerDutyNotifyServiceForm: account = the org's ACTIVE PagerDuty integrations
    body = _example("workflows")
    slack_only = v.OrgContext(installed={"9100": v.Integration("slack", "Workspace")})
    _refused(
        workflows.validate_workflow,
        body,
        {
            "actionFilters": {
                "account": ["Select a valid choice. 9100 is not one of the available choices."],
                "service": ["Select a valid choice. 77 is not one of the available choices."],
            }
        },
        ctx=slack_only,
    )
    pagerduty = v.Integration("pagerduty", "acme", services={"77": "Checkout"})
    assert (
        workflows.validate_workflow(body, ctx=v.OrgContext(installed={"9100": pagerduty})) is None
    )
    # email actions have no validator handler: Sentry does not check their target here
    body["actionFilters"][0]["actions"] = [
        {
            "type": "email",
            "integrationId": None,
            "data": {},
            "config": {"targetType": "user", "targetIdentifier": "99"},
        }
    ]
    assert workflows.validate_workflow(body, ctx=v.OrgContext(user_ids=frozenset({"1"}))) is None
    body["actionFilters"][0]["actions"][0]["integrationId"] = "9100"
    _refused(
        workflows.validate_workflow,
        body,
        {
            "actionFilters": {
                "nonFieldErrors": ["Integration ID is not allowed for action type email"]
            }
        },
    )


def test_workflow_frequency_filters_use_sentrys_interval_spelling() -> None:
    # EventFrequencyCountHandler.comparison_json_schema: interval in STANDARD_INTERVALS
    body = _example("workflows")
    body["actionFilters"][0]["conditions"] = [
        {
            "type": "event_frequency_count",
            "comparison": {"value": 100, "interval": "1hr"},
            "conditionResult": True,
        }
    ]
    _refused(
        workflows.validate_workflow,
        body,
        {
            "actionFilters": {
                "conditions": {
                    "comparison": [
                        "Value, {'value': 100, 'interval': '1hr'} does not match JSON Schema "
                        "for comparison"
                    ]
                }
            }
        },
    )
    for interval in facts.WORKFLOW_FREQUENCY_INTERVALS:
        body["actionFilters"][0]["conditions"][0]["comparison"]["interval"] = interval
        assert workflows.validate_workflow(body) is None, interval
    assert facts.WORKFLOW_FREQUENCY_INTERVALS == ("1m", "5m", "15m", "1h", "1d", "1w", "30d")


# --------------------------------------------------------------------------- dashboards (6)

DASHBOARD_CASES: list[tuple[str, Any, dict[str, Any]]] = [
    ("title", ..., {"title": ["This field is required."]}),
    ("title", "t" * 256, {"title": ["Ensure this field has no more than 255 characters."]}),
    (
        "widgets.0.displayType",
        "top_n",
        {"widgets": [{"displayType": ['"top_n" is not a valid choice.']}, {}]},
    ),
    (
        "widgets.1.widgetType",
        "release",
        {"widgets": [{}, {"widgetType": ['"release" is not a valid choice.']}]},
    ),
    ("widgets.0.layout.minH", ..., {"widgets": [{"layout": ["Missing required keys: minH"]}, {}]}),
    ("widgets.0.layout.h", "2", {"widgets": [{"layout": ["Expected number for: h"]}, {}]}),
    ("widgets.0.interval", "hourly", {"widgets": [{"interval": ["Invalid interval"]}, {}]}),
    (
        "widgets.0.limit",
        0,
        {"widgets": [{"limit": ["Ensure this value is greater than or equal to 1."]}, {}]},
    ),
    (
        "widgets.0.limit",
        11,
        {"widgets": [{"limit": ["Ensure this value is less than or equal to 10."]}, {}]},
    ),
    (
        "widgets.0.queries",
        [],
        {"widgets": [{"queries": ["One or more queries are required to create a widget"]}, {}]},
    ),
    (
        "widgets.0.queries.0.conditions",
        ...,
        {
            "widgets": [
                {
                    "queries": [
                        {
                            "fields": ["fields are required during creation."],
                            "conditions": ["conditions are required during creation."],
                        }
                    ]
                },
                {},
            ]
        },
    ),
    ("widgets.0.title", "", {"widgets": [{"title": ["Title is required during creation."]}, {}]}),
    (
        "widgets.0.displayType",
        ...,
        {"widgets": [{"displayType": ["displayType is required during creation."]}, {}]},
    ),
    (
        "widgets.0.thresholds",
        {"max_values": {"max1": 5}, "unit": "ms"},
        {
            "widgets": [
                {"thresholds": {"max2": "Must set all threshold maximums or none at all."}},
                {},
            ]
        },
    ),
    (
        "widgets.0.thresholds",
        {"max_values": {"max1": 5, "max2": 5}},
        {
            "widgets": [
                {"thresholds": {"max2": "Maximum value must be greater than minimum."}},
                {},
            ]
        },
    ),
    (
        "start",
        "2026-06-02T00:00:00Z",
        {"nonFieldErrors": ["start must be before end"]},
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"), DASHBOARD_CASES, ids=[c[0] for c in DASHBOARD_CASES]
)
def test_dashboard_rules(path: str, value: Any, expected: dict[str, Any]) -> None:
    body = _example("dashboards")
    body["end"] = "2026-06-01T00:00:00Z"
    _refused(dashboards.validate_dashboard, _set(body, path, value), expected)


def test_dashboard_threshold_errors_keep_drf_nesting() -> None:
    # ValidationError({"thresholds": {key: msg}}): DRF keeps the inner dict's strings as they are
    body = _set(
        _example("dashboards"), "widgets.0.thresholds", {"max_values": {"max1": -1, "max2": 3}}
    )
    _refused(
        dashboards.validate_dashboard,
        body,
        {"widgets": [{"thresholds": {"max1": "Maximum values can not be negative"}}, {}]},
    )


def test_release_health_widget_needs_no_title() -> None:
    body = _set(_example("dashboards"), "widgets.1.title", "")
    assert dashboards.validate_dashboard(body) is None


def test_layout_is_not_checked_against_the_grid() -> None:
    # LayoutField only wants the five keys as ints: Sentry lets a widget overflow the grid
    body = _set(_example("dashboards"), "widgets.0.layout.x", 6)
    assert dashboards.validate_dashboard(_set(body, "widgets.0.layout.w", 4)) is None


def test_dashboard_widget_limit() -> None:
    body = _example("dashboards")
    widget = body["widgets"][0]
    body["widgets"] = [copy.deepcopy(widget) for _ in range(facts.MAX_WIDGETS)]
    assert dashboards.validate_dashboard(body) is None
    body["widgets"].append(copy.deepcopy(widget))
    _refused(
        dashboards.validate_dashboard,
        body,
        {"nonFieldErrors": ["Number of widgets must be less than 30"]},
    )


def test_dashboard_put_is_partial() -> None:
    assert dashboards.validate_dashboard({"widgets": []}, partial=True) is None
    assert (
        dashboards.validate_dashboard(
            {"widgets": [{"id": "5", "layout": {"x": 0, "y": 0, "w": 2, "h": 1, "minH": 1}}]},
            partial=True,
        )
        is None
    )
    assert dashboards.validate_dashboard({"widgets": [{"id": "five"}]}, partial=True) == {
        "widgets": [{"id": ["Invalid ID format. Must be a numeric string"]}]
    }


def test_every_display_type_is_accepted_and_removed_ones_are_not() -> None:
    for display in facts.DASHBOARD_DISPLAY_TYPES:
        assert (
            dashboards.validate_dashboard(
                _set(_example("dashboards"), "widgets.0.displayType", display)
            )
            is None
        )
    for removed in ("top_n", "stacked_area", "world_map"):
        assert (
            dashboards.validate_dashboard(
                _set(_example("dashboards"), "widgets.0.displayType", removed)
            )
            is not None
        )


def test_title_uniqueness_and_widget_ownership_helpers() -> None:
    assert (
        dashboards.dashboard_title_conflict("ops", ["General", "ops"])
        == "Dashboard title already taken"
    )
    assert dashboards.dashboard_title_conflict("ops 2", ["General", "ops"]) is None
    body = {"widgets": [{"id": "1", "queries": [{"id": "10"}]}, {"title": "new"}]}
    assert dashboards.foreign_widget_error(body, ["1", "1/10"]) is None
    assert dashboards.foreign_widget_error(body, ["2"]) == [
        "You cannot update widgets that are not part of this dashboard."
    ]
    assert dashboards.foreign_widget_error(body, ["1"]) == [
        "You cannot use a query not owned by this widget"
    ]


def test_dashboard_permissions_teams_must_exist() -> None:
    body = _example("dashboards")
    body["permissions"] = {"isEditableByEveryone": False, "teamsWithEditAccess": [42, 7]}
    _refused(
        dashboards.validate_dashboard,
        body,
        {
            "permissions": {
                "nonFieldErrors": [
                    "Cannot update dashboard edit permissions. Teams with IDs 7 do not exist."
                ]
            }
        },
        ctx=v.OrgContext(team_ids=frozenset({"42"})),
    )


# ------------------------------------------------------- legacy metric alert rules (3.2-3.4)


def _nfe(message: str) -> dict[str, list[str]]:
    return {"nonFieldErrors": [message]}


ALERT_CASES: list[tuple[str, Any, dict[str, Any]]] = [
    ("triggers", [], _nfe("Must include at least one trigger")),
    ("timeWindow", 1441, {"timeWindow": ["Ensure this value is less than or equal to 1440."]}),
    ("timeWindow", 0, {"timeWindow": ["Ensure this value is greater than or equal to 1."]}),
    ("projects", ["a", "b"], {"projects": ["Ensure this field has no more than 1 elements."]}),
    ("name", "", {"name": ["This field may not be blank."]}),
    ("aggregate", ..., {"aggregate": ["This field is required."]}),
    ("thresholdType", 3, {"thresholdType": ["Invalid threshold type, valid values are [0, 1, 2]"]}),
    (
        "thresholdType",
        2,
        _nfe("Invalid threshold type: Allowed types for static alerts are above OR below"),
    ),
    ("triggers.0.label", "warning", _nfe('Trigger 1 must be labeled "critical"')),
    ("triggers.1.label", "critical", _nfe('Trigger 2 must be labeled "warning"')),
    (
        "triggers.1.actions",
        [],
        _nfe("Each trigger must have an associated action for this alert to fire."),
    ),
    ("triggers.0.alertThreshold", ..., _nfe("Trigger must have an alertThreshold")),
    (
        "triggers.1.alertThreshold",
        60,
        _nfe("Critical trigger must have an alert threshold above warning trigger"),
    ),
    ("resolveThreshold", 30, _nfe("warning alert threshold must be above resolution threshold")),
    ("resolveThreshold", 52, _nfe("critical alert threshold must be above resolution threshold")),
    (
        "sensitivity",
        "high",
        {"sensitivity": ["Sensitivity is not a valid field for this alert type"]},
    ),
    ("detectionType", "percent", _nfe("Percentage-based alerts require a comparison delta")),
    (
        "comparisonDelta",
        200000,
        {"comparisonDelta": ["Ensure this value is less than or equal to 128160."]},
    ),
    (
        "queryType",
        1,
        _nfe(
            "Invalid dataset for this query type. Valid datasets are "
            "['eventsanalyticsplatform', 'performancemetrics', 'transactions']"
        ),
    ),
    (
        "eventTypes",
        ["transaction"],
        _nfe("Invalid event types for this dataset. Valid event types are ['default', 'error']"),
    ),
    (
        "eventTypes",
        ["crash"],
        {
            "eventTypes": [
                "Invalid event_type, valid values are ['error', 'default', 'transaction', "
                "'trace_item_span', 'trace_item_log', 'trace_item_metric']"
            ]
        },
    ),
    (
        "query",
        "release:latest",
        {"query": ["Unsupported Query: We do not currently support the release:latest query"]},
    ),
    (
        "dataset",
        "sessions_v2",
        {
            "dataset": [
                "Invalid dataset, valid values are ['events', 'transactions', 'discover', "
                "'sessions', 'metrics', 'generic_metrics', 'events_analytics_platform']"
            ]
        },
    ),
    (
        "triggers.0.actions.0.type",
        "sms",
        {
            "type": [
                "Invalid type, valid values are ['email', 'slack', 'msteams', "
                "'pagerduty', 'opsgenie', 'discord', 'sentry_app']"
            ]
        },
    ),
    (
        "triggers.0.actions.0.targetType",
        "user",
        {"targetType": ["Invalid target type for slack. Valid types are ['specific']"]},
    ),
    (
        "triggers.0.actions.0.targetIdentifier",
        "",
        _nfe("One or more of your actions is missing a target identifier."),
    ),
    (
        "triggers.0.actions.0.integrationId",
        ...,
        {"integration": ["Integration must be provided for slack"]},
    ),
    (
        "triggers.1.actions.0.priority",
        "critical",
        {"priority": ["Can only be set for Pagerduty or Opsgenie"]},
    ),
    (
        "owner",
        "squad:1",
        {
            "owner": [
                "Could not parse actor. Format should be `type:id` where type is `team` or `user`."
            ]
        },
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"), ALERT_CASES, ids=[f"{c[0]}={c[1]!r}"[:50] for c in ALERT_CASES]
)
def test_alert_rule_rules(path: str, value: Any, expected: dict[str, Any]) -> None:
    _refused(legacy.validate_alert_rule, _set(_example("alert-rules"), path, value), expected)


def test_alert_rule_has_at_most_two_triggers() -> None:
    body = _example("alert-rules")
    body["triggers"].append(copy.deepcopy(body["triggers"][1]))
    _refused(
        legacy.validate_alert_rule,
        body,
        _nfe("Must send 1 or 2 triggers - A critical trigger, and an optional warning trigger"),
    )


def test_integer_resolve_threshold_boundary_is_accepted() -> None:
    # alert > 0, resolve < 1: valid for integers, as Sentry's comment explains
    body = _example("alert-rules")
    body["triggers"] = body["triggers"][:1]
    body["triggers"][0]["alertThreshold"] = 0
    body["resolveThreshold"] = 1
    assert legacy.validate_alert_rule(body) is None
    body["resolveThreshold"] = 1.5
    assert legacy.validate_alert_rule(body) == _nfe(
        "critical alert threshold must be above resolution threshold"
    )


def test_below_threshold_rules_mirror_above() -> None:
    body = _example("alert-rules", 1)  # crash-free sessions, thresholdType 1
    assert legacy.validate_alert_rule(body) is None
    body["resolveThreshold"] = 99.4
    assert legacy.validate_alert_rule(body) == _nfe(
        "critical alert threshold must be below resolution threshold"
    )


@pytest.mark.parametrize("window", [1, 5, 10, 15])
def test_crash_rate_alert_windows(window: int) -> None:
    body = _set(_example("alert-rules", 1), "timeWindow", window)
    assert legacy.validate_alert_rule(body) == _nfe(
        "Invalid Time Window: Allowed time windows for crash rate "
        "alerts are: 30min, 1h, 2h, 4h, 12h and 24h"
    )


@pytest.mark.parametrize("window", facts.CRASH_RATE_TIME_WINDOWS)
def test_crash_rate_alert_windows_accepted(window: int) -> None:
    assert (
        legacy.validate_alert_rule(_set(_example("alert-rules", 1), "timeWindow", window)) is None
    )


def test_crash_rate_priority_values() -> None:
    body = _set(_example("alert-rules", 1), "triggers.0.actions.0.priority", "P1")
    assert legacy.validate_alert_rule(body) == {
        "priority": [
            "Allowed priorities for Pagerduty are ['critical', 'warning', 'error', 'info']"
        ]
    }


def test_dynamic_alert_rules() -> None:
    body = _example("alert-rules")
    body.update(detectionType="dynamic", sensitivity="medium", thresholdType=2, timeWindow=15)
    del body["resolveThreshold"]
    for trigger in body["triggers"]:
        trigger["alertThreshold"] = 0
    assert legacy.validate_alert_rule(body) is None
    assert legacy.validate_alert_rule({**body, "timeWindow": 10}) == _nfe(
        "Invalid time window for dynamic alert (valid windows are 5, 15, 30, 60 minutes)"
    )
    assert legacy.validate_alert_rule({**body, "sensitivity": None}) == _nfe(
        "Dynamic alerts require a sensitivity level"
    )
    assert legacy.validate_alert_rule({**body, "query": "is:unresolved"}) == {
        "query": ["Dynamic alerts do not support 'is:unresolved' queries"]
    }


def test_percent_change_alert_rules() -> None:
    body = _set(_example("alert-rules"), "comparisonDelta", 60)
    assert legacy.validate_alert_rule(body) is None
    body = _set(_example("alert-rules", 1), "comparisonDelta", 60)
    assert legacy.validate_alert_rule(body) == _nfe(
        "Comparison alerts are not supported for crash rate alerts"
    )


def test_alert_rule_actions_checked_against_the_org() -> None:
    body = _example("alert-rules")
    ctx = v.OrgContext(
        integrations={"9001": "slack"}, team_ids=frozenset({"42"}), user_ids=frozenset()
    )
    assert legacy.validate_alert_rule(body, ctx=ctx) is None
    body["triggers"][1]["actions"][0]["targetIdentifier"] = "43"
    assert legacy.validate_alert_rule(body, ctx=ctx) == _nfe("Team does not exist")
    body["triggers"][1]["actions"][0].update(targetType="user", targetIdentifier="5")
    assert legacy.validate_alert_rule(body, ctx=ctx) == _nfe(
        "User does not belong to this organization"
    )
    ctx = v.OrgContext(integrations={"9001": "pagerduty"})
    assert legacy.validate_alert_rule(_example("alert-rules"), ctx=ctx) == {
        "integration": ["Integration does not exist"]
    }


# ------------------------------------------------------------------- legacy issue rules (4.x)

_LEVEL = "sentry.rules.filters.level.LevelFilter"
_FREQ = "sentry.rules.conditions.event_frequency.EventFrequencyCondition"

ISSUE_CASES: list[tuple[str, Any, dict[str, Any]]] = [
    ("frequency", 4, {"frequency": ["Ensure this value is greater than or equal to 5."]}),
    ("frequency", 43201, {"frequency": ["Ensure this value is less than or equal to 43200."]}),
    ("frequency", ..., {"frequency": ["This field is required."]}),
    ("name", "n" * 257, {"name": ["Ensure this field has no more than 256 characters."]}),
    ("actionMatch", "some", {"actionMatch": ['"some" is not a valid choice.']}),
    (
        "filterMatch",
        ...,
        {"filterMatch": ["Must select a filter match (all, any, none) if filters are supplied."]},
    ),
    ("actions", [], {"actions": ["You must add an action for this alert to fire."]}),
    (
        "conditions.0.id",
        "sentry.rules.conditions.nope.Nope",
        {"conditions": ["Invalid node. Could not find 'sentry.rules.conditions.nope.Nope'"]},
    ),
    ("conditions.0", {"interval": "1h"}, {"conditions": ["Missing attribute 'id'"]}),
    (
        "filters.0.level",
        "45",
        {"filters": ["Select a valid choice. 45 is not one of the available choices."]},
    ),
    (
        "filters.0.match",
        "gt",
        {"filters": ["Select a valid choice. gt is not one of the available choices."]},
    ),
    (
        "actions.1.targetType",
        "Everyone",
        {"actions": ["Select a valid choice. Everyone is not one of the available choices."]},
    ),
    (
        "actions.0.severity",
        "page",
        {"actions": ["Select a valid choice. page is not one of the available choices."]},
    ),
    (
        "owner",
        "user:x",
        {
            "owner": [
                "Could not parse actor. Format should be `type:id` where type is `team` or `user`."
            ]
        },
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"), ISSUE_CASES, ids=[f"{c[0]}={c[1]!r}"[:50] for c in ISSUE_CASES]
)
def test_issue_rule_rules(path: str, value: Any, expected: dict[str, Any]) -> None:
    _refused(legacy.validate_issue_rule, _set(_example("rules"), path, value), expected)


@pytest.mark.parametrize(
    ("node", "message"),
    [
        (
            {"id": _FREQ, "value": 10, "interval": "2h"},
            "Select a valid choice. 2h is not one of the available choices.",
        ),
        (
            {"id": _FREQ, "value": 10, "interval": "1h", "comparisonType": "percent"},
            "comparisonInterval is required when comparing by percent",
        ),
        (
            {
                "id": _FREQ.replace("EventFrequencyCondition", "EventFrequencyPercentCondition"),
                "value": 150,
                "interval": "1h",
            },
            "Ensure this value is less than or equal to 100",
        ),
        ({"id": _FREQ, "value": 10, "interval": "1h"}, None),
    ],
)
def test_issue_rule_frequency_conditions(node: dict[str, Any], message: str | None) -> None:
    body = _set(_example("rules"), "conditions", [node])
    assert legacy.validate_issue_rule(body) == (
        None if message is None else {"conditions": [message]}
    )


def test_issue_rule_email_targets_checked_against_the_project() -> None:
    body = _example("rules")
    body["actions"][1] = {
        "id": "sentry.mail.actions.NotifyEmailAction",
        "targetType": "Team",
        "targetIdentifier": "8",
    }
    ctx = v.OrgContext(team_ids=frozenset({"42"}), integrations={"9100": "pagerduty"})
    assert legacy.validate_issue_rule(body, ctx=ctx) == {
        "actions": ["This team is not part of the project."]
    }
    body["actions"][1].update(targetType="Member", targetIdentifier="3")
    assert legacy.validate_issue_rule(body, ctx=v.OrgContext(user_ids=frozenset({"1"}))) == {
        "actions": ["This user is not part of the project."]
    }


def test_duplicate_issue_rules_are_refused_whatever_their_name() -> None:
    body = _example("rules")
    other = {**copy.deepcopy(body), "name": "another name"}
    # node order and the server-added uuid do not matter
    other["actions"] = [{**a, "uuid": "u"} for a in reversed(other["actions"])]
    assert legacy.duplicate_issue_rule_error(body, [("12", "first rule", other)]) == {
        "name": [
            "This rule is an exact duplicate of 'first rule' in "
            "this project and may not be created."
        ],
        "ruleId": [12],
    }
    assert (
        legacy.duplicate_issue_rule_error({**body, "frequency": 60}, [("12", "first rule", other)])
        is None
    )


# --------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("validator", list(VALIDATORS.values()))
@pytest.mark.parametrize(("body", "got"), [([], "list"), ("text", "str"), (3, "int")])
def test_a_non_object_body_is_refused(validator: Validator, body: object, got: str) -> None:
    assert validator(body) == {
        "nonFieldErrors": [f"Invalid data. Expected a dictionary, but got {got}."]
    }


def test_error_keys_are_camel_case_and_messages_are_lists() -> None:
    bodies = [
        legacy.validate_alert_rule({}),
        detectors.validate_detector({"dataSources": [{}], "conditionGroup": {}}),
        dashboards.validate_dashboard({"widgets": [{"layout": {}}]}),
        legacy.validate_issue_rule({}),
    ]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                assert "_" not in key or key.isdigit(), key
                walk(value)
        elif isinstance(node, list):
            for item in node:
                assert isinstance(item, str | dict), item
                if isinstance(item, dict):
                    walk(item)
        else:
            raise AssertionError(f"a bare {type(node).__name__} where DRF gives a list: {node!r}")

    for errors in bodies:
        assert errors
        walk(errors)


def test_workflow_environment_by_name_or_id() -> None:
    # EnvironmentField (the spec's `environment`) and the older environment_id IntegerField
    ctx = v.OrgContext(environments={"production": "7"})
    body = _example("workflows")
    assert workflows.validate_workflow(body, ctx=ctx) is None
    assert workflows.validate_workflow(body, ctx=v.OrgContext(environments={})) == {
        "environment": ["Environment is not part of this organization"]
    }
    del body["environment"]
    assert workflows.validate_workflow({**body, "environmentId": 7}, ctx=ctx) is None
    assert workflows.validate_workflow({**body, "environmentId": None}, ctx=ctx) == {
        "environmentId": ["This field may not be null."]
    }
    assert workflows.validate_workflow({**body, "environmentId": "prod"}, ctx=ctx) == {
        "environmentId": ["A valid integer is required."]
    }
    assert workflows.validate_workflow({**body, "environment": None}, ctx=ctx) is None


@pytest.mark.parametrize(
    ("comparison", "accepted"),
    [
        ({"key": "level", "match": "eq", "value": "error"}, True),
        ({"key": "level", "match": "is"}, True),
        ({"key": "level", "match": "eq"}, False),  # a value is needed unless is / ns
        ({"key": "level", "match": "is", "value": "x"}, False),
        ({"key": "level", "match": "like", "value": "x"}, False),
    ],
)
def test_tagged_event_schema(comparison: dict[str, Any], accepted: bool) -> None:
    # the tagged_event schema (oneOf: is/ns without a value, the other matches with one)
    body = _example("workflows")
    body["actionFilters"][0]["conditions"] = [
        {"type": "tagged_event", "comparison": comparison, "conditionResult": True}
    ]
    errors = workflows.validate_workflow(body)
    if accepted:
        assert errors is None
    else:
        assert errors == {
            "actionFilters": {
                "conditions": {
                    "comparison": [f"Value, {comparison} does not match JSON Schema for comparison"]
                }
            }
        }


def test_action_schemas_per_provider() -> None:
    # each action's config target_type enum and data_schema (action_schema_mapping's copy)
    body = _example("workflows")
    action = body["actionFilters"][0]["actions"][0]
    action["config"]["targetType"] = "team"
    _refused(
        workflows.validate_workflow, body, {"actionFilters": {"config": ["2 is not one of [0]"]}}
    )
    body["actionFilters"][0]["actions"] = [
        {
            "type": "email",
            "integrationId": None,
            "data": {"fallthroughType": "ActiveMembers", "cc": "x"},
            "config": {"targetType": "issue_owners", "targetIdentifier": ""},
        }
    ]
    _refused(
        workflows.validate_workflow,
        body,
        {
            "actionFilters": {
                "data": ["Additional properties are not allowed ('cc' was unexpected)"]
            }
        },
    )
    del body["actionFilters"][0]["actions"][0]["data"]["cc"]
    assert workflows.validate_workflow(body) is None
