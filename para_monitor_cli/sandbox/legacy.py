"""The deprecated alert endpoints: ``organizations/{org}/alert-rules/`` and project ``rules/``.

Every response carries Sentry's deprecation headers; brownouts (410) and removal (404) are
faults, switched on in ``faults.py``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model, validation
from para_monitor_cli.sandbox.facts import (
    ALERT_ACTION_TYPES,
    ALERT_TARGET_TYPES,
    ALERT_TARGETS_FOR_TYPE,
    COMPARISON_INTERVAL_KEYS,
    DETECTION_TYPES,
    ISSUE_ACTION_IDS,
    ISSUE_CONDITION_IDS,
    ISSUE_FILTER_IDS,
    ISSUE_FREQUENCY_MAX,
    ISSUE_FREQUENCY_MIN,
    ISSUE_LEVEL_VALUES,
    ISSUE_MATCH_TYPES,
    ISSUE_RULE_MATCHES,
    MAX_COMPARISON_DELTA,
    PERCENT_INTERVAL_KEYS,
    PRIORITIES_FOR_TYPE,
    STANDARD_INTERVALS,
)
from para_monitor_cli.sandbox.store import Doc, Query, Store
from para_monitor_cli.sandbox.validation import (
    REQUIRED_MSG,
    ErrorBody,
    OrgContext,
    add_message,
    as_int,
    as_number,
    char_field_error,
    get_key,
    has_key,
    not_a_dictionary,
    owner_error,
    snuba_query_errors,
)
from para_monitor_cli.sandbox.web import (
    ALERTS_READ,
    NOT_FOUND,
    PROJECT_READ,
    PROJECT_WRITE,
    Ctx,
    Handler,
    Problem,
    api,
    check,
    detail,
    now,
    ok,
    org_docs,
    paginate,
    require,
)

ALERT_RULES_WRITE = ("alerts:write", "org:write", "org:admin")
RULES_READ = ("alerts:read", "alerts:write", *PROJECT_READ)
RULES_WRITE = ("alerts:write", *PROJECT_WRITE)
Endpoint = Callable[[Request], Awaitable[Response]]


def deprecation(request: Request, replacement: str) -> dict[str, str]:
    # the slug as it was in the URL (a header value is latin-1: a slug Sentry would 404 on may
    # hold any character, and the answer must still be sent)
    org = quote(request.path_params["org"], safe="")
    return {
        "X-Sentry-Deprecation-Date": model.DEPRECATION_DATE,
        "X-Sentry-Replacement-Endpoint": f"/api/0/organizations/{org}/{replacement}/",
    }


def with_headers(request: Request, replacement: str, response: Response) -> Response:
    response.headers.update(deprecation(request, replacement))
    return response


def legacy(replacement: str, *scopes: str) -> Callable[[Handler], Endpoint]:
    """``api(*scopes)`` plus the deprecation headers on every answer, errors included."""

    def wrap(fn: Handler) -> Endpoint:
        endpoint = api(*scopes)(fn)

        async def with_deprecation(request: Request) -> Response:
            return with_headers(request, replacement, await endpoint(request))

        with_deprecation.__name__ = fn.__name__
        return with_deprecation

    return wrap


# -- metric alert rules -------------------------------------------------------------------------


def project_refs(ctx: Ctx, slugs: object) -> list[str]:
    if not isinstance(slugs, list):
        raise Problem(400, {"projects": ['Expected a list of items but got type "str".']})
    by_slug = {p["slug"]: p["id"] for p in org_docs(ctx, "project")}
    unknown = [s for s in slugs if s not in by_slug]
    if unknown:
        raise Problem(400, {"projects": [f"Invalid project slug: {unknown[0]}"]})
    return [by_slug[s] for s in slugs]


def show_alert_rule(ctx: Ctx, rule: Doc) -> Doc:
    return alert_rule_shape(ctx.store, rule, ctx.store.get("user", rule["createdBy"]))


def find_alert_rule(ctx: Ctx) -> Doc:
    rule = ctx.store.get("alert_rule", ctx.request.path_params["rule_id"])
    if rule is None or rule["org"] != ctx.org["id"]:
        raise detail(404, NOT_FOUND)
    return rule


@legacy("detectors", *ALERTS_READ)
async def alert_rules_list(ctx: Ctx) -> Response:
    rules = list(reversed(org_docs(ctx, "alert_rule")))
    wanted = ctx.request.query_params.getlist("project")
    if wanted:
        rules = [r for r in rules if set(wanted) & set(r["projects"])]
    response = paginate(ctx, rules, default=25, show=lambda r: show_alert_rule(ctx, r))
    response.headers["X-Sentry-Alert-Rule-Hits"] = str(len(rules))
    response.headers["X-Sentry-Rule-Limit"] = "1000"
    return response


@legacy("detectors", "alerts:write", "org:read", "org:write", "org:admin")
async def alert_rule_create(ctx: Ctx) -> Response:
    body = require(await ctx.body(), "name", "aggregate", "timeWindow", "projects", "triggers")
    check(ctx, validate_alert_rule, body)
    # AlertRuleSerializer refuses new transaction-based rules on migrated organizations
    # (Sentry's test_transactions_dataset_deprecation_validation: a bare-list 400)
    if (
        "discover-saved-queries-deprecation" in model.org_features(ctx.org)
        and body.get("dataset") in validation.TRANSACTION_DATASETS
    ):
        raise Problem(400, [validation.CREATE_TRANSACTION_DETECTOR])
    projects = project_refs(ctx, body["projects"])
    rule = new_alert_rule(ctx.store, ctx.org["id"], body, projects, ctx.user, now())
    ctx.store.put("alert_rule", rule["id"], rule)
    return ok(show_alert_rule(ctx, rule), 201)


@legacy("detectors", *ALERTS_READ)
async def alert_rule_detail(ctx: Ctx) -> Response:
    return ok(show_alert_rule(ctx, find_alert_rule(ctx)))


@legacy("detectors", *ALERT_RULES_WRITE)
async def alert_rule_update(ctx: Ctx) -> Response:
    rule = find_alert_rule(ctx)
    body = require(await ctx.body(), "name", "aggregate", "timeWindow", "projects", "triggers")
    check(ctx, validate_alert_rule, body)
    projects = project_refs(ctx, body["projects"])
    fields = alert_rule_fields(ctx.store, rule["id"], body, projects, now())
    updated = {**rule, **fields, "dateModified": now()}
    ctx.store.put("alert_rule", rule["id"], updated)
    return ok(show_alert_rule(ctx, updated))


@legacy("detectors", *ALERT_RULES_WRITE)
async def alert_rule_delete(ctx: Ctx) -> Response:
    rule = find_alert_rule(ctx)
    ctx.store.delete("alert_rule", rule["id"])
    return Response(status_code=202)


# -- issue alert rules --------------------------------------------------------------------------


def project_rules(ctx: Ctx) -> list[Doc]:
    return ctx.store.select(Query("rule", project=ctx.project["id"]))


def show_rule(ctx: Ctx, rule: Doc) -> Doc:
    return rule_shape(ctx.store, rule, ctx.store.get("user", rule["createdBy"]))


def find_rule(ctx: Ctx) -> Doc:
    rule = ctx.store.get("rule", ctx.request.path_params["rule_id"])
    if rule is None or rule["project"] != ctx.project["id"]:
        raise detail(404, NOT_FOUND)
    return rule


def duplicate_of(ctx: Ctx, fields: Doc, except_id: str | None = None) -> None:
    """Sentry refuses a rule identical (name aside) to another in the project."""

    def signature(rule: Doc) -> tuple[object, ...]:
        def nodes(key: str) -> list[Doc]:
            return sorted(
                ({k: v for k, v in n.items() if k not in ("uuid", "name")} for n in rule[key]),
                key=repr,
            )

        return (
            nodes("conditions"),
            nodes("filters"),
            nodes("actions"),
            rule["frequency"],
            rule["actionMatch"],
            rule["filterMatch"],
            rule["environment"],
        )

    wanted = signature(fields)
    for other in project_rules(ctx):
        if other["id"] != except_id and signature(other) == wanted:
            raise Problem(
                400,
                {
                    "name": [
                        f"This rule is an exact duplicate of '{other['name']}' in this project "
                        "and may not be created."
                    ],
                    "ruleId": [int(other["id"])],
                },
            )


@legacy("workflows", *RULES_READ)
async def rules_list(ctx: Ctx) -> Response:
    rules = sorted(project_rules(ctx), key=lambda r: int(r["id"]), reverse=True)
    return paginate(ctx, rules, show=lambda r: show_rule(ctx, r))


@legacy("workflows", *RULES_WRITE)
async def rule_create(ctx: Ctx) -> Response:
    body = require(await ctx.body(), "name", "actionMatch", "frequency")
    check(ctx, validate_issue_rule, body)
    rule = new_rule(ctx.store, ctx.project["id"], body, ctx.user, now())
    duplicate_of(ctx, rule)
    ctx.store.put("rule", rule["id"], rule)
    return ok(show_rule(ctx, rule), 201)  # the workflow-engine serializer's status


@legacy("workflows", *RULES_READ)
async def rule_detail(ctx: Ctx) -> Response:
    return ok(show_rule(ctx, find_rule(ctx)))


@legacy("workflows", *RULES_WRITE)
async def rule_update(ctx: Ctx) -> Response:
    rule = find_rule(ctx)
    body = require(await ctx.body(), "name", "actionMatch", "frequency")
    check(ctx, validate_issue_rule, body)
    updated = {**rule, **rule_fields(body)}
    duplicate_of(ctx, updated, except_id=rule["id"])
    ctx.store.put("rule", rule["id"], updated)
    return ok(show_rule(ctx, updated))


@legacy("workflows", *RULES_WRITE)
async def rule_delete(ctx: Ctx) -> Response:
    rule = find_rule(ctx)
    ctx.store.delete("rule", rule["id"])
    return Response(status_code=202)


# -- stored document and API shape


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
        node.setdefault("uuid", model.new_uuid())
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


def alert_rule_shape(store: Store, rule: Doc, user: Doc | None) -> Doc:
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
            "createdBy": _creator(user),
        }
    )
    return out


def _creator(user: Doc | None) -> Doc | None:
    """A rule's ``createdBy`` (the legacy serializers' {id, name, email}), None if unknown."""
    return {"id": int(user["id"]), "name": user["name"], "email": user["email"]} if user else None


def rule_shape(store: Store, rule: Doc, user: Doc | None) -> Doc:
    project = store.get("project", rule["project"])
    out = {k: v for k, v in rule.items() if k not in ("project", "createdBy")}
    out.update(
        {
            "projects": [project["slug"]] if project else [],
            "status": "active",
            "snooze": False,
            "lastTriggered": None,
            "createdBy": _creator(user),
        }
    )
    return out


# -- rules: legacy metric alerts


def _alert_action_errors(action: Any, ctx: OrgContext | None) -> ErrorBody:
    if not isinstance(action, Mapping):
        return {"nonFieldErrors": ["Invalid data. Expected a dictionary."]}
    errors: ErrorBody = {}
    atype = get_key(action, "type")
    target_type = get_key(action, "targetType")
    if atype not in ALERT_ACTION_TYPES:
        add_message(errors, "type", f"Invalid type, valid values are {list(ALERT_ACTION_TYPES)}")
    if target_type not in ALERT_TARGET_TYPES:
        add_message(
            errors, "targetType", f"Invalid targetType, valid values are {list(ALERT_TARGET_TYPES)}"
        )
    if errors:
        return errors
    identifier = get_key(action, "targetIdentifier")
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
    priority = get_key(action, "priority")
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
    integration = get_key(action, "integrationId")
    if atype in ("slack", "msteams", "discord", "pagerduty", "opsgenie") and integration is None:
        return {"integration": [f"Integration must be provided for {atype}"]}
    if atype == "sentry_app" and get_key(action, "sentryAppId") is None:
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
    """A legacy metric alert rule (``organizations/{org}/alert-rules/``) POST/PUT body:
    AlertRuleSerializer (incidents/serializers/alert_rule.py, a SnubaQueryValidator with
    windows in minutes) and its triggers/actions serializers
    (incidents/serializers/alert_rule_trigger.py, alert_rule_trigger_action.py). Besides the
    query rules shared with detectors, its messages come from the earlier reading recorded
    in the project's reference (not re-read for issue 13)."""
    if not isinstance(body, Mapping):
        return not_a_dictionary(body)
    errors: ErrorBody = {}
    char_field_error(errors, body, "name", required=True, max_length=256)
    detection_type = get_key(body, "detectionType", "static")
    if detection_type not in DETECTION_TYPES:
        add_message(
            errors,
            "detectionType",
            f"Invalid detection type, valid values are {list(DETECTION_TYPES)}",
        )
    # AlertRuleSerializer(SnubaQueryValidator): environment = EnvironmentField(required=False)
    query_errors = snuba_query_errors(
        body, seconds=False, detection_type=str(detection_type), ctx=ctx
    )
    field_level = {k: v for k, v in (query_errors or {}).items() if k != "nonFieldErrors"}
    errors.update(field_level)
    if not has_key(body, "thresholdType"):
        add_message(errors, "thresholdType", REQUIRED_MSG)
    elif as_int(get_key(body, "thresholdType")) not in (0, 1, 2):
        add_message(errors, "thresholdType", "Invalid threshold type, valid values are [0, 1, 2]")
    projects = get_key(body, "projects")
    if projects is not None:
        if not isinstance(projects, list):
            add_message(errors, "projects", 'Expected a list of items but got type "str".')
        elif len(projects) > 1:
            add_message(errors, "projects", "Ensure this field has no more than 1 elements.")
        elif ctx is not None and ctx.project_slugs is not None:  # noqa: SIM102
            if any(str(p) not in ctx.project_slugs for p in projects):
                add_message(errors, "projects", "Invalid project")
    triggers = get_key(body, "triggers")
    if triggers is None:
        add_message(errors, "triggers", REQUIRED_MSG)
    elif not isinstance(triggers, list):
        add_message(errors, "triggers", 'Expected a list of items but got type "dict".')
    delta = get_key(body, "comparisonDelta")
    if delta is not None:
        value = as_int(delta)
        if value is None:
            add_message(errors, "comparisonDelta", "A valid integer is required.")
        elif not 1 <= value <= MAX_COMPARISON_DELTA:
            add_message(
                errors,
                "comparisonDelta",
                f"Ensure this value is less than or equal to {MAX_COMPARISON_DELTA}."
                if value > MAX_COMPARISON_DELTA
                else "Ensure this value is greater than or equal to 1.",
            )
    period = get_key(body, "thresholdPeriod")
    if period is not None and (as_int(period) is None or not 1 <= int(period) <= 20):
        add_message(errors, "thresholdPeriod", "Ensure this value is between 1 and 20.")
    resolve = get_key(body, "resolveThreshold")
    if resolve is not None and as_number(resolve) is None:
        add_message(errors, "resolveThreshold", "A valid number is required.")
    owner_problem = owner_error(get_key(body, "owner"), ctx)
    if owner_problem:
        add_message(errors, "owner", owner_problem)
    sensitivity = get_key(body, "sensitivity")
    if sensitivity is not None and sensitivity not in ("low", "medium", "high"):
        add_message(
            errors, "sensitivity", "Invalid sensitivity, valid values are ['low', 'medium', 'high']"
        )
    if errors:
        return errors
    if query_errors:
        return query_errors

    threshold_type = int(get_key(body, "thresholdType"))
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
    if get_key(body, "queryType") == 2 and delta is not None:
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
        if not isinstance(trigger, Mapping) or not get_key(trigger, "actions"):
            return {
                "nonFieldErrors": [
                    "Each trigger must have an associated action for this alert to fire."
                ]
            }
    for i, (trigger, label) in enumerate(zip(triggers, ("critical", "warning"), strict=False)):
        if get_key(trigger, "label") != label:
            return {"nonFieldErrors": [f'Trigger {i + 1} must be labeled "{label}"']}
    for trigger in triggers:
        threshold = get_key(trigger, "alertThreshold")
        if threshold is None:
            return {"nonFieldErrors": ["Trigger must have an alertThreshold"]}
        if as_number(threshold) is None:
            return {"nonFieldErrors": ["Trigger must have an alertThreshold"]}
        if detection_type == "dynamic" and float(threshold) != 0:
            return {"nonFieldErrors": ["Dynamic alerts cannot have a nonzero alert threshold"]}
    if detection_type != "dynamic":
        for trigger in triggers:
            problem = _resolve_threshold_error(threshold_type, trigger, resolve)
            if problem:
                return {"nonFieldErrors": [problem]}
        if len(triggers) == 2:
            critical = float(get_key(triggers[0], "alertThreshold"))
            warning = float(get_key(triggers[1], "alertThreshold"))
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
        for action in get_key(trigger, "actions"):
            action_errors = _alert_action_errors(action, ctx)
            if action_errors:
                return action_errors
    return None


def _resolve_threshold_error(
    threshold_type: int, trigger: Mapping[str, Any], resolve: Any
) -> str | None:
    if resolve is None:
        return None
    alert = float(get_key(trigger, "alertThreshold"))
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
        return f"{get_key(trigger, 'label')} alert threshold must be {word} resolution threshold"
    return None


# -- rules: legacy issue rules


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
        intervals = PERCENT_INTERVAL_KEYS if percent_of_sessions else STANDARD_INTERVALS
        problem = _choice_error(node.get("interval"), intervals)
        if problem:
            return problem
        value = as_number(node.get("value"))
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
            return _choice_error(node.get("comparisonInterval"), COMPARISON_INTERVAL_KEYS)
        return None
    if short == "LevelFilter":
        return _choice_error(node.get("match"), ("eq", "gte", "lte")) or _choice_error(
            str(node.get("level")), ISSUE_LEVEL_VALUES
        )
    if short in ("TaggedEventFilter", "EventAttributeFilter", "EventAttributeCondition"):
        problem = _choice_error(node.get("match"), ISSUE_MATCH_TYPES)
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
            or (None if as_int(node.get("value")) is not None else "Enter a whole number.")
        )
    if short == "IssueOccurrencesFilter":
        return None if as_int(node.get("value")) is not None else "Enter a whole number."
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
    """A legacy issue alert rule (``projects/{org}/{project}/rules/``) POST/PUT body:
    RuleSerializer (api/serializers/rest_framework/rule.py; validate_environment re-read for
    issue 13) and the rule nodes' forms (sentry/rules/conditions, filters and the
    integrations' notify actions; from the earlier reading in the project's reference)."""
    if not isinstance(body, Mapping):
        return not_a_dictionary(body)
    errors: ErrorBody = {}
    char_field_error(errors, body, "name", required=True, max_length=256)
    for key in ("actionMatch", "filterMatch"):
        value = body.get(key)
        if key == "actionMatch" and key not in body:
            add_message(errors, key, REQUIRED_MSG)
        elif value is not None and value not in ISSUE_RULE_MATCHES:
            add_message(errors, key, f'"{value}" is not a valid choice.')
    frequency = body.get("frequency")
    if "frequency" not in body:
        add_message(errors, "frequency", REQUIRED_MSG)
    else:
        value = as_int(frequency)
        if value is None:
            add_message(errors, "frequency", "A valid integer is required.")
        elif value < ISSUE_FREQUENCY_MIN:
            add_message(
                errors,
                "frequency",
                f"Ensure this value is greater than or equal to {ISSUE_FREQUENCY_MIN}.",
            )
        elif value > ISSUE_FREQUENCY_MAX:
            add_message(
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
                add_message(errors, key, REQUIRED_MSG)
            continue
        if not isinstance(nodes, list):
            add_message(errors, key, 'Expected a list of items but got type "dict".')
            continue
        lists[key] = nodes
        messages = _node_errors(nodes, known, key, ctx)
        if messages:
            errors[key] = messages
    # RuleSerializer.validate_environment (api/serializers/rest_framework/rule.py):
    # Environment.get_for_organization_id, else "This environment has not been created."
    environment = body.get("environment")
    if environment is not None and not isinstance(environment, str):
        add_message(errors, "environment", "Not a valid string.")
    elif (
        environment is not None
        and ctx is not None
        and ctx.environments is not None
        and environment not in ctx.environments
    ):
        add_message(errors, "environment", "This environment has not been created.")
    owner_problem = owner_error(body.get("owner"), ctx)
    if owner_problem:
        add_message(errors, "owner", owner_problem)
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
        "frequency": as_int(body.get("frequency")),
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


def routes(org_prefix: str, project_prefix: str) -> list[Route]:
    o, p = org_prefix, project_prefix
    return [
        Route(o + "/alert-rules/", alert_rules_list, methods=["GET"]),
        Route(o + "/alert-rules/", alert_rule_create, methods=["POST"]),
        Route(o + "/alert-rules/{rule_id}/", alert_rule_detail, methods=["GET"]),
        Route(o + "/alert-rules/{rule_id}/", alert_rule_update, methods=["PUT"]),
        Route(o + "/alert-rules/{rule_id}/", alert_rule_delete, methods=["DELETE"]),
        Route(p + "/rules/", rules_list, methods=["GET"]),
        Route(p + "/rules/", rule_create, methods=["POST"]),
        Route(p + "/rules/{rule_id}/", rule_detail, methods=["GET"]),
        Route(p + "/rules/{rule_id}/", rule_update, methods=["PUT"]),
        Route(p + "/rules/{rule_id}/", rule_delete, methods=["DELETE"]),
    ]
