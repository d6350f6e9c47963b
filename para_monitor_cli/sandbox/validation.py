"""Sentry's server-side validation rules, as pure functions over request bodies.

Every ``validate_*`` function takes the decoded JSON body of one request and returns
``None`` when Sentry would accept it, or the error body Sentry answers with a 400,
shaped the way Django REST Framework renders it:

* a field's own errors: ``{"timeWindow": ["msg"]}`` (camelCase keys, lists of strings);
* a serializer's cross-field errors: ``{"nonFieldErrors": ["msg"]}``;
* a nested serializer: the same shape nested, ``{"conditionGroup": {"conditions": ["msg"]}}``;
* a ``many=True`` nested serializer: one entry per item, ``{}`` for the valid ones,
  ``{"widgets": [{}, {"layout": ["msg"]}]}``;
* a ``ListField`` of serializers: a mapping from the item's index (as a string) to its errors,
  ``{"dataSources": {"0": {"nonFieldErrors": ["msg"]}}}``.

Like DRF, field-level checks run first and are all reported together; the cross-field rules
(a serializer's ``validate``) only run when every field is valid, and stop at the first error.

Keys may be sent in camelCase or snake_case (Sentry's CamelSnake serializers accept both).

Sources: shared/docs/sentry-api-reference.md sections 3.2-3.4, 4.x, 5.1-5.2 and 6.x, and the
getsentry/sentry serializers they cite (``incidents/serializers/alert_rule.py``,
``snuba/snuba_query_validator.py``, ``incidents/metric_issue_detector.py``,
``api/serializers/rest_framework/dashboard.py``). Messages marked *inferred* in that document
are reproduced as written there.

Checks that need the organization's state (members, teams, integrations, projects, existing
workflows/detectors) run only when an :class:`OrgContext` is given. The sandbox checks
ownership of widget ids (:func:`foreign_widget_error`) and title uniqueness
(:func:`dashboard_title_conflict`) itself, since they need the stored dashboards.

Standard library only: the sandbox imports nothing from the rest of the package.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ALERT_RULE_TIME_WINDOWS",
    "CRASH_RATE_TIME_WINDOWS",
    "DASHBOARD_DISPLAY_TYPES",
    "DASHBOARD_WIDGET_TYPES",
    "DETECTOR_COMPARISON_DELTAS",
    "DYNAMIC_TIME_WINDOWS",
    "GRID_COLUMNS",
    "MAX_WIDGETS",
    "PRIORITY_HIGH",
    "PRIORITY_LOW",
    "PRIORITY_MEDIUM",
    "WORKFLOW_FREQUENCIES",
    "ErrorBody",
    "OrgContext",
    "dashboard_title_conflict",
    "duplicate_issue_rule_error",
    "foreign_widget_error",
    "issue_rule_fingerprint",
    "validate_alert_rule",
    "validate_dashboard",
    "validate_detector",
    "validate_issue_rule",
    "validate_workflow",
]

ErrorBody = dict[str, Any]

# --------------------------------------------------------------------------- constants

#: Detector condition results (DetectorPriorityLevel): high, medium, and OK (resolved).
PRIORITY_HIGH = 75
PRIORITY_MEDIUM = 50
PRIORITY_LOW = 0
DETECTOR_CONDITION_RESULTS = (PRIORITY_HIGH, PRIORITY_MEDIUM, PRIORITY_LOW)
DETECTOR_CONDITION_TYPES = ("gt", "lt", "gte", "lte", "anomaly_detection")
DETECTOR_TYPES = ("metric_issue",)
DETECTION_TYPES = ("static", "percent", "dynamic")
#: Percent-change comparison deltas for detectors, in seconds.
DETECTOR_COMPARISON_DELTAS = (300, 900, 3600, 86400, 604800, 2592000)
MAX_DETECTOR_CONDITIONS = 3

#: Documented metric-alert windows, minutes (the serializer accepts 1..1440).
ALERT_RULE_TIME_WINDOWS = (1, 5, 10, 15, 30, 60, 120, 240, 1440)
#: Crash-rate (dataset ``metrics``) windows, minutes.
CRASH_RATE_TIME_WINDOWS = (30, 60, 120, 240, 720, 1440)
#: Dynamic (anomaly) detection windows, minutes.
DYNAMIC_TIME_WINDOWS = (5, 15, 30, 60)
EAP_MIN_TIME_WINDOW = 5
MAX_TIME_WINDOW = 1440
MAX_COMPARISON_DELTA = 89 * 24 * 60

#: Workflow ``config.frequency`` values, minutes.
WORKFLOW_FREQUENCIES = (0, 5, 10, 30, 60, 180, 720, 1440)
#: The only key of ``Workflow.config_schema`` (``additionalProperties: false``).
WORKFLOW_CONFIG_KEYS = ("frequency",)
WORKFLOW_LOGIC_TYPES = ("any", "any-short", "all", "none")
WORKFLOW_TRIGGER_TYPES = (
    "first_seen_event",
    "regression_event",
    "reappeared_event",
    "issue_resolved_trigger",
    "seer_activity_trigger",
)
WORKFLOW_FILTER_TYPES = (
    "age_comparison",
    "assigned_to",
    "issue_category",
    "issue_occurrences",
    "issue_priority_deescalating",
    "issue_priority_greater_or_equal",
    "event_frequency_count",
    "event_frequency_percent",
    "event_unique_user_frequency_count",
    "percent_sessions_count",
    "percent_sessions_percent",
    "event_attribute",
    "tagged_event",
    "latest_release",
    "latest_adopted_release",
    "level",
)
WORKFLOW_FREQUENCY_INTERVALS = ("1min", "5min", "15min", "1hr", "1d", "1w", "30d")
WORKFLOW_ACTION_TYPES = (
    "email",
    "slack",
    "pagerduty",
    "discord",
    "msteams",
    "opsgenie",
    "jira",
    "jira_server",
    "github",
    "github_enterprise",
    "gitlab",
    "vsts",
    "sentry_app",
    "plugin",
    "webhook",
)
WORKFLOW_TARGET_TYPES = ("user", "team", "issue_owners", "specific", "sentry_app")
LEVELS = (0, 10, 20, 30, 40, 50)
LEVEL_MATCHES = ("eq", "gte", "lte")

MAX_WIDGETS = 30
GRID_COLUMNS = 6
DASHBOARD_DISPLAY_TYPES = (
    "line",
    "area",
    "bar",
    "table",
    "big_number",
    "details",
    "categorical_bar",
    "wheel",
    "rage_and_dead_clicks",
    "server_tree",
    "text",
    "agents_traces_table",
    "heatmap",
)
DASHBOARD_WIDGET_TYPES = (
    "discover",
    "issue",
    "metrics",
    "error-events",
    "transaction-like",
    "spans",
    "logs",
    "tracemetrics",
    "preprod-app-size",
)

# Datasets: value -> Dataset enum name lower-cased (how Sentry prints them in some messages).
DATASET_NAMES = {
    "events": "events",
    "transactions": "transactions",
    "discover": "discover",
    "sessions": "sessions",
    "metrics": "metrics",
    "generic_metrics": "performancemetrics",
    "events_analytics_platform": "eventsanalyticsplatform",
}
QUERY_TYPE_DATASETS = {
    0: ("events",),
    1: ("transactions", "generic_metrics", "events_analytics_platform"),
    2: ("metrics",),
}
DATASET_DEFAULT_QUERY_TYPE = {
    "events": 0,
    "transactions": 1,
    "generic_metrics": 1,
    "events_analytics_platform": 1,
    "metrics": 2,
}
EVENT_TYPES = (
    "error",
    "default",
    "transaction",
    "trace_item_span",
    "trace_item_log",
    "trace_item_metric",
)
QUERY_TYPE_EVENT_TYPES = {
    0: ("default", "error"),
    1: ("trace_item_log", "trace_item_span", "transaction"),
    2: (),
}
UNSUPPORTED_QUERIES = ("release:latest",)

_AGGREGATE_FUNCTIONS = {
    "count",
    "count_unique",
    "failure_rate",
    "apdex",
    "avg",
    "sum",
    "min",
    "max",
    "p50",
    "p75",
    "p90",
    "p95",
    "p99",
    "p100",
    "percentile",
    "percentage",
    "epm",
    "eps",
}
_CRASH_RATE_AGGREGATES = (
    "percentage(sessions_crashed, sessions) AS _crash_rate_alert_aggregate",
    "percentage(users_crashed, users) AS _crash_rate_alert_aggregate",
)
_COLUMNS = {"transaction.duration", "user", "dist", "release", "span.duration", "span.self_time"}
_AGGREGATE_RE = re.compile(r"^(?P<fn>\w+)\((?P<args>[^()]*)\)(?: AS \w+)?$")

ALERT_ACTION_TYPES = (
    "email",
    "slack",
    "msteams",
    "pagerduty",
    "opsgenie",
    "discord",
    "sentry_app",
)
ALERT_TARGET_TYPES = ("specific", "user", "team", "sentry_app")
ALERT_TARGETS_FOR_TYPE = {
    "email": ("user", "team"),
    "slack": ("specific",),
    "msteams": ("specific",),
    "pagerduty": ("specific",),
    "opsgenie": ("specific",),
    "discord": ("specific",),
    "sentry_app": ("sentry_app",),
}
PRIORITIES_FOR_TYPE = {
    "pagerduty": ("critical", "warning", "error", "info"),
    "opsgenie": ("P1", "P2", "P3", "P4", "P5"),
}

ISSUE_RULE_MATCHES = ("all", "any", "none")
ISSUE_FREQUENCY_MIN = 5
ISSUE_FREQUENCY_MAX = 43200
_C = "sentry.rules.conditions."
_F = "sentry.rules.filters."
ISSUE_CONDITION_IDS = (
    _C + "first_seen_event.FirstSeenEventCondition",
    _C + "regression_event.RegressionEventCondition",
    _C + "reappeared_event.ReappearedEventCondition",
    _C + "high_priority_issue.NewHighPriorityIssueCondition",
    _C + "high_priority_issue.ExistingHighPriorityIssueCondition",
    _C + "event_frequency.EventFrequencyCondition",
    _C + "event_frequency.EventUniqueUserFrequencyCondition",
    _C + "event_frequency.EventFrequencyPercentCondition",
    _C + "event_attribute.EventAttributeCondition",
)
ISSUE_FILTER_IDS = (
    _F + "age_comparison.AgeComparisonFilter",
    _F + "issue_occurrences.IssueOccurrencesFilter",
    _F + "assigned_to.AssignedToFilter",
    _F + "latest_release.LatestReleaseFilter",
    _F + "latest_adopted_release_filter.LatestAdoptedReleaseFilter",
    _F + "issue_category.IssueCategoryFilter",
    _F + "issue_type.IssueTypeFilter",
    _F + "tagged_event.TaggedEventFilter",
    _F + "level.LevelFilter",
    _F + "event_attribute.EventAttributeFilter",
)
ISSUE_ACTION_IDS = (
    "sentry.mail.actions.NotifyEmailAction",
    "sentry.integrations.slack.notify_action.SlackNotifyServiceAction",
    "sentry.integrations.pagerduty.notify_action.PagerDutyNotifyServiceAction",
    "sentry.integrations.msteams.notify_action.MsTeamsNotifyServiceAction",
    "sentry.integrations.discord.notify_action.DiscordNotifyServiceAction",
    "sentry.integrations.opsgenie.notify_action.OpsgenieNotifyTeamAction",
    "sentry.rules.actions.notify_event.NotifyEventAction",
    "sentry.rules.actions.notify_event_service.NotifyEventServiceAction",
    "sentry.rules.actions.notify_event_sentry_app.NotifyEventSentryAppAction",
)
_FREQUENCY_INTERVALS = ("1m", "5m", "15m", "1h", "1d", "1w", "30d")
_PERCENT_INTERVALS = ("1m", "5m", "10m", "30m", "1h")
_COMPARISON_INTERVALS = ("5m", "15m", "1h", "1d", "1w", "30d")
_MATCH_TYPES = ("eq", "ne", "sw", "ew", "co", "nc", "is", "ns", "in", "nin")
_LEVEL_VALUES = ("50", "40", "30", "20", "10", "0")

_REQUIRED = "This field is required."
_NULL = "This field may not be null."
_BLANK = "This field may not be blank."
_INTERVAL_RE = re.compile(r"^\d+[smhdw]$")


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class OrgContext:
    """What the organization holds, for the checks that need it (``None`` skips a check).

    Ids are compared as strings. ``integrations`` maps an integration id to its provider
    key (``slack``, ``pagerduty``...).
    """

    user_ids: frozenset[str] | None = None
    team_ids: frozenset[str] | None = None
    integrations: Mapping[str, str] | None = None
    project_slugs: frozenset[str] | None = None
    workflow_ids: frozenset[str] | None = None
    detector_ids: frozenset[str] | None = None


# --------------------------------------------------------------------------- helpers


def _not_a_dictionary(value: Any) -> ErrorBody:
    """DRF's answer to a body that is not an object: it names the (Python) type it got."""
    got = type(value).__name__
    return {"nonFieldErrors": [f"Invalid data. Expected a dictionary, but got {got}."]}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


_MISSING = object()


def _get(body: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A camelCase key, or its snake_case spelling (CamelSnake serializers take both)."""
    if key in body:
        return body[key]
    snake = _snake(key)
    if snake in body:
        return body[snake]
    return default


def _has(body: Mapping[str, Any], key: str) -> bool:
    return key in body or _snake(key) in body


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_int(value: Any) -> int | None:
    """DRF IntegerField: ints and integral strings/floats, not bools."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _add(errors: ErrorBody, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _char(
    errors: ErrorBody,
    body: Mapping[str, Any],
    key: str,
    *,
    required: bool,
    max_length: int | None = None,
    allow_blank: bool = False,
    allow_null: bool = False,
) -> None:
    """DRF CharField checks on ``body[key]``."""
    if not _has(body, key):
        if required:
            _add(errors, key, _REQUIRED)
        return
    value = _get(body, key)
    if value is None:
        if not allow_null:
            _add(errors, key, _NULL)
        return
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        _add(errors, key, "Not a valid string.")
        return
    text = str(value)
    if not text.strip() and not allow_blank:
        _add(errors, key, _BLANK)
        return
    if max_length is not None and len(text) > max_length:
        _add(errors, key, f"Ensure this field has no more than {max_length} characters.")


def _choices_text(choices: Iterable[object]) -> str:
    return "[" + ", ".join(repr(c) for c in choices) + "]"


def _owner_error(owner: Any, ctx: OrgContext | None) -> str | None:
    """ActorField: ``user:<id>`` or ``team:<id>``."""
    if owner is None:
        return None
    if not isinstance(owner, str) or not re.fullmatch(r"(user|team):\d+", owner):
        return "Could not parse actor. Format should be `type:id` where type is `team` or `user`."
    kind, _, ident = owner.partition(":")
    if ctx is not None:
        if kind == "user" and ctx.user_ids is not None and ident not in ctx.user_ids:
            return "User is not a member of this organization"
        if kind == "team" and ctx.team_ids is not None and ident not in ctx.team_ids:
            return "Team is not a member of this organization"
    return None


def _aggregate_error(aggregate: str, dataset: str) -> str | None:
    """A small stand-in for check_aggregate_column_support and the query builder."""
    if aggregate.strip() == "upsampled_count()":
        return "Invalid Metric: upsampled_count() is not allowed, use count() instead"
    if aggregate in _CRASH_RATE_AGGREGATES:
        return (
            None
            if dataset == "metrics"
            else "Invalid Metric: We do not currently support this field."
        )
    match = _AGGREGATE_RE.match(aggregate.strip())
    if match is None:
        return "Invalid Metric: Please pass a valid function for aggregation"
    function = match["fn"]
    if function not in _AGGREGATE_FUNCTIONS:
        return f"Invalid Metric: {function} is not a valid function"
    args = [a.strip() for a in match["args"].split(",") if a.strip()]
    if not args:
        return None
    column = args[0]
    if function in {"apdex", "epm", "eps"} and column.isdigit():
        return None
    if (
        column in _COLUMNS
        or column.startswith("measurements.")
        or re.fullmatch(r"tags\[sentry:(user|dist|release)\]", column)
        or dataset == "events_analytics_platform"
    ):
        return None
    return "Invalid Metric: We do not currently support this field."


# --------------------------------------------------------------------------- snuba queries


def _snuba_query_errors(
    source: Any,
    *,
    seconds: bool,
    detection_type: str = "static",
) -> ErrorBody | None:
    """SnubaQueryValidator / the query half of AlertRuleSerializer.

    ``seconds`` says whether ``timeWindow`` is in seconds (detectors) or minutes (alert rules).
    """
    if not isinstance(source, Mapping):
        return _not_a_dictionary(source)
    errors: ErrorBody = {}
    required = (
        ("dataset", "query", "aggregate", "timeWindow")
        if seconds
        else ("query", "aggregate", "timeWindow")
    )
    for key in required:
        if not _has(source, key):
            _add(errors, key, _REQUIRED)
    dataset = _get(source, "dataset", "events")
    if _has(source, "dataset") and dataset not in DATASET_NAMES:
        _add(errors, "dataset", f"Invalid dataset, valid values are {_choices_text(DATASET_NAMES)}")
    query_type = _get(source, "queryType")
    if query_type is not None and _as_int(query_type) not in QUERY_TYPE_DATASETS:
        if seconds:
            _add(errors, "queryType", f"Invalid query type {query_type}")
        else:
            _add(
                errors, "queryType", f"Invalid query type {query_type}, valid values are [0, 1, 2]"
            )
    query = _get(source, "query")
    if query is not None:
        if not isinstance(query, str):
            _add(errors, "query", "Not a valid string.")
        else:
            for term in query.split():
                if term in UNSUPPORTED_QUERIES:
                    _add(
                        errors,
                        "query",
                        f"Unsupported Query: We do not currently support the {term} query",
                    )
                if detection_type == "dynamic" and term == "is:unresolved":
                    _add(errors, "query", "Dynamic alerts do not support 'is:unresolved' queries")
    aggregate = _get(source, "aggregate")
    if _has(source, "aggregate") and (not isinstance(aggregate, str) or not aggregate.strip()):
        _add(errors, "aggregate", _BLANK if isinstance(aggregate, str) else "Not a valid string.")
    window = _get(source, "timeWindow")
    window_minutes: int | None = None
    if _has(source, "timeWindow"):
        value = _as_int(window)
        if value is None:
            _add(errors, "timeWindow", "A valid integer is required.")
        elif seconds:
            if value % 60 or not 60 <= value <= MAX_TIME_WINDOW * 60:
                _add(
                    errors,
                    "timeWindow",
                    "Time window must be a whole number of minutes between 60 and 86400 seconds",
                )
            else:
                window_minutes = value // 60
        elif value < 1:
            _add(errors, "timeWindow", "Ensure this value is greater than or equal to 1.")
        elif value > MAX_TIME_WINDOW:
            _add(
                errors,
                "timeWindow",
                f"Ensure this value is less than or equal to {MAX_TIME_WINDOW}.",
            )
        else:
            window_minutes = value
    event_types = _get(source, "eventTypes")
    if event_types is not None:
        if not isinstance(event_types, list) or not all(isinstance(e, str) for e in event_types):
            _add(errors, "eventTypes", 'Expected a list of items but got type "str".')
        elif any(e.lower() not in EVENT_TYPES for e in event_types):
            _add(errors, "eventTypes", f"Invalid event_type, valid values are {list(EVENT_TYPES)}")
    environment = _get(source, "environment")
    if environment is not None and not isinstance(environment, str):
        _add(errors, "environment", "Not a valid string.")
    extrapolation = _get(source, "extrapolationMode")
    if seconds and extrapolation == "server_weighted":
        _add(
            errors,
            "extrapolationMode",
            "server_weighted extrapolation mode is not supported for new detectors.",
        )
    if errors:
        return errors

    # cross-field rules (serializer.validate): the first failure wins
    assert isinstance(aggregate, str)
    problem = _aggregate_error(aggregate, dataset)
    if problem is not None:
        return {"aggregate": [problem]}
    qtype = (
        _as_int(query_type)
        if query_type is not None
        else DATASET_DEFAULT_QUERY_TYPE.get(dataset, 0)
    )
    assert qtype is not None
    valid_datasets = QUERY_TYPE_DATASETS[qtype]
    if dataset not in valid_datasets:
        names = sorted(DATASET_NAMES[d] for d in valid_datasets)
        return {
            "nonFieldErrors": [f"Invalid dataset for this query type. Valid datasets are {names}"]
        }
    types = [] if qtype == 2 else [e.lower() for e in (event_types or [])]
    allowed = QUERY_TYPE_EVENT_TYPES[qtype]
    if types and set(types) - set(allowed):
        return {
            "nonFieldErrors": [
                f"Invalid event types for this dataset. Valid event types are {sorted(allowed)}"
            ]
        }
    if dataset == "events_analytics_platform" and len(types) > 1:
        return {
            "nonFieldErrors": [
                f"Multiple event types not allowed. Valid event types are {sorted(allowed)}"
            ]
        }
    assert window_minutes is not None
    if dataset == "metrics" and window_minutes not in CRASH_RATE_TIME_WINDOWS:
        return {
            "nonFieldErrors": [
                "Invalid Time Window: Allowed time windows for crash rate alerts are: "
                "30min, 1h, 2h, 4h, 12h and 24h"
            ]
        }
    if dataset == "events_analytics_platform" and window_minutes < EAP_MIN_TIME_WINDOW:
        return {
            "nonFieldErrors": [
                "Invalid Time Window: Time window for this alert type must be at least 5 minutes."
            ]
        }
    if detection_type == "dynamic" and window_minutes not in DYNAMIC_TIME_WINDOWS:
        return {
            "nonFieldErrors": [
                "Invalid time window for dynamic alert (valid windows are 5, 15, 30, 60 minutes)"
            ]
        }
    return None


# --------------------------------------------------------------------------- detectors


def _detector_condition_errors(condition: Any, detection_type: str) -> ErrorBody:
    errors: ErrorBody = {}
    if not isinstance(condition, Mapping):
        return {"nonFieldErrors": ["Invalid data. Expected a dictionary."]}
    ctype = _get(condition, "type")
    if ctype is None:
        _add(errors, "type", _REQUIRED)
    elif ctype not in DETECTOR_CONDITION_TYPES:
        _add(errors, "type", f"Unsupported type {ctype}")
    if not _has(condition, "comparison"):
        _add(errors, "comparison", _REQUIRED)
    else:
        comparison = _get(condition, "comparison")
        if ctype == "anomaly_detection":
            problem = _anomaly_comparison_error(comparison)
            if problem:
                _add(errors, "comparison", problem)
        elif isinstance(comparison, Mapping):
            _add(errors, "comparison", "A valid number is required.")
        elif _as_number(comparison) is None:
            _add(errors, "comparison", "A valid number or dict is required.")
    if not _has(condition, "conditionResult"):
        _add(errors, "conditionResult", _REQUIRED)
    elif _as_int(_get(condition, "conditionResult")) not in DETECTOR_CONDITION_RESULTS:
        _add(errors, "conditionResult", "Unsupported condition result")
    if not errors and ctype == "anomaly_detection" and detection_type != "dynamic":
        _add(errors, "type", "Anomaly detection conditions require the dynamic detection type")
    if not errors and ctype != "anomaly_detection" and detection_type == "dynamic":
        _add(errors, "type", "Dynamic detectors only support anomaly_detection conditions")
    return errors


def _anomaly_comparison_error(comparison: Any) -> str | None:
    if not isinstance(comparison, Mapping):
        return "A valid dict is required for anomaly detection."
    if comparison.get("seasonality", "auto") != "auto":
        return "Invalid seasonality, valid values are ['auto']"
    if comparison.get("sensitivity") not in ("low", "medium", "high"):
        return "Invalid sensitivity, valid values are ['low', 'medium', 'high']"
    threshold_type = _get(comparison, "thresholdType")
    if _as_int(threshold_type) not in (0, 1, 2):
        return "Invalid threshold type, valid values are [0, 1, 2]"
    return None


def validate_detector(
    body: Any, *, partial: bool = False, ctx: OrgContext | None = None
) -> ErrorBody | None:
    """A metric monitor create (``partial=False``) or update (PUT, ``partial=True``) body."""
    if not isinstance(body, Mapping):
        return _not_a_dictionary(body)
    errors: ErrorBody = {}
    _char(errors, body, "name", required=not partial, max_length=200)
    dtype = _get(body, "type")
    if not _has(body, "type"):
        if not partial:
            _add(errors, "type", _REQUIRED)
    elif dtype not in DETECTOR_TYPES:
        _add(
            errors,
            "type",
            f"Unknown detector type '{dtype}'. Must be one of: {', '.join(DETECTOR_TYPES)}",
        )

    config = _get(body, "config")
    detection_type = "static"
    if config is not None:
        if not isinstance(config, Mapping):
            _add(errors, "config", "Expected a dictionary of items.")
        else:
            detection_type = _get(config, "detectionType", "static")
            delta = _get(config, "comparisonDelta")
            if detection_type not in DETECTION_TYPES:
                _add(errors, "config", f"'{detection_type}' is not one of {list(DETECTION_TYPES)}")
            elif delta is not None and delta not in DETECTOR_COMPARISON_DELTAS:
                _add(
                    errors, "config", f"{delta} is not one of {[*DETECTOR_COMPARISON_DELTAS, None]}"
                )
            elif detection_type == "percent" and delta is None:
                _add(errors, "config", "Percentage-based alerts require a comparison delta")
            elif detection_type != "percent" and delta is not None:
                _add(errors, "config", "Comparison delta is only allowed for percent detection")

    sources = _get(body, "dataSources")
    if _has(body, "dataSources"):
        if not isinstance(sources, list):
            _add(errors, "dataSources", 'Expected a list of items but got type "dict".')
        else:
            source_errors = {
                str(i): err
                for i, source in enumerate(sources)
                if (err := _snuba_query_errors(source, seconds=True, detection_type=detection_type))
            }
            if source_errors:
                errors["dataSources"] = source_errors
            elif len(sources) != 1:
                _add(errors, "dataSources", "Metric monitors take exactly one data source")

    group = _get(body, "conditionGroup")
    if not _has(body, "conditionGroup"):
        if not partial:
            _add(errors, "conditionGroup", _REQUIRED)
    elif not isinstance(group, Mapping):
        _add(errors, "conditionGroup", "Invalid data. Expected a dictionary.")
    else:
        group_errors: ErrorBody = {}
        logic = _get(group, "logicType")
        if logic is not None and logic not in WORKFLOW_LOGIC_TYPES:
            _add(group_errors, "logicType", f'"{logic}" is not a valid choice.')
        conditions = _get(group, "conditions")
        if conditions is None:
            _add(group_errors, "conditions", _REQUIRED)
        elif not isinstance(conditions, list):
            _add(group_errors, "conditions", 'Expected a list of items but got type "dict".')
        else:
            per_item = [_detector_condition_errors(c, detection_type) for c in conditions]
            if any(per_item):
                group_errors["conditions"] = per_item
            elif not any(
                _as_int(_get(c, "conditionResult")) == PRIORITY_LOW for c in conditions
            ) and not any(_get(c, "type") == "anomaly_detection" for c in conditions):
                _add(
                    group_errors,
                    "conditions",
                    "Resolution condition required for metric issue detector.",
                )
        if group_errors:
            errors["conditionGroup"] = group_errors

    workflow_ids = _get(body, "workflowIds")
    if workflow_ids is not None:
        if not isinstance(workflow_ids, list) or any(_as_int(w) is None for w in workflow_ids):
            _add(errors, "workflowIds", "A valid integer is required.")
        elif ctx is not None and ctx.workflow_ids is not None:
            missing = [str(w) for w in workflow_ids if str(w) not in ctx.workflow_ids]
            if missing:
                _add(errors, "workflowIds", "Some workflows do not exist.")
    owner_problem = _owner_error(_get(body, "owner"), ctx)
    if owner_problem:
        _add(errors, "owner", owner_problem)
    _char(errors, body, "description", required=False, allow_blank=True, allow_null=True)
    enabled = _get(body, "enabled")
    if enabled is not None and not isinstance(enabled, bool):
        _add(errors, "enabled", "Must be a valid boolean.")
    if errors:
        return errors

    if isinstance(group, Mapping):
        conditions = _get(group, "conditions") or []
        if len(conditions) > MAX_DETECTOR_CONDITIONS:
            return {"nonFieldErrors": ["Too many conditions"]}
    return None


# --------------------------------------------------------------------------- workflows


def _workflow_condition_errors(condition: Any, allowed: Sequence[str]) -> ErrorBody:
    if not isinstance(condition, Mapping):
        return {"nonFieldErrors": ["Invalid data. Expected a dictionary."]}
    errors: ErrorBody = {}
    ctype = _get(condition, "type")
    if ctype is None:
        _add(errors, "type", _REQUIRED)
    elif ctype not in allowed:
        _add(errors, "type", f'"{ctype}" is not a valid choice.')
    if not _has(condition, "comparison"):
        _add(errors, "comparison", _REQUIRED)
    if not _has(condition, "conditionResult"):
        _add(errors, "conditionResult", _REQUIRED)
    if errors:
        return errors
    comparison = _get(condition, "comparison")
    problem = _filter_comparison_error(str(ctype), comparison)
    if problem:
        _add(errors, "comparison", problem)
    return errors


def _filter_comparison_error(ctype: str, comparison: Any) -> str | None:
    if ctype in WORKFLOW_TRIGGER_TYPES or ctype in (
        "latest_release",
        "issue_priority_deescalating",
    ):
        return None if isinstance(comparison, bool) else "Must be a valid boolean."
    if ctype == "level":
        if not isinstance(comparison, Mapping):
            return "Expected a dictionary of items."
        if _as_int(comparison.get("level")) not in LEVELS:
            return f"Invalid level, valid values are {list(LEVELS)}"
        if comparison.get("match") not in LEVEL_MATCHES:
            return f"Invalid match, valid values are {list(LEVEL_MATCHES)}"
        return None
    if ctype == "issue_priority_greater_or_equal":
        return (
            None
            if _as_int(comparison) in (25, 50, 75)
            else "Invalid priority, valid values are [25, 50, 75]"
        )
    if ctype in (
        "event_frequency_count",
        "event_unique_user_frequency_count",
        "event_frequency_percent",
    ):
        if not isinstance(comparison, Mapping):
            return "Expected a dictionary of items."
        if comparison.get("interval") not in WORKFLOW_FREQUENCY_INTERVALS:
            return f"Invalid interval, valid values are {list(WORKFLOW_FREQUENCY_INTERVALS)}"
        if _as_number(comparison.get("value")) is None or float(comparison["value"]) < 0:
            return "value must be a non-negative number"
        if ctype == "event_frequency_percent" and "comparisonInterval" not in comparison:
            return "comparisonInterval is required when comparing by percent"
        return None
    return None


def _workflow_action_errors(action: Any, ctx: OrgContext | None) -> ErrorBody:
    if not isinstance(action, Mapping):
        return {"nonFieldErrors": ["Invalid data. Expected a dictionary."]}
    errors: ErrorBody = {}
    atype = _get(action, "type")
    if atype is None:
        _add(errors, "type", _REQUIRED)
    elif atype not in WORKFLOW_ACTION_TYPES:
        _add(errors, "type", f'"{atype}" is not a valid choice.')
    config = _get(action, "config")
    if config is None:
        _add(errors, "config", _REQUIRED)
    elif not isinstance(config, Mapping):
        _add(errors, "config", "Expected a dictionary of items.")
    else:
        target_type = _get(config, "targetType")
        if target_type not in WORKFLOW_TARGET_TYPES:
            _add(errors, "config", f"'{target_type}' is not one of {list(WORKFLOW_TARGET_TYPES)}")
        elif target_type in ("user", "team", "specific") and not _get(config, "targetIdentifier"):
            _add(errors, "config", "targetIdentifier is required for this target type")
    data = _get(action, "data", {})
    if not isinstance(data, Mapping):
        _add(errors, "data", "Expected a dictionary of items.")
    status = _get(action, "status")
    if status is not None and status not in ("active", "disabled"):
        _add(errors, "status", f'"{status}" is not a valid choice.')
    integration = _get(action, "integrationId")
    if errors:
        return errors
    if atype in ("slack", "pagerduty", "discord", "msteams", "opsgenie") and integration is None:
        return {"integrationId": [f"Integration ID is required for {atype} actions"]}
    if integration is not None and ctx is not None and ctx.integrations is not None:
        provider = ctx.integrations.get(str(integration))
        if provider is None:
            return {"integrationId": ["Integration not found"]}
        if provider != atype:
            return {"integrationId": [f"Integration {integration} is not a {atype} integration"]}
    assert isinstance(config, Mapping)
    if atype == "email" and ctx is not None:
        target_type = _get(config, "targetType")
        ident = str(_get(config, "targetIdentifier"))
        if target_type == "user" and ctx.user_ids is not None and ident not in ctx.user_ids:
            return {"config": ["User does not belong to this organization"]}
        if target_type == "team" and ctx.team_ids is not None and ident not in ctx.team_ids:
            return {"config": ["Team does not exist"]}
    if (
        atype in PRIORITIES_FOR_TYPE
        and isinstance(data, Mapping)
        and "priority" in data
        and data["priority"] not in PRIORITIES_FOR_TYPE[str(atype)]
    ):
        return {
            "data": [f"Invalid priority, valid values are {list(PRIORITIES_FOR_TYPE[str(atype)])}"]
        }
    return {}


def _condition_group_errors(
    group: Any,
    allowed: Sequence[str],
    ctx: OrgContext | None,
    *,
    with_actions: bool,
) -> ErrorBody:
    if not isinstance(group, Mapping):
        return {"nonFieldErrors": ["Invalid data. Expected a dictionary."]}
    errors: ErrorBody = {}
    logic = _get(group, "logicType")
    if logic is None:
        _add(errors, "logicType", _REQUIRED)
    elif logic not in WORKFLOW_LOGIC_TYPES:
        _add(errors, "logicType", f'"{logic}" is not a valid choice.')
    conditions = _get(group, "conditions", [])
    if not isinstance(conditions, list):
        _add(errors, "conditions", 'Expected a list of items but got type "dict".')
    else:
        per_item = [_workflow_condition_errors(c, allowed) for c in conditions]
        if any(per_item):
            errors["conditions"] = per_item
    actions = _get(group, "actions", [])
    if not isinstance(actions, list):
        _add(errors, "actions", 'Expected a list of items but got type "dict".')
    elif actions and not with_actions:
        _add(errors, "actions", "Triggers cannot have actions.")
    else:
        per_action = [_workflow_action_errors(a, ctx) for a in actions]
        if any(per_action):
            errors["actions"] = per_action
    return errors


def validate_workflow(
    body: Any, *, partial: bool = False, ctx: OrgContext | None = None
) -> ErrorBody | None:
    """An alert (workflow) create or update body."""
    if not isinstance(body, Mapping):
        return _not_a_dictionary(body)
    errors: ErrorBody = {}
    _char(errors, body, "name", required=not partial, max_length=256)
    enabled = _get(body, "enabled")
    if enabled is not None and not isinstance(enabled, bool):
        _add(errors, "enabled", "Must be a valid boolean.")
    _char(errors, body, "environment", required=False, allow_null=True)
    config = _get(body, "config")
    if config is not None:
        if not isinstance(config, Mapping):
            _add(errors, "config", "Expected a dictionary of items.")
        else:
            # Workflow.config_schema: {"frequency": integer >= 0}, additionalProperties false;
            # keys are snake_cased (CamelSnakeSerializer) before jsonschema sees them.
            extras = sorted({_snake(str(k)) for k in config} - set(WORKFLOW_CONFIG_KEYS))
            if extras:
                listed = ", ".join(repr(k) for k in extras)
                verb = "was" if len(extras) == 1 else "were"
                _add(
                    errors,
                    "config",
                    f"Additional properties are not allowed ({listed} {verb} unexpected)",
                )
            frequency = _get(config, "frequency")
            if frequency is not None and (_as_int(frequency) not in WORKFLOW_FREQUENCIES):
                _add(errors, "config", f"{frequency} is not one of {list(WORKFLOW_FREQUENCIES)}")
    detector_ids = _get(body, "detectorIds")
    if detector_ids is not None:
        if not isinstance(detector_ids, list) or any(_as_int(d) is None for d in detector_ids):
            _add(errors, "detectorIds", "A valid integer is required.")
        elif (
            ctx is not None
            and ctx.detector_ids is not None
            and any(str(d) not in ctx.detector_ids for d in detector_ids)
        ):
            _add(errors, "detectorIds", "Some detectors do not exist.")
    triggers = _get(body, "triggers")
    if triggers is not None:
        trigger_errors = _condition_group_errors(
            triggers, WORKFLOW_TRIGGER_TYPES, ctx, with_actions=False
        )
        if trigger_errors:
            errors["triggers"] = trigger_errors
    action_filters = _get(body, "actionFilters")
    if action_filters is not None:
        if not isinstance(action_filters, list):
            _add(errors, "actionFilters", 'Expected a list of items but got type "dict".')
        else:
            per_filter = [
                _condition_group_errors(f, WORKFLOW_FILTER_TYPES, ctx, with_actions=True)
                for f in action_filters
            ]
            if any(per_filter):
                errors["actionFilters"] = per_filter
    owner_problem = _owner_error(_get(body, "owner"), ctx)
    if owner_problem:
        _add(errors, "owner", owner_problem)
    return errors or None


# --------------------------------------------------------------------------- dashboards


def _layout_error(layout: Any) -> str | None:
    if layout is None:
        return None
    if not isinstance(layout, Mapping):
        return "Expected a dictionary of items."
    missing = [k for k in ("h", "minH", "w", "x", "y") if not _has(layout, k)]
    if missing:
        return "Missing required keys: " + ", ".join(missing)
    values: dict[str, int] = {}
    for key in ("x", "y", "w", "h", "minH"):
        value = _get(layout, key)
        if not _is_int(value):
            return f"Expected number for: {_snake(key)}"
        values[key] = value
    if not 0 <= values["x"] < GRID_COLUMNS:
        return f"x must be between 0 and {GRID_COLUMNS - 1}"
    if values["y"] < 0:
        return "y must be 0 or greater"
    if not 1 <= values["w"] <= GRID_COLUMNS:
        return f"w must be between 1 and {GRID_COLUMNS}"
    if values["h"] < 1 or values["minH"] < 1:
        return "h and minH must be 1 or greater"
    if values["x"] + values["w"] > GRID_COLUMNS:
        return (
            f"Widget does not fit the {GRID_COLUMNS}-column grid "
            f"(x + w must be at most {GRID_COLUMNS})"
        )
    return None


def _thresholds_error(thresholds: Any) -> Any:
    if not thresholds:
        return None
    if not isinstance(thresholds, Mapping):
        return ["Expected a dictionary of items."]
    max_values = thresholds.get("max_values") or thresholds.get("maxValues")
    if not max_values:
        return None
    if not isinstance(max_values, Mapping):
        return ["Expected a dictionary of items."]
    for i in range(len(max_values)):
        key = f"max{i + 1}"
        if key not in ("max1", "max2"):
            return [f"Invalid maximum key {key}"]
        value = max_values.get(key)
        if value is not None and not _is_number(value):
            return {key: "A valid number is required."}
        if value:
            if value < 0:
                return {key: "Maximum values can not be negative"}
            previous = max_values.get(f"max{i}") if i > 0 else None
            if previous is not None and _is_number(previous) and previous >= value:
                return {key: "Maximum value must be greater than minimum."}
    for key in ("max1", "max2"):
        if max_values.get(key) is None:
            return {key: "Must set all threshold maximums or none at all."}
    return None


def _query_errors(query: Any) -> ErrorBody:
    if not isinstance(query, Mapping):
        return _not_a_dictionary(query)
    errors: ErrorBody = {}
    for key in ("fields", "aggregates", "columns", "fieldAliases"):
        value = _get(query, key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            _add(errors, key, 'Expected a list of items but got type "str".')
    for key in ("name", "conditions", "orderby"):
        value = _get(query, key)
        if value is not None and not isinstance(value, str):
            _add(errors, key, "Not a valid string.")
    if errors:
        return errors
    if not _get(query, "id") and (not _has(query, "fields") or not _has(query, "conditions")):
        return {
            "fields": ["fields are required during creation."],
            "conditions": ["conditions are required during creation."],
        }
    return {}


def _widget_errors(widget: Any) -> ErrorBody:
    if not isinstance(widget, Mapping):
        return _not_a_dictionary(widget)
    errors: ErrorBody = {}
    widget_id = _get(widget, "id")
    if widget_id is not None and _as_int(widget_id) is None:
        _add(errors, "id", "Invalid ID format. Must be a numeric string")
    _char(errors, widget, "title", required=False, max_length=255, allow_blank=True)
    _char(
        errors,
        widget,
        "description",
        required=False,
        max_length=255,
        allow_blank=True,
        allow_null=True,
    )
    display = _get(widget, "displayType")
    if _has(widget, "displayType") and display not in DASHBOARD_DISPLAY_TYPES:
        _add(errors, "displayType", f'"{display}" is not a valid choice.')
    widget_type = _get(widget, "widgetType")
    if widget_type is not None and widget_type not in DASHBOARD_WIDGET_TYPES:
        _add(errors, "widgetType", f'"{widget_type}" is not a valid choice.')
    interval = _get(widget, "interval")
    if interval is not None:
        if not isinstance(interval, str) or len(interval) > 10:
            _add(errors, "interval", "Ensure this field has no more than 10 characters.")
        elif not _INTERVAL_RE.match(interval):
            _add(errors, "interval", "Invalid interval")
    limit = _get(widget, "limit")
    if limit is not None:
        value = _as_int(limit)
        if value is None:
            _add(errors, "limit", "A valid integer is required.")
        elif value < 1:
            _add(errors, "limit", "Ensure this value is greater than or equal to 1.")
    layout_problem = _layout_error(_get(widget, "layout"))
    if layout_problem:
        _add(errors, "layout", layout_problem)
    for key, choices in (
        ("axisRange", ("auto", "dataMin")),
        ("legendType", ("default", "breakdown")),
    ):
        value = _get(widget, key)
        if value is not None and value not in choices:
            _add(errors, key, f'"{value}" is not a valid choice.')
    queries = _get(widget, "queries")
    if queries is not None:
        if not isinstance(queries, list):
            _add(errors, "queries", 'Expected a list of items but got type "dict".')
        else:
            per_query = [_query_errors(q) for q in queries]
            if any(per_query):
                errors["queries"] = per_query
    if errors:
        return errors

    # DashboardWidgetSerializer.validate
    if not widget_id:
        if not queries:
            return {"queries": ["One or more queries are required to create a widget"]}
        if not _get(widget, "title") and widget_type != "metrics":
            return {"title": ["Title is required during creation."]}
        if display is None:
            return {"displayType": ["displayType is required during creation."]}
    threshold_problem = _thresholds_error(_get(widget, "thresholds"))
    if threshold_problem is not None:
        return {"thresholds": threshold_problem}
    return {}


def validate_dashboard(
    body: Any, *, partial: bool = False, ctx: OrgContext | None = None
) -> ErrorBody | None:
    """A dashboard create (``partial=False``) or update (PUT, ``partial=True``) body.

    Title uniqueness (409) and widget ownership on PUT are checked by
    :func:`dashboard_title_conflict` and :func:`foreign_widget_error`.
    """
    if not isinstance(body, Mapping):
        return _not_a_dictionary(body)
    errors: ErrorBody = {}
    _char(errors, body, "title", required=not partial, max_length=255)
    projects = _get(body, "projects")
    if projects is not None and (
        not isinstance(projects, list) or any(not _is_int(p) for p in projects)
    ):
        _add(errors, "projects", "A valid integer is required.")
    environment = _get(body, "environment")
    if environment is not None and (
        not isinstance(environment, list) or not all(isinstance(e, str) for e in environment)
    ):
        _add(errors, "environment", 'Expected a list of items but got type "str".')
    period = _get(body, "period")
    if period is not None and (not isinstance(period, str) or not _INTERVAL_RE.match(period)):
        _add(errors, "period", "Invalid period")
    for key in ("start", "end"):
        value = _get(body, key)
        if value is not None and _parse_datetime(value) is None:
            _add(
                errors,
                key,
                "Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
            )
    utc = _get(body, "utc")
    if utc is not None and not isinstance(utc, bool):
        _add(errors, "utc", "Must be a valid boolean.")
    filters = _get(body, "filters")
    if filters is not None and not isinstance(filters, Mapping):
        _add(errors, "filters", 'Expected a dictionary of items but got type "list".')
    permissions = _get(body, "permissions")
    if permissions is not None:
        if not isinstance(permissions, Mapping):
            _add(errors, "permissions", "Invalid data. Expected a dictionary.")
        else:
            perm_errors: ErrorBody = {}
            editable = _get(permissions, "isEditableByEveryone")
            if editable is None:
                _add(perm_errors, "isEditableByEveryone", _REQUIRED)
            elif not isinstance(editable, bool):
                _add(perm_errors, "isEditableByEveryone", "Must be a valid boolean.")
            teams = _get(permissions, "teamsWithEditAccess", [])
            if not isinstance(teams, list) or any(_as_int(t) is None for t in teams):
                _add(perm_errors, "teamsWithEditAccess", "A valid integer is required.")
            elif ctx is not None and ctx.team_ids is not None:
                unknown = [str(t) for t in teams if str(t) not in ctx.team_ids]
                if unknown:
                    _add(
                        perm_errors,
                        "nonFieldErrors",
                        "Cannot update dashboard edit permissions. "
                        f"Teams with IDs {_oxfordize(unknown)} do not exist.",
                    )
            if perm_errors:
                errors["permissions"] = perm_errors
    widgets = _get(body, "widgets")
    if widgets is not None:
        if not isinstance(widgets, list):
            _add(errors, "widgets", 'Expected a list of items but got type "dict".')
        else:
            per_widget = [_widget_errors(w) for w in widgets]
            if any(per_widget):
                errors["widgets"] = per_widget
    if errors:
        return errors

    start, end = _get(body, "start"), _get(body, "end")
    if start and end:
        parsed_start, parsed_end = _parse_datetime(start), _parse_datetime(end)
        if parsed_start is not None and parsed_end is not None and parsed_start >= parsed_end:
            return {"nonFieldErrors": ["start must be before end"]}
    if isinstance(widgets, list) and len(widgets) > MAX_WIDGETS:
        return {"nonFieldErrors": [f"Number of widgets must be less than {MAX_WIDGETS}"]}
    return None


def _oxfordize(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _parse_datetime(value: Any) -> Any:
    from datetime import datetime

    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=None)


def dashboard_title_conflict(title: str, existing_titles: Iterable[str]) -> str | None:
    """Sentry's 409 body (a bare JSON string) when ``title`` is already used in the org."""
    if title in set(existing_titles):
        return "Dashboard title already taken"
    return None


def foreign_widget_error(body: Any, own_widget_ids: Iterable[str]) -> list[str] | None:
    """PUT: a widget (or query) id that belongs to another dashboard -> Sentry's 400 body.

    ``own_widget_ids`` holds the dashboard's widget ids and, for the query check, ids of the
    form ``"<widget id>/<query id>"``.
    """
    if not isinstance(body, Mapping) or not isinstance(_get(body, "widgets"), list):
        return None
    owned = {str(i) for i in own_widget_ids}
    for widget in _get(body, "widgets"):
        if not isinstance(widget, Mapping) or not _get(widget, "id"):
            continue
        widget_id = str(_get(widget, "id"))
        if widget_id not in owned:
            return ["You cannot update widgets that are not part of this dashboard."]
        for query in _get(widget, "queries") or []:
            if (
                isinstance(query, Mapping)
                and _get(query, "id")
                and f"{widget_id}/{_get(query, 'id')}" not in owned
            ):
                return ["You cannot use a query not owned by this widget"]
    return None


# --------------------------------------------------------------------------- legacy metric alerts


def _alert_action_errors(action: Any, ctx: OrgContext | None) -> ErrorBody:
    if not isinstance(action, Mapping):
        return {"nonFieldErrors": ["Invalid data. Expected a dictionary."]}
    errors: ErrorBody = {}
    atype = _get(action, "type")
    target_type = _get(action, "targetType")
    if atype not in ALERT_ACTION_TYPES:
        _add(errors, "type", f"Invalid type, valid values are {list(ALERT_ACTION_TYPES)}")
    if target_type not in ALERT_TARGET_TYPES:
        _add(
            errors, "targetType", f"Invalid targetType, valid values are {list(ALERT_TARGET_TYPES)}"
        )
    if errors:
        return errors
    identifier = _get(action, "targetIdentifier")
    if identifier is None or str(identifier).strip() == "":
        return {"nonFieldErrors": ["One or more of your actions is missing a target identifier."]}
    assert isinstance(atype, str)
    if target_type not in ALERT_TARGETS_FOR_TYPE[atype]:
        return {
            "targetType": [
                f"Invalid target type for {atype}. "
                f"Valid types are {list(ALERT_TARGETS_FOR_TYPE[atype])}"
            ]
        }
    priority = _get(action, "priority")
    if priority is not None:
        if atype not in PRIORITIES_FOR_TYPE:
            return {"priority": ["Can only be set for Pagerduty or Opsgenie"]}
        if priority not in PRIORITIES_FOR_TYPE[atype]:
            return {
                "priority": [
                    f"Allowed priorities for {atype.capitalize()} are "
                    f"{list(PRIORITIES_FOR_TYPE[atype])}"
                ]
            }
    integration = _get(action, "integrationId")
    if atype in ("slack", "msteams", "discord", "pagerduty", "opsgenie") and integration is None:
        return {"integration": [f"Integration must be provided for {atype}"]}
    if atype == "sentry_app" and _get(action, "sentryAppId") is None:
        return {"sentryApp": ["SentryApp must be provided for sentry_app"]}
    if ctx is not None:
        if integration is not None and ctx.integrations is not None:
            provider = ctx.integrations.get(str(integration))
            if provider != atype:
                return {"integration": ["Integration does not exist"]}
        if atype == "email" and target_type == "user" and ctx.user_ids is not None:  # noqa: SIM102
            if str(identifier) not in ctx.user_ids:
                return {"nonFieldErrors": ["User does not belong to this organization"]}
        if atype == "email" and target_type == "team" and ctx.team_ids is not None:  # noqa: SIM102
            if str(identifier) not in ctx.team_ids:
                return {"nonFieldErrors": ["Team does not exist"]}
    return {}


def validate_alert_rule(body: Any, *, ctx: OrgContext | None = None) -> ErrorBody | None:
    """A legacy metric alert rule (``organizations/{org}/alert-rules/``) POST/PUT body."""
    if not isinstance(body, Mapping):
        return _not_a_dictionary(body)
    errors: ErrorBody = {}
    _char(errors, body, "name", required=True, max_length=256)
    detection_type = _get(body, "detectionType", "static")
    if detection_type not in DETECTION_TYPES:
        _add(
            errors,
            "detectionType",
            f"Invalid detection type, valid values are {list(DETECTION_TYPES)}",
        )
    query_errors = _snuba_query_errors(body, seconds=False, detection_type=str(detection_type))
    field_level = {k: v for k, v in (query_errors or {}).items() if k != "nonFieldErrors"}
    errors.update(field_level)
    if not _has(body, "thresholdType"):
        _add(errors, "thresholdType", _REQUIRED)
    elif _as_int(_get(body, "thresholdType")) not in (0, 1, 2):
        _add(errors, "thresholdType", "Invalid threshold type, valid values are [0, 1, 2]")
    projects = _get(body, "projects")
    if projects is not None:
        if not isinstance(projects, list):
            _add(errors, "projects", 'Expected a list of items but got type "str".')
        elif len(projects) > 1:
            _add(errors, "projects", "Ensure this field has no more than 1 elements.")
        elif ctx is not None and ctx.project_slugs is not None:  # noqa: SIM102
            if any(str(p) not in ctx.project_slugs for p in projects):
                _add(errors, "projects", "Invalid project")
    triggers = _get(body, "triggers")
    if triggers is None:
        _add(errors, "triggers", _REQUIRED)
    elif not isinstance(triggers, list):
        _add(errors, "triggers", 'Expected a list of items but got type "dict".')
    delta = _get(body, "comparisonDelta")
    if delta is not None:
        value = _as_int(delta)
        if value is None:
            _add(errors, "comparisonDelta", "A valid integer is required.")
        elif not 1 <= value <= MAX_COMPARISON_DELTA:
            _add(
                errors,
                "comparisonDelta",
                f"Ensure this value is less than or equal to {MAX_COMPARISON_DELTA}."
                if value > MAX_COMPARISON_DELTA
                else "Ensure this value is greater than or equal to 1.",
            )
    period = _get(body, "thresholdPeriod")
    if period is not None and (_as_int(period) is None or not 1 <= int(period) <= 20):
        _add(errors, "thresholdPeriod", "Ensure this value is between 1 and 20.")
    resolve = _get(body, "resolveThreshold")
    if resolve is not None and _as_number(resolve) is None:
        _add(errors, "resolveThreshold", "A valid number is required.")
    owner_problem = _owner_error(_get(body, "owner"), ctx)
    if owner_problem:
        _add(errors, "owner", owner_problem)
    sensitivity = _get(body, "sensitivity")
    if sensitivity is not None and sensitivity not in ("low", "medium", "high"):
        _add(
            errors, "sensitivity", "Invalid sensitivity, valid values are ['low', 'medium', 'high']"
        )
    if errors:
        return errors
    if query_errors:
        return query_errors

    threshold_type = int(_get(body, "thresholdType"))
    assert isinstance(triggers, list)
    # dynamic / percent / static rules
    if detection_type == "dynamic":
        if sensitivity is None:
            return {"nonFieldErrors": ["Dynamic alerts require a sensitivity level"]}
    else:
        if sensitivity is not None:
            return {"sensitivity": ["Sensitivity is not a valid field for this alert type"]}
        if threshold_type == 2:
            return {
                "nonFieldErrors": [
                    "Invalid threshold type: Allowed types for static alerts are above OR below"
                ]
            }
    if detection_type == "percent" and delta is None:
        return {"nonFieldErrors": ["Percentage-based alerts require a comparison delta"]}
    if _get(body, "queryType") == 2 and delta is not None:
        return {"nonFieldErrors": ["Comparison alerts are not supported for crash rate alerts"]}

    if not triggers:
        return {"nonFieldErrors": ["Must include at least one trigger"]}
    if len(triggers) > 2:
        return {
            "nonFieldErrors": [
                "Must send 1 or 2 triggers - A critical trigger, and an optional warning trigger"
            ]
        }
    for trigger in triggers:
        if not isinstance(trigger, Mapping) or not _get(trigger, "actions"):
            return {
                "nonFieldErrors": [
                    "Each trigger must have an associated action for this alert to fire."
                ]
            }
    for i, (trigger, label) in enumerate(zip(triggers, ("critical", "warning"), strict=False)):
        if _get(trigger, "label") != label:
            return {"nonFieldErrors": [f'Trigger {i + 1} must be labeled "{label}"']}
    for trigger in triggers:
        threshold = _get(trigger, "alertThreshold")
        if threshold is None:
            return {"nonFieldErrors": ["Trigger must have an alertThreshold"]}
        if _as_number(threshold) is None:
            return {"nonFieldErrors": ["Trigger must have an alertThreshold"]}
        if detection_type == "dynamic" and float(threshold) != 0:
            return {"nonFieldErrors": ["Dynamic alerts cannot have a nonzero alert threshold"]}
    if detection_type != "dynamic":
        for trigger in triggers:
            problem = _resolve_threshold_error(threshold_type, trigger, resolve)
            if problem:
                return {"nonFieldErrors": [problem]}
        if len(triggers) == 2:
            critical = float(_get(triggers[0], "alertThreshold"))
            warning = float(_get(triggers[1], "alertThreshold"))
            if threshold_type == 0 and critical < warning:
                return {
                    "nonFieldErrors": [
                        "Critical trigger must have an alert threshold above warning trigger"
                    ]
                }
            if threshold_type == 1 and critical > warning:
                return {
                    "nonFieldErrors": [
                        "Critical trigger must have an alert threshold below warning trigger"
                    ]
                }
    for trigger in triggers:
        for action in _get(trigger, "actions"):
            action_errors = _alert_action_errors(action, ctx)
            if action_errors:
                return action_errors
    return None


def _resolve_threshold_error(
    threshold_type: int, trigger: Mapping[str, Any], resolve: Any
) -> str | None:
    if resolve is None:
        return None
    alert = float(_get(trigger, "alertThreshold"))
    resolve_value = float(resolve)
    is_integer = alert.is_integer() and resolve_value.is_integer()
    if threshold_type == 0:
        alert_add, resolve_add = (1, -1) if is_integer else (0, 0)
        bad = alert + alert_add <= resolve_value + resolve_add
        word = "above"
    else:
        alert_add, resolve_add = (-1, 1) if is_integer else (0, 0)
        bad = alert + alert_add >= resolve_value + resolve_add
        word = "below"
    if bad:
        return f"{_get(trigger, 'label')} alert threshold must be {word} resolution threshold"
    return None


# --------------------------------------------------------------------------- legacy issue rules


def _node_errors(
    nodes: list[Any], known: Sequence[str], kind: str, ctx: OrgContext | None
) -> list[str]:
    messages: list[str] = []
    for node in nodes:
        if not isinstance(node, Mapping) or "id" not in node:
            messages.append("Missing attribute 'id'")
            continue
        node_id = node["id"]
        if node_id not in known:
            messages.append(f"Invalid node. Could not find '{node_id}'")
            continue
        problem = _node_form_error(str(node_id), node, ctx)
        if problem:
            messages.append(problem)
    return messages


def _choice_error(value: Any, choices: Sequence[str]) -> str | None:
    if value not in choices:
        return f"Select a valid choice. {value} is not one of the available choices."
    return None


def _node_form_error(node_id: str, node: Mapping[str, Any], ctx: OrgContext | None) -> str | None:
    short = node_id.rsplit(".", 1)[-1]
    if short in (
        "EventFrequencyCondition",
        "EventUniqueUserFrequencyCondition",
        "EventFrequencyPercentCondition",
    ):
        percent_of_sessions = short == "EventFrequencyPercentCondition"
        intervals = _PERCENT_INTERVALS if percent_of_sessions else _FREQUENCY_INTERVALS
        problem = _choice_error(node.get("interval"), intervals)
        if problem:
            return problem
        value = _as_number(node.get("value"))
        if value is None:
            return "Enter a whole number." if not percent_of_sessions else "Enter a number."
        if value < 0:
            return "Ensure this value is greater than or equal to 0"
        comparison = node.get("comparisonType", "count")
        problem = _choice_error(comparison, ("count", "percent"))
        if problem:
            return problem
        if percent_of_sessions and comparison == "count" and value > 100:
            return "Ensure this value is less than or equal to 100"
        if comparison == "percent":
            if "comparisonInterval" not in node:
                return "comparisonInterval is required when comparing by percent"
            return _choice_error(node.get("comparisonInterval"), _COMPARISON_INTERVALS)
        return None
    if short == "LevelFilter":
        return _choice_error(node.get("match"), ("eq", "gte", "lte")) or _choice_error(
            str(node.get("level")), _LEVEL_VALUES
        )
    if short in ("TaggedEventFilter", "EventAttributeFilter", "EventAttributeCondition"):
        problem = _choice_error(node.get("match"), _MATCH_TYPES)
        if problem:
            return problem
        key = "key" if short == "TaggedEventFilter" else "attribute"
        if not node.get(key):
            return "This field is required."
        if node.get("match") not in ("is", "ns") and node.get("value") in (None, ""):
            return "This field is required."
        return None
    if short == "AgeComparisonFilter":
        return (
            _choice_error(node.get("comparison_type"), ("older", "newer"))
            or _choice_error(node.get("time"), ("minute", "hour", "day", "week"))
            or (None if _as_int(node.get("value")) is not None else "Enter a whole number.")
        )
    if short == "IssueOccurrencesFilter":
        return None if _as_int(node.get("value")) is not None else "Enter a whole number."
    if short == "AssignedToFilter":
        return _choice_error(node.get("targetType"), ("Unassigned", "Team", "Member"))
    if short == "NotifyEmailAction":
        target_type = node.get("targetType")
        problem = _choice_error(target_type, ("IssueOwners", "Team", "Member"))
        if problem:
            return problem
        fallthrough = node.get("fallthroughType")
        if fallthrough is not None:
            problem = _choice_error(fallthrough, ("ActiveMembers", "AllMembers", "NoOne"))
            if problem:
                return problem
        ident = str(node.get("targetIdentifier", ""))
        if target_type == "Team" and (
            not ident
            or (ctx is not None and ctx.team_ids is not None and ident not in ctx.team_ids)
        ):
            return "This team is not part of the project."
        if target_type == "Member" and (
            not ident
            or (ctx is not None and ctx.user_ids is not None and ident not in ctx.user_ids)
        ):
            return "This user is not part of the project."
        return None
    integration_key = {
        "SlackNotifyServiceAction": ("workspace", "slack"),
        "PagerDutyNotifyServiceAction": ("account", "pagerduty"),
        "MsTeamsNotifyServiceAction": ("team", "msteams"),
        "DiscordNotifyServiceAction": ("server", "discord"),
        "OpsgenieNotifyTeamAction": ("account", "opsgenie"),
    }.get(short)
    if integration_key is not None:
        key, provider = integration_key
        integration = node.get(key)
        if integration in (None, ""):
            return "This field is required."
        if ctx is not None and ctx.integrations is not None:  # noqa: SIM102
            if ctx.integrations.get(str(integration)) != provider:
                return f"Select a valid choice. {integration} is not one of the available choices."
        if short == "SlackNotifyServiceAction" and not node.get("channel"):
            return "This field is required."
        if short == "PagerDutyNotifyServiceAction":
            if node.get("service") in (None, ""):
                return "This field is required."
            severity = node.get("severity", "default")
            return _choice_error(severity, ("default", "critical", "warning", "error", "info"))
        if short == "OpsgenieNotifyTeamAction":
            return _choice_error(node.get("priority", "P3"), ("P1", "P2", "P3", "P4", "P5"))
    return None


def validate_issue_rule(body: Any, *, ctx: OrgContext | None = None) -> ErrorBody | None:
    """A legacy issue alert rule (``projects/{org}/{project}/rules/``) POST/PUT body."""
    if not isinstance(body, Mapping):
        return _not_a_dictionary(body)
    errors: ErrorBody = {}
    _char(errors, body, "name", required=True, max_length=256)
    for key in ("actionMatch", "filterMatch"):
        value = body.get(key)
        if key == "actionMatch" and key not in body:
            _add(errors, key, _REQUIRED)
        elif value is not None and value not in ISSUE_RULE_MATCHES:
            _add(errors, key, f'"{value}" is not a valid choice.')
    frequency = body.get("frequency")
    if "frequency" not in body:
        _add(errors, "frequency", _REQUIRED)
    else:
        value = _as_int(frequency)
        if value is None:
            _add(errors, "frequency", "A valid integer is required.")
        elif value < ISSUE_FREQUENCY_MIN:
            _add(
                errors,
                "frequency",
                f"Ensure this value is greater than or equal to {ISSUE_FREQUENCY_MIN}.",
            )
        elif value > ISSUE_FREQUENCY_MAX:
            _add(
                errors,
                "frequency",
                f"Ensure this value is less than or equal to {ISSUE_FREQUENCY_MAX}.",
            )
    lists = {}
    for key, known in (
        ("conditions", ISSUE_CONDITION_IDS),
        ("filters", ISSUE_FILTER_IDS),
        ("actions", ISSUE_ACTION_IDS),
    ):
        nodes = body.get(key)
        if nodes is None:
            if key != "filters":
                _add(errors, key, _REQUIRED)
            continue
        if not isinstance(nodes, list):
            _add(errors, key, 'Expected a list of items but got type "dict".')
            continue
        lists[key] = nodes
        messages = _node_errors(nodes, known, key, ctx)
        if messages:
            errors[key] = messages
    environment = body.get("environment")
    if environment is not None and not isinstance(environment, str):
        _add(errors, "environment", "Not a valid string.")
    owner_problem = _owner_error(body.get("owner"), ctx)
    if owner_problem:
        _add(errors, "owner", owner_problem)
    if errors:
        return errors
    if lists.get("filters") and not body.get("filterMatch"):
        return {
            "filterMatch": ["Must select a filter match (all, any, none) if filters are supplied."]
        }
    if not lists.get("actions"):
        return {"actions": ["You must add an action for this alert to fire."]}
    return None


def issue_rule_fingerprint(body: Mapping[str, Any]) -> str:
    """What makes two issue rules duplicates in Sentry's eyes (the name is ignored)."""

    def clean(nodes: Any) -> list[Any]:
        items = [{k: v for k, v in n.items() if k not in ("name", "uuid")} for n in nodes or []]
        return sorted(items, key=lambda n: json.dumps(n, sort_keys=True))

    signature = {
        "conditions": clean(body.get("conditions")),
        "filters": clean(body.get("filters")),
        "actions": clean(body.get("actions")),
        "frequency": _as_int(body.get("frequency")),
        "actionMatch": body.get("actionMatch"),
        "filterMatch": body.get("filterMatch") if body.get("filters") else None,
        "environment": body.get("environment"),
    }
    return json.dumps(signature, sort_keys=True)


def duplicate_issue_rule_error(
    body: Mapping[str, Any], existing: Iterable[tuple[str, str, Mapping[str, Any]]]
) -> ErrorBody | None:
    """``existing`` yields (rule id, rule name, stored body) of the project's active rules."""
    mine = issue_rule_fingerprint(body)
    for rule_id, name, other in existing:
        if issue_rule_fingerprint(other) == mine:
            return {
                "name": [
                    f"This rule is an exact duplicate of '{name}' "
                    "in this project and may not be created."
                ],
                "ruleId": [int(rule_id) if str(rule_id).isdigit() else rule_id],
            }
    return None
