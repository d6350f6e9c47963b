"""Monitors (workflow-engine detectors): routes, stored document, and validation rules."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model, workflow_engine
from para_monitor_cli.sandbox.facts import (
    DEFAULT_DETECTORS,
    DETECTION_TYPES,
    DETECTOR_COMPARISON_DELTAS,
    DETECTOR_CONDITION_RESULTS,
    DETECTOR_CONDITION_TYPES,
    DETECTOR_TYPES,
    MAX_DETECTOR_CONDITIONS,
    PRIORITY_LOW,
    WORKFLOW_LOGIC_TYPES,
)
from para_monitor_cli.sandbox.store import Doc, Query, Store
from para_monitor_cli.sandbox.validation import (
    CREATE_TRANSACTION_DETECTOR,
    REQUIRED_MSG,
    TRANSACTION_DATASETS,
    TRANSACTION_DEPRECATION_FLAG,
    UPDATE_TRANSACTION_DETECTOR,
    ErrorBody,
    OrgContext,
    add_message,
    as_int,
    as_number,
    char_field_error,
    get_key,
    has_key,
    not_a_dictionary,
    not_a_list_message,
    owner_error,
    snuba_query_errors,
)
from para_monitor_cli.sandbox.web import (
    ALERTS_READ,
    NO_PERMISSION,
    NOT_FOUND,
    ORG_READ,
    PROJECT_WRITE,
    Ctx,
    Problem,
    api,
    as_strings,
    check,
    detail,
    empty,
    now,
    ok,
    paginate,
    paginate_query,
    project_ids,
    require,
)


def find_detector(ctx: Ctx, detector_id: str) -> Doc:
    detector = ctx.store.get("detector", detector_id)
    if detector is None or detector["projectId"] not in project_ids(ctx):
        raise detail(404, NOT_FOUND)
    return detector


def check_workflow_ids(ctx: Ctx, ids: Any, field_name: str = "workflowIds") -> list[str]:
    """The detector endpoints hand workflowIds to BulkDetectorWorkflowsValidator
    (validate_workflows_exist); its wording was not re-read: "Some workflows do not exist."
    is the sandbox's."""
    among = Query("workflow", org=ctx.org["id"])
    return workflow_engine.existing_ids(
        ctx, ids, field=field_name, among=among, missing="Some workflows do not exist."
    )


@api(*ALERTS_READ)
async def detectors_list(ctx: Ctx) -> Response:
    return paginate_query(
        ctx,
        workflow_engine.selected(ctx, workflow_engine.org_detectors(ctx)),
        lambda docs: show_detectors(ctx.store, docs),
    )


@dataclass(frozen=True)
class TypeValidator:
    """What a detector type's own module does with a POST or PUT on the detector endpoints:
    ``create(ctx, body)`` / ``update(ctx, stored, body)`` validate and return the document to
    store (raising the 400 themselves). ``create`` None: this type is not created here (a cron
    monitor's detector is made by the monitors endpoint)."""

    update: Callable[[Ctx, Doc, Doc], Doc]
    create: Callable[[Ctx, Doc], Doc] | None = None


#: get_detector_validator (workflow_engine/endpoints/organization_detector_index.py):
#: grouptype.registry.get_by_slug(type).detector_settings.validator picks each type's own
#: validator. Metric detectors are this module's; the other types' modules register theirs
#: (uptime_domain_failure: sandbox/uptime.py, monitor_check_in_failure: sandbox/crons.py).
TYPE_VALIDATORS: dict[str, TypeValidator] = {}


def register_type(slug: str, validator: TypeValidator) -> None:
    TYPE_VALIDATORS[slug] = validator


#: OrganizationProjectDetectorIndexEndpoint.post (workflow_engine/endpoints/
#: organization_project_detector_index.py): metric monitors need the "incidents" feature.
NO_INCIDENTS = "Unable to process request, confirm payment options."


@api("alerts:write", *PROJECT_WRITE)
async def detector_create(ctx: Ctx) -> Response:
    body = require(await ctx.body(), "name", "type")
    own = TYPE_VALIDATORS.get(str(body.get("type")))
    if own is not None and own.create is not None:  # its own validator and stored shape
        return save_detector(ctx, own.create(ctx, body), body, 201)
    if body.get("type") == "metric_issue" and "incidents" not in model.org_features(ctx.org):
        raise detail(400, NO_INCIDENTS)
    check(ctx, validate_detector, body, partial=False)
    body = as_strings(body, "name")
    workflow_ids = check_workflow_ids(ctx, body.get("workflowIds", []))
    detector_id = str(ctx.store.next_id("detector"))
    detector = detector_fields(ctx.store, ctx.org["id"], body, None, now())
    detector.update(
        {
            "id": detector_id,
            "org": ctx.org["id"],
            "projectId": ctx.project["id"],
            "createdBy": ctx.user,
        }
    )
    ctx.store.put("detector", detector_id, detector)
    workflow_engine.set_links(ctx.store, workflow_ids, detector=detector_id)
    return ok(show_detector(ctx.store, detector), 201)


def save_detector(ctx: Ctx, detector: Doc, body: Doc, status: int) -> Response:
    """Store a detector built by its type's own validator (TYPE_VALIDATORS), with its links."""
    workflow_ids = check_workflow_ids(ctx, body["workflowIds"]) if "workflowIds" in body else None
    ctx.store.put("detector", detector["id"], detector)
    if workflow_ids is not None:
        workflow_engine.set_links(ctx.store, workflow_ids, detector=detector["id"])
    return ok(show_detector(ctx.store, detector), status)


@api(*ALERTS_READ)
async def detector_detail(ctx: Ctx) -> Response:
    detector = find_detector(ctx, ctx.request.path_params["detector_id"])
    return ok(show_detector(ctx.store, detector))


@api("alerts:write", *ORG_READ)
async def detector_update(ctx: Ctx) -> Response:
    """OrganizationDetectorDetailsEndpoint.put: validator.is_valid (partial), then save() ->
    MetricIssueDetectorValidator.update (update_data_source's transaction rule). A built-in
    detector keeps only enabled, workflowIds and owner (the sandbox's reading of the error
    and issue-stream detectors' validators, not re-read)."""
    detector = find_detector(ctx, ctx.request.path_params["detector_id"])
    body = require(await ctx.body())
    own = TYPE_VALIDATORS.get(str(detector.get("type")))
    if own is not None:  # its type's own validator (get_detector_validator)
        return save_detector(ctx, own.update(ctx, detector, body), body, 200)
    if detector.get("builtin"):
        body = {k: v for k, v in body.items() if k in ("enabled", "workflowIds", "owner")}
    else:
        check(ctx, validate_detector, body, partial=True, stored=detector)
        body = as_strings(body, "name")
    workflow_ids = check_workflow_ids(ctx, body["workflowIds"]) if "workflowIds" in body else None
    updated = detector_fields(ctx.store, ctx.org["id"], body, detector, now())
    ctx.store.put("detector", updated["id"], updated)
    if workflow_ids is not None:
        workflow_engine.set_links(ctx.store, workflow_ids, detector=updated["id"])
    return ok(show_detector(ctx.store, updated))


def delete_detector(ctx: Ctx, detector: Doc) -> None:
    """can_delete_detector (validators/detector_workflow.py): system-created detectors cannot
    be deleted (403)."""
    if detector.get("builtin"):
        raise detail(403, NO_PERMISSION)
    ctx.store.delete("detector", detector["id"])
    workflow_engine.set_links(ctx.store, [], detector=detector["id"])


@api("alerts:write", *ORG_READ)
async def detector_delete(ctx: Ctx) -> Response:
    delete_detector(ctx, find_detector(ctx, ctx.request.path_params["detector_id"]))
    return empty(204)


@api("alerts:write", *ORG_READ)
async def detectors_bulk_delete(ctx: Ctx) -> Response:
    """OrganizationDetectorIndexEndpoint.delete: can_delete_detectors refuses (403) a
    selection holding a built-in (system-created) detector."""
    docs = workflow_engine.bulk_selection(
        ctx, workflow_engine.org_detectors(ctx), "detector", "delete"
    )
    if isinstance(docs, Response):
        return docs
    if any(d.get("builtin") for d in docs):
        raise detail(403, NO_PERMISSION)
    for detector in docs:
        delete_detector(ctx, detector)
    return empty(204)


@api("alerts:write", *ORG_READ)
async def detectors_bulk_update(ctx: Ctx) -> Response:
    """OrganizationDetectorIndexEndpoint.put: DetectorWorkflowMutationValidator's
    ``enabled`` (a boolean, True when absent), applied to the selection."""
    body = require(await ctx.body())
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise Problem(400, {"enabled": ["Must be a valid boolean."]})
    docs = workflow_engine.bulk_selection(
        ctx, workflow_engine.org_detectors(ctx), "detector", "update"
    )
    if isinstance(docs, Response):
        return docs
    for detector in docs:
        detector["enabled"] = enabled
        detector["dateUpdated"] = now()
        ctx.store.put("detector", detector["id"], detector)
    return paginate(ctx, show_detectors(ctx.store, docs))


# -- stored document and API shape


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
            if value is not model.ABSENT:
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
            fields.update({k: v for k, v in _snuba_fields(source).items() if v is not model.ABSENT})
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
        out["conditionGroup"] = workflow_engine.condition_group(store, org_id, group, "any")
    out.setdefault("conditionGroup", None)
    out["dateUpdated"] = now
    out.setdefault("dateCreated", now)
    return out


def _snuba_fields(source: Doc) -> Doc:
    """A data source's snuba query keys as sent (camelCase or snake_case), ABSENT if not."""

    def pick(camel: str, snake: str) -> Any:
        return source.get(camel, source.get(snake, model.ABSENT))

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


def show_detector(store: Store, detector: Doc, workflow_ids: list[str] | None = None) -> Doc:
    if workflow_ids is None:
        workflow_ids = workflow_engine.linked(store, detector=detector["id"])
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


def show_detectors(store: Store, detectors: list[Doc]) -> list[Doc]:
    """A page of detectors, their workflow links read in one query."""
    links = store.linked(detectors=[d["id"] for d in detectors])
    return [show_detector(store, d, links[d["id"]]) for d in detectors]


# -- rules: detectors
#
# Metric monitors: MetricIssueDetectorValidator (incidents/metric_issue_detector.py) over
# BaseDetectorTypeValidator (workflow_engine/endpoints/validators/base/detector.py); the
# create endpoint is OrganizationProjectDetectorIndexEndpoint.post and the update
# OrganizationDetectorDetailsEndpoint.put (workflow_engine/endpoints/). Both answer 400 with
# ``validator.errors`` when ``is_valid()`` fails; a ValidationError raised later by
# ``validator.save()`` (create/update) is rendered by DRF as a bare list: ``["message"]``.


def _detector_condition_errors(condition: Any, detection_type: str) -> ErrorBody:
    """MetricIssueComparisonConditionValidator (metric_issue_detector.py): validate_type,
    validate_comparison, validate_condition_result. The anomaly/dynamic pairing rules are
    the sandbox's own (not found in Sentry's source)."""
    errors: ErrorBody = {}
    if not isinstance(condition, Mapping):
        return {"nonFieldErrors": ["Invalid data. Expected a dictionary."]}
    ctype = get_key(condition, "type")
    if ctype is None:
        add_message(errors, "type", REQUIRED_MSG)
    elif ctype not in DETECTOR_CONDITION_TYPES:
        add_message(errors, "type", f"Unsupported type {ctype}")
    if not has_key(condition, "comparison"):
        add_message(errors, "comparison", REQUIRED_MSG)
    else:
        comparison = get_key(condition, "comparison")
        if ctype == "anomaly_detection":
            problem = _anomaly_comparison_error(comparison)
            if problem:
                add_message(errors, "comparison", problem)
        elif isinstance(comparison, Mapping):
            add_message(errors, "comparison", "A valid number is required.")
        elif as_number(comparison) is None:
            add_message(errors, "comparison", "A valid number or dict is required.")
    if not has_key(condition, "conditionResult"):
        add_message(errors, "conditionResult", REQUIRED_MSG)
    elif as_int(get_key(condition, "conditionResult")) not in DETECTOR_CONDITION_RESULTS:
        add_message(errors, "conditionResult", "Unsupported condition result")
    if not errors and ctype == "anomaly_detection" and detection_type != "dynamic":
        add_message(
            errors, "type", "Anomaly detection conditions require the dynamic detection type"
        )
    if not errors and ctype != "anomaly_detection" and detection_type == "dynamic":
        add_message(errors, "type", "Dynamic detectors only support anomaly_detection conditions")
    return errors


def _anomaly_comparison_error(comparison: Any) -> str | None:
    """The anomaly_detection handler's comparison (anomaly_detection_handler.py; its schema
    was not re-read: these messages are the sandbox's)."""
    if not isinstance(comparison, Mapping):
        return "A valid dict is required for anomaly detection."
    if comparison.get("seasonality", "auto") != "auto":
        return "Invalid seasonality, valid values are ['auto']"
    if comparison.get("sensitivity") not in ("low", "medium", "high"):
        return "Invalid sensitivity, valid values are ['low', 'medium', 'high']"
    threshold_type = get_key(comparison, "thresholdType")
    if as_int(threshold_type) not in (0, 1, 2):
        return "Invalid threshold type, valid values are [0, 1, 2]"
    return None


def validate_detector(
    body: Any,
    *,
    partial: bool = False,
    ctx: OrgContext | None = None,
    stored: Mapping[str, Any] | None = None,
) -> ErrorBody | list[str] | None:
    """A metric monitor create (``partial=False``) or update (PUT, ``partial=True``) body.

    ``stored`` is the detector being updated, as the sandbox stores it (its data source's
    ``queryObj.snubaQuery``), for the update rules. Returns the 400 body: a dict of field
    errors (``is_valid``), or a list with the one message ``save()`` raised.
    """
    errors = _detector_field_errors(body, partial=partial, ctx=ctx)
    if errors is not None:
        return errors
    assert isinstance(body, Mapping)
    sources = get_key(body, "dataSources") or []
    if not partial:
        # MetricIssueDetectorValidator.create: _validate_transaction_dataset_deprecation,
        # then _validate_extrapolation_mode, for each data source
        features = ctx.features if ctx is not None else None
        for source in sources:
            if (
                features is not None
                and TRANSACTION_DEPRECATION_FLAG in features
                and get_key(source, "dataset") in TRANSACTION_DATASETS
            ):
                return [CREATE_TRANSACTION_DETECTOR]
            if get_key(source, "extrapolationMode") == "server_weighted":
                return ["server_weighted extrapolation mode is not supported for new detectors."]
        return None
    if stored is not None and sources:
        # MetricIssueDetectorValidator.update -> update_data_source
        return _data_source_update_error(sources[0], stored)
    return None


def _stored_query(stored: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for source in stored.get("dataSources") or []:
        query = (source.get("queryObj") or {}).get("snubaQuery")
        if isinstance(query, Mapping):
            return query
    return None


def _data_source_update_error(
    source: Mapping[str, Any], stored: Mapping[str, Any]
) -> list[str] | None:
    """update_data_source: is_editing_transaction_dataset, then the EAP extrapolation rule.

    The refusal applies when the data source sent is on a transaction dataset and changes its
    dataset, query, aggregate, time window or event types (an unchanged resend is allowed, and
    so is moving the monitor to events_analytics_platform). No feature flag is checked.
    """
    old = _stored_query(stored)
    if old is None:
        return None
    dataset = get_key(source, "dataset")
    if dataset in TRANSACTION_DATASETS:
        old_types = [str(e).lower() for e in old.get("eventTypes") or []]
        new_types = get_key(source, "eventTypes")
        changed = (
            dataset != old.get("dataset")
            or get_key(source, "query", old.get("query")) != old.get("query")
            or get_key(source, "aggregate", old.get("aggregate")) != old.get("aggregate")
            or as_int(get_key(source, "timeWindow", old.get("timeWindow")))
            != as_int(old.get("timeWindow"))
            or (new_types is not None and [str(e).lower() for e in new_types] != old_types)
        )
        if changed:
            return [UPDATE_TRANSACTION_DETECTOR]
    if dataset == "events_analytics_platform":
        # is_invalid_extrapolation_mode: moving to server_weighted is refused
        new_mode = get_key(source, "extrapolationMode", old.get("extrapolationMode"))
        if new_mode == "server_weighted" and old.get("extrapolationMode") != "server_weighted":
            return ["Invalid extrapolation mode for this detector type."]
    return None


def _detector_field_errors(body: Any, *, partial: bool, ctx: OrgContext | None) -> ErrorBody | None:
    """MetricIssueDetectorValidator.is_valid: the fields, then validate()."""
    if not isinstance(body, Mapping):
        return not_a_dictionary(body)
    errors: ErrorBody = {}
    # name = CharField(required=True, max_length=200)
    char_field_error(errors, body, "name", required=not partial, max_length=200)
    # type = CharField(); validate_type -> get_unknown_detector_type_error (validators/utils.py)
    dtype = get_key(body, "type")
    if not has_key(body, "type"):
        if not partial:
            add_message(errors, "type", REQUIRED_MSG)
    elif dtype not in DETECTOR_TYPES:
        add_message(
            errors,
            "type",
            f"Unknown detector type '{dtype}'. Must be one of: {', '.join(DETECTOR_TYPES)}",
        )

    # config = JSONField(default=dict), checked against the detector type's config schema
    # (enforce_config_schema) in create()/update(); Sentry words these with
    # str(jsonschema.ValidationError). The sandbox checks the same keys at field level with
    # its own messages.
    config = get_key(body, "config")
    detection_type = "static"
    if config is not None:
        if not isinstance(config, Mapping):
            add_message(errors, "config", "Expected a dictionary of items.")
        else:
            detection_type = get_key(config, "detectionType", "static")
            delta = get_key(config, "comparisonDelta")
            if detection_type not in DETECTION_TYPES:
                add_message(
                    errors, "config", f"'{detection_type}' is not one of {list(DETECTION_TYPES)}"
                )
            elif delta is not None and delta not in DETECTOR_COMPARISON_DELTAS:
                add_message(
                    errors, "config", f"{delta} is not one of {[*DETECTOR_COMPARISON_DELTAS, None]}"
                )
            elif detection_type == "percent" and delta is None:
                add_message(errors, "config", "Percentage-based alerts require a comparison delta")
            elif detection_type != "percent" and delta is not None:
                add_message(
                    errors, "config", "Comparison delta is only allowed for percent detection"
                )

    # data_sources = ListField(child=SnubaQueryValidator(timeWindowSeconds=True)): DRF's
    # ListField reports a failing child under its index
    sources = get_key(body, "dataSources")
    if has_key(body, "dataSources"):
        if not isinstance(sources, list):
            add_message(errors, "dataSources", not_a_list_message(sources))
        else:
            source_errors = {
                str(i): err
                for i, source in enumerate(sources)
                if (
                    err := snuba_query_errors(
                        source,
                        seconds=True,
                        detection_type=detection_type,
                        ctx=ctx,
                        partial=partial,
                    )
                )
            }
            if source_errors:
                errors["dataSources"] = source_errors
            elif len(sources) != 1:
                # the sandbox's own rule (Sentry's update reads dataSources[0] only)
                add_message(errors, "dataSources", "Metric monitors take exactly one data source")

    # condition_group = MetricIssueConditionGroupValidator(required=True)
    group = get_key(body, "conditionGroup")
    if not has_key(body, "conditionGroup"):
        if not partial:
            add_message(errors, "conditionGroup", REQUIRED_MSG)
    elif not isinstance(group, Mapping):
        add_message(errors, "conditionGroup", "Invalid data. Expected a dictionary.")
    else:
        group_errors: ErrorBody = {}
        logic = get_key(group, "logicType")
        if logic is not None and logic not in WORKFLOW_LOGIC_TYPES:
            add_message(group_errors, "logicType", f'"{logic}" is not a valid choice.')
        conditions = get_key(group, "conditions")
        # conditions = ListField(required=True); validate_conditions: the comparison
        # conditions (many=True, so one entry per condition), then "Resolution condition
        # required for metric issue detector."
        if conditions is None:
            add_message(group_errors, "conditions", REQUIRED_MSG)
        elif not isinstance(conditions, list):
            add_message(group_errors, "conditions", not_a_list_message(conditions))
        else:
            per_item = [_detector_condition_errors(c, detection_type) for c in conditions]
            if any(per_item):
                group_errors["conditions"] = per_item
            elif not any(
                as_int(get_key(c, "conditionResult")) == PRIORITY_LOW for c in conditions
            ) and not any(get_key(c, "type") == "anomaly_detection" for c in conditions):
                add_message(
                    group_errors,
                    "conditions",
                    "Resolution condition required for metric issue detector.",
                )
        if group_errors:
            errors["conditionGroup"] = group_errors

    # workflowIds: read by the endpoints (BulkDetectorWorkflowsValidator), not the validator;
    # "Some workflows do not exist." was not found in Sentry's source.
    workflow_ids = get_key(body, "workflowIds")
    if workflow_ids is not None:
        if not isinstance(workflow_ids, list) or any(as_int(w) is None for w in workflow_ids):
            add_message(errors, "workflowIds", "A valid integer is required.")
        elif ctx is not None and ctx.workflow_ids is not None:
            missing = [str(w) for w in workflow_ids if str(w) not in ctx.workflow_ids]
            if missing:
                add_message(errors, "workflowIds", "Some workflows do not exist.")
    # owner = OwnerActorField(required=False, allow_null=True) (api/fields/actor.py)
    owner_problem = owner_error(get_key(body, "owner"), ctx)
    if owner_problem:
        add_message(errors, "owner", owner_problem)
    # description = CharField(required=False, allow_null=True, allow_blank=True)
    char_field_error(errors, body, "description", required=False, allow_blank=True, allow_null=True)
    # enabled = BooleanField(required=False)
    enabled = get_key(body, "enabled")
    if enabled is not None and not isinstance(enabled, bool):
        add_message(errors, "enabled", "Must be a valid boolean.")
    if errors:
        return errors

    # MetricIssueDetectorValidator.validate: "Too many conditions" above three
    if isinstance(group, Mapping):
        conditions = get_key(group, "conditions") or []
        if len(conditions) > MAX_DETECTOR_CONDITIONS:
            return {"nonFieldErrors": ["Too many conditions"]}
    return None


def routes(o: str, p: str) -> list[Route]:
    return [
        Route(o + "/detectors/", detectors_list, methods=["GET"]),
        Route(o + "/detectors/", detectors_bulk_update, methods=["PUT"]),
        Route(o + "/detectors/", detectors_bulk_delete, methods=["DELETE"]),
        Route(o + "/projects/{project}/detectors/", detector_create, methods=["POST"]),
        Route(o + "/detectors/{detector_id}/", detector_detail, methods=["GET"]),
        Route(o + "/detectors/{detector_id}/", detector_update, methods=["PUT"]),
        Route(o + "/detectors/{detector_id}/", detector_delete, methods=["DELETE"]),
    ]
