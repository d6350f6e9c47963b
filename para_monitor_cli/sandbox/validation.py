"""What Sentry's server-side validation rules share: error shapes, helpers, the org context,
and the rules several resource kinds use (Snuba queries, JSON schemas).

Each kind's own rules live in its resource module (detectors.py, workflows.py, dashboards.py,
legacy.py), as pure functions over request bodies. Every ``validate_*`` function takes the
decoded JSON body of one request and returns
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

Sources: getsentry/sentry's validators, named in a comment or docstring next to each rule
(``workflow_engine/endpoints/validators/``, ``incidents/metric_issue_detector.py``,
``snuba/snuba_query_validator.py``, ``api/serializers/rest_framework/``,
``notifications/notification_action/``, the integrations' action forms). Where a rule could
not be found in Sentry's source, its comment says so.

Checks that need the organization's state (members, teams, integrations, projects, existing
workflows/detectors) run only when an :class:`OrgContext` is given. Sentry's values (types,
intervals, limits) come from facts.py.

Standard library only: the sandbox imports nothing from the rest of the package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from para_monitor_cli.sandbox.facts import (
    AGGREGATE_COLUMNS,
    AGGREGATE_FUNCTIONS,
    AGGREGATE_RE,
    CRASH_RATE_AGGREGATES,
    CRASH_RATE_TIME_WINDOWS,
    DATASET_DEFAULT_QUERY_TYPE,
    DATASET_NAMES,
    DYNAMIC_TIME_WINDOWS,
    EAP_MIN_TIME_WINDOW,
    EVENT_TYPES,
    MAX_TIME_WINDOW,
    QUERY_TYPE_DATASETS,
    QUERY_TYPE_EVENT_TYPES,
    UNSUPPORTED_QUERIES,
)

__all__ = ["ErrorBody", "Integration", "OrgContext"]

ErrorBody = dict[str, Any]
Doc = dict[str, Any]

# --------------------------------------------------------------------------- constants

REQUIRED_MSG = "This field is required."
NULL_MSG = "This field may not be null."
_BLANK = "This field may not be blank."
#: parse_stats_period (utils/dates.py; recalled, not re-read): digits and an optional unit.
INTERVAL_RE = re.compile(r"^\d+[hdmsw]?$")


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class Integration:
    """One installed integration, as the action validators see it.

    ``active`` mirrors ``status == ObjectStatus.ACTIVE`` on both the integration and the
    organization's link to it: the action forms only offer integrations fetched with
    ``status=ACTIVE, org_integration_status=ACTIVE``
    (notification_action/types.py ``_get_integrations``). ``channels`` is what Slack itself
    knows (channel id -> name, no ``#``): Sentry asks Slack for it (``conversations.info``,
    ``chat.scheduleMessage``) and never shows it through its own API. ``services`` maps a
    PagerDuty service id to its name.
    """

    provider: str
    name: str
    active: bool = True
    channels: Mapping[str, str] = field(default_factory=dict)
    services: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OrgContext:
    """What the organization holds, for the checks that need it (``None`` skips a check).

    Ids are compared as strings. ``integrations`` maps an integration id to its provider
    key (``slack``, ``pagerduty``...); ``installed`` has the details the workflow action
    validators need. ``environments`` maps an Environment's name to its id (the
    organization's Environment rows). ``features`` holds the organization's feature flags
    without the ``organizations:`` prefix.
    """

    user_ids: frozenset[str] | None = None
    team_ids: frozenset[str] | None = None
    integrations: Mapping[str, str] | None = None
    project_slugs: frozenset[str] | None = None
    workflow_ids: frozenset[str] | None = None
    detector_ids: frozenset[str] | None = None
    environments: Mapping[str, str] | None = None
    features: frozenset[str] | None = None
    installed: Mapping[str, Integration] | None = None


# --------------------------------------------------------------------------- helpers


def not_a_dictionary(value: Any) -> ErrorBody:
    """DRF's answer to a body that is not an object: it names the (Python) type it got."""
    got = type(value).__name__
    return {"nonFieldErrors": [f"Invalid data. Expected a dictionary, but got {got}."]}


def snake_case(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


_MISSING = object()


def get_key(body: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A camelCase key, or its snake_case spelling (CamelSnake serializers take both)."""
    if key in body:
        return body[key]
    snake = snake_case(key)
    if snake in body:
        return body[snake]
    return default


def has_key(body: Mapping[str, Any], key: str) -> bool:
    return key in body or snake_case(key) in body


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_int(value: Any) -> int | None:
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


def as_number(value: Any) -> float | None:
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


def add_message(errors: ErrorBody, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def char_field_error(
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
    if not has_key(body, key):
        if required:
            add_message(errors, key, REQUIRED_MSG)
        return
    value = get_key(body, key)
    if value is None:
        if not allow_null:
            add_message(errors, key, NULL_MSG)
        return
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        add_message(errors, key, "Not a valid string.")
        return
    text = str(value)
    if not text.strip() and not allow_blank:
        add_message(errors, key, _BLANK)
        return
    if max_length is not None and len(text) > max_length:
        add_message(errors, key, f"Ensure this field has no more than {max_length} characters.")


def _choices_text(choices: Iterable[object]) -> str:
    return "[" + ", ".join(repr(c) for c in choices) + "]"


def owner_error(owner: Any, ctx: OrgContext | None) -> str | None:
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
    if aggregate in CRASH_RATE_AGGREGATES:
        return (
            None
            if dataset == "metrics"
            else "Invalid Metric: We do not currently support this field."
        )
    match = AGGREGATE_RE.match(aggregate.strip())
    if match is None:
        return "Invalid Metric: Please pass a valid function for aggregation"
    function = match["fn"]
    if function not in AGGREGATE_FUNCTIONS:
        return f"Invalid Metric: {function} is not a valid function"
    args = [a.strip() for a in match["args"].split(",") if a.strip()]
    if not args:
        return None
    column = args[0]
    if function in {"apdex", "epm", "eps"} and column.isdigit():
        return None
    if (
        column in AGGREGATE_COLUMNS
        or column.startswith("measurements.")
        or re.fullmatch(r"tags\[sentry:(user|dist|release)\]", column)
        or dataset == "events_analytics_platform"
    ):
        return None
    return "Invalid Metric: We do not currently support this field."


# --------------------------------------------------------------------------- snuba queries
#
# SnubaQueryValidator (getsentry/sentry src/sentry/snuba/snuba_query_validator.py): the data
# source of a metric monitor, and the base of the legacy AlertRuleSerializer
# (incidents/serializers/alert_rule.py), whose time windows are minutes instead of seconds.

#: UNSUPPORTED_QUERIES (snuba_query_validator.py).
_UNSUPPORTED = UNSUPPORTED_QUERIES
#: ExtrapolationMode values (snuba/models.py ExtrapolationMode; recalled, not re-read).
EXTRAPOLATION_MODES = ("unknown", "client_and_server_weighted", "server_weighted", "none")
#: Datasets whose monitors Sentry is migrating to spans (metric_issue_detector.py
#: ``_validate_transaction_dataset_deprecation`` / ``is_editing_transaction_dataset``).
TRANSACTION_DATASETS = ("transactions", "generic_metrics")
TRANSACTION_DEPRECATION_FLAG = "discover-saved-queries-deprecation"
CREATE_TRANSACTION_DETECTOR = (
    "Creation of transaction-based alerts is disabled, as we migrate to the span dataset. "
    "Create span-based alerts (dataset: events_analytics_platform) with the "
    "is_transaction:true filter instead."
)
UPDATE_TRANSACTION_DETECTOR = (
    "Updates to transaction-based alerts is disabled, as we migrate to the span dataset. "
    "Create span-based alerts (dataset: events_analytics_platform) with the "
    "is_transaction:true filter instead."
)
UNKNOWN_ENVIRONMENT = "Environment is not part of this organization"


def snuba_query_errors(
    source: Any,
    *,
    seconds: bool,
    detection_type: str = "static",
    ctx: OrgContext | None = None,
    partial: bool = False,
) -> ErrorBody | None:
    """SnubaQueryValidator / the query half of AlertRuleSerializer.

    ``seconds`` says whether ``timeWindow`` is in seconds (detectors,
    ``SnubaQueryValidator(timeWindowSeconds=True)``) or minutes (alert rules).
    """
    if not isinstance(source, Mapping):
        return not_a_dictionary(source)
    errors: ErrorBody = {}
    # dataset/query/aggregate/time_window: required=True; the alert rule serializer declares
    # dataset required=False. DRF skips required fields on a partial update, but
    # SnubaQueryValidator.validate then reads aggregate, time_window and query
    # unconditionally (and defaults a missing dataset to events, which update_data_source
    # would store): Sentry fails there, so the sandbox keeps them required on updates too.
    required = (
        ("dataset", "query", "aggregate", "timeWindow")
        if seconds
        else ("query", "aggregate", "timeWindow")
    )
    for key in required:
        if not has_key(source, key):
            add_message(errors, key, REQUIRED_MSG)
    dataset = get_key(source, "dataset", "events")
    # validate_dataset
    if has_key(source, "dataset") and dataset not in DATASET_NAMES:
        add_message(
            errors, "dataset", f"Invalid dataset, valid values are {_choices_text(DATASET_NAMES)}"
        )
    # validate_query_type (the alert rule serializer lists the valid values)
    query_type = get_key(source, "queryType")
    if query_type is not None and as_int(query_type) not in QUERY_TYPE_DATASETS:
        if seconds:
            add_message(errors, "queryType", f"Invalid query type {query_type}")
        else:
            add_message(
                errors, "queryType", f"Invalid query type {query_type}, valid values are [0, 1, 2]"
            )
    # query: CharField(required=True, allow_blank=True); validate_query: UNSUPPORTED_QUERIES.
    # The dynamic-alert rule on is:unresolved is the alert rule serializer's (not re-read).
    query = get_key(source, "query")
    if query is not None:
        if not isinstance(query, str):
            add_message(errors, "query", "Not a valid string.")
        else:
            for term in query.split():
                if term in _UNSUPPORTED:
                    add_message(
                        errors,
                        "query",
                        f"Unsupported Query: We do not currently support the {term} query",
                    )
                if detection_type == "dynamic" and term == "is:unresolved":
                    add_message(
                        errors, "query", "Dynamic alerts do not support 'is:unresolved' queries"
                    )
    # aggregate: CharField; validate_aggregate refuses upsampled_count() as user input
    aggregate = get_key(source, "aggregate")
    if has_key(source, "aggregate"):
        if not isinstance(aggregate, str) or not aggregate.strip():
            add_message(
                errors, "aggregate", _BLANK if isinstance(aggregate, str) else "Not a valid string."
            )
        elif aggregate == "upsampled_count()":
            add_message(
                errors,
                "aggregate",
                "upsampled_count() is not allowed as user input. Use count() instead - "
                "it will be automatically converted to upsampled_count() when appropriate.",
            )
    # time_window: IntegerField(required=True). Detectors send seconds; the whole-minute and
    # 1..1440 minute bounds are the sandbox's reading of the alert rule serializer's
    # time_window field (min 1, max 1440 minutes), not found for detectors.
    window = get_key(source, "timeWindow")
    window_minutes: int | None = None
    if has_key(source, "timeWindow"):
        value = as_int(window)
        if value is None:
            add_message(errors, "timeWindow", "A valid integer is required.")
        elif seconds:
            if value % 60 or not 60 <= value <= MAX_TIME_WINDOW * 60:
                add_message(
                    errors,
                    "timeWindow",
                    "Time window must be a whole number of minutes between 60 and 86400 seconds",
                )
            else:
                window_minutes = value // 60
        elif value < 1:
            add_message(errors, "timeWindow", "Ensure this value is greater than or equal to 1.")
        elif value > MAX_TIME_WINDOW:
            add_message(
                errors,
                "timeWindow",
                f"Ensure this value is less than or equal to {MAX_TIME_WINDOW}.",
            )
        else:
            window_minutes = value
    # event_types: ListField(child=CharField()); validate_event_types
    event_types = get_key(source, "eventTypes")
    if event_types is not None:
        if not isinstance(event_types, list) or not all(isinstance(e, str) for e in event_types):
            add_message(errors, "eventTypes", not_a_list_message(event_types))
        elif any(e.lower() not in EVENT_TYPES for e in event_types):
            add_message(
                errors, "eventTypes", f"Invalid event_type, valid values are {list(EVENT_TYPES)}"
            )
    # environment = EnvironmentField(required=True, allow_null=True) on the detector's data
    # source (required=False on the alert rule serializer): a name that is not one of the
    # organization's Environment rows is refused (EnvironmentField.to_internal_value,
    # api/serializers/rest_framework/environment.py). Environment rows appear when an event
    # carrying that environment is saved (event_manager ``_get_or_create_environment_many``).
    if seconds and not partial and not has_key(source, "environment"):
        add_message(errors, "environment", REQUIRED_MSG)
    environment = get_key(source, "environment")
    if environment is not None:
        known = ctx.environments if ctx is not None else None
        if not isinstance(environment, str) or (known is not None and environment not in known):
            add_message(errors, "environment", UNKNOWN_ENVIRONMENT)
    # extrapolation_mode: CharField(required=False, allow_null=True);
    # validate_extrapolation_mode: ExtrapolationMode.from_str
    extrapolation = get_key(source, "extrapolationMode")
    if extrapolation is not None and extrapolation not in EXTRAPOLATION_MODES:
        add_message(errors, "extrapolationMode", f"Invalid extrapolation mode: {extrapolation}")
    if errors:
        return errors

    # cross-field rules (validate, then _validate_aggregate and _validate_query): the first
    # failure wins
    assert isinstance(aggregate, str)
    # _validate_aggregate: check_aggregate_column_support (incidents/logic.py; the sandbox's
    # _aggregate_error is a small stand-in for it), raised as {"aggregate": [...]}
    problem = _aggregate_error(aggregate, dataset)
    if problem is not None:
        return {"aggregate": [problem]}
    # _validate_query: query_type defaults from the dataset (query_datasets_to_type)
    qtype = (
        as_int(query_type) if query_type is not None else DATASET_DEFAULT_QUERY_TYPE.get(dataset, 0)
    )
    assert qtype is not None
    valid_datasets = QUERY_TYPE_DATASETS[qtype]
    if dataset not in valid_datasets:
        names = sorted(DATASET_NAMES[d] for d in valid_datasets)
        return {
            "nonFieldErrors": [f"Invalid dataset for this query type. Valid datasets are {names}"]
        }
    # validate: QUERY_TYPE_VALID_EVENT_TYPES, then EAP's single event type
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
    if window_minutes is None:  # a partial update without a window
        return None
    # _validate_time_window runs inside _validate_snql_query, which _validate_query skips for
    # events_analytics_platform: a detector on EAP has no minimum window there. The legacy
    # alert rule serializer checks EAP windows >= 5 minutes (Sentry's test
    # test_eap_alert_with_invalid_time_window).
    if dataset == "metrics" and window_minutes not in CRASH_RATE_TIME_WINDOWS:
        return {
            "nonFieldErrors": [
                "Invalid Time Window: Allowed time windows for crash rate alerts are: "
                "30min, 1h, 2h, 4h, 12h and 24h"
            ]
        }
    if (
        not seconds
        and dataset == "events_analytics_platform"
        and window_minutes < EAP_MIN_TIME_WINDOW
    ):
        return {
            "nonFieldErrors": [
                "Invalid Time Window: Time window for this alert type must be at least 5 minutes."
            ]
        }
    # the dynamic windows are the alert rule serializer's rule (not re-read for detectors)
    if detection_type == "dynamic" and window_minutes not in DYNAMIC_TIME_WINDOWS:
        return {
            "nonFieldErrors": [
                "Invalid time window for dynamic alert (valid windows are 5, 15, 30, 60 minutes)"
            ]
        }
    return None


def not_a_list_message(value: Any) -> str:
    """DRF ListField's not_a_list message (it names the Python type it got)."""
    return f'Expected a list of items but got type "{type(value).__name__}".'


# --------------------------------------------------------------------------- JSON schema


def _json_type(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, Mapping)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if kind == "integer":
        return is_int(value) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return is_number(value)
    return True


def schema_error(value: Any, schema: Mapping[str, Any]) -> str | None:
    """The first error jsonschema.validate finds for the schema subset Sentry's handlers use
    (type, enum, minimum, maximum, required, properties, additionalProperties, items), worded
    as jsonschema's ``ValidationError.message``."""
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_json_type(value, k) for k in kinds):
            listed = ", ".join(repr(k) for k in kinds)
            return f"{value!r} is not of type {listed}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{value!r} is not one of {schema['enum']!r}"
    if is_number(value):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{value!r} is less than the minimum of {schema['minimum']!r}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{value!r} is greater than the maximum of {schema['maximum']!r}"
    if isinstance(value, Mapping):
        properties = schema.get("properties", {})
        for name, sub in properties.items():
            if name in value:
                problem = schema_error(value[name], sub)
                if problem is not None:
                    return problem
        for name in schema.get("required", []):
            if name not in value:
                return f"{name!r} is a required property"
        if schema.get("additionalProperties") is False:
            extras = [k for k in value if k not in properties]
            if extras:
                verb = "was" if len(extras) == 1 else "were"
                listed = ", ".join(repr(k) for k in sorted(extras))
                return f"Additional properties are not allowed ({listed} {verb} unexpected)"
    if isinstance(value, list) and "items" in schema:
        for item in value:
            problem = schema_error(item, schema["items"])
            if problem is not None:
                return problem
    if "anyOf" in schema and all(schema_error(value, s) for s in schema["anyOf"]):
        return f"{value!r} is not valid under any of the given schemas"
    if "oneOf" in schema:
        matches = sum(1 for s in schema["oneOf"] if schema_error(value, s) is None)
        if matches == 0:
            return f"{value!r} is not valid under any of the given schemas"
        if matches > 1:
            return f"{value!r} is valid under each of the given schemas"
    if "not" in schema and schema_error(value, schema["not"]) is None:
        return f"{value!r} should not be valid under {schema['not']!r}"
    return None
