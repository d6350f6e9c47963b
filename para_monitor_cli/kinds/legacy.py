"""Legacy alert rules (Sentry's deprecated APIs) translated for ``export``.

A legacy issue alert rule (``projects/{org}/{project}/rules/``) becomes a workflow-shaped dict
and a legacy metric alert rule (``organizations/{org}/alert-rules/``) a detector-shaped dict with
its trigger actions; ``commands/export.py`` then writes them through the alert and monitor
kinds' ``export``, so a team can migrate off the old API. What cannot be translated is named in
``problems``. This module is no kind (it exports no ``KIND``): nothing is written to the legacy
APIs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from para_monitor_cli.api.wire import Directory
from para_monitor_cli.kinds.alert import INTERVAL_NAMES
from para_monitor_cli.kinds.base import JSON
from para_monitor_cli.kinds.monitor import comparison_ops, threshold_condition
from para_monitor_cli.spec import catalog

_LEGACY_TRIGGERS = {
    "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition": "first_seen",
    "sentry.rules.conditions.regression_event.RegressionEventCondition": "regression",
    "sentry.rules.conditions.reappeared_event.ReappearedEventCondition": "reappeared",
}


def _nearest_frequency(minutes: int) -> int:
    """Legacy rules allow 5..43200 minutes; alerts take a fixed set: round up."""
    for choice in catalog.FREQUENCY_CHOICES_MINUTES:
        if choice >= minutes:
            return choice
    return catalog.FREQUENCY_CHOICES_MINUTES[-1]


def legacy_issue_rule_to_workflow(rule: Mapping[str, Any], problems: list[str]) -> JSON:
    """A legacy issue alert rule (``projects/{o}/{p}/rules/``) as a workflow-shaped dict."""
    name = str(rule.get("name"))
    triggers: list[JSON] = []
    filters: list[JSON] = []
    for cond in rule.get("conditions") or []:
        cid = str(cond.get("id"))
        if cid in _LEGACY_TRIGGERS:
            ctype = catalog.TRIGGER_TYPES[_LEGACY_TRIGGERS[cid]]
            triggers.append({"type": ctype, "comparison": True, "conditionResult": True})
        elif cid.endswith(("EventFrequencyCondition", "EventUniqueUserFrequencyCondition")):
            # legacy rules use the same interval names as workflows (STANDARD_INTERVALS)
            interval = str(cond.get("interval"))
            if interval not in INTERVAL_NAMES:
                problems.append(f"legacy rule {name!r}: interval {interval!r} cannot be exported")
                continue
            kind = (
                "event_frequency_count"
                if cid.endswith(".EventFrequencyCondition")
                else "event_unique_user_frequency_count"
            )
            if cond.get("comparisonType", "count") != "count":
                problems.append(f"legacy rule {name!r}: percent comparisons cannot be exported")
                continue
            filters.append(
                {
                    "type": kind,
                    "comparison": {
                        "value": int(cond.get("value", 0)),
                        "interval": interval,
                    },
                }
            )
        else:
            problems.append(f"legacy rule {name!r}: condition {cid} cannot be exported")
    for flt in rule.get("filters") or []:
        fid = str(flt.get("id"))
        if fid.endswith("LevelFilter"):
            filters.append(
                {
                    "type": "level",
                    "comparison": {"level": int(flt.get("level", 40)), "match": flt.get("match")},
                }
            )
        elif fid.endswith("IssueOccurrencesFilter"):
            filters.append({"type": "issue_occurrences", "comparison": {"value": flt.get("value")}})
        elif fid.endswith("TaggedEventFilter"):
            filters.append(
                {
                    "type": "tagged_event",
                    "comparison": {
                        "key": flt.get("key"),
                        "match": flt.get("match", "eq"),
                        "value": flt.get("value", ""),
                    },
                }
            )
        else:
            problems.append(f"legacy rule {name!r}: filter {fid} cannot be exported")
    actions: list[JSON] = []
    for act in rule.get("actions") or []:
        aid = str(act.get("id"))
        if aid.endswith("SlackNotifyServiceAction"):
            actions.append(
                {
                    "type": "slack",
                    "integrationId": str(act.get("workspace")),
                    "config": {
                        "targetType": "specific",
                        "targetIdentifier": act.get("channel_id") or act.get("channel"),
                        "targetDisplay": act.get("channel"),
                    },
                }
            )
        elif aid.endswith("PagerDutyNotifyServiceAction"):
            actions.append(
                {
                    "type": "pagerduty",
                    "integrationId": str(act.get("account")),
                    "config": {
                        "targetType": "specific",
                        "targetIdentifier": str(act.get("service")),
                    },
                    "data": {"priority": act.get("severity") or "default"},
                }
            )
        elif aid.endswith("NotifyEmailAction") and act.get("targetType") in ("Team", "Member"):
            actions.append(
                {
                    "type": "email",
                    "config": {
                        "targetType": "team" if act.get("targetType") == "Team" else "user",
                        "targetIdentifier": str(act.get("targetIdentifier")),
                    },
                }
            )
        else:
            problems.append(f"legacy rule {name!r}: action {aid} cannot be exported")
    match = str(rule.get("filterMatch") or "all")
    if str(rule.get("actionMatch") or "any") == "all" and len(triggers) > 1:
        problems.append(f"legacy rule {name!r}: 'all' of several triggers becomes 'any'")
    frequency = int(rule.get("frequency") or 30)
    chosen = _nearest_frequency(frequency)
    if chosen != frequency:
        problems.append(
            f"legacy rule {name!r}: frequency {frequency} min rounded up to {chosen} min"
        )
    projects = rule.get("projects") or []
    return {
        "name": name,
        "environment": rule.get("environment"),
        "config": {"frequency": chosen},
        "triggers": {"logicType": "any-short", "conditions": triggers},
        "actionFilters": [{"logicType": match, "conditions": filters, "actions": actions}],
        "projects": list(projects),
    }


def legacy_metric_rule_to_detector(
    rule: Mapping[str, Any], directory: Directory
) -> tuple[JSON, list[JSON]]:
    """A legacy metric alert rule as (detector-shaped dict, its trigger actions)."""
    below = int(rule.get("thresholdType") or 0) == catalog.THRESHOLD_TYPES["below"]
    alert_op, resolve_op = comparison_ops("below" if below else "above")
    conditions: list[JSON] = []
    actions: list[JSON] = []
    lowest: Any = None
    for trigger in rule.get("triggers") or []:
        critical = trigger.get("label") == "critical"
        result = catalog.PRIORITY_HIGH if critical else catalog.PRIORITY_MEDIUM
        value = trigger.get("alertThreshold")
        conditions.append(threshold_condition(alert_op, value, result))
        lowest = value
        for act in trigger.get("actions") or []:
            kind = act.get("type")
            ident = str(act.get("targetIdentifier") or "")
            config: JSON = {"targetType": act.get("targetType"), "targetIdentifier": ident}
            if kind == "slack":
                config["targetIdentifier"] = act.get("inputChannelId") or ident
                config["targetDisplay"] = ident
            action: JSON = {
                "type": kind,
                "integrationId": None
                if act.get("integrationId") is None
                else str(act["integrationId"]),
                "config": config,
                "data": {"priority": act["priority"]} if act.get("priority") else {},
            }
            if repr(action) not in {repr(a) for a in actions}:
                actions.append(action)
    resolve = rule.get("resolveThreshold")
    if resolve is None:
        resolve = lowest
    if resolve is not None:
        conditions.append(threshold_condition(resolve_op, resolve, catalog.PRIORITY_RESOLVED))
    projects = rule.get("projects") or []
    project_id = directory.projects.get(str(projects[0]), "") if projects else ""
    delta = rule.get("comparisonDelta")
    detector = {
        "name": rule.get("name"),
        "type": "metric_issue",
        "projectId": project_id,
        "description": rule.get("description") or "",
        "dataSources": [
            {
                "dataset": rule.get("dataset") or "events",
                "queryType": rule.get("queryType"),
                "eventTypes": list(rule.get("eventTypes") or []),
                "aggregate": rule.get("aggregate"),
                "query": rule.get("query") or "",
                "environment": rule.get("environment"),
                "timeWindow": int(float(rule.get("timeWindow") or 1) * 60),
            }
        ],
        "conditionGroup": {"logicType": "any", "conditions": conditions},
        "config": {
            "detectionType": rule.get("detectionType") or "static",
            "comparisonDelta": None if delta is None else int(delta) * 60,
        },
    }
    return detector, actions
