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

Sources: getsentry/sentry's validators, named in a comment or docstring next to each rule
(``workflow_engine/endpoints/validators/``, ``incidents/metric_issue_detector.py``,
``snuba/snuba_query_validator.py``, ``api/serializers/rest_framework/``,
``notifications/notification_action/``, the integrations' action forms). Where a rule could
not be found in Sentry's source, its comment says so.

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
from dataclasses import dataclass, field
from typing import Any

from para_monitor_cli.sandbox.facts import (  # noqa: F401 - re-exported for the tests
    _ACTION_TARGET_TYPES,
    _AGGREGATE_FUNCTIONS,
    _AGGREGATE_RE,
    _C,
    _COLUMNS,
    _COMPARISON_INTERVALS,
    _CRASH_RATE_AGGREGATES,
    _F,
    _FREQUENCY_INTERVALS,
    _LEVEL_VALUES,
    _MATCH_TYPES,
    _PERCENT_INTERVALS,
    ACTION_DATA_SCHEMAS,
    ACTION_TARGETS,
    ALERT_ACTION_TYPES,
    ALERT_RULE_TIME_WINDOWS,
    ALERT_TARGET_TYPES,
    ALERT_TARGETS_FOR_TYPE,
    CRASH_RATE_TIME_WINDOWS,
    DASHBOARD_DISPLAY_TYPES,
    DASHBOARD_WIDGET_TYPES,
    DATASET_DEFAULT_QUERY_TYPE,
    DATASET_NAMES,
    DEPRECATED_ACTION_TYPES,
    DETECTION_TYPES,
    DETECTOR_COMPARISON_DELTAS,
    DETECTOR_CONDITION_RESULTS,
    DETECTOR_CONDITION_TYPES,
    DETECTOR_TYPES,
    DYNAMIC_TIME_WINDOWS,
    EAP_MIN_TIME_WINDOW,
    EVENT_TYPES,
    GRID_COLUMNS,
    INTEGRATION_ACTION_TYPES,
    ISSUE_ACTION_IDS,
    ISSUE_CONDITION_IDS,
    ISSUE_FILTER_IDS,
    ISSUE_FREQUENCY_MAX,
    ISSUE_FREQUENCY_MIN,
    ISSUE_RULE_MATCHES,
    LEVELS,
    MATCH_TYPES,
    MAX_COMPARISON_DELTA,
    MAX_DETECTOR_CONDITIONS,
    MAX_TIME_WINDOW,
    MAX_WIDGET_LIMIT,
    MAX_WIDGETS,
    OPSGENIE_PRIORITIES,
    PAGERDUTY_PRIORITIES,
    PRIORITIES_FOR_TYPE,
    PRIORITY_HIGH,
    PRIORITY_LOW,
    PRIORITY_MEDIUM,
    QUERY_TYPE_DATASETS,
    QUERY_TYPE_EVENT_TYPES,
    UNSUPPORTED_QUERIES,
    WORKFLOW_ACTION_TYPES,
    WORKFLOW_COMPARISON_INTERVALS,
    WORKFLOW_CONFIG_KEYS,
    WORKFLOW_FILTER_TYPES,
    WORKFLOW_FREQUENCIES,
    WORKFLOW_FREQUENCY_INTERVALS,
    WORKFLOW_LOGIC_TYPES,
    WORKFLOW_TARGET_TYPES,
    WORKFLOW_TRIGGER_TYPES,
)

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
Doc = dict[str, Any]

# --------------------------------------------------------------------------- constants

#: the Sentry facts these rules use live in facts.py (imported above)

_REQUIRED = "This field is required."
_NULL = "This field may not be null."
_BLANK = "This field may not be blank."
#: parse_stats_period (utils/dates.py; recalled, not re-read): digits and an optional unit.
_INTERVAL_RE = re.compile(r"^\d+[hdmsw]?$")


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


def _snuba_query_errors(
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
        return _not_a_dictionary(source)
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
        if not _has(source, key):
            _add(errors, key, _REQUIRED)
    dataset = _get(source, "dataset", "events")
    # validate_dataset
    if _has(source, "dataset") and dataset not in DATASET_NAMES:
        _add(errors, "dataset", f"Invalid dataset, valid values are {_choices_text(DATASET_NAMES)}")
    # validate_query_type (the alert rule serializer lists the valid values)
    query_type = _get(source, "queryType")
    if query_type is not None and _as_int(query_type) not in QUERY_TYPE_DATASETS:
        if seconds:
            _add(errors, "queryType", f"Invalid query type {query_type}")
        else:
            _add(
                errors, "queryType", f"Invalid query type {query_type}, valid values are [0, 1, 2]"
            )
    # query: CharField(required=True, allow_blank=True); validate_query: UNSUPPORTED_QUERIES.
    # The dynamic-alert rule on is:unresolved is the alert rule serializer's (not re-read).
    query = _get(source, "query")
    if query is not None:
        if not isinstance(query, str):
            _add(errors, "query", "Not a valid string.")
        else:
            for term in query.split():
                if term in _UNSUPPORTED:
                    _add(
                        errors,
                        "query",
                        f"Unsupported Query: We do not currently support the {term} query",
                    )
                if detection_type == "dynamic" and term == "is:unresolved":
                    _add(errors, "query", "Dynamic alerts do not support 'is:unresolved' queries")
    # aggregate: CharField; validate_aggregate refuses upsampled_count() as user input
    aggregate = _get(source, "aggregate")
    if _has(source, "aggregate"):
        if not isinstance(aggregate, str) or not aggregate.strip():
            _add(
                errors, "aggregate", _BLANK if isinstance(aggregate, str) else "Not a valid string."
            )
        elif aggregate == "upsampled_count()":
            _add(
                errors,
                "aggregate",
                "upsampled_count() is not allowed as user input. Use count() instead - "
                "it will be automatically converted to upsampled_count() when appropriate.",
            )
    # time_window: IntegerField(required=True). Detectors send seconds; the whole-minute and
    # 1..1440 minute bounds are the sandbox's reading of the alert rule serializer's
    # time_window field (min 1, max 1440 minutes), not found for detectors.
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
    # event_types: ListField(child=CharField()); validate_event_types
    event_types = _get(source, "eventTypes")
    if event_types is not None:
        if not isinstance(event_types, list) or not all(isinstance(e, str) for e in event_types):
            _add(errors, "eventTypes", _not_a_list(event_types))
        elif any(e.lower() not in EVENT_TYPES for e in event_types):
            _add(errors, "eventTypes", f"Invalid event_type, valid values are {list(EVENT_TYPES)}")
    # environment = EnvironmentField(required=True, allow_null=True) on the detector's data
    # source (required=False on the alert rule serializer): a name that is not one of the
    # organization's Environment rows is refused (EnvironmentField.to_internal_value,
    # api/serializers/rest_framework/environment.py). Environment rows appear when an event
    # carrying that environment is saved (event_manager ``_get_or_create_environment_many``).
    if seconds and not partial and not _has(source, "environment"):
        _add(errors, "environment", _REQUIRED)
    environment = _get(source, "environment")
    if environment is not None:
        known = ctx.environments if ctx is not None else None
        if not isinstance(environment, str) or (known is not None and environment not in known):
            _add(errors, "environment", UNKNOWN_ENVIRONMENT)
    # extrapolation_mode: CharField(required=False, allow_null=True);
    # validate_extrapolation_mode: ExtrapolationMode.from_str
    extrapolation = _get(source, "extrapolationMode")
    if extrapolation is not None and extrapolation not in EXTRAPOLATION_MODES:
        _add(errors, "extrapolationMode", f"Invalid extrapolation mode: {extrapolation}")
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


# --------------------------------------------------------------------------- detectors
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
    """The anomaly_detection handler's comparison (anomaly_detection_handler.py; its schema
    was not re-read: these messages are the sandbox's)."""
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
    sources = _get(body, "dataSources") or []
    if not partial:
        # MetricIssueDetectorValidator.create: _validate_transaction_dataset_deprecation,
        # then _validate_extrapolation_mode, for each data source
        features = ctx.features if ctx is not None else None
        for source in sources:
            if (
                features is not None
                and TRANSACTION_DEPRECATION_FLAG in features
                and _get(source, "dataset") in TRANSACTION_DATASETS
            ):
                return [CREATE_TRANSACTION_DETECTOR]
            if _get(source, "extrapolationMode") == "server_weighted":
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
    dataset = _get(source, "dataset")
    if dataset in TRANSACTION_DATASETS:
        old_types = [str(e).lower() for e in old.get("eventTypes") or []]
        new_types = _get(source, "eventTypes")
        changed = (
            dataset != old.get("dataset")
            or _get(source, "query", old.get("query")) != old.get("query")
            or _get(source, "aggregate", old.get("aggregate")) != old.get("aggregate")
            or _as_int(_get(source, "timeWindow", old.get("timeWindow")))
            != _as_int(old.get("timeWindow"))
            or (new_types is not None and [str(e).lower() for e in new_types] != old_types)
        )
        if changed:
            return [UPDATE_TRANSACTION_DETECTOR]
    if dataset == "events_analytics_platform":
        # is_invalid_extrapolation_mode: moving to server_weighted is refused
        new_mode = _get(source, "extrapolationMode", old.get("extrapolationMode"))
        if new_mode == "server_weighted" and old.get("extrapolationMode") != "server_weighted":
            return ["Invalid extrapolation mode for this detector type."]
    return None


def _detector_field_errors(body: Any, *, partial: bool, ctx: OrgContext | None) -> ErrorBody | None:
    """MetricIssueDetectorValidator.is_valid: the fields, then validate()."""
    if not isinstance(body, Mapping):
        return _not_a_dictionary(body)
    errors: ErrorBody = {}
    # name = CharField(required=True, max_length=200)
    _char(errors, body, "name", required=not partial, max_length=200)
    # type = CharField(); validate_type -> get_unknown_detector_type_error (validators/utils.py)
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

    # config = JSONField(default=dict), checked against the detector type's config schema
    # (enforce_config_schema) in create()/update(); Sentry words these with
    # str(jsonschema.ValidationError). The sandbox checks the same keys at field level with
    # its own messages.
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

    # data_sources = ListField(child=SnubaQueryValidator(timeWindowSeconds=True)): DRF's
    # ListField reports a failing child under its index
    sources = _get(body, "dataSources")
    if _has(body, "dataSources"):
        if not isinstance(sources, list):
            _add(errors, "dataSources", _not_a_list(sources))
        else:
            source_errors = {
                str(i): err
                for i, source in enumerate(sources)
                if (
                    err := _snuba_query_errors(
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
                _add(errors, "dataSources", "Metric monitors take exactly one data source")

    # condition_group = MetricIssueConditionGroupValidator(required=True)
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
        # conditions = ListField(required=True); validate_conditions: the comparison
        # conditions (many=True, so one entry per condition), then "Resolution condition
        # required for metric issue detector."
        if conditions is None:
            _add(group_errors, "conditions", _REQUIRED)
        elif not isinstance(conditions, list):
            _add(group_errors, "conditions", _not_a_list(conditions))
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

    # workflowIds: read by the endpoints (BulkDetectorWorkflowsValidator), not the validator;
    # "Some workflows do not exist." was not found in Sentry's source.
    workflow_ids = _get(body, "workflowIds")
    if workflow_ids is not None:
        if not isinstance(workflow_ids, list) or any(_as_int(w) is None for w in workflow_ids):
            _add(errors, "workflowIds", "A valid integer is required.")
        elif ctx is not None and ctx.workflow_ids is not None:
            missing = [str(w) for w in workflow_ids if str(w) not in ctx.workflow_ids]
            if missing:
                _add(errors, "workflowIds", "Some workflows do not exist.")
    # owner = OwnerActorField(required=False, allow_null=True) (api/fields/actor.py)
    owner_problem = _owner_error(_get(body, "owner"), ctx)
    if owner_problem:
        _add(errors, "owner", owner_problem)
    # description = CharField(required=False, allow_null=True, allow_blank=True)
    _char(errors, body, "description", required=False, allow_blank=True, allow_null=True)
    # enabled = BooleanField(required=False)
    enabled = _get(body, "enabled")
    if enabled is not None and not isinstance(enabled, bool):
        _add(errors, "enabled", "Must be a valid boolean.")
    if errors:
        return errors

    # MetricIssueDetectorValidator.validate: "Too many conditions" above three
    if isinstance(group, Mapping):
        conditions = _get(group, "conditions") or []
        if len(conditions) > MAX_DETECTOR_CONDITIONS:
            return {"nonFieldErrors": ["Too many conditions"]}
    return None


# --------------------------------------------------------------------------- workflows
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
        return {_snake(str(k)): _snake_keys(v) for k, v in value.items()}
    return value


def _condition_errors(condition: Any) -> ErrorBody:
    """BaseDataConditionValidator (a CamelSnakeSerializer) on one workflow condition."""
    if not isinstance(condition, Mapping):
        return _not_a_dictionary(condition)
    errors: ErrorBody = {}
    ctype = _get(condition, "type")
    known = ctype in WORKFLOW_TRIGGER_TYPES or ctype in WORKFLOW_FILTER_TYPES
    # type = ChoiceField(choices=Condition values)
    if not _has(condition, "type"):
        _add(errors, "type", _REQUIRED)
    elif not known:
        _add(errors, "type", f'"{ctype}" is not a valid choice.')
    for key, label, schemas in (
        ("comparison", "comparison", COMPARISON_SCHEMAS),
        ("conditionResult", "condition result", None),
    ):
        # comparison / condition_result = JSONField(required=True)
        if not _has(condition, key):
            _add(errors, key, _REQUIRED)
            continue
        value = _snake_keys(_get(condition, key))
        if value is None:
            _add(errors, key, _NULL)
            continue
        # validate_comparison / validate_condition_result: _get_handler() first
        if not known:
            _add(errors, key, f"Invalid condition type: {ctype}")
            continue
        schema = _CONDITION_RESULT_SCHEMA if schemas is None else schemas.get(str(ctype))
        if schema is not None and _schema_error(value, schema) is not None:
            comma = "," if schemas is None else ""
            _add(errors, key, f"Value, {value}{comma} does not match JSON Schema for {label}")
    return errors


def _group_errors(group: Any) -> ErrorBody:
    """BaseDataConditionGroupValidator: logic_type, then the first failing condition."""
    if not isinstance(group, Mapping):
        return _not_a_dictionary(group)
    errors: ErrorBody = {}
    logic = _get(group, "logicType")
    if not _has(group, "logicType"):
        _add(errors, "logicType", _REQUIRED)
    elif logic not in WORKFLOW_LOGIC_TYPES:
        _add(errors, "logicType", f'"{logic}" is not a valid choice.')
    conditions = _get(group, "conditions")
    if conditions is not None:
        if not isinstance(conditions, list):
            _add(errors, "conditions", _not_a_list(conditions))
        else:
            for condition in conditions:
                problem = _condition_errors(condition)
                if problem:
                    errors["conditions"] = problem
                    break
    return errors


def _not_a_list(value: Any) -> str:
    """DRF ListField's not_a_list message (it names the Python type it got)."""
    return f'Expected a list of items but got type "{type(value).__name__}".'


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
    channel = _get(config, "targetDisplay")
    channel_id = _get(config, "targetIdentifier")
    if integration_id not in choices:
        _add(errors, "workspace", _forms_choice(integration_id))
    if channel in (None, ""):
        _add(errors, "channel", _REQUIRED)
    cleaned = dict(config)
    # clean(): the form's own errors go to __all__, camel-cased to "all" by the serializer
    if channel_id and not channel:
        _add(errors, "all", "Slack: Channel name is a required field.")
        return errors, cleaned
    if integration_id not in choices:
        _add(errors, "all", "Slack: Workspace is a required field.")
        return errors, cleaned
    if errors:
        return errors, cleaned
    workspace = choices[integration_id]
    name = str(channel).lstrip("#")  # strip_channel_name (not re-read)
    if channel_id:
        found = workspace.channels.get(str(channel_id))
        if found is None:
            _add(errors, "all", "Slack: Channel not found. Invalid ID provided.")
        elif found != name:
            _add(
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
        _add(
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
        _add(errors, "account", _forms_choice(integration_id))
    service = _get(config, "targetIdentifier")
    if service not in (None, "") and str(service) not in owner:
        _add(errors, "service", _forms_choice(service))
    if errors or service in (None, ""):
        return errors
    if owner[str(service)] != integration_id:
        name = pagerduty[owner[str(service)]].services[str(service)]
        _add(
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
        return _not_a_dictionary(action), action
    errors: ErrorBody = {}
    atype = _get(action, "type")
    if not _has(action, "type"):
        _add(errors, "type", _REQUIRED)
    elif atype not in WORKFLOW_ACTION_TYPES:
        _add(errors, "type", f'"{atype}" is not a valid choice.')
    elif atype in DEPRECATED_ACTION_TYPES:
        _add(errors, "type", f"Action type {atype} is deprecated and cannot be created.")
    for key in ("data", "config"):  # JSONField() (required)
        if not _has(action, key):
            _add(errors, key, _REQUIRED)
        elif _get(action, key) is None:
            _add(errors, key, _NULL)
    integration = _get(action, "integrationId")
    if integration is not None and _as_int(integration) is None:
        _add(errors, "integrationId", "A valid integer is required.")
    if errors:
        return errors, action
    # validate(): the handler's data_schema and its config transformer + config_schema. The
    # schemas below are the workflow_engine migration's copy of them (action_schema_mapping,
    # a snapshot: the current handlers were not re-read); the config is checked after the
    # transformer turns targetType into ActionTarget (specific 0, user 1, team 2,
    # sentry_app 3, issue_owners 4). Sentry words them with str(jsonschema.ValidationError);
    # the sandbox keeps its first line.
    config, data = _get(action, "config"), _get(action, "data")
    if not isinstance(config, Mapping):
        _add(errors, "config", f"{config!r} is not of type 'object'")
    elif _get(config, "targetType") not in WORKFLOW_TARGET_TYPES:
        _add(
            errors,
            "config",
            f"{_get(config, 'targetType')!r} is not one of {list(WORKFLOW_TARGET_TYPES)}",
        )
    else:
        target = ACTION_TARGETS[str(_get(config, "targetType"))]
        allowed_targets = _ACTION_TARGET_TYPES.get(str(atype))
        if allowed_targets is not None and target not in allowed_targets:
            _add(errors, "config", f"{target} is not one of {list(allowed_targets)}")
    if not isinstance(data, Mapping):
        _add(errors, "data", f"{data!r} is not of type 'object'")
    else:
        schema = ACTION_DATA_SCHEMAS.get(str(atype))
        problem = None if schema is None else _schema_error(dict(data), schema)
        if problem is not None:
            _add(errors, "data", problem)
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
    iid = str(_as_int(integration))
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
    if _has(body, "environment"):
        name = _get(body, "environment")
        if name is not None and known is not None and name not in known:
            _add(errors, "environment", "Environment is not part of this organization")
    if _has(body, "environmentId"):
        value = _get(body, "environmentId")
        if value is None:  # IntegerField(required=False): allow_null is False
            _add(errors, "environmentId", _NULL)
        elif _as_int(value) is None:
            _add(errors, "environmentId", "A valid integer is required.")
        elif known is not None and str(value) not in known.values():
            _add(errors, "environmentId", "Environment is not part of this organization")


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
        return _not_a_dictionary(body), {}
    cleaned = dict(body)
    errors: ErrorBody = {}
    _char(errors, body, "name", required=not partial, max_length=256)
    enabled = _get(body, "enabled")
    if enabled is not None and not isinstance(enabled, bool):
        _add(errors, "enabled", "Must be a valid boolean.")
    config = _get(body, "config")
    if config is not None:
        # validate_config: validate_json_schema(value, Workflow.config_schema); Sentry's
        # message is str(jsonschema.ValidationError): this first line, then jsonschema's
        # "Failed validating ..." detail, which the sandbox leaves out.
        problem = _schema_error(_snake_keys(config), WORKFLOW_CONFIG_SCHEMA)
        if problem is not None:
            _add(errors, "config", problem)
    _environment_errors(errors, body, ctx)
    detector_ids = _get(body, "detectorIds")
    if detector_ids is not None:
        # detector_ids: ListField(child=IntegerField()) in the spec's schema; the existence
        # check's message was not found in Sentry's source.
        if not isinstance(detector_ids, list) or any(_as_int(d) is None for d in detector_ids):
            _add(errors, "detectorIds", "A valid integer is required.")
        elif (
            ctx is not None
            and ctx.detector_ids is not None
            and any(str(d) not in ctx.detector_ids for d in detector_ids)
        ):
            _add(errors, "detectorIds", "Some detectors do not exist.")
    triggers = _get(body, "triggers")
    if triggers is not None:  # triggers = BaseDataConditionGroupValidator(required=False)
        trigger_errors = _group_errors(triggers)
        if trigger_errors:
            errors["triggers"] = trigger_errors
    action_filters = _get(body, "actionFilters")
    if action_filters is not None:  # action_filters = ListField(required=False)
        if not isinstance(action_filters, list):
            _add(errors, "actionFilters", _not_a_list(action_filters))
        else:
            filter_errors, cleaned_filters = _action_filter_errors(action_filters, ctx)
            if filter_errors:
                errors["actionFilters"] = filter_errors
            cleaned["actionFilters" if "actionFilters" in body else "action_filters"] = (
                cleaned_filters
            )
    # owner: OwnerActorField in the spec's schema (api/fields/actor.py, not re-read)
    owner_problem = _owner_error(_get(body, "owner"), ctx)
    if owner_problem:
        _add(errors, "owner", owner_problem)
    return errors or None, cleaned


def _action_filter_errors(
    action_filters: list[Any], ctx: OrgContext | None
) -> tuple[Any, list[Any]]:
    """WorkflowValidator.validate_action_filters: per filter, the condition group, then each
    action; the first failure is the field's error."""
    cleaned: list[Any] = []
    for action_filter in action_filters:
        if not isinstance(action_filter, Mapping) or not _has(action_filter, "actions"):
            return ["Missing actions key in action filter"], action_filters
        group = {k: v for k, v in action_filter.items() if k != "actions"}
        group_errors = _group_errors(group)
        if group_errors:
            return group_errors, action_filters
        actions = _get(action_filter, "actions")
        if not isinstance(actions, list):
            return [_not_a_list(actions)], action_filters
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
        return _is_int(value) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return _is_number(value)
    return True


def _schema_error(value: Any, schema: Mapping[str, Any]) -> str | None:
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
    if _is_number(value):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{value!r} is less than the minimum of {schema['minimum']!r}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{value!r} is greater than the maximum of {schema['maximum']!r}"
    if isinstance(value, Mapping):
        properties = schema.get("properties", {})
        for name, sub in properties.items():
            if name in value:
                problem = _schema_error(value[name], sub)
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
            problem = _schema_error(item, schema["items"])
            if problem is not None:
                return problem
    if "anyOf" in schema and all(_schema_error(value, s) for s in schema["anyOf"]):
        return f"{value!r} is not valid under any of the given schemas"
    if "oneOf" in schema:
        matches = sum(1 for s in schema["oneOf"] if _schema_error(value, s) is None)
        if matches == 0:
            return f"{value!r} is not valid under any of the given schemas"
        if matches > 1:
            return f"{value!r} is valid under each of the given schemas"
    if "not" in schema and _schema_error(value, schema["not"]) is None:
        return f"{value!r} should not be valid under {schema['not']!r}"
    return None


# --------------------------------------------------------------------------- dashboards


def _layout_error(layout: Any) -> str | None:
    """LayoutField.to_internal_value (api/serializers/rest_framework/dashboard.py): the five
    keys, each an int. Sentry does not check that a widget fits the 6-column grid."""
    if layout is None:
        return None
    if not isinstance(layout, Mapping):
        return "Expected a dictionary of items."
    missing = [k for k in ("h", "minH", "w", "x", "y") if not _has(layout, k)]
    if missing:
        return "Missing required keys: " + ", ".join(missing)
    for key in ("x", "y", "w", "h", "minH"):
        if not _is_int(_get(layout, key)):
            return f"Expected number for: {_snake(key)}"
    return None


def _thresholds_error(thresholds: Any) -> Any:
    """DashboardWidgetSerializer.validate's thresholds rules (max1/max2, raised as
    ``{"thresholds": ...}``). "A valid number is required." is the sandbox's: Sentry compares
    a non-number and fails with a 500."""
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
    """DashboardWidgetQuerySerializer: its list/char fields, and validate()'s
    required_for_create (fields and conditions). The query builder's checks of fields,
    conditions and orderby (reported per query under the widget's ``queries``) are not
    modelled."""
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
    """DashboardWidgetSerializer (api/serializers/rest_framework/dashboard.py): its fields
    (id via validate_id, display_type/widget_type choices, interval via parse_stats_period,
    limit 1..10, LayoutField), then validate(): queries, title and displayType required on
    creation, thresholds. axisRange/legendType choices were not re-read."""
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
    # limit = IntegerField(min_value=1, max_value=10, required=False, allow_null=True)
    limit = _get(widget, "limit")
    if limit is not None:
        value = _as_int(limit)
        if value is None:
            _add(errors, "limit", "A valid integer is required.")
        elif value < 1:
            _add(errors, "limit", "Ensure this value is greater than or equal to 1.")
        elif value > MAX_WIDGET_LIMIT:
            _add(errors, "limit", f"Ensure this value is less than or equal to {MAX_WIDGET_LIMIT}.")
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
    """DashboardDetailsSerializer (api/serializers/rest_framework/dashboard.py): the fields,
    DashboardPermissionsSerializer.validate (unknown teams), then validate(): start before
    end, at most Dashboard.MAX_WIDGETS widgets.

    A dashboard create (``partial=False``) or update (PUT, ``partial=True``) body.

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
    # period = CharField(required=False, allow_null=True): not parsed by the serializer
    period = _get(body, "period")
    if period is not None and not isinstance(period, str):
        _add(errors, "period", "Not a valid string.")
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
    """The dashboard endpoints' IntegrityError answer (organization_dashboards.py /
    organization_dashboard_details.py, not re-read): 409 "Dashboard title already taken".
    Sentry's 409 body (a bare JSON string) when ``title`` is already used in the org."""
    if title in set(existing_titles):
        return "Dashboard title already taken"
    return None


def foreign_widget_error(body: Any, own_widget_ids: Iterable[str]) -> list[str] | None:
    """DashboardDetailsSerializer.update_widgets (and update_widget_queries for queries):
    raised from ``save()``, so DRF renders it as a bare list.
    PUT: a widget (or query) id that belongs to another dashboard -> Sentry's 400 body.

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
    """A legacy metric alert rule (``organizations/{org}/alert-rules/``) POST/PUT body:
    AlertRuleSerializer (incidents/serializers/alert_rule.py, a SnubaQueryValidator with
    windows in minutes) and its triggers/actions serializers
    (incidents/serializers/alert_rule_trigger.py, alert_rule_trigger_action.py). Besides the
    query rules shared with detectors, its messages come from the earlier reading recorded
    in the project's reference (not re-read for issue 13)."""
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
    # AlertRuleSerializer(SnubaQueryValidator): environment = EnvironmentField(required=False)
    query_errors = _snuba_query_errors(
        body, seconds=False, detection_type=str(detection_type), ctx=ctx
    )
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
    """A legacy issue alert rule (``projects/{org}/{project}/rules/``) POST/PUT body:
    RuleSerializer (api/serializers/rest_framework/rule.py; validate_environment re-read for
    issue 13) and the rule nodes' forms (sentry/rules/conditions, filters and the
    integrations' notify actions; from the earlier reading in the project's reference)."""
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
    # RuleSerializer.validate_environment (api/serializers/rest_framework/rule.py):
    # Environment.get_for_organization_id, else "This environment has not been created."
    environment = body.get("environment")
    if environment is not None and not isinstance(environment, str):
        _add(errors, "environment", "Not a valid string.")
    elif (
        environment is not None
        and ctx is not None
        and ctx.environments is not None
        and environment not in ctx.environments
    ):
        _add(errors, "environment", "This environment has not been created.")
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
