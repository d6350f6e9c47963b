"""The sandbox's Sentry facts (sandbox/facts.py) pinned to Sentry's values, written out here as
literals with the file of getsentry/sentry (``src/sentry/``) each was read from: a table that
drifts from Sentry fails here, whatever the client's own tables say."""

from __future__ import annotations

from para_monitor_cli.sandbox import facts


def test_detector_priority_levels() -> None:
    # workflow_engine/types.py DetectorPriorityLevel: OK = 0, LOW/MEDIUM/HIGH = PriorityLevel;
    # types/group.py PriorityLevel: LOW = 25, MEDIUM = 50, HIGH = 75
    assert facts.DETECTOR_PRIORITY_LEVELS == {"ok": 0, "low": 25, "medium": 50, "high": 75}
    assert (facts.PRIORITY_HIGH, facts.PRIORITY_MEDIUM, facts.PRIORITY_LOW) == (75, 50, 0)


def test_frequency_and_comparison_intervals() -> None:
    # rules/conditions/event_frequency.py STANDARD_INTERVALS and COMPARISON_INTERVALS (keys)
    assert facts.WORKFLOW_FREQUENCY_INTERVALS == ("1m", "5m", "15m", "1h", "1d", "1w", "30d")
    assert facts.WORKFLOW_COMPARISON_INTERVALS == ("5m", "15m", "1h", "1d", "1w", "30d")
    # ... PERCENT_INTERVALS (keys)
    assert facts.PERCENT_INTERVAL_KEYS == ("1m", "5m", "10m", "30m", "1h")


def test_condition_group_logic_types() -> None:
    # workflow_engine/models/data_condition_group.py DataConditionGroup.Type
    assert facts.WORKFLOW_LOGIC_TYPES == ("any", "any-short", "all", "none")


def test_action_types() -> None:
    # workflow_engine/models/action.py Action.Type (no "gitlab" member)
    assert set(facts.WORKFLOW_ACTION_TYPES) == {
        "slack",
        "msteams",
        "discord",
        "pagerduty",
        "opsgenie",
        "github",
        "github_enterprise",
        "jira",
        "jira_server",
        "vsts",
        "email",
        "sentry_app",
        "plugin",
        "webhook",
    }
    assert len(facts.WORKFLOW_ACTION_TYPES) == 14
    # Action.Type.is_integration: every type but email, sentry_app, plugin and webhook
    assert set(facts.WORKFLOW_ACTION_TYPES) - set(facts.INTEGRATION_ACTION_TYPES) == {
        "email",
        "sentry_app",
        "plugin",
        "webhook",
    }


def test_default_detectors() -> None:
    # workflow_engine/types.py ERROR_DETECTOR_NAME and ISSUE_STREAM_DETECTOR_NAME
    assert facts.DEFAULT_DETECTORS == (("error", "Error Monitor"), ("issue_stream", "Issue Stream"))


def test_list_and_dashboard_limits() -> None:
    # api/base.py get_per_page / api/paginator.py MAX_LIMIT: 100 a page
    assert facts.MAX_PER_PAGE == 100
    # models/dashboard.py Dashboard.MAX_WIDGETS (as facts.py cites it; not re-read here)
    assert facts.MAX_WIDGETS == 30


def test_the_rules_read_the_facts_from_facts_py() -> None:
    # one place for each fact: the rule modules use facts' objects, they do not copy them
    from para_monitor_cli.sandbox import detectors, legacy, validation, workflows

    assert workflows.WORKFLOW_ACTION_TYPES is facts.WORKFLOW_ACTION_TYPES
    assert detectors.DETECTOR_CONDITION_TYPES is facts.DETECTOR_CONDITION_TYPES
    assert legacy.ISSUE_CONDITION_IDS is facts.ISSUE_CONDITION_IDS
    assert validation.DATASET_NAMES is facts.DATASET_NAMES
