"""The client's Sentry tables pinned to Sentry's own values (issue 17 item 2).

Each expected value below is written out literally, with the Sentry source it comes from; none
is read from the sandbox (which holds its own copy, pinned by its own tests) nor from the table
under test. A change to a table that Sentry did not make fails here, and so does a kind that
starts writing a condition, action or detector type Sentry does not define.

Sources (getsentry/sentry):

* ``DetectorPriorityLevel`` (src/sentry/workflow_engine/types.py): OK 0, LOW/MEDIUM/HIGH from
  ``PriorityLevel`` (src/sentry/types/group.py): LOW 25, MEDIUM 50, HIGH 75;
* ``STANDARD_INTERVALS`` (src/sentry/rules/conditions/event_frequency.py): 1m 5m 15m 1h 1d 1w 30d;
* ``GroupCategory`` (src/sentry/issues/grouptype.py): ERROR 1 ... METRIC_ALERT 8;
* ``LOG_LEVELS`` (src/sentry/constants.py): logging.NOTSET "sample" ... logging.FATAL "fatal";
* ``Condition`` (src/sentry/workflow_engine/models/data_condition.py) and the frontend's
  ``DataConditionType`` (static/app/types/workflowEngine/dataConditions.tsx, which also lists
  ``issue_resolved_trigger``);
* ``Action.Type`` (src/sentry/workflow_engine/models/action.py);
* ``AnomalyDetectionThresholdType`` (src/sentry/seer/anomaly_detection/types.py): ABOVE 0,
  BELOW 1, ABOVE_AND_BELOW 2;
* ``SnubaQuery.Type`` (src/sentry/snuba/models.py): ERROR 0, PERFORMANCE 1, CRASH_RATE 2;
* ``Dataset`` (src/sentry/snuba/dataset.py): events, transactions, metrics, generic_metrics,
  events_analytics_platform ...;
* group type slugs: ``MetricIssue.slug`` "metric_issue" (src/sentry/incidents/grouptype.py),
  ``ErrorGroupType.slug`` "error" (src/sentry/issues/grouptype.py), ``IssueStreamGroupType.slug``
  "issue_stream" (src/sentry/workflow_engine/typings/grouptype.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from para_monitor_cli.api import wire
from para_monitor_cli.kinds import alert as alert_kind
from para_monitor_cli.kinds import monitor as monitor_kind
from para_monitor_cli.kinds import targets
from para_monitor_cli.spec import catalog
from para_monitor_cli.spec.check import load_spec

# Condition (data_condition.py) + DataConditionType (dataConditions.tsx): the types a workflow
# or detector condition may have.
SENTRY_CONDITION_TYPES = frozenset(
    {
        "eq", "gte", "gt", "lte", "lt", "ne", "anomaly_detection",
        "age_comparison", "assigned_to", "event_attribute", "event_created_by_detector",
        "event_seen_count", "existing_high_priority_issue", "first_seen_event",
        "issue_category", "issue_occurrences", "latest_adopted_release", "latest_release",
        "level", "new_high_priority_issue", "regression_event", "reappeared_event",
        "issue_resolved_trigger", "tagged_event", "issue_priority_equals",
        "issue_priority_greater_or_equal", "issue_priority_deescalating",
        "event_frequency_count", "event_frequency_percent",
        "event_unique_user_frequency_count", "event_unique_user_frequency_percent",
        "percent_sessions_count", "percent_sessions_percent",
    }
)  # fmt: skip
# Action.Type (action.py)
SENTRY_ACTION_TYPES = frozenset(
    {
        "slack", "msteams", "discord", "pagerduty", "opsgenie", "github",
        "github_enterprise", "jira", "jira_server", "vsts", "email", "sentry_app", "plugin",
        "webhook",
    }
)  # fmt: skip
# Dataset (dataset.py), the ones a metric detector's query may name
SENTRY_DATASETS = frozenset(
    {"events", "transactions", "metrics", "generic_metrics", "events_analytics_platform"}
)


def test_detector_priorities_are_sentrys_detector_priority_levels() -> None:
    assert (catalog.PRIORITY_HIGH, catalog.PRIORITY_MEDIUM, catalog.PRIORITY_RESOLVED) == (
        75,
        50,
        0,
    )


def test_issue_priorities_are_sentrys_priority_levels() -> None:
    assert catalog.ISSUE_PRIORITIES == {"low": 25, "medium": 50, "high": 75}


def test_frequency_intervals_are_sentrys_standard_intervals() -> None:
    assert catalog.FREQUENCY_INTERVALS == {
        60: "1m",
        300: "5m",
        900: "15m",
        3600: "1h",
        86400: "1d",
        604800: "1w",
        2592000: "30d",
    }


def test_issue_categories_are_sentrys_group_categories() -> None:
    assert catalog.ISSUE_CATEGORIES == {
        "error": 1,
        "performance": 2,
        "profile": 3,
        "cron": 4,
        "replay": 5,
        "feedback": 6,
        "uptime": 7,
        "metric_alert": 8,
    }


def test_levels_are_sentrys_log_levels() -> None:
    # logging.NOTSET, DEBUG, INFO, WARNING, ERROR, FATAL
    assert catalog.LEVELS == {
        "sample": 0,
        "debug": 10,
        "info": 20,
        "warning": 30,
        "error": 40,
        "fatal": 50,
    }


def test_trigger_types_are_sentry_condition_types() -> None:
    assert catalog.TRIGGER_TYPES == {
        "first_seen": "first_seen_event",
        "regression": "regression_event",
        "reappeared": "reappeared_event",
        "resolved": "issue_resolved_trigger",
    }
    assert set(catalog.TRIGGER_TYPES.values()) <= SENTRY_CONDITION_TYPES


def test_threshold_types_are_sentrys_anomaly_detection_threshold_types() -> None:
    # AnomalyDetectionThresholdType (src/sentry/seer/anomaly_detection/types.py)
    assert catalog.THRESHOLD_TYPES == {"above": 0, "below": 1, "above_and_below": 2}


def test_query_types_are_sentrys_snuba_query_types() -> None:
    # ERROR 0 for errors, PERFORMANCE 1 for spans and transactions, CRASH_RATE 2 for sessions
    assert catalog.QUERY_TYPES == {
        "events": 0,
        "spans": 1,
        "transactions": 1,
        "generic_metrics": 1,
        "events_analytics_platform": 1,
        "metrics": 2,
    }


def test_datasets_on_the_wire_are_sentrys() -> None:
    assert catalog.WIRE_DATASETS == {"spans": "events_analytics_platform"}
    wire_names = {catalog.WIRE_DATASETS.get(d, d) for d in catalog.QUERY_TYPES}
    assert wire_names <= SENTRY_DATASETS
    assert catalog.TRANSACTION_DATASETS <= SENTRY_DATASETS


def test_detector_types_are_sentrys_group_type_slugs() -> None:
    assert wire.DEFAULT_ISSUE_DETECTOR_TYPES == ("error", "issue_stream")
    assert monitor_kind.detector_is_builtin({"type": "error"})
    assert monitor_kind.detector_is_builtin({"type": "issue_stream"})
    assert not monitor_kind.detector_is_builtin({"type": "metric_issue"})


EVERY_FORM = """\
version: 1
project: api
targets:
  mail: {type: email, team: backend}
  ana: {type: email, member: ana@example.com}
  chat: {type: slack, workspace: Acme, channel: "#alerts"}
  page: {type: pagerduty, integration: acme-pd, service: Backend}
monitors:
  - {name: static, dataset: events, condition: count() > 10, window: 1h, resolve: 5}
  - {name: below, dataset: events, condition: count() < 10, window: 1h}
  - {name: dynamic, dataset: spans, aggregate: p95(span.duration), window: 15m,
     detection: dynamic, sensitivity: low}
alerts:
  - name: every filter
    triggers: [first_seen, regression, reappeared, resolved]
    filters:
      - {level: ">= error"}
      - {events: "> 5 in 1h"}
      - {users: "> 5 in 1h"}
      - {priority: ">= high"}
      - {occurrences: 3}
      - {category: error}
      - {tag: {key: env, match: eq, value: prod}}
    actions: [mail, ana, chat, page]
"""


def _directory() -> wire.Directory:
    return wire.directory_from_lists(
        "acme",
        projects=[{"slug": "api", "id": "1"}],
        teams=[{"slug": "backend", "id": "2"}],
        members=[{"email": "ana@example.com", "user": {"id": "3"}}],
        integrations=[
            {"id": "10", "name": "Acme", "provider": {"key": "slack"}},
            {
                "id": "11",
                "name": "acme-pd",
                "provider": {"key": "pagerduty"},
                "configData": {"service_table": [{"service": "Backend", "id": "7"}]},
            },
        ],
    )


def test_every_type_the_kinds_write_is_one_sentry_defines(tmp_path: Path) -> None:
    path = tmp_path / "alert_rules.yaml"
    path.write_text(EVERY_FORM, encoding="utf-8")
    spec = load_spec(path)
    directory = _directory()
    condition_types: set[Any] = set()
    detector_types: set[Any] = set()
    datasets: set[Any] = set()
    results: set[Any] = set()
    for monitor in spec.monitors:
        body = monitor_kind.monitor_body(monitor, spec, directory)
        detector_types.add(body["type"])
        datasets.update(source["dataset"] for source in body["dataSources"])
        for cond in body["conditionGroup"]["conditions"]:
            condition_types.add(cond["type"])
            results.add(cond["conditionResult"])
    action_types: set[Any] = set()
    for item in spec.alerts:
        body = alert_kind.alert_body(item, spec, directory)
        condition_types.update(c["type"] for c in body["triggers"]["conditions"])
        for group in body["actionFilters"]:
            condition_types.update(c["type"] for c in group["conditions"])
            action_types.update(a["type"] for a in group["actions"])
    action_types.update(targets.target_action(n, spec, directory)["type"] for n in spec.targets)

    assert detector_types == {"metric_issue"}
    assert datasets <= SENTRY_DATASETS
    assert results <= {75, 50, 0}  # DetectorPriorityLevel HIGH, MEDIUM, OK
    assert condition_types <= SENTRY_CONDITION_TYPES, condition_types - SENTRY_CONDITION_TYPES
    assert action_types == {"email", "slack", "pagerduty"}
    assert action_types <= SENTRY_ACTION_TYPES
