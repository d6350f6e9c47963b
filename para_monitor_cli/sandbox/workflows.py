"""Alerts (workflow-engine workflows): routes, stored document, and validation rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model, workflow_engine
from para_monitor_cli.sandbox.facts import (
    ACTION_DATA_SCHEMAS,
    ACTION_TARGET_TYPES_FOR,
    ACTION_TARGETS,
    DEPRECATED_ACTION_TYPES,
    INTEGRATION_ACTION_TYPES,
    LEVELS,
    MATCH_TYPES,
    WORKFLOW_ACTION_TYPES,
    WORKFLOW_COMPARISON_INTERVALS,
    WORKFLOW_FILTER_TYPES,
    WORKFLOW_FREQUENCY_INTERVALS,
    WORKFLOW_LOGIC_TYPES,
    WORKFLOW_TARGET_TYPES,
    WORKFLOW_TRIGGER_TYPES,
)
from para_monitor_cli.sandbox.store import Doc, Query, Store
from para_monitor_cli.sandbox.validation import (
    NULL_MSG,
    REQUIRED_MSG,
    ErrorBody,
    OrgContext,
    add_message,
    as_int,
    char_field_error,
    get_key,
    has_key,
    not_a_dictionary,
    not_a_list_message,
    owner_error,
    schema_error,
    snake_case,
)
from para_monitor_cli.sandbox.web import (
    ALERTS_READ,
    ALERTS_WRITE,
    Ctx,
    api,
    as_strings,
    check,
    empty,
    now,
    ok,
    one,
    org_context,
    paginate_query,
    require,
)


def check_detector_ids(ctx: Ctx, ids: Any) -> list[str]:
    """A workflow's detectorIds (validate_detectors_exist_and_have_permissions in
    validators/detector_workflow.py; wording not re-read: "Some detectors do not exist." is
    the sandbox's)."""
    among = workflow_engine.org_detectors(ctx)
    return workflow_engine.existing_ids(
        ctx, ids, field="detectorIds", among=among, missing="Some detectors do not exist."
    )


def find_workflow(ctx: Ctx, workflow_id: str) -> Doc:
    return one(ctx, "workflow", workflow_id)


@api(*ALERTS_READ)
async def workflows_list(ctx: Ctx) -> Response:
    query = workflow_engine.selected(ctx, Query("workflow", org=ctx.org["id"]))
    return paginate_query(ctx, query, lambda docs: show_workflows(ctx.store, docs))


@api(*ALERTS_WRITE)
async def workflow_create(ctx: Ctx) -> Response:
    """The workflow index's POST: WorkflowValidator.is_valid, then create(); the actions are
    stored as their validator handlers left them (stored_workflow)."""
    body = require(await ctx.body(), "name")
    check(ctx, validate_workflow, body, partial=False)
    body = as_strings(body, "name")
    detector_ids = check_detector_ids(ctx, body.get("detectorIds", []))
    body = stored_workflow(ctx, body)
    workflow_id = str(ctx.store.next_id("workflow"))
    workflow = workflow_fields(ctx.store, ctx.org["id"], body, None, now())
    workflow.update({"id": workflow_id, "org": ctx.org["id"], "createdBy": ctx.user})
    ctx.store.put("workflow", workflow_id, workflow)
    workflow_engine.set_links(ctx.store, detector_ids, workflow=workflow_id)
    return ok(show_workflow(ctx.store, workflow), 201)


def stored_workflow(ctx: Ctx, body: Doc) -> Doc:
    """A valid workflow body as Sentry stores it: each action after its validator handler
    (cleaned_workflow), and the environment as its name (WorkflowSerializer shows
    ``obj.environment.name``), whether it came as ``environment`` or ``environmentId``."""
    body = cleaned_workflow(body, org_context(ctx.store, ctx.org))
    if "environmentId" in body or "environment_id" in body:
        wanted = body.pop("environmentId", body.pop("environment_id", None))
        names = {v: k for k, v in model.org_environments(ctx.store, ctx.org["id"]).items()}
        body["environment"] = None if wanted is None else names.get(str(wanted))
    return body


@api(*ALERTS_READ)
async def workflow_detail(ctx: Ctx) -> Response:
    workflow = find_workflow(ctx, ctx.request.path_params["workflow_id"])
    return ok(show_workflow(ctx.store, workflow))


@api(*ALERTS_WRITE)
async def workflow_update(ctx: Ctx) -> Response:
    """OrganizationWorkflowDetailsEndpoint.put: WorkflowValidator (partial) and update()."""
    workflow = find_workflow(ctx, ctx.request.path_params["workflow_id"])
    body = require(await ctx.body())
    check(ctx, validate_workflow, body, partial=True)
    body = as_strings(body, "name")
    detector_ids = check_detector_ids(ctx, body["detectorIds"]) if "detectorIds" in body else None
    body = stored_workflow(ctx, body)
    updated = workflow_fields(ctx.store, ctx.org["id"], body, workflow, now())
    ctx.store.put("workflow", updated["id"], updated)
    if detector_ids is not None:
        workflow_engine.set_links(ctx.store, detector_ids, workflow=updated["id"])
    return ok(show_workflow(ctx.store, updated))


@api(*ALERTS_WRITE)
async def workflow_delete(ctx: Ctx) -> Response:
    workflow = find_workflow(ctx, ctx.request.path_params["workflow_id"])
    ctx.store.delete("workflow", workflow["id"])
    workflow_engine.set_links(ctx.store, [], workflow=workflow["id"])
    return empty(204)


@api(*ALERTS_WRITE)
async def workflows_bulk_delete(ctx: Ctx) -> Response:
    """The workflow index's DELETE, modelled on OrganizationDetectorIndexEndpoint.delete (the
    workflow endpoint's own messages were not re-read)."""
    docs = workflow_engine.bulk_selection(
        ctx, Query("workflow", org=ctx.org["id"]), "workflow", "delete"
    )
    if isinstance(docs, Response):
        return docs
    for workflow in docs:
        ctx.store.delete("workflow", workflow["id"])
        workflow_engine.set_links(ctx.store, [], workflow=workflow["id"])
    return empty(204)


# -- stored document and API shape


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
            None
            if triggers is None
            else workflow_engine.condition_group(store, org_id, triggers, "any-short")
        )
    out.setdefault("triggers", None)
    filters = data.get("actionFilters", data.get("action_filters"))
    if filters is not None:
        out["actionFilters"] = [
            workflow_engine.condition_group(store, org_id, f, "all") for f in filters
        ]
    out.setdefault("actionFilters", [])
    out["dateUpdated"] = now
    out.setdefault("dateCreated", now)
    return out


def show_workflow(store: Store, workflow: Doc, detector_ids: list[str] | None = None) -> Doc:
    if detector_ids is None:
        detector_ids = workflow_engine.linked(store, workflow=workflow["id"])
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


def show_workflows(store: Store, workflows: list[Doc]) -> list[Doc]:
    """A page of workflows, their detector links read in one query."""
    links = store.linked(workflows=[w["id"] for w in workflows])
    return [show_workflow(store, w, links[w["id"]]) for w in workflows]


# -- rules: workflows
#
# Alerts (workflows), from getsentry/sentry src/sentry/:
#   workflow_engine/endpoints/validators/base/workflow.py        WorkflowValidator
#   workflow_engine/endpoints/validators/base/data_condition_group.py
#                                              BaseDataConditionGroupValidator.validate_conditions
#   workflow_engine/endpoints/validators/base/data_condition.py  BaseDataConditionValidator
#   workflow_engine/endpoints/validators/base/action.py          BaseActionValidator.validate
#   notifications/notification_action/action_validation.py      the *ActionValidatorHandler
#
# Nesting: WorkflowValidator.validate_action_filters and validate_conditions validate each
# item with ``is_valid(raise_exception=True)``, so a list field carries the errors of its
# FIRST failing item as one object (``{"actionFilters": {"conditions": {"comparison": [..]}}}``),
# never one entry per item. CamelSnakeSerializer.errors camel-cases every key, so Django's
# ``__all__`` (a form's own errors) comes out as ``all``.


# comparison_json_schema of the condition handlers (workflow_engine/handlers/condition/):
_BOOLEAN: Doc = {"type": "boolean"}
#: tagged_event / event_attribute schemas (the migration copy named at COMPARISON_SCHEMAS);
#: a frequency filter's ``filters`` items are one of them.
_TAGGED_EVENT: Doc = {
    "type": "object",
    "properties": {
        "key": {"type": "string"},
        "match": {"type": "string", "enum": list(MATCH_TYPES)},
        "value": {"type": "string"},
    },
    "oneOf": [
        {
            "properties": {"key": {"type": "string"}, "match": {"enum": ["is", "ns"]}},
            "required": ["key", "match"],
            "not": {"required": ["value"]},
        },
        {
            "properties": {
                "key": {"type": "string"},
                "match": {"not": {"enum": ["is", "ns"]}},
                "value": {"type": "string"},
            },
            "required": ["key", "match", "value"],
        },
    ],
    "additionalProperties": False,
}
_EVENT_ATTRIBUTE: Doc = {
    "type": "object",
    "properties": {
        "attribute": {"type": "string"},
        "match": {"type": "string", "enum": list(MATCH_TYPES)},
        "value": {"type": "string"},
    },
    "required": ["attribute", "match", "value"],
    "additionalProperties": False,
}
_FILTERS: Doc = {"type": "array", "items": {"anyOf": [_TAGGED_EVENT, _EVENT_ATTRIBUTE]}}


def _frequency_schema(value: Doc, *, percent: bool) -> Doc:
    properties: Doc = {
        "interval": {"type": "string", "enum": list(WORKFLOW_FREQUENCY_INTERVALS)},
        "value": value,
        "filters": _FILTERS,
    }
    required = ["interval", "value"]
    if percent:
        properties["comparison_interval"] = {
            "type": "string",
            "enum": list(WORKFLOW_COMPARISON_INTERVALS),
        }
        required.append("comparison_interval")
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


_COUNT_VALUE: Doc = {"type": "integer", "minimum": 0}
_SESSIONS_VALUE: Doc = {"type": "number", "minimum": 0, "maximum": 100}
#: Condition type -> its handler's comparison_json_schema, for the handlers whose schema was
#: read in Sentry's source. Other handlers' schemas were not looked up: the sandbox accepts
#: any comparison for them rather than invent a rule.
COMPARISON_SCHEMAS: dict[str, Doc] = {
    # first_seen_event_handler.py, reappeared_event_handler.py, new/existing_high_priority_
    # issue_handler.py, latest_release_handler.py: {"type": "boolean"}
    "first_seen_event": _BOOLEAN,
    "reappeared_event": _BOOLEAN,
    "new_high_priority_issue": _BOOLEAN,
    "existing_high_priority_issue": _BOOLEAN,
    "latest_release": _BOOLEAN,
    # event_frequency_handlers.py: EventFrequencyCountHandler, EventFrequencyPercentHandler,
    # PercentSessionsCountHandler, PercentSessionsPercentHandler
    "event_frequency_count": _frequency_schema(_COUNT_VALUE, percent=False),
    "event_unique_user_frequency_count": _frequency_schema(_COUNT_VALUE, percent=False),
    "event_frequency_percent": _frequency_schema(_COUNT_VALUE, percent=True),
    "event_unique_user_frequency_percent": _frequency_schema(_COUNT_VALUE, percent=True),
    "percent_sessions_count": _frequency_schema(_SESSIONS_VALUE, percent=False),
    "percent_sessions_percent": _frequency_schema(_SESSIONS_VALUE, percent=True),
    # A workflow_engine data migration keeps a copy of the handlers' schemas ("COPY PASTES FOR
    # JSON SCHEMA", data_condition_json_schema_mapping): regression_event, tagged_event,
    # event_attribute, age_comparison, assigned_to, issue_category, issue_occurrences and
    # latest_adopted_release below come from it. Enums it takes from enums not re-read
    # (AssigneeTargetType, GroupCategory) are left out.
    "regression_event": _BOOLEAN,
    "tagged_event": _TAGGED_EVENT,
    "event_attribute": _EVENT_ATTRIBUTE,
    "age_comparison": {
        "type": "object",
        "properties": {
            "comparison_type": {"type": "string", "enum": ["older", "newer"]},
            "value": {"type": "integer", "minimum": 0},
            "time": {"type": "string", "enum": ["minute", "hour", "day", "week"]},
        },
        "required": ["comparison_type", "value", "time"],
        "additionalProperties": False,
    },
    "assigned_to": {
        "type": "object",
        "properties": {
            "target_type": {"type": "string"},
            "target_identifier": {"type": ["integer", "string"]},
        },
        "required": ["target_type", "target_identifier"],
        "additionalProperties": False,
    },
    "issue_category": {
        "type": "object",
        "properties": {"value": {"type": "integer"}},
        "required": ["value"],
        "additionalProperties": False,
    },
    "issue_occurrences": {
        "type": "object",
        "properties": {"value": {"type": "integer", "minimum": 0}},
        "required": ["value"],
        "additionalProperties": False,
    },
    "latest_adopted_release": {
        "type": "object",
        "properties": {
            "release_age_type": {"type": "string", "enum": ["oldest", "newest"]},
            "age_comparison": {"type": "string", "enum": ["older", "newer"]},
            "environment": {"type": "string"},
        },
        "required": ["release_age_type", "age_comparison", "environment"],
        "additionalProperties": False,
    },
    # level_handler.py: LevelConditionHandler
    "level": {
        "type": "object",
        "properties": {
            "level": {"type": "integer", "enum": list(LEVELS)},
            "match": {"type": "string", "enum": list(MATCH_TYPES)},
        },
        "required": ["level", "match"],
        "additionalProperties": False,
    },
}
#: DataConditionHandler.condition_result_schema for workflow conditions (not re-read: every
#: documented trigger and filter sends ``"conditionResult": true``).
_CONDITION_RESULT_SCHEMA: Doc = {"type": "boolean"}


def _snake_keys(value: Any) -> Any:
    """convert_dict_key_case(value, camel_to_snake_case): what the handlers' schemas see."""
    if isinstance(value, list):
        return [_snake_keys(v) for v in value]
    if isinstance(value, Mapping):
        return {snake_case(str(k)): _snake_keys(v) for k, v in value.items()}
    return value


def _condition_errors(condition: Any) -> ErrorBody:
    """BaseDataConditionValidator (a CamelSnakeSerializer) on one workflow condition."""
    if not isinstance(condition, Mapping):
        return not_a_dictionary(condition)
    errors: ErrorBody = {}
    ctype = get_key(condition, "type")
    known = ctype in WORKFLOW_TRIGGER_TYPES or ctype in WORKFLOW_FILTER_TYPES
    # type = ChoiceField(choices=Condition values)
    if not has_key(condition, "type"):
        add_message(errors, "type", REQUIRED_MSG)
    elif not known:
        add_message(errors, "type", f'"{ctype}" is not a valid choice.')
    for key, label, schemas in (
        ("comparison", "comparison", COMPARISON_SCHEMAS),
        ("conditionResult", "condition result", None),
    ):
        # comparison / condition_result = JSONField(required=True)
        if not has_key(condition, key):
            add_message(errors, key, REQUIRED_MSG)
            continue
        value = _snake_keys(get_key(condition, key))
        if value is None:
            add_message(errors, key, NULL_MSG)
            continue
        # validate_comparison / validate_condition_result: _get_handler() first
        if not known:
            add_message(errors, key, f"Invalid condition type: {ctype}")
            continue
        schema = _CONDITION_RESULT_SCHEMA if schemas is None else schemas.get(str(ctype))
        if schema is not None and schema_error(value, schema) is not None:
            comma = "," if schemas is None else ""
            add_message(
                errors, key, f"Value, {value}{comma} does not match JSON Schema for {label}"
            )
    return errors


def _group_errors(group: Any) -> ErrorBody:
    """BaseDataConditionGroupValidator: logic_type, then the first failing condition."""
    if not isinstance(group, Mapping):
        return not_a_dictionary(group)
    errors: ErrorBody = {}
    logic = get_key(group, "logicType")
    if not has_key(group, "logicType"):
        add_message(errors, "logicType", REQUIRED_MSG)
    elif logic not in WORKFLOW_LOGIC_TYPES:
        add_message(errors, "logicType", f'"{logic}" is not a valid choice.')
    conditions = get_key(group, "conditions")
    if conditions is not None:
        if not isinstance(conditions, list):
            add_message(errors, "conditions", not_a_list_message(conditions))
        else:
            for condition in conditions:
                problem = _condition_errors(condition)
                if problem:
                    errors["conditions"] = problem
                    break
    return errors


def _forms_choice(value: Any) -> str:
    """Django's ChoiceField.invalid_choice message."""
    return f"Select a valid choice. {value} is not one of the available choices."


def _slack_form(
    integration_id: str, config: Mapping[str, Any], ctx: OrgContext
) -> tuple[ErrorBody, dict[str, Any]]:
    """SlackActionValidatorHandler -> SlackNotifyServiceForm.clean
    (notifications/notification_action/action_validation.py,
    integrations/slack/actions/form.py, integrations/slack/utils/channel.py).

    The form gets ``workspace`` = the integration id (choices: the org's ACTIVE Slack
    integrations), ``channel`` = config.targetDisplay, ``channel_id`` = config.targetIdentifier.
    A non-empty channel id is checked against Slack with ``validate_channel_id``
    (``conversations.info``): an unknown id, e.g. a channel *name* sent as the id, is
    "Channel not found. Invalid ID provided.", and a known id whose name differs from
    targetDisplay is refused too. An empty id makes Sentry look the channel up by its name
    (``get_channel_id`` -> ``check_for_channel``) and store the id it finds
    (``update_action_data``). Returns (errors, the config Sentry stores).
    """
    installed = ctx.installed or {}
    choices = {i: d for i, d in installed.items() if d.provider == "slack" and d.active}
    errors: ErrorBody = {}
    channel = get_key(config, "targetDisplay")
    channel_id = get_key(config, "targetIdentifier")
    if integration_id not in choices:
        add_message(errors, "workspace", _forms_choice(integration_id))
    if channel in (None, ""):
        add_message(errors, "channel", REQUIRED_MSG)
    cleaned = dict(config)
    # clean(): the form's own errors go to __all__, camel-cased to "all" by the serializer
    if channel_id and not channel:
        add_message(errors, "all", "Slack: Channel name is a required field.")
        return errors, cleaned
    if integration_id not in choices:
        add_message(errors, "all", "Slack: Workspace is a required field.")
        return errors, cleaned
    if errors:
        return errors, cleaned
    workspace = choices[integration_id]
    name = str(channel).lstrip("#")  # strip_channel_name (not re-read)
    if channel_id:
        found = workspace.channels.get(str(channel_id))
        if found is None:
            add_message(errors, "all", "Slack: Channel not found. Invalid ID provided.")
        elif found != name:
            add_message(
                errors,
                "all",
                f"Slack: Received channel name {found} does not match inputted channel "
                f"name {name}.",
            )
        else:
            cleaned.update(targetDisplay=name, targetIdentifier=str(channel_id))
        return errors, cleaned
    by_name = {n: i for i, n in workspace.channels.items()}
    if name not in by_name:
        add_message(
            errors,
            "all",
            f'Slack: The resource "{name}" does not exist or has not been granted access in '
            f"the {workspace.name} Slack workspace.",
        )
        return errors, cleaned
    cleaned.update(targetDisplay="#" + name, targetIdentifier=by_name[name])
    return errors, cleaned


def _pagerduty_form(integration_id: str, config: Mapping[str, Any], ctx: OrgContext) -> ErrorBody:
    """PagerdutyActionValidatorHandler -> PagerDutyNotifyServiceForm
    (integrations/pagerduty/actions/form.py): ``account`` = the integration id (choices: the
    org's ACTIVE PagerDuty integrations), ``service`` = config.targetIdentifier (choices: the
    services of every PagerDuty integration of the org), then ``_validate_service``: the
    service must belong to that account."""
    installed = ctx.installed or {}
    pagerduty = {i: d for i, d in installed.items() if d.provider == "pagerduty"}
    accounts = {i: d for i, d in pagerduty.items() if d.active}
    owner = {s: i for i, d in pagerduty.items() for s in d.services}
    errors: ErrorBody = {}
    if integration_id not in accounts:
        add_message(errors, "account", _forms_choice(integration_id))
    service = get_key(config, "targetIdentifier")
    if service not in (None, "") and str(service) not in owner:
        add_message(errors, "service", _forms_choice(service))
    if errors or service in (None, ""):
        return errors
    if owner[str(service)] != integration_id:
        name = pagerduty[owner[str(service)]].services[str(service)]
        add_message(
            errors,
            "all",
            f'The service "{name}" has not been granted access in the '
            f"{accounts[integration_id].name} Pagerduty account.",
        )
    return errors


#: The first field of each integration action's form (its choices: the org's ACTIVE
#: integrations of that provider): MsTeamsNotifyServiceForm.team, DiscordNotifyServiceForm
#: .server, OpsgenieNotifyTeamForm.account. Their other checks were not looked up.
_FORM_INTEGRATION_FIELD = {"msteams": "team", "discord": "server", "opsgenie": "account"}


def _action_errors(action: Any, ctx: OrgContext | None) -> tuple[ErrorBody, Any]:
    """BaseActionValidator on one action: its fields, then validate() (the handler's data /
    config schemas, the integration id rule, the provider's form). Returns (errors, the
    action as Sentry stores it)."""
    if not isinstance(action, Mapping):
        return not_a_dictionary(action), action
    errors: ErrorBody = {}
    atype = get_key(action, "type")
    if not has_key(action, "type"):
        add_message(errors, "type", REQUIRED_MSG)
    elif atype not in WORKFLOW_ACTION_TYPES:
        add_message(errors, "type", f'"{atype}" is not a valid choice.')
    elif atype in DEPRECATED_ACTION_TYPES:
        add_message(errors, "type", f"Action type {atype} is deprecated and cannot be created.")
    for key in ("data", "config"):  # JSONField() (required)
        if not has_key(action, key):
            add_message(errors, key, REQUIRED_MSG)
        elif get_key(action, key) is None:
            add_message(errors, key, NULL_MSG)
    integration = get_key(action, "integrationId")
    if integration is not None and as_int(integration) is None:
        add_message(errors, "integrationId", "A valid integer is required.")
    if errors:
        return errors, action
    # validate(): the handler's data_schema and its config transformer + config_schema. The
    # schemas below are the workflow_engine migration's copy of them (action_schema_mapping,
    # a snapshot: the current handlers were not re-read); the config is checked after the
    # transformer turns targetType into ActionTarget (specific 0, user 1, team 2,
    # sentry_app 3, issue_owners 4). Sentry words them with str(jsonschema.ValidationError);
    # the sandbox keeps its first line.
    config, data = get_key(action, "config"), get_key(action, "data")
    if not isinstance(config, Mapping):
        add_message(errors, "config", f"{config!r} is not of type 'object'")
    elif get_key(config, "targetType") not in WORKFLOW_TARGET_TYPES:
        add_message(
            errors,
            "config",
            f"{get_key(config, 'targetType')!r} is not one of {list(WORKFLOW_TARGET_TYPES)}",
        )
    else:
        target = ACTION_TARGETS[str(get_key(config, "targetType"))]
        allowed_targets = ACTION_TARGET_TYPES_FOR.get(str(atype))
        if allowed_targets is not None and target not in allowed_targets:
            add_message(errors, "config", f"{target} is not one of {list(allowed_targets)}")
    if not isinstance(data, Mapping):
        add_message(errors, "data", f"{data!r} is not of type 'object'")
    else:
        schema = ACTION_DATA_SCHEMAS.get(str(atype))
        problem = None if schema is None else schema_error(dict(data), schema)
        if problem is not None:
            add_message(errors, "data", problem)
    if errors:
        return errors, action
    assert isinstance(config, Mapping)
    if atype not in INTEGRATION_ACTION_TYPES and integration is not None:
        return {
            "nonFieldErrors": [f"Integration ID is not allowed for action type {atype}"]
        }, action
    if atype in INTEGRATION_ACTION_TYPES and integration is None:
        return {"nonFieldErrors": [f"Integration ID is required for action type {atype}"]}, action
    if ctx is None or ctx.installed is None or integration is None:
        return {}, action
    iid = str(as_int(integration))
    if atype == "slack":
        form_errors, cleaned = _slack_form(iid, config, ctx)
        return form_errors, {**action, "config": cleaned}
    if atype == "pagerduty":
        return _pagerduty_form(iid, config, ctx), action
    field_name = _FORM_INTEGRATION_FIELD.get(str(atype))
    if field_name is not None:
        choices = {i for i, d in ctx.installed.items() if d.provider == atype and d.active}
        if iid not in choices:
            return {field_name: [_forms_choice(iid)]}, action
    # The ticketing handlers (jira, github...) were not modelled.
    return {}, action


def _environment_errors(errors: ErrorBody, body: Mapping[str, Any], ctx: OrgContext | None) -> None:
    """A workflow's environment.

    Sentry's stored WorkflowValidator (the newest version in the searchable index) declares
    only ``environment_id = IntegerField(required=False)`` ("TODO fix this, we pass the name,
    not the ID"), which would drop a name sent as ``environment``. The official OpenAPI spec
    (sentry-api-schema, 2026-08-16), generated from the current validator, declares
    ``environment``: a nullable string, "The name of the environment for the alert to
    evaluate in" -- EnvironmentField's schema (``@extend_schema_field(str)``,
    api/serializers/rest_framework/environment.py). The sandbox models that: the name must be
    one of the organization's Environment rows ("Environment is not part of this
    organization"); null means every environment. ``environmentId`` (the older field) is
    accepted too: an integer, the id of one of the organization's environments (the older
    source did not check it; the sandbox refuses a dangling id with the same message).
    """
    known = ctx.environments if ctx is not None else None
    if has_key(body, "environment"):
        name = get_key(body, "environment")
        if name is not None and known is not None and name not in known:
            add_message(errors, "environment", "Environment is not part of this organization")
    if has_key(body, "environmentId"):
        value = get_key(body, "environmentId")
        if value is None:  # IntegerField(required=False): allow_null is False
            add_message(errors, "environmentId", NULL_MSG)
        elif as_int(value) is None:
            add_message(errors, "environmentId", "A valid integer is required.")
        elif known is not None and str(value) not in known.values():
            add_message(errors, "environmentId", "Environment is not part of this organization")


def validate_workflow(
    body: Any, *, partial: bool = False, ctx: OrgContext | None = None
) -> ErrorBody | None:
    """An alert (workflow) create or update body: WorkflowValidator.is_valid."""
    return _workflow(body, partial=partial, ctx=ctx)[0]


def cleaned_workflow(body: Mapping[str, Any], ctx: OrgContext | None) -> dict[str, Any]:
    """The body as Sentry stores it once valid: each action's config after its handler's
    ``update_action_data`` (a Slack channel found by name gets its id)."""
    return _workflow(body, partial=True, ctx=ctx)[1]


def _workflow(
    body: Any, *, partial: bool, ctx: OrgContext | None
) -> tuple[ErrorBody | None, dict[str, Any]]:
    if not isinstance(body, Mapping):
        return not_a_dictionary(body), {}
    cleaned = dict(body)
    errors: ErrorBody = {}
    char_field_error(errors, body, "name", required=not partial, max_length=256)
    enabled = get_key(body, "enabled")
    if enabled is not None and not isinstance(enabled, bool):
        add_message(errors, "enabled", "Must be a valid boolean.")
    config = get_key(body, "config")
    if config is not None:
        # validate_config: validate_json_schema(value, Workflow.config_schema); Sentry's
        # message is str(jsonschema.ValidationError): this first line, then jsonschema's
        # "Failed validating ..." detail, which the sandbox leaves out.
        problem = schema_error(_snake_keys(config), WORKFLOW_CONFIG_SCHEMA)
        if problem is not None:
            add_message(errors, "config", problem)
    _environment_errors(errors, body, ctx)
    detector_ids = get_key(body, "detectorIds")
    if detector_ids is not None:
        # detector_ids: ListField(child=IntegerField()) in the spec's schema; the existence
        # check's message was not found in Sentry's source.
        if not isinstance(detector_ids, list) or any(as_int(d) is None for d in detector_ids):
            add_message(errors, "detectorIds", "A valid integer is required.")
        elif (
            ctx is not None
            and ctx.detector_ids is not None
            and any(str(d) not in ctx.detector_ids for d in detector_ids)
        ):
            add_message(errors, "detectorIds", "Some detectors do not exist.")
    triggers = get_key(body, "triggers")
    if triggers is not None:  # triggers = BaseDataConditionGroupValidator(required=False)
        trigger_errors = _group_errors(triggers)
        if trigger_errors:
            errors["triggers"] = trigger_errors
    action_filters = get_key(body, "actionFilters")
    if action_filters is not None:  # action_filters = ListField(required=False)
        if not isinstance(action_filters, list):
            add_message(errors, "actionFilters", not_a_list_message(action_filters))
        else:
            filter_errors, cleaned_filters = _action_filter_errors(action_filters, ctx)
            if filter_errors:
                errors["actionFilters"] = filter_errors
            cleaned["actionFilters" if "actionFilters" in body else "action_filters"] = (
                cleaned_filters
            )
    # owner: OwnerActorField in the spec's schema (api/fields/actor.py, not re-read)
    owner_problem = owner_error(get_key(body, "owner"), ctx)
    if owner_problem:
        add_message(errors, "owner", owner_problem)
    return errors or None, cleaned


def _action_filter_errors(
    action_filters: list[Any], ctx: OrgContext | None
) -> tuple[Any, list[Any]]:
    """WorkflowValidator.validate_action_filters: per filter, the condition group, then each
    action; the first failure is the field's error."""
    cleaned: list[Any] = []
    for action_filter in action_filters:
        if not isinstance(action_filter, Mapping) or not has_key(action_filter, "actions"):
            return ["Missing actions key in action filter"], action_filters
        group = {k: v for k, v in action_filter.items() if k != "actions"}
        group_errors = _group_errors(group)
        if group_errors:
            return group_errors, action_filters
        actions = get_key(action_filter, "actions")
        if not isinstance(actions, list):
            return [not_a_list_message(actions)], action_filters
        stored = []
        for action in actions:
            action_errors, as_stored = _action_errors(action, ctx)
            if action_errors:
                return action_errors, action_filters
            stored.append(as_stored)
        cleaned.append({**action_filter, "actions": stored})
    return None, cleaned


#: Workflow.config_schema (workflow_engine/models/workflow.py).
WORKFLOW_CONFIG_SCHEMA: Doc = {
    "type": "object",
    "properties": {"frequency": {"type": "integer", "minimum": 0}},
    "additionalProperties": False,
}


def routes(o: str, p: str) -> list[Route]:
    return [
        Route(o + "/workflows/", workflows_list, methods=["GET"]),
        Route(o + "/workflows/", workflow_create, methods=["POST"]),
        Route(o + "/workflows/", workflows_bulk_delete, methods=["DELETE"]),
        Route(o + "/workflows/{workflow_id}/", workflow_detail, methods=["GET"]),
        Route(o + "/workflows/{workflow_id}/", workflow_update, methods=["PUT"]),
        Route(o + "/workflows/{workflow_id}/", workflow_delete, methods=["DELETE"]),
    ]
