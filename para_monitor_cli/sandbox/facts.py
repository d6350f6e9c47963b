"""Sentry's facts on the sandbox side, one place each: the values Sentry's validators, models and
endpoints use (intervals, priorities, condition, action, detector and widget types, datasets,
limits), each table naming the Sentry source it copies (getsentry/sentry, ``src/sentry/``).

Rules (validation.py and the resource modules) read their tables from here; tests pin the
tables to Sentry's values as literals (tests/test_sandbox_facts.py). Where a value was recalled
rather than re-read in Sentry's source, its comment says so. Standard library only: the sandbox
imports nothing from the rest of the package.
"""

from __future__ import annotations

import re
from typing import Any

Doc = dict[str, Any]

# -- API plumbing ---------------------------------------------------------------------------------

#: api/base.py Endpoint.get_per_page: ``per_page`` at most 100 (the paginators' MAX_LIMIT).
MAX_PER_PAGE = 100
#: The detectors a new project gets (workflow_engine/types.py ERROR_DETECTOR_NAME,
#: ISSUE_STREAM_DETECTOR_NAME): type -> name.
DEFAULT_DETECTORS = (("error", "Error Monitor"), ("issue_stream", "Issue Stream"))

# -- monitors, alerts, dashboards -----------------------------------------------------------------

#: DetectorPriorityLevel (workflow_engine/types.py): OK = 0, LOW/MEDIUM/HIGH = PriorityLevel's
#: 25/50/75 (types/group.py). A metric detector's conditions result in HIGH, MEDIUM or OK (its
#: resolution); the sandbox does not offer LOW.
DETECTOR_PRIORITY_LEVELS = {"ok": 0, "low": 25, "medium": 50, "high": 75}
PRIORITY_HIGH = DETECTOR_PRIORITY_LEVELS["high"]
PRIORITY_MEDIUM = DETECTOR_PRIORITY_LEVELS["medium"]
#: the resolution result, DetectorPriorityLevel.OK (the rules call it LOW)
PRIORITY_LOW = DETECTOR_PRIORITY_LEVELS["ok"]
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


#: Dashboard.MAX_WIDGETS (models/dashboard.py), checked by DashboardDetailsSerializer.validate.
MAX_WIDGETS = 30
#: DashboardWidgetSerializer.limit's max_value.
MAX_WIDGET_LIMIT = 10
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

AGGREGATE_FUNCTIONS = {
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
CRASH_RATE_AGGREGATES = (
    "percentage(sessions_crashed, sessions) AS _crash_rate_alert_aggregate",
    "percentage(users_crashed, users) AS _crash_rate_alert_aggregate",
)
AGGREGATE_COLUMNS = {
    "transaction.duration",
    "user",
    "dist",
    "release",
    "span.duration",
    "span.self_time",
}
AGGREGATE_RE = re.compile(r"^(?P<fn>\w+)\((?P<args>[^()]*)\)(?: AS \w+)?$")

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
STANDARD_INTERVALS = ("1m", "5m", "15m", "1h", "1d", "1w", "30d")
PERCENT_INTERVAL_KEYS = ("1m", "5m", "10m", "30m", "1h")
COMPARISON_INTERVAL_KEYS = ("5m", "15m", "1h", "1d", "1w", "30d")
ISSUE_MATCH_TYPES = ("eq", "ne", "sw", "ew", "co", "nc", "is", "ns", "in", "nin")
ISSUE_LEVEL_VALUES = ("50", "40", "30", "20", "10", "0")

#: Workflow.config_schema (workflow_engine/models/workflow.py): {"frequency": integer >= 0},
#: additionalProperties false. The endpoint's help text documents these values only.
WORKFLOW_FREQUENCIES = (0, 5, 10, 30, 60, 180, 720, 1440)
#: The only key of ``Workflow.config_schema`` (``additionalProperties: false``).
WORKFLOW_CONFIG_KEYS = ("frequency",)
#: DataConditionGroup.Type values (the logic_type ChoiceField).
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
    "event_unique_user_frequency_percent",
    "percent_sessions_count",
    "percent_sessions_percent",
    "event_attribute",
    "tagged_event",
    "latest_release",
    "latest_adopted_release",
    "level",
    "new_high_priority_issue",
    "existing_high_priority_issue",
)
#: STANDARD_INTERVALS keys (rules/conditions/event_frequency.py): the ``interval`` enum of
#: every frequency handler's comparison_json_schema
#: (workflow_engine/handlers/condition/event_frequency_handlers.py). The endpoint's help text
#: lists ``1min, 5min, 15min, 1hr``: that text is wrong, its own JSON examples use ``1h``.
WORKFLOW_FREQUENCY_INTERVALS = STANDARD_INTERVALS
#: COMPARISON_INTERVALS keys: the ``comparison_interval`` enum of the percent handlers.
WORKFLOW_COMPARISON_INTERVALS = COMPARISON_INTERVAL_KEYS
#: Action.Type values (workflow_engine/models/action.py; the action ``type`` ChoiceField).
#: Re-read: there is no "gitlab" action type (the sandbox listed one before).
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
    "vsts",
    "sentry_app",
    "plugin",
    "webhook",
)
#: Action types that take an integration: Action.Type.is_integration (every type but these).
NON_INTEGRATION_ACTION_TYPES = ("email", "sentry_app", "plugin", "webhook")
INTEGRATION_ACTION_TYPES = tuple(
    t for t in WORKFLOW_ACTION_TYPES if t not in NON_INTEGRATION_ACTION_TYPES
)
#: BaseActionValidator.validate_type: DEPRECATED_ACTION_TYPES.
DEPRECATED_ACTION_TYPES = ("plugin",)
WORKFLOW_TARGET_TYPES = ("user", "team", "issue_owners", "specific", "sentry_app")
#: LOG_LEVELS_MAP values: the ``level`` enum of LevelConditionHandler.comparison_json_schema.
LEVELS = (0, 10, 20, 30, 40, 50)
#: MatchType values (sentry/rules/match.py): the ``match`` enum of the level, tagged_event and
#: event_attribute schemas.
MATCH_TYPES = (
    "co",
    "ew",
    "eq",
    "gte",
    "gt",
    "is",
    "in",
    "lte",
    "lt",
    "nc",
    "new",
    "ne",
    "ns",
    "nsw",
    "nin",
    "sw",
)
#: PagerdutySeverity values (integrations/pagerduty/client.py): the PagerDuty action's data
#: ``priority`` enum.
PAGERDUTY_PRIORITIES = ("default", "critical", "warning", "error", "info")
#: The Opsgenie action's data ``priority`` enum (action_schema_mapping's copy).
OPSGENIE_PRIORITIES = ("P4", "P1", "P3", "P2", "P5")
#: ActionTarget values, by the API's targetType names (the config transformer's mapping).
ACTION_TARGETS = {"specific": 0, "user": 1, "team": 2, "sentry_app": 3, "issue_owners": 4}
#: The target_type enum of each action's config schema (action_schema_mapping's copy).
ACTION_TARGET_TYPES_FOR: dict[str, tuple[int, ...]] = {
    **{kind: (0,) for kind in ("slack", "msteams", "discord", "pagerduty", "opsgenie")},
    "email": tuple(ACTION_TARGETS.values()),
    "sentry_app": (3,),
}
#: Each action's data_schema (action_schema_mapping's copy). The PagerDuty and Opsgenie
#: schemas put their "additionalProperties" inside "properties", so they allow other keys.
ACTION_DATA_SCHEMAS: dict[str, Doc] = {
    "slack": {
        "type": "object",
        "properties": {"tags": {"type": "string"}, "notes": {"type": "string"}},
        "additionalProperties": False,
    },
    "msteams": {"type": "object", "properties": {}, "additionalProperties": False},
    "discord": {
        "type": "object",
        "properties": {"tags": {"type": "string"}},
        "additionalProperties": False,
    },
    "pagerduty": {
        "type": "object",
        "properties": {"priority": {"type": "string", "enum": list(PAGERDUTY_PRIORITIES)}},
    },
    "opsgenie": {
        "type": "object",
        "properties": {"priority": {"type": "string", "enum": list(OPSGENIE_PRIORITIES)}},
    },
    "email": {
        "type": "object",
        "properties": {"fallthroughType": {"type": "string"}},
        "additionalProperties": False,
    },
}
