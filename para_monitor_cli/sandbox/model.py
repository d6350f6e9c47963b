"""Stored documents and how Sentry's API shows them.

``new_*`` functions build the document the store keeps; ``show_*`` functions turn a stored
document into the JSON object Sentry's API returns for it (shapes from the official OpenAPI
spec). Nothing here does I/O beyond reading and writing the given :class:`Store`.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from para_monitor_cli.sandbox.facts import DEFAULT_DETECTORS
from para_monitor_cli.sandbox.store import Doc, Query, Store

DEPRECATION_DATE = "2026-05-14T00:00:00+00:00"
ALL_SCOPES = (
    "org:read",
    "org:write",
    "org:admin",
    "org:integrations",
    "org:ci",
    "project:read",
    "project:write",
    "project:admin",
    "project:releases",
    "team:read",
    "team:write",
    "team:admin",
    "member:read",
    "member:write",
    "member:admin",
    "event:read",
    "event:write",
    "event:admin",
    "alerts:read",
    "alerts:write",
)
PROJECT_FLAGS = (
    "hasFeedbacks",
    "hasFlags",
    "hasMinifiedStackTrace",
    "hasMonitors",
    "hasNewFeedbacks",
    "hasProfiles",
    "hasReplays",
    "hasSessions",
    "hasInsightsHttp",
    "hasInsightsDb",
    "hasInsightsAssets",
    "hasInsightsAppStart",
    "hasInsightsScreenLoad",
    "hasInsightsVitals",
    "hasInsightsCaches",
    "hasInsightsQueues",
    "hasInsightsAgentMonitoring",
    "hasInsightsMCP",
    "hasLogs",
    "hasTraceMetrics",
)
# Sentry creates these for every project (workflow_engine's default detectors; not re-read);
# can_delete_detector refuses to delete them.
PROVIDERS: dict[str, Doc] = {
    "slack": {"name": "Slack", "features": ["alert-rule", "chat-unfurl"]},
    "pagerduty": {"name": "PagerDuty", "features": ["alert-rule", "incident-management"]},
    "msteams": {"name": "Microsoft Teams", "features": ["alert-rule", "chat-unfurl"]},
    "opsgenie": {
        "name": "Opsgenie (Integration)",
        "features": ["alert-rule", "incident-management"],
    },
    "discord": {"name": "Discord", "features": ["alert-rule", "chat-unfurl"]},
}


#: The features of a seeded organization that lists none (``features:`` in the seed replaces
#: them). ``incidents`` lets it create metric monitors
#: (OrganizationProjectDetectorIndexEndpoint.post); ``discover-saved-queries-deprecation``
#: is the span migration: metric monitors on transactions or generic_metrics can no longer
#: be created (MetricIssueDetectorValidator._validate_transaction_dataset_deprecation).
#: sentry.io has been refusing them on ordinary organizations (the public reports of
#: "Creation of transaction-based alerts is disabled" in 2026), so the sandbox's default
#: organization is migrated too: what it accepts then works whether or not a real
#: organization has the flag.
DEFAULT_ORG_FEATURES = (
    "incidents",
    "dashboards-basic",
    "dashboards-edit",
    "workflow-engine-ui",
    "discover-saved-queries-deprecation",
)


def org_features(org: Doc) -> list[str]:
    features = org.get("features")
    return list(DEFAULT_ORG_FEATURES if features is None else features)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# -- constructors ---------------------------------------------------------------------------


def new_project(project_id: str, org_id: str, data: Doc, team_ids: list[str], now: str) -> Doc:
    return {
        "id": project_id,
        "org": org_id,
        "slug": data["slug"],
        "name": data.get("name", data["slug"]),
        "platform": data.get("platform"),
        "teams": team_ids,
        "dateCreated": now,
        "firstEvent": None,
        "firstTransactionEvent": False,
        "dataScrubber": bool(data.get("dataScrubber", True)),
        "dataScrubberDefaults": bool(data.get("dataScrubberDefaults", True)),
        "scrubIPAddresses": bool(data.get("scrubIPAddresses", False)),
        "sensitiveFields": list(data.get("sensitiveFields", [])),
        "safeFields": list(data.get("safeFields", [])),
        "allowedDomains": list(data.get("allowedDomains", ["*"])),
        "resolveAge": int(data.get("resolveAge", 0)),
        "subjectPrefix": data.get("subjectPrefix", ""),
        "subjectTemplate": data.get("subjectTemplate", "$shortID - $title"),
        "relayPiiConfig": data.get("relayPiiConfig"),
        "isBookmarked": False,
        "enableAutoReleaseCreation": False,
        "scmSourceContextEnabled": False,
        "highlightTags": [],
        "highlightContext": {},
        "securityToken": secrets.token_hex(16),
    }


def new_key(store: Store, project_id: str, data: Doc, now: str) -> Doc:
    key_id = str(data.get("id") or secrets.token_hex(16))
    return {
        "id": key_id,
        "project": project_id,
        "secret": str(data.get("secret") or secrets.token_hex(16)),
        "name": str(data.get("name") or _default_key_name()),
        "isActive": bool(data.get("isActive", True)),
        "rateLimit": data.get("rateLimit"),
        "useCase": data.get("useCase", "user"),
        "browserSdkVersion": data.get("browserSdkVersion", "8.x"),
        "dateCreated": now,
        "seq": store.next_id("key-seq"),
    }


def _default_key_name() -> str:
    return "Default"


def new_release(store: Store, org_id: str, version: str, project_ids: list[str], now: str) -> Doc:
    release_id = store.next_id("release")
    return {
        "id": str(release_id),
        "org": org_id,
        "version": version,
        "projects": project_ids,
        "dateCreated": now,
        "dateReleased": None,
        "ref": None,
        "url": None,
    }


def new_rule(store: Store, project_id: str, data: Doc, user_id: str, now: str) -> Doc:
    rule_id = str(store.next_id("rule"))
    return {
        "id": rule_id,
        "project": project_id,
        "createdBy": user_id,
        "dateCreated": now,
        **rule_fields(data),
    }


def rule_fields(data: Doc) -> Doc:
    actions = []
    for action in data.get("actions", []):
        node = {k: v for k, v in action.items() if k != "name"}
        node.setdefault("uuid", _uuid())
        actions.append(node)
    return {
        "name": data["name"],
        "actionMatch": data.get("actionMatch", "all"),
        "filterMatch": data.get("filterMatch") or "all",
        "frequency": int(data.get("frequency", 30)),
        "environment": data.get("environment"),
        "owner": data.get("owner"),
        "conditions": [_strip_name(c) for c in data.get("conditions", [])],
        "filters": [_strip_name(c) for c in data.get("filters", []) or []],
        "actions": actions,
    }


def _strip_name(node: Doc) -> Doc:
    return {k: v for k, v in node.items() if k != "name"}


def new_alert_rule(
    store: Store, org_id: str, data: Doc, project_ids: list[str], user_id: str, now: str
) -> Doc:
    rule_id = str(store.next_id("alert_rule"))
    return {
        "id": rule_id,
        "org": org_id,
        "createdBy": user_id,
        "dateCreated": now,
        "dateModified": now,
        **alert_rule_fields(store, rule_id, data, project_ids, now),
    }


def alert_rule_fields(
    store: Store, rule_id: str, data: Doc, project_ids: list[str], now: str
) -> Doc:
    triggers = []
    for trigger in data.get("triggers", []):
        trigger_id = str(trigger.get("id") or store.next_id("trigger"))
        actions = []
        for action in trigger.get("actions", []):
            action_id = str(action.get("id") or store.next_id("trigger_action"))
            actions.append(
                {
                    "id": action_id,
                    "alertRuleTriggerId": trigger_id,
                    "type": action.get("type"),
                    "targetType": action.get("targetType"),
                    "targetIdentifier": action.get("targetIdentifier"),
                    "inputChannelId": action.get("inputChannelId"),
                    "integrationId": _int_or_none(action.get("integrationId")),
                    "sentryAppId": action.get("sentryAppId"),
                    "priority": action.get("priority"),
                    "dateCreated": now,
                    "desc": _action_desc(action),
                }
            )
        triggers.append(
            {
                "id": trigger_id,
                "alertRuleId": rule_id,
                "label": trigger.get("label"),
                "thresholdType": data.get("thresholdType", 0),
                "alertThreshold": trigger.get("alertThreshold"),
                "resolveThreshold": data.get("resolveThreshold"),
                "dateCreated": now,
                "actions": actions,
            }
        )
    dataset = data.get("dataset", "events")
    return {
        "name": data["name"],
        "projects": project_ids,
        "dataset": dataset,
        "queryType": data.get("queryType", {"events": 0, "metrics": 2}.get(dataset, 1)),
        "eventTypes": list(data.get("eventTypes", [])),
        "aggregate": data["aggregate"],
        "query": data.get("query", ""),
        "timeWindow": data["timeWindow"],
        "thresholdType": data.get("thresholdType", 0),
        "resolveThreshold": data.get("resolveThreshold"),
        "environment": data.get("environment"),
        "thresholdPeriod": data.get("thresholdPeriod", 1),
        "comparisonDelta": data.get("comparisonDelta"),
        "owner": data.get("owner"),
        "description": data.get("description", ""),
        "detectionType": data.get("detectionType", "static"),
        "sensitivity": data.get("sensitivity"),
        "seasonality": data.get("seasonality"),
        "triggers": triggers,
    }


def _action_desc(action: Doc) -> str:
    kind = str(action.get("type", ""))
    target = str(action.get("targetIdentifier", ""))
    if kind == "email":
        return f"Send an email to {action.get('targetType')} {target}"
    return f"Send a {kind} notification to {target}"


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def ensure_default_detectors(store: Store, org_id: str, project_id: str, now: str) -> None:
    existing = {d["type"] for d in store.select(Query("detector", project=project_id))}
    for kind, name in DEFAULT_DETECTORS:
        if kind in existing:
            continue
        detector_id = str(store.next_id("detector"))
        store.put(
            "detector",
            detector_id,
            {
                "id": detector_id,
                "org": org_id,
                "projectId": project_id,
                "name": name,
                "type": kind,
                "description": None,
                "owner": None,
                "createdBy": None,
                "dateCreated": now,
                "dateUpdated": now,
                "dataSources": [],
                "conditionGroup": None,
                "config": {},
                "enabled": True,
                "builtin": True,
            },
        )


def detector_fields(store: Store, org_id: str, data: Doc, old: Doc | None, now: str) -> Doc:
    """Merge a detector body (create or update) into its stored form."""
    out: Doc = dict(old or {})
    for key in ("name", "type", "description", "owner", "enabled"):
        if key in data:
            out[key] = data[key]
    out.setdefault("enabled", True)
    out.setdefault("description", None)
    out.setdefault("owner", None)
    if "config" in data:
        config = dict(data["config"] or {})
        config.setdefault("detectionType", "static")
        config.setdefault("comparisonDelta", None)
        out["config"] = config
    out.setdefault("config", {"detectionType": "static", "comparisonDelta": None})
    sources = data.get("dataSources", data.get("data_sources"))
    if sources is not None and old and old.get("dataSources"):
        # MetricIssueDetectorValidator.update -> update_data_source: the first data source
        # updates the stored snuba query in place, each key defaulting to its stored value
        kept = copy.deepcopy(old["dataSources"])
        query = kept[0]["queryObj"]["snubaQuery"]
        for key, value in _snuba_fields(sources[0] if sources else {}).items():
            if value is not _ABSENT:
                query[key] = value
        out["dataSources"] = kept
    elif sources is not None:
        shown = []
        for source in sources:
            source_id = str(store.next_id("data_source"))
            query_id = str(store.next_id("snuba_query"))
            fields: Doc = {
                "dataset": "events",
                "query": "",
                "aggregate": "count()",
                "timeWindow": None,
                "environment": None,
                "eventTypes": [],
                "extrapolationMode": "unknown",
                "queryType": None,
            }
            fields.update({k: v for k, v in _snuba_fields(source).items() if v is not _ABSENT})
            shown.append(
                {
                    "id": source_id,
                    "organizationId": org_id,
                    "type": "snuba_query_subscription",
                    "sourceId": str(store.next_id("subscription")),
                    "queryObj": {
                        "id": query_id,
                        "status": 0,
                        "subscription": None,
                        "snubaQuery": {"id": query_id, **fields},
                    },
                }
            )
        out["dataSources"] = shown
    out.setdefault("dataSources", [])
    group = data.get("conditionGroup", data.get("condition_group"))
    if group is not None:
        out["conditionGroup"] = _condition_group(store, org_id, group, "any")
    out.setdefault("conditionGroup", None)
    out["dateUpdated"] = now
    out.setdefault("dateCreated", now)
    return out


_ABSENT: Any = object()


def _snuba_fields(source: Doc) -> Doc:
    """A data source's snuba query keys as sent (camelCase or snake_case), _ABSENT if not."""

    def pick(camel: str, snake: str) -> Any:
        return source.get(camel, source.get(snake, _ABSENT))

    fields = {
        "dataset": pick("dataset", "dataset"),
        "query": pick("query", "query"),
        "aggregate": pick("aggregate", "aggregate"),
        "timeWindow": pick("timeWindow", "time_window"),
        "environment": pick("environment", "environment"),
        "eventTypes": pick("eventTypes", "event_types"),
        "extrapolationMode": pick("extrapolationMode", "extrapolation_mode"),
        "queryType": pick("queryType", "query_type"),
    }
    if isinstance(fields["eventTypes"], list):
        fields["eventTypes"] = list(fields["eventTypes"])
    return fields


def _condition_group(store: Store, org_id: str, group: Doc, default_logic: str) -> Doc:
    return {
        "id": str(store.next_id("condition_group")),
        "organizationId": org_id,
        "logicType": group.get("logicType", group.get("logic_type", default_logic)),
        "conditions": [
            {
                "id": str(store.next_id("condition")),
                "type": c.get("type"),
                "comparison": c.get("comparison"),
                "conditionResult": c.get("conditionResult", c.get("condition_result")),
            }
            for c in group.get("conditions", [])
        ],
        "actions": [_workflow_action(store, a) for a in group.get("actions", [])],
    }


def _workflow_action(store: Store, action: Doc) -> Doc:
    integration = action.get("integrationId", action.get("integration_id"))
    return {
        "id": str(store.next_id("action")),
        "type": action.get("type"),
        "integrationId": None if integration is None else str(integration),
        "data": dict(action.get("data") or {}),
        "config": dict(action.get("config") or {}),
        "status": action.get("status", "active"),
    }


def workflow_fields(store: Store, org_id: str, data: Doc, old: Doc | None, now: str) -> Doc:
    out: Doc = dict(old or {})
    for key in ("name", "enabled", "environment", "owner"):
        if key in data:
            out[key] = data[key]
    out.setdefault("enabled", True)
    out.setdefault("environment", None)
    out.setdefault("owner", None)
    if "config" in data:
        out["config"] = dict(data["config"] or {})
    out.setdefault("config", {"frequency": 30})  # Workflow.DEFAULT_FREQUENCY
    if "triggers" in data:
        triggers = data["triggers"]
        out["triggers"] = (
            None if triggers is None else _condition_group(store, org_id, triggers, "any-short")
        )
    out.setdefault("triggers", None)
    filters = data.get("actionFilters", data.get("action_filters"))
    if filters is not None:
        out["actionFilters"] = [_condition_group(store, org_id, f, "all") for f in filters]
    out.setdefault("actionFilters", [])
    out["dateUpdated"] = now
    out.setdefault("dateCreated", now)
    return out


# -- shows ----------------------------------------------------------------------------------


def show_user(user: Doc) -> Doc:
    return {
        "id": user["id"],
        "name": user["name"],
        "username": user["email"],
        "email": user["email"],
        "avatarUrl": "",
        "isActive": True,
        "isSuspended": False,
        "hasPasswordAuth": True,
        "isManaged": False,
        "dateJoined": user["dateJoined"],
        "lastLogin": None,
        "has2fa": False,
        "lastActive": None,
        "isSuperuser": False,
        "isStaff": False,
        "experiments": {},
        "avatar": {"avatarType": "letter_avatar", "avatarUuid": None},
        "emails": [{"id": user["id"], "email": user["email"], "is_verified": True}],
    }


def show_org(org: Doc, base_url: str) -> Doc:
    return {
        "id": org["id"],
        "slug": org["slug"],
        "name": org["name"],
        "status": {"id": "active", "name": "active"},
        "dateCreated": org["dateCreated"],
        "isEarlyAdopter": False,
        "require2FA": False,
        "avatar": {"avatarType": "letter_avatar", "avatarUuid": None},
        "links": {"organizationUrl": base_url.rstrip("/"), "regionUrl": base_url.rstrip("/")},
        "hasAuthProvider": False,
        "allowMemberInvite": True,
        "allowMemberProjectCreation": True,
        "allowSuperuserAccess": False,
        "features": org_features(org),
    }


def show_team(store: Store, team: Doc, user_id: str) -> Doc:
    members = [store.get("member", m) for m in team["members"]]
    is_member = any(m is not None and m["user"] == user_id for m in members)
    return {
        "id": team["id"],
        "slug": team["slug"],
        "name": team["name"],
        "dateCreated": team["dateCreated"],
        "isMember": is_member,
        "teamRole": "admin" if is_member else None,
        "flags": {"idp:provisioned": False},
        "access": ["team:read", "team:write", "project:read", "event:read"],
        "hasAccess": True,
        "isPending": False,
        "memberCount": sum(1 for m in members if m is not None),
        "avatar": {"avatarType": "letter_avatar", "avatarUuid": None},
    }


def show_project_summary(store: Store, project: Doc, user_id: str, latest: str | None) -> Doc:
    teams = [t for t in (store.get("team", tid) for tid in project["teams"]) if t is not None]
    brief_teams = [{"id": t["id"], "name": t["name"], "slug": t["slug"]} for t in teams]
    is_member = any(
        (m := store.get("member", mid)) is not None and m["user"] == user_id
        for t in teams
        for mid in t["members"]
    )
    out: Doc = {
        "id": project["id"],
        "slug": project["slug"],
        "name": project["name"],
        "platform": project["platform"],
        "dateCreated": project["dateCreated"],
        "isBookmarked": project["isBookmarked"],
        "isMember": is_member,
        "features": ["alert-filters", "servicehooks", "similarity-indexing"],
        "firstEvent": project["firstEvent"],
        "firstTransactionEvent": project["firstTransactionEvent"],
        "access": list(ALL_SCOPES),
        "hasAccess": True,
        "team": brief_teams[0] if brief_teams else None,
        "teams": brief_teams,
        "platforms": [project["platform"]] if project["platform"] else [],
        "hasUserReports": False,
        "environments": [
            env["name"] for env, _link in project_environments(store, project["id"], "all")
        ],
        "latestRelease": {"version": latest} if latest else None,
    }
    for flag in PROJECT_FLAGS:
        out[flag] = False
    return out


def show_project(
    store: Store, project: Doc, org: Doc, user_id: str, latest: str | None, base_url: str
) -> Doc:
    out = show_project_summary(store, project, user_id, latest)
    out.pop("team", None)
    out.update(
        {
            "isInternal": False,
            "isPublic": False,
            "avatar": {"avatarType": "letter_avatar", "avatarUuid": None},
            "color": "#3f70bf",
            "status": "active",
            "options": {},
            "digestsMinDelay": 300,
            "digestsMaxDelay": 1800,
            "subjectPrefix": project["subjectPrefix"],
            "allowedDomains": project["allowedDomains"],
            "resolveAge": project["resolveAge"],
            "dataScrubber": project["dataScrubber"],
            "dataScrubberDefaults": project["dataScrubberDefaults"],
            "safeFields": project["safeFields"],
            "storeCrashReports": None,
            "sensitiveFields": project["sensitiveFields"],
            "subjectTemplate": project["subjectTemplate"],
            "securityToken": project["securityToken"],
            "securityTokenHeader": None,
            "verifySSL": False,
            "scrubIPAddresses": project["scrubIPAddresses"],
            "scrapeJavaScript": True,
            "enableAutoReleaseCreation": project["enableAutoReleaseCreation"],
            "highlightTags": project["highlightTags"],
            "highlightContext": project["highlightContext"],
            "highlightPreset": {"tags": ["handled", "level"], "context": {}},
            "groupingConfig": "newstyle:2023-01-11",
            "derivedGroupingEnhancements": "",
            "groupingEnhancements": "",
            "secondaryGroupingExpiry": 0,
            "secondaryGroupingConfig": None,
            "fingerprintingRules": "",
            "organization": show_org(org, base_url),
            "processingIssues": 0,
            "defaultEnvironment": None,
            "relayPiiConfig": project["relayPiiConfig"],
            "builtinSymbolSources": [],
            "dynamicSamplingBiases": [],
            "symbolSources": "[]",
            "isDynamicallySampled": False,
            "tempestFetchScreenshots": False,
            "autofixAutomationTuning": "off",
            "seerScannerAutomation": False,
            "seerNightshiftTweaks": None,
            "scmSourceContextEnabled": project["scmSourceContextEnabled"],
            "debugFilesRole": None,
        }
    )
    return out


def dsn_for(key: Doc, base_url: str, secret: bool = False) -> str:
    scheme, _, rest = base_url.rstrip("/").partition("://")
    cred = f"{key['id']}:{key['secret']}" if secret else key["id"]
    return f"{scheme}://{cred}@{rest}/{key['project']}"


def show_key(key: Doc, base_url: str) -> Doc:
    host = base_url.rstrip("/")
    public = dsn_for(key, base_url)
    project = key["project"]
    return {
        "id": key["id"],
        "name": key["name"],
        "label": key["name"],
        "public": key["id"],
        "secret": key["secret"],
        "projectId": int(project),
        "isActive": key["isActive"],
        "rateLimit": key["rateLimit"],
        "dsn": {
            "secret": dsn_for(key, base_url, secret=True),
            "public": public,
            "csp": f"{host}/api/{project}/csp-report/?sentry_key={key['id']}",
            "security": f"{host}/api/{project}/security/?sentry_key={key['id']}",
            "minidump": f"{host}/api/{project}/minidump/?sentry_key={key['id']}",
            "nel": f"{host}/api/{project}/nel/?sentry_key={key['id']}",
            "unreal": f"{host}/api/{project}/unreal/{key['id']}/",
            "crons": f"{host}/api/{project}/cron/___MONITOR_SLUG___/{key['id']}/",
            "cdn": f"{host}/js-sdk-loader/{key['id']}.min.js",
            "playstation": f"{host}/api/{project}/playstation/?sentry_key={key['id']}",
            "integration": f"{host}/",
            "otlp_traces": f"{host}/api/{project}/integration/otlp/v1/traces",
            "otlp_logs": f"{host}/api/{project}/integration/otlp/v1/logs",
        },
        "browserSdkVersion": key["browserSdkVersion"],
        "browserSdk": {"choices": [["latest", "latest"], ["8.x", "8.x"], ["7.x", "7.x"]]},
        "dateCreated": key["dateCreated"],
        "dynamicSdkLoaderOptions": {
            "hasReplay": True,
            "hasPerformance": False,
            "hasDebug": False,
            "hasFeedback": False,
            "hasLogsAndMetrics": False,
        },
        "useCase": key["useCase"],
    }


def show_member(store: Store, member: Doc) -> Doc:
    user = store.get("user", member["user"])
    return {
        "id": member["id"],
        "email": member["email"],
        "name": member["name"],
        "user": show_user(user) if user else None,
        "orgRole": member["role"],
        "role": member["role"],
        "roleName": member["role"].title(),
        "pending": False,
        "expired": False,
        "flags": {
            "idp:provisioned": False,
            "idp:role-restricted": False,
            "sso:linked": False,
            "sso:invalid": False,
            "member-limit:restricted": False,
            "partnership:restricted": False,
        },
        "dateCreated": member["dateCreated"],
        "inviteStatus": "approved",
        "inviterName": None,
    }


def show_integration(integration: Doc) -> Doc:
    """OrganizationIntegrationSerializer over the integration's ``get_config_data``.

    Slack's ``get_config_data`` returns only ``installationType``
    (integrations/slack/integration.py ``SlackIntegration.get_config_data``): the channels
    Slack knows (the seed's ``slack_channels``) are never shown, so channel ids cannot be
    discovered through Sentry's API. PagerDuty shows its ``service_table``.
    """
    provider = str(integration["provider"])
    known = PROVIDERS.get(provider, {"name": provider.title(), "features": ["alert-rule"]})
    config: Doc
    if provider == "pagerduty":
        config = {"service_table": list(integration.get("services", []))}
    elif provider == "slack":
        config = {"installationType": "born_as_bot"}
    else:
        config = dict(integration.get("configData", {}))
    status = integration_status(integration)
    return {
        "id": integration["id"],
        "name": integration["name"],
        "icon": None,
        "domainName": integration.get("domainName"),
        "accountType": None,
        "scopes": [],
        "outOfDate": False,
        "status": status,
        "provider": {
            "key": provider,
            "slug": provider,
            "name": known["name"],
            "canAdd": True,
            "canDisable": False,
            "features": known["features"],
            "aspects": {},
        },
        "configOrganization": [],
        "configData": config,
        "externalId": str(integration.get("externalId", integration["id"])),
        "organizationId": int(integration["org"]),
        "organizationIntegrationStatus": status,
        "gracePeriodEnd": None,
    }


def integration_status(integration: Doc) -> str:
    """``active``, ``disabled``... (ObjectStatus as Sentry's serializer prints it)."""
    return str(integration.get("status") or "active")


def show_release(store: Store, release: Doc) -> Doc:
    projects = [p for p in (store.get("project", pid) for pid in release["projects"]) if p]
    version = release["version"]
    package, _, short = version.partition("@")
    return {
        "id": int(release["id"]),
        "version": version,
        "newGroups": 0,
        "status": "open",
        "shortVersion": short or version,
        "ref": release["ref"],
        "url": release["url"],
        "versionInfo": {
            "package": package if short else None,
            "version": {"raw": short or version},
            "description": short or version,
            "buildHash": None,
        },
        "data": {},
        "commitCount": 0,
        "deployCount": 0,
        "lastDeploy": None,
        "authors": [],
        "dateCreated": release["dateCreated"],
        "dateReleased": release["dateReleased"],
        "firstEvent": None,
        "lastEvent": None,
        "lastCommit": None,
        "owner": None,
        "userAgent": None,
        "projects": [
            {
                "id": int(p["id"]),
                "slug": p["slug"],
                "name": p["name"],
                "platform": p["platform"],
                "platforms": [p["platform"]] if p["platform"] else [],
                "hasHealthData": False,
                "newGroups": 0,
            }
            for p in projects
        ],
    }


def show_detector(store: Store, detector: Doc, workflow_ids: list[str] | None = None) -> Doc:
    if workflow_ids is None:
        workflow_ids = linked(store, detector=detector["id"])
    return {
        "id": detector["id"],
        "projectId": detector["projectId"],
        "name": detector["name"],
        "description": detector.get("description"),
        "type": detector["type"],
        "workflowIds": workflow_ids,
        "owner": show_actor(store, detector.get("owner")),
        "createdBy": detector.get("createdBy"),
        "dateCreated": detector["dateCreated"],
        "dateUpdated": detector["dateUpdated"],
        "dataSources": detector["dataSources"],
        "conditionGroup": detector["conditionGroup"],
        "config": detector["config"],
        "enabled": detector["enabled"],
        "latestGroup": None,
        "openIssues": 0,
    }


def show_actor(store: Store, owner: Any) -> Doc | None:
    """DetectorSerializer's owner: ActorSerializer (api/serializers/models/actor.py) of the
    ``user:<id>`` / ``team:<id>`` the request gave: type, id, name (a team's slug) and, for a
    user, email."""
    if not isinstance(owner, str) or ":" not in owner:
        return None
    kind, _, ident = owner.partition(":")
    if kind == "user":
        user = store.get("user", ident)
        if user is not None:
            return {"type": "user", "id": ident, "name": user["name"], "email": user["email"]}
    if kind == "team":
        team = store.get("team", ident)
        if team is not None:
            return {"type": "team", "id": ident, "name": team["slug"]}
    return None


def show_workflow(store: Store, workflow: Doc, detector_ids: list[str] | None = None) -> Doc:
    if detector_ids is None:
        detector_ids = linked(store, workflow=workflow["id"])
    return {
        "id": workflow["id"],
        "name": workflow["name"],
        "organizationId": workflow["org"],
        "createdBy": workflow.get("createdBy"),
        "dateCreated": workflow["dateCreated"],
        "dateUpdated": workflow["dateUpdated"],
        "triggers": workflow["triggers"],
        "actionFilters": workflow["actionFilters"],
        "environment": workflow["environment"],
        "config": workflow["config"],
        "detectorIds": detector_ids,
        "enabled": workflow["enabled"],
        "lastTriggered": None,
        "owner": workflow["owner"],
    }


def linked(store: Store, detector: str | None = None, workflow: str | None = None) -> list[str]:
    """One detector's workflow ids, or one workflow's detector ids (numeric order)."""
    if detector is not None:
        return store.linked(detectors=[detector])[detector]
    assert workflow is not None
    return store.linked(workflows=[workflow])[workflow]


def set_links(
    store: Store, ids: list[str], detector: str | None = None, workflow: str | None = None
) -> None:
    """Replace the links of one detector (to workflows ``ids``) or of one workflow."""
    store.set_links(ids, detector=detector, workflow=workflow)


def show_detectors(store: Store, detectors: list[Doc]) -> list[Doc]:
    """A page of detectors, their workflow links read in one query."""
    links = store.linked(detectors=[d["id"] for d in detectors])
    return [show_detector(store, d, links[d["id"]]) for d in detectors]


def show_workflows(store: Store, workflows: list[Doc]) -> list[Doc]:
    """A page of workflows, their detector links read in one query."""
    links = store.linked(workflows=[w["id"] for w in workflows])
    return [show_workflow(store, w, links[w["id"]]) for w in workflows]


def _num(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


def show_alert_rule(store: Store, rule: Doc, user: Doc | None) -> Doc:
    projects = [p["slug"] for p in (store.get("project", pid) for pid in rule["projects"]) if p]
    out = {k: v for k, v in rule.items() if k not in ("org", "createdBy", "projects")}
    out.update(
        {
            "organizationId": rule["org"],
            "status": 0,
            "resolution": 1.0,
            "timeWindow": float(rule["timeWindow"]),
            "projects": sorted(projects),
            "originalAlertRuleId": None,
            "snooze": False,
            "createdBy": (
                {"id": int(user["id"]), "name": user["name"], "email": user["email"]}
                if user
                else None
            ),
        }
    )
    return out


def show_rule(store: Store, rule: Doc, user: Doc | None) -> Doc:
    project = store.get("project", rule["project"])
    out = {k: v for k, v in rule.items() if k not in ("project", "createdBy")}
    out.update(
        {
            "projects": [project["slug"]] if project else [],
            "status": "active",
            "snooze": False,
            "lastTriggered": None,
            "createdBy": (
                {"id": int(user["id"]), "name": user["name"], "email": user["email"]}
                if user
                else None
            ),
        }
    )
    return out


# -- environments ---------------------------------------------------------------------------
#
# Environment (one row per organization and name) and EnvironmentProject (which projects have
# seen it, and whether the project hides it): models/environment.py. Rows are made when an
# event carrying the environment is saved (event_manager ``_get_or_create_environment_many``
# -> ``Environment.get_or_create(project, name)``), never through the API.


def get_or_create_environment(
    store: Store, org_id: str, project_id: str, name: str, now: str
) -> Doc:
    """Environment.get_or_create(project, name): the org's row, linked to the project."""
    found = store.select(Query("environment", org=org_id, name=name), limit=1)
    env = found[0] if found else None
    if env is None:
        env_id = str(store.next_id("environment"))
        env = store.put(
            "environment", env_id, {"id": env_id, "org": org_id, "name": name, "dateCreated": now}
        )
    link_id = f"{env['id']}:{project_id}"
    if store.get("environment_project", link_id) is None:
        store.put(
            "environment_project",
            link_id,
            {"environment": env["id"], "project": project_id, "isHidden": False},
        )
    return env


def org_environments(store: Store, org_id: str) -> dict[str, str]:
    """Every Environment of the organization: name -> id."""
    return {e["name"]: e["id"] for e in store.select(Query("environment", org=org_id))}


#: api/helpers/environments.py environment_visibility_filter_options
VISIBILITY = ("all", "hidden", "visible")


def _visible(link: Doc, visibility: str) -> bool:
    hidden = bool(link.get("isHidden"))
    return visibility == "all" or (hidden if visibility == "hidden" else not hidden)


def project_environments(store: Store, project_id: str, visibility: str) -> list[tuple[Doc, Doc]]:
    """ProjectEnvironmentsEndpoint.get: the project's (environment, link) pairs, by name,
    without the nameless "No Environment" row."""
    pairs = []
    for link in store.select(Query("environment_project", project=project_id)):
        env = store.get("environment", link["environment"])
        if env and env["name"] and _visible(link, visibility):
            pairs.append((env, link))
    return sorted(pairs, key=lambda pair: str(pair[0]["name"]))


def organization_environments(store: Store, project_ids: set[str], visibility: str) -> list[Doc]:
    """OrganizationEnvironmentsEndpoint.get: environments with a link to one of the projects
    that passes the visibility filter, by name, without the nameless row."""
    wanted = {
        link["environment"]
        for link in store.select(Query("environment_project", projects=frozenset(project_ids)))
        if _visible(link, visibility)
    }
    found = [e for e in (store.get("environment", i) for i in wanted) if e and e["name"]]
    return sorted(found, key=lambda e: str(e["name"]))


def show_environment(env: Doc) -> Doc:
    """EnvironmentSerializer (api/serializers/models/environment.py)."""
    return {"id": str(env["id"]), "name": env["name"]}


def show_environment_project(env: Doc, link: Doc) -> Doc:
    """EnvironmentProjectSerializer (api/serializers/models/environment.py)."""
    return {"id": str(env["id"]), "name": env["name"], "isHidden": bool(link.get("isHidden"))}


# -- events ---------------------------------------------------------------------------------


def group_id(store: Store, project_id: str, event: Doc) -> str | None:
    if event.get("type") == "transaction":
        return None
    fingerprint = event.get("fingerprint") or [event_title(event)]
    digest = hashlib.sha1(  # noqa: S324 - a grouping hash, not security
        f"{project_id}:{fingerprint}".encode()
    ).hexdigest()[:16]
    existing = store.get("group", digest)
    if existing is None:
        existing = store.put("group", digest, {"id": str(store.next_id("group"))})
    return str(existing["id"])


def event_type(event: Doc) -> str:
    if event.get("type") == "transaction":
        return "transaction"
    exc = event.get("exception")
    values = exc.get("values") if isinstance(exc, dict) else exc
    return "error" if values else "default"


def event_message(event: Doc) -> str:
    logentry = event.get("logentry") or {}
    if isinstance(logentry, dict):
        text = logentry.get("formatted") or logentry.get("message")
        if text:
            return str(text)
    message = event.get("message")
    if isinstance(message, dict):
        return str(message.get("formatted") or message.get("message") or "")
    return str(message or "")


def event_title(event: Doc) -> str:
    kind = event_type(event)
    if kind == "transaction":
        return str(event.get("transaction") or "<unlabeled transaction>")
    if kind == "error":
        exc = event["exception"]
        values = exc.get("values") if isinstance(exc, dict) else exc
        last = values[-1] if values else {}
        head = str(last.get("type") or "Error")
        value = last.get("value")
        return f"{head}: {value}" if value else head
    message = event_message(event)
    return message.splitlines()[0] if message else "<unlabeled event>"


def event_tags(event: Doc) -> list[Doc]:
    tags: dict[str, str] = {}
    raw = event.get("tags") or {}
    pairs = raw.items() if isinstance(raw, dict) else [tuple(p) for p in raw if len(p) == 2]
    for key, value in pairs:
        tags[str(key)] = str(value)
    for key in ("environment", "release", "level", "server_name", "transaction", "dist"):
        if event.get(key) and key not in tags:
            tags[key] = str(event[key])
    if event_type(event) != "transaction":
        tags.setdefault("level", str(event.get("level") or "error"))
    return [{"key": k, "value": v} for k, v in sorted(tags.items())]


def event_entries(event: Doc) -> list[Doc]:
    entries: list[Doc] = []
    exc = event.get("exception")
    if exc:
        values = exc.get("values") if isinstance(exc, dict) else exc
        entries.append(
            {
                "type": "exception",
                "data": {"values": values, "hasSystemFrames": False, "excOmitted": None},
            }
        )
    message = event_message(event)
    if message:
        logentry = event.get("logentry") if isinstance(event.get("logentry"), dict) else {}
        entries.append(
            {
                "type": "message",
                "data": {
                    "formatted": message,
                    "message": (logentry or {}).get("message"),
                    "params": (logentry or {}).get("params"),
                },
            }
        )
    crumbs = event.get("breadcrumbs")
    if crumbs:
        values = crumbs.get("values") if isinstance(crumbs, dict) else crumbs
        entries.append({"type": "breadcrumbs", "data": {"values": values}})
    if event.get("request"):
        entries.append({"type": "request", "data": event["request"]})
    if event.get("spans"):
        entries.append({"type": "spans", "data": event["spans"]})
    return entries


def show_event(stored: Doc, project_id: str) -> Doc:
    """The project event / eventids ``event`` object for a stored event."""
    event: Doc = stored["payload"]
    kind = event_type(event)
    sdk = event.get("sdk") or {}
    release = event.get("release")
    title = event_title(event)
    return {
        "id": stored["eventId"],
        "groupID": stored.get("groupId"),
        "eventID": stored["eventId"],
        "projectID": project_id,
        "message": event_message(event) or title,
        "title": title,
        "location": event.get("transaction") or event.get("culprit"),
        "culprit": event.get("culprit") or event.get("transaction"),
        "user": event.get("user"),
        "tags": event_tags(event),
        "platform": str(event.get("platform") or "other"),
        "dateReceived": stored["dateReceived"],
        "dateCreated": stored["dateCreated"],
        "contexts": event.get("contexts") or {},
        "size": stored.get("size", 0),
        "entries": event_entries(event),
        "dist": event.get("dist"),
        "sdk": {"name": sdk.get("name"), "version": sdk.get("version")},
        "context": event.get("extra") or {},
        "packages": event.get("modules") or {},
        "type": kind,
        "metadata": _metadata(event, kind, title),
        "errors": [],
        "occurrence": None,
        "_meta": {},
        "release": {"version": release} if release else None,
        "userReport": None,
        "sdkUpdates": [],
        "resolvedWith": [],
        "nextEventID": None,
        "previousEventID": None,
        "environment": event.get("environment"),
        "level": event.get("level"),
        "fingerprints": event.get("fingerprint") or [],
        **{
            name: epoch
            for name, key in (("startTimestamp", "start_timestamp"), ("endTimestamp", "timestamp"))
            if kind == "transaction" and (epoch := _epoch(event.get(key))) is not None
        },
    }


def _epoch(value: Any) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def show_event_summary(stored: Doc, project_id: str) -> Doc:
    full = show_event(stored, project_id)
    return {
        "id": full["id"],
        "event.type": full["type"],
        "groupID": full["groupID"],
        "eventID": full["eventID"],
        "projectID": project_id,
        "message": full["message"] or "",
        "title": full["title"],
        "location": full["location"],
        "culprit": full["culprit"],
        "user": full["user"],
        "tags": full["tags"],
        "platform": full["platform"],
        "dateCreated": full["dateCreated"],
        "crashFile": None,
        "metadata": full["metadata"],
    }


def _metadata(event: Doc, kind: str, title: str) -> Doc:
    if kind == "error":
        head, _, value = title.partition(": ")
        return {"type": head, "value": value, "title": title}
    return {"title": title}
