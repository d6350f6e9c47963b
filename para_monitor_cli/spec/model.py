"""The alert_rules.yaml model (``version: 1``): frozen pydantic models holding parsed values.

Human units are parsed on the way in (see :mod:`para_monitor_cli.spec.units`); what the model
holds is what the kinds (``kinds/``) need to write Sentry's JSON:

* every time span is an ``int`` of **seconds** (``window``, ``comparison``, ``frequency``,
  filter ``interval``): the wire divides by 60 where Sentry wants minutes;
* every threshold is a ``float`` in Sentry's unit for the aggregate (durations in
  milliseconds, percentages as ``99.5``), with ``direction`` telling above or below;
* notification targets are named once under ``targets:`` and referred to by name; integration
  names, team slugs and member emails are resolved to ids at apply time, not here.

Structure (YAML keys are the field names)::

    version: 1
    organization: para-autopilot          # optional default, settings/flags win
    project: para-autopilot-backend       # optional default for monitors, alerts, dashboards
    targets:    {name: EmailTarget | SlackTarget | PagerDutyTarget}
    monitors:   [Monitor]                 # metric detectors (type metric_issue)
    crons:      [CronMonitor]             # cron monitors (background jobs that check in)
    uptime:     [UptimeMonitor]           # uptime detectors (type uptime_domain_failure)
    alerts:     [Alert]                   # workflows
    dashboards: [Dashboard]
    scrubbing:  Scrubbing

Unknown keys are refused (``extra="forbid"``); the loader adds did-you-mean hints.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from para_monitor_cli.spec import catalog
from para_monitor_cli.spec.catalog import Dataset, DisplayType, WidgetType
from para_monitor_cli.spec.schedule import (
    SCHEDULE_EXAMPLE,
    SCHEDULE_PATTERN,
    Schedule,
    parse_schedule,
)
from para_monitor_cli.spec.status import (
    DEFAULT_EXPECTED,
    EXPECTED_STATUS_HELP,
    StatusRange,
    parse_expected_status,
)
from para_monitor_cli.spec.units import (
    OPERATOR_TEXT,
    format_duration,
    format_number,
    parse_comparison,
    parse_condition,
    parse_duration,
    parse_frequency,
    parse_threshold,
)

DURATION_PATTERN = r"^\s*[0-9]+\s*(s|m|min|h|hr|d|w)\s*$"
THRESHOLD_PATTERN = (
    r"^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*(ms|s|min|m|h|%)?\s*$"
)


def field_error(field: str, message: str) -> PydanticCustomError:
    """An error raised by a model validator that the loader should point at ``field``."""
    return PydanticCustomError(
        "spec", message.replace("{", "{{").replace("}", "}}"), {"field": field}
    )


def _duration(value: object) -> int:
    return parse_duration(value)


def _interval_or_zero(value: object) -> int:
    return parse_duration(value, allow_zero=True)


Duration = Annotated[
    int,
    BeforeValidator(_duration),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DURATION_PATTERN,
            "description": "a duration: 30s, 10m, 1h, 1d, 1w",
        }
    ),
]
"""A time span written ``10m``/``1h``; held as seconds."""

ActionInterval = Annotated[
    int,
    BeforeValidator(_interval_or_zero),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": DURATION_PATTERN},
                {"const": 0},
                {"const": "0"},
            ],
            "description": "how often actions may fire per issue: 0, 5m, 10m, 30m, 1h, 3h, 12h, 1d",
        }
    ),
]
"""An action interval: ``0`` or a duration; held as seconds."""

Threshold = Annotated[
    float,
    BeforeValidator(parse_threshold),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string", "pattern": THRESHOLD_PATTERN}],
            "description": "a number, a duration (3s, 250ms: held in ms) or a percentage (5%)",
        }
    ),
]
"""A threshold: ``10``, ``3s`` (held as 3000.0 ms) or ``99.5%`` (held as 99.5)."""

CONDITION_PATTERN = (
    r"^\s*\S.*?\s*(>=|<=|>|<)\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*(ms|s|min|m|h|%)?\s*$"
)

Name = Annotated[str, Field(min_length=1)]

# Upper bounds of para-monitor's own on numbers Sentry leaves open, so that no number in a file
# can make a check or a request large: counts of events or users (a 32-bit integer), grid rows.
MAX_COUNT = 2**31 - 1
MAX_ROW = 10_000
MAX_HEIGHT = 1_000
MAX_WIDGET_LIMIT = 100


class SpecModel(BaseModel):
    """Base of every spec model: frozen, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)

    @model_validator(mode="before")
    @classmethod
    def _note_allowed_keys(cls, data: Any, info: ValidationInfo) -> Any:
        """Tell the loader which keys this mapping could have held (for did-you-mean)."""
        note_allowed_keys(cls, data, info)
        return data


def note_allowed_keys(cls: type[BaseModel], data: Any, info: ValidationInfo) -> None:
    context = info.context
    if isinstance(context, dict) and isinstance(data, dict):
        allowed = context.setdefault("allowed_keys", {})
        allowed[id(data)] = tuple(cls.model_fields)


# --- notification targets ---------------------------------------------------------------


class EmailTarget(SpecModel):
    """Email to a Sentry team (by slug) or to one member (by email); exactly one of the two.

    Wire: workflow action ``type: email`` with ``config.targetType`` ``team`` or ``user`` and
    the team / user id looked up at apply time.
    """

    type: Literal["email"]
    team: str | None = Field(default=None, min_length=1, description="team slug, e.g. backend")
    member: str | None = Field(default=None, min_length=1, description="member's email address")

    @model_validator(mode="after")
    def _one_recipient(self) -> EmailTarget:
        if (self.team is None) == (self.member is None):
            raise field_error("team", "an email target needs exactly one of team or member")
        return self


class SlackTarget(SpecModel):
    """A Slack channel of a Slack workspace integration.

    ``workspace`` is the integration's name in Sentry (resolved to ``integrationId`` at apply
    time); ``channel`` is ``#name`` (or ``@user``), sent as the action's
    ``config.targetDisplay``; ``channel_id`` (e.g. ``C0123ABCD``) is sent as
    ``config.targetIdentifier``, which Sentry checks against Slack as an id. Without it the
    identifier is sent empty and Sentry looks the name up in Slack itself
    (``SlackNotifyServiceForm.clean``); a name is never sent as the identifier. Sentry's API has
    no list of a workspace's channels, so ids come from Slack (channel details, "Copy link").
    """

    type: Literal["slack"]
    workspace: Name
    channel: Annotated[str, Field(min_length=2, pattern=r"^[#@]\S+$")]
    channel_id: str | None = Field(default=None, pattern=r"^[A-Z0-9]+$")


PagerDutySeverity = Literal["default", "critical", "warning", "error", "info"]


class PagerDutyTarget(SpecModel):
    """A PagerDuty service of a PagerDuty integration (both by name, resolved at apply time).

    ``severity`` is sent as the action's ``data.priority``.
    """

    type: Literal["pagerduty"]
    integration: Name
    service: Name
    severity: PagerDutySeverity = "default"


Target = Annotated[EmailTarget | SlackTarget | PagerDutyTarget, Field(discriminator="type")]


# --- monitors (metric detectors) --------------------------------------------------------

Direction = Literal["above", "below", "above_and_below"]
_DIRECTION_OF = {"gt": "above", "gte": "above", "lt": "below", "lte": "below"}


class Monitor(SpecModel):
    """A metric monitor (Sentry detector of type ``metric_issue``).

    Wire (detector body): ``dataSources[0]`` = {``dataset`` (:attr:`wire_dataset`: ``spans`` is
    ``events_analytics_platform``), ``queryType`` (:attr:`query_type`),
    ``eventTypes`` (:attr:`wire_event_types`), ``aggregate``, ``query``, ``environment``,
    ``timeWindow`` = :attr:`window` (seconds)}; ``conditionGroup.conditions`` = ``high``
    (conditionResult 75), ``medium`` (50) and the resolution (0, :attr:`resolve_threshold`),
    with ``gt``/``lte`` for ``direction: above`` and ``lt``/``gte`` for ``below``;
    ``config`` = {``detectionType``: ``detection``, ``comparisonDelta``: ``comparison``
    (seconds, percent only)}; dynamic detection sends one ``anomaly_detection`` condition with
    {``sensitivity``, ``seasonality: auto``, ``thresholdType`` 0/1/2 from ``direction``}.

    Two ways to write thresholds: ``condition: p95(span.duration) > 3s`` sets
    ``aggregate``, ``direction`` and ``high`` at once; or give the fields themselves.

    Latency monitors are written on spans: ``dataset: spans``, ``query: "is_transaction:true"``
    (the request's own span), ``condition: p95(span.duration) > 2s``. ``transactions`` and
    ``generic_metrics`` are refused by ``validate`` (rule M15): Sentry refuses changes to
    transaction-based monitors.
    """

    name: Annotated[str, Field(min_length=1, max_length=200)]
    project: str | None = Field(default=None, description="project slug; default: spec.project")
    description: str | None = None
    enabled: bool = True
    dataset: Dataset = "events"
    event_types: tuple[str, ...] | None = Field(
        default=None, description="Sentry eventTypes; default from the dataset"
    )
    aggregate: str = Field(description="e.g. count(), p95(span.duration), count_unique(user)")
    condition: str | None = Field(
        default=None,
        description="shorthand '<aggregate> <op> <threshold>' setting aggregate, direction, high",
        json_schema_extra={"pattern": CONDITION_PATTERN},
    )
    query: str = ""
    environment: str | None = None
    window: Duration
    detection: Literal["static", "percent", "dynamic"] = "static"
    comparison: Duration | None = Field(
        default=None, description="percent detection: compare with the value this long ago"
    )
    sensitivity: Literal["low", "medium", "high"] | None = Field(
        default=None, description="dynamic detection only"
    )
    direction: Direction = "above"
    high: Threshold | None = Field(default=None, description="high priority (75) threshold")
    medium: Threshold | None = Field(default=None, description="medium priority (50) threshold")
    resolve: Threshold | None = Field(
        default=None, description="resolve threshold; default: the lowest alerting threshold"
    )

    @model_validator(mode="before")
    @classmethod
    def _expand_condition(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict) or data.get("condition") is None:
            return data
        note_allowed_keys(cls, data, info)
        try:
            parsed = parse_condition(data["condition"])
        except ValueError as exc:
            raise field_error("condition", str(exc)) from None
        if parsed.operator not in _DIRECTION_OF:
            raise field_error("condition", "expected one of >, >=, <, <= in the condition")
        for key in ("aggregate", "high"):
            if key in data:
                raise field_error(key, f"'{key}' is already set by 'condition': give one of them")
        if "direction" in data and data["direction"] != _DIRECTION_OF[parsed.operator]:
            raise field_error("direction", "'direction' contradicts the operator in 'condition'")
        expanded = dict(data)
        expanded["aggregate"] = parsed.aggregate
        expanded["direction"] = _DIRECTION_OF[parsed.operator]
        expanded["high"] = parsed.threshold_text
        return expanded

    @field_validator("aggregate", mode="before")
    @classmethod
    def _crash_rate_alias(cls, value: Any) -> Any:
        if isinstance(value, str):
            return catalog.CRASH_RATE_ALIASES.get(value.strip(), value.strip())
        return value

    @property
    def query_type(self) -> int:
        """Sentry's ``queryType``: 0 error, 1 performance, 2 crash rate."""
        return catalog.QUERY_TYPES[self.dataset]

    @property
    def wire_dataset(self) -> str:
        """Sentry's ``dataset``: ``spans`` is ``events_analytics_platform``."""
        return catalog.WIRE_DATASETS.get(self.dataset, self.dataset)

    @property
    def wire_event_types(self) -> tuple[str, ...]:
        """``event_types`` or the dataset's default (``error, default`` for events)."""
        if self.event_types is not None:
            return self.event_types
        return catalog.DEFAULT_EVENT_TYPES[self.dataset]

    @property
    def resolve_threshold(self) -> float | None:
        """The resolution threshold: ``resolve``, else the lowest-severity alerting threshold."""
        if self.resolve is not None:
            return self.resolve
        return self.medium if self.medium is not None else self.high

    @property
    def is_duration(self) -> bool:
        """Whether thresholds are durations (ms), e.g. for ``p95(transaction.duration)``."""
        return catalog.is_duration_aggregate(self.aggregate)


# --- cron monitors and uptime monitors ----------------------------------------------------

# Sentry's own bounds (src/sentry/monitors/constants.py): check-in margin and max runtime up to
# 40320 minutes (28 days); failure and recovery thresholds 1 to 720.
CRON_MAX_MINUTES = 40_320
CRON_MAX_THRESHOLD = 720
# A monitor slug (MonitorValidator.slug, SentrySerializerSlugField, DEFAULT_SLUG_MAX_LENGTH; the
# OpenAPI spec gives the pattern); environments are at most 64 characters (Relay's
# ENVIRONMENT_LENGTH, the uptime validators' max_length).
SLUG_PATTERN = r"^(?![0-9]+$)[a-z0-9_\-]+$"
SLUG_MAX_LENGTH = 50
ENVIRONMENT_MAX_LENGTH = 64
OWNER_PATTERN = r"^(team:[A-Za-z0-9_.-]+|user:[^@\s]+@[^@\s]+)$"


def _schedule(value: object) -> Schedule:
    if isinstance(value, Schedule):
        return value
    try:
        return parse_schedule(value)
    except ValueError as exc:
        raise PydanticCustomError("spec", str(exc).replace("{", "{{").replace("}", "}}")) from None


CronSchedule = Annotated[
    Schedule,
    BeforeValidator(_schedule),
    WithJsonSchema(
        {"type": "string", "pattern": SCHEDULE_PATTERN, "description": SCHEDULE_EXAMPLE}
    ),
]
"""A crontab or an interval; held parsed (see :mod:`para_monitor_cli.spec.schedule`)."""

Owner = Annotated[
    str,
    Field(
        pattern=OWNER_PATTERN,
        description="team:<team slug> or user:<member email>; resolved to an id when applied",
    ),
]
Environment = Annotated[str, Field(min_length=1, max_length=ENVIRONMENT_MAX_LENGTH)]


def slugify(name: str) -> str:
    """The slug Sentry derives from a monitor name (lower case, runs of other characters -> -)."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


class CronMonitor(SpecModel):
    """A cron monitor: a background job that checks in on a schedule.

    Wire (``POST /organizations/{org}/monitors/``, MonitorValidator): ``project``, ``name``,
    ``slug``, ``status`` (``active``/``disabled`` from ``enabled``), ``owner`` (resolved to
    ``team:<id>``/``user:<id>``), ``config`` = {``schedule_type``, ``schedule`` (crontab string or
    ``[count, unit]``), ``checkin_margin`` and ``max_runtime`` in minutes, ``timezone``,
    ``failure_issue_threshold``, ``recovery_threshold``}. ``environment`` is not a monitor field
    in Sentry: it is the environment check-ins are sent in and the one checks read.

    The runtime's ``monitor_job(slug)`` sends the same config with each check-in
    (:meth:`monitor_config`), so the file stays the one source of truth.
    """

    name: Annotated[str, Field(min_length=1, max_length=128)]
    slug: str | None = Field(
        default=None,
        description="the id jobs check in with; lower-case letters, digits, - and _, at most 50; "
        "default: made from the name",
    )
    project: str | None = Field(default=None, description="project slug; default: spec.project")
    enabled: bool = True
    schedule: CronSchedule
    timezone: str | None = Field(
        default=None, description="tz database name the crontab is read in, e.g. Europe/Berlin"
    )
    checkin_margin: Duration | None = Field(
        default=None,
        description="how late a check-in may be before the run counts as missed (Sentry: 1m)",
    )
    max_runtime: Duration | None = Field(
        default=None,
        description="how long a run may stay in progress before it counts as failed (Sentry: 30m)",
    )
    failure_issue_threshold: Annotated[int, Field(ge=1, le=CRON_MAX_THRESHOLD)] | None = Field(
        default=None, description="failed or missed runs in a row before an issue opens (1-720)"
    )
    recovery_threshold: Annotated[int, Field(ge=1, le=CRON_MAX_THRESHOLD)] | None = Field(
        default=None, description="successful runs in a row before the issue resolves (1-720)"
    )
    environment: Environment | None = Field(
        default=None, description="environment the job checks in from; default: production"
    )
    owner: Owner | None = None

    @property
    def monitor_slug(self) -> str:
        """``slug``, else the slug made from the name."""
        return self.slug if self.slug is not None else slugify(self.name)

    def wire_config(self) -> dict[str, Any]:
        """Sentry's monitor ``config`` for this job (the API's snake_case keys)."""
        config: dict[str, Any] = {
            "schedule_type": self.schedule.type,
            "schedule": self.schedule.wire,
        }
        if self.checkin_margin is not None:
            config["checkin_margin"] = self.checkin_margin // 60
        if self.max_runtime is not None:
            config["max_runtime"] = self.max_runtime // 60
        if self.timezone is not None:
            config["timezone"] = self.timezone
        if self.failure_issue_threshold is not None:
            config["failure_issue_threshold"] = self.failure_issue_threshold
        if self.recovery_threshold is not None:
            config["recovery_threshold"] = self.recovery_threshold
        return config

    def monitor_config(self) -> dict[str, Any]:
        """The SDK's ``monitor_config`` (sentry_sdk._types.MonitorConfig) for check-in upserts.

        The schedule is the object form Relay's ``MonitorConfig`` reads (``{"type": "crontab",
        "value": ...}`` / ``{"type": "interval", "value": n, "unit": ...}``); the owner is left
        out (the file names it by slug or email, the upsert wants an id).
        """
        schedule: dict[str, Any] = {"type": self.schedule.type}
        if self.schedule.type == "crontab":
            schedule["value"] = self.schedule.crontab
        else:
            schedule["value"] = self.schedule.count
            schedule["unit"] = self.schedule.unit
        config = {
            k: v for k, v in self.wire_config().items() if k not in ("schedule", "schedule_type")
        }
        return {"schedule": schedule, **config}


UptimeInterval = Annotated[
    int,
    BeforeValidator(_duration),
    WithJsonSchema(
        {
            "type": "string",
            "enum": ["1m", "5m", "10m", "20m", "30m", "1h"],
            "description": "time between checks: 1m, 5m, 10m, 20m, 30m or 1h",
        }
    ),
]


def _headers(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple((str(k), v) for k, v in value.items())
    return value


Headers = Annotated[
    tuple[tuple[str, str], ...],
    BeforeValidator(_headers),
    WithJsonSchema(
        {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "request headers, name: value",
        }
    ),
]
"""Request headers written as a mapping; held as (name, value) pairs, Sentry's wire form."""


def _expected_status(value: object) -> tuple[StatusRange, ...]:
    if isinstance(value, tuple) and all(isinstance(r, tuple) for r in value):
        return value  # already parsed (model_copy, defaults)
    try:
        return parse_expected_status(value)
    except ValueError as exc:
        raise PydanticCustomError("spec", str(exc).replace("{", "{{").replace("}", "}}")) from None


_STATUS_ITEM = {
    "anyOf": [
        {"type": "integer", "minimum": 100, "maximum": 599},
        {"type": "string", "pattern": r"^([1-5][xX][xX]|\d{3}\s*-\s*\d{3}|\d{3})$"},
    ]
}
ExpectedStatus = Annotated[
    tuple[tuple[int, int], ...],
    BeforeValidator(_expected_status),
    WithJsonSchema(
        {
            "anyOf": [_STATUS_ITEM, {"type": "array", "items": _STATUS_ITEM, "minItems": 1}],
            "description": f"which answers count as up: {EXPECTED_STATUS_HELP}; default 2xx",
        }
    ),
]
"""Held as merged inclusive ranges (see :mod:`para_monitor_cli.spec.status`)."""


class UptimeMonitor(SpecModel):
    """An uptime check: Sentry requests a URL on an interval and opens an issue when it fails.

    Wire (``POST /organizations/{org}/projects/{project}/detectors/``, type
    ``uptime_domain_failure``, UptimeDomainCheckFailureValidator): ``name``, ``owner``,
    ``enabled``; ``dataSources[0]`` = {``url``, ``method``, ``headers`` (list of pairs), ``body``,
    ``intervalSeconds``, ``timeoutMs``, ``traceSampling``, ``assertion``}; ``config`` =
    {``mode: 1`` (manual), ``environment``, ``downtimeThreshold``, ``recoveryThreshold``}.

    A check is up when the URL answers within ``timeout`` with a status ``expected_status``
    accepts (default any 2xx), written as the ``assertion`` Sentry's checker evaluates.
    """

    name: Annotated[str, Field(min_length=1, max_length=128)]
    project: str | None = Field(default=None, description="project slug; default: spec.project")
    enabled: bool = True
    url: Annotated[str, Field(min_length=1, max_length=255)] = Field(
        description="the http(s) URL to request"
    )
    method: Literal["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"] = "GET"
    headers: Headers = ()
    body: str | None = Field(default=None, description="request body (not for GET or HEAD)")
    interval: UptimeInterval = 60
    timeout: Duration = Field(default=5, description="how long to wait for an answer: 1s to 60s")
    downtime_threshold: Annotated[int, Field(ge=1, le=MAX_COUNT)] = Field(
        default=3, description="failed checks in a row before the URL counts as down (Sentry: 3)"
    )
    recovery_threshold: Annotated[int, Field(ge=1, le=MAX_COUNT)] = Field(
        default=1, description="good checks in a row before it counts as up again (Sentry: 1)"
    )
    expected_status: ExpectedStatus = Field(
        default=DEFAULT_EXPECTED, json_schema_extra={"default": "2xx"}
    )
    trace_sampling: bool = False
    environment: Environment | None = None
    owner: Owner | None = None


# --- alerts (workflows) -----------------------------------------------------------------

LevelName = Literal["sample", "debug", "info", "warning", "error", "fatal"]


class LevelCondition(SpecModel):
    """``level: ">= fatal"``: Sentry filter ``level`` with ``{"level": value, "match": match}``."""

    match: Literal["eq", "gte", "lte"]
    level: LevelName

    @property
    def value(self) -> int:
        """Sentry's numeric level (fatal 50, error 40, warning 30, info 20, debug 10)."""
        return catalog.LEVELS[self.level]

    def __str__(self) -> str:
        return f"{OPERATOR_TEXT[self.match]} {self.level}"


def _parse_level(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    match, level = parse_comparison(value, "a comparison and a level")
    if match not in ("eq", "gte", "lte"):
        raise ValueError("the level filter compares with >=, <= or ==")
    return {"match": match, "level": level}


class FrequencyCondition(SpecModel):
    """``events: "> 10 in 1h"``: more than ``value`` events (or users) within ``interval``.

    ``interval`` is in seconds; Sentry spells it ``1m 5m 15m 1h 1d 1w 30d``
    (:data:`catalog.FREQUENCY_INTERVALS`). Sentry compares with "more than" only.
    """

    value: Annotated[int, Field(ge=0, le=MAX_COUNT)]
    interval: int

    @field_validator("interval")
    @classmethod
    def _allowed_interval(cls, value: int) -> int:
        if value not in catalog.FREQUENCY_INTERVALS:
            allowed = ", ".join(format_duration(s) for s in catalog.FREQUENCY_INTERVALS)
            raise ValueError(
                f"a frequency filter's window must be one of {allowed}; "
                f"got {format_duration(value)}"
            )
        return value

    def __str__(self) -> str:
        return f"> {self.value} in {format_duration(self.interval)}"


def _parse_frequency(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    parsed = parse_frequency(value)
    if parsed.operator != "gt":
        raise ValueError("Sentry's frequency filters count 'more than': write '> N in 1h'")
    if parsed.percent or not parsed.value.is_integer():
        raise ValueError("expected a whole count, e.g. '> 100 in 1h'")
    return {"value": int(parsed.value), "interval": parsed.interval}


def _parse_priority(value: Any) -> Any:
    match, name = parse_comparison(value, "a priority like '>= high'")
    if match not in ("gte", "eq") or (match == "eq" and value.strip().startswith("=")):
        raise ValueError("the priority filter is 'at least': write '>= high'")
    return name


_FREQUENCY_SCHEMA = WithJsonSchema(
    {"type": "string", "pattern": r"^\s*>\s*[0-9]+\s+in\s+\S+\s*$", "examples": ["> 10 in 1h"]}
)


class TagCondition(SpecModel):
    """``tag: {key: endpoint, match: eq, value: /api/tasks}``: Sentry filter ``tagged_event``."""

    key: Name
    match: Literal["eq", "ne", "sw", "ew", "co", "nc", "is", "ns", "in", "nin"] = "eq"
    value: str = ""


class AlertFilter(SpecModel):
    """One filter; exactly one key per list item.

    * ``level: ">= fatal"`` -> ``level`` filter
    * ``events: "> 10 in 1h"`` -> ``event_frequency_count``
    * ``users: "> 100 in 1h"`` -> ``event_unique_user_frequency_count``
    * ``priority: ">= high"`` -> ``issue_priority_greater_or_equal`` (25 / 50 / 75)
    * ``occurrences: 100`` -> ``issue_occurrences`` (seen at least this many times)
    * ``category: error`` -> ``issue_category``
    * ``tag: {key, match, value}`` -> ``tagged_event``
    """

    model_config = ConfigDict(json_schema_extra={"minProperties": 1, "maxProperties": 1})

    level: (
        Annotated[
            LevelCondition,
            BeforeValidator(_parse_level),
            WithJsonSchema(
                {
                    "type": "string",
                    "pattern": r"^\s*(>=|<=|==|=)?\s*(sample|debug|info|warning|error|fatal)\s*$",
                    "examples": [">= fatal"],
                }
            ),
        ]
        | None
    ) = None
    events: (
        Annotated[FrequencyCondition, BeforeValidator(_parse_frequency), _FREQUENCY_SCHEMA] | None
    ) = None
    users: (
        Annotated[FrequencyCondition, BeforeValidator(_parse_frequency), _FREQUENCY_SCHEMA] | None
    ) = None
    priority: (
        Annotated[
            Literal["low", "medium", "high"],
            BeforeValidator(_parse_priority),
            WithJsonSchema({"type": "string", "pattern": r"^\s*(>=)?\s*(low|medium|high)\s*$"}),
        ]
        | None
    ) = None
    occurrences: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = None
    category: (
        Literal[
            "error",
            "performance",
            "profile",
            "cron",
            "replay",
            "feedback",
            "uptime",
            "metric_alert",
        ]
        | None
    ) = None
    tag: TagCondition | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> AlertFilter:
        given = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "each filter holds exactly one of: " + ", ".join(type(self).model_fields)
            )
        return self

    @property
    def kind(self) -> str:
        """The one key this filter uses (``level``, ``events``, ``users``, ...)."""
        return next(name for name in type(self).model_fields if getattr(self, name) is not None)


TriggerName = Literal["first_seen", "regression", "reappeared", "resolved"]


class Alert(SpecModel):
    """An alert (Sentry workflow).

    Wire (workflow body): ``name``, ``enabled``, ``environment`` (the name; null for every
    environment), ``config.frequency`` =
    ``frequency // 60`` (minutes), ``triggers`` = {``logicType: any-short``, conditions from
    ``triggers`` via :data:`catalog.TRIGGER_TYPES`}, one ``actionFilters`` group with
    ``logicType`` = ``filter_match``, the conditions of ``filters`` and one action per target
    named in ``actions``; ``detectorIds`` = the detectors of the monitors named in
    ``monitors`` plus, for issue alerts, the default issue detectors (types ``error`` and
    ``issue_stream``) of each project in :meth:`Spec.alert_projects`.
    """

    name: Annotated[str, Field(min_length=1, max_length=256)]
    enabled: bool = True
    environment: str | None = None
    projects: tuple[str, ...] | None = Field(
        default=None,
        description="projects whose issues this alert watches (their default issue detectors); "
        "default: spec.project when the alert has triggers or filters",
    )
    triggers: tuple[TriggerName, ...] = ()
    monitors: tuple[str, ...] = Field(
        default=(), description="names of monitors, cron monitors and uptime checks to connect"
    )
    filters: tuple[AlertFilter, ...] = ()
    filter_match: Literal["all", "any", "none"] = "all"
    actions: tuple[str, ...] = Field(default=(), description="names of targets to notify")
    frequency: ActionInterval = Field(
        default=1800, description="at most one notification per issue this often (seconds held)"
    )

    @property
    def frequency_minutes(self) -> int:
        return self.frequency // 60

    @property
    def watches_issues(self) -> bool:
        """True when the alert reacts to issues (triggers or filters), not only to monitors."""
        return bool(self.triggers or self.filters or not self.monitors)


# --- dashboards -------------------------------------------------------------------------


class Layout(SpecModel):
    """Position on Sentry's 6-column grid: x 0-5, w 1-6, x+w <= 6, y 0-10000, h 1-1000.

    The upper bounds of y and h are para-monitor's (a dashboard of 30 widgets never needs
    more rows); they keep every layout number small whatever the file says."""

    x: Annotated[int, Field(ge=0, le=5)]
    y: Annotated[int, Field(ge=0, le=MAX_ROW)]
    w: Annotated[int, Field(ge=1, le=6)]
    h: Annotated[int, Field(ge=1, le=MAX_HEIGHT)]
    min_h: Annotated[int, Field(ge=1, le=MAX_HEIGHT)] = 1


class Widget(SpecModel):
    """A dashboard widget with one query.

    Wire: ``displayType`` = ``display``, ``widgetType`` = ``dataset``, ``interval``, ``limit``,
    ``layout`` {x, y, w, h, minH}; one query {``aggregates``, ``columns``, ``fields`` =
    columns + aggregates, ``conditions``, ``orderby``, ``name: ""``}.
    """

    title: Annotated[str, Field(min_length=1, max_length=255)]
    description: Annotated[str, Field(max_length=255)] | None = None
    display: DisplayType
    dataset: WidgetType
    aggregates: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    conditions: str = ""
    orderby: str = ""
    interval: Annotated[str, Field(pattern=r"^[0-9]+[mhdw]$", max_length=10)] | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_WIDGET_LIMIT)] | None = None
    layout: Layout | None = None

    @field_validator("display", mode="before")
    @classmethod
    def _removed_display(cls, value: Any) -> Any:
        if isinstance(value, str) and value in catalog.REMOVED_DISPLAY_TYPES:
            raise ValueError(
                f"display {value!r} was removed from Sentry; use "
                f"{catalog.REMOVED_DISPLAY_TYPES[value]!r}"
            )
        return value

    @property
    def fields(self) -> tuple[str, ...]:
        """Sentry's ``fields``: columns then aggregates."""
        return self.columns + self.aggregates


class Dashboard(SpecModel):
    """A custom dashboard (identity: its title within the organization).

    Wire: ``title``, ``projects`` (slugs -> ids at apply time; default spec.project),
    ``environment``, ``period``, ``widgets``.
    """

    title: Annotated[str, Field(min_length=1, max_length=255)]
    projects: tuple[str, ...] | None = None
    environment: tuple[str, ...] = ()
    period: Annotated[str, Field(pattern=r"^[0-9]+[mhdw]$")] | None = None
    widgets: Annotated[tuple[Widget, ...], Field(max_length=catalog.MAX_WIDGETS)] = ()


# --- scrubbing and the whole file -------------------------------------------------------


class Scrubbing(SpecModel):
    """Extra field names for the scrubbing engine (issue 3) and the project's settings.

    ``sensitive_fields``: key names whose values are always replaced (matched case- and
    separator-insensitively by the engine); ``safe_fields``: key names never scrubbed.
    """

    sensitive_fields: tuple[str, ...] = ()
    safe_fields: tuple[str, ...] = ()


class Spec(SpecModel):
    """The whole alert_rules.yaml."""

    version: Literal[1]
    organization: str | None = Field(default=None, description="default organization slug")
    project: str | None = Field(default=None, description="default project slug")
    targets: dict[str, Target] = Field(default_factory=dict)
    monitors: tuple[Monitor, ...] = ()
    crons: tuple[CronMonitor, ...] = ()
    uptime: tuple[UptimeMonitor, ...] = ()
    alerts: tuple[Alert, ...] = ()
    dashboards: tuple[Dashboard, ...] = ()
    scrubbing: Scrubbing = Field(default_factory=Scrubbing)

    def monitor(self, name: str) -> Monitor | None:
        return next((m for m in self.monitors if m.name == name), None)

    def cron(self, key: str) -> CronMonitor | None:
        """The cron monitor whose slug (or else name) is ``key``."""
        found = next((c for c in self.crons if c.monitor_slug == key), None)
        return found or next((c for c in self.crons if c.name == key), None)

    def uptime_monitor(self, name: str) -> UptimeMonitor | None:
        return next((u for u in self.uptime if u.name == name), None)

    def linked(self, name: str) -> tuple[str | None, str] | None:
        """What a name in an alert's ``monitors:`` refers to: (its project, the name of its
        detector in Sentry) for a metric monitor, a cron monitor (by name or slug: Sentry names
        its detector after the monitor) or an uptime check; None when it names nothing."""
        monitor = self.monitor(name)
        if monitor is not None:
            return self.monitor_project(monitor), monitor.name
        cron = self.cron(name)
        if cron is not None:
            return cron.project or self.project, cron.name
        check = self.uptime_monitor(name)
        if check is not None:
            return check.project or self.project, check.name
        return None

    def target(self, name: str) -> EmailTarget | SlackTarget | PagerDutyTarget | None:
        return self.targets.get(name)

    def monitor_project(self, monitor: Monitor) -> str | None:
        """The monitor's project, else the file's default (settings may still supply one)."""
        return monitor.project or self.project

    def alert_projects(self, alert: Alert) -> tuple[str, ...]:
        """Projects whose default issue detectors the alert connects to."""
        if alert.projects is not None:
            return alert.projects
        if alert.watches_issues and self.project:
            return (self.project,)
        return ()

    def dashboard_projects(self, dashboard: Dashboard) -> tuple[str, ...]:
        if dashboard.projects is not None:
            return dashboard.projects
        return (self.project,) if self.project else ()


def describe_threshold(monitor: Monitor, value: float) -> str:
    """A threshold in the file's units (``3000.0`` on a duration aggregate -> ``3s``)."""
    from para_monitor_cli.spec.units import format_threshold

    percent = monitor.detection == "percent" or monitor.dataset == "metrics"
    return format_threshold(value, duration=monitor.is_duration, percent=percent)


__all__ = [
    "ActionInterval",
    "Alert",
    "AlertFilter",
    "CronMonitor",
    "Dashboard",
    "Duration",
    "EmailTarget",
    "FrequencyCondition",
    "Layout",
    "LevelCondition",
    "Monitor",
    "PagerDutyTarget",
    "Scrubbing",
    "SlackTarget",
    "Spec",
    "TagCondition",
    "Target",
    "Threshold",
    "UptimeMonitor",
    "Widget",
    "describe_threshold",
    "format_number",
]
