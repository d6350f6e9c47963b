"""What Sentry accepts, as data (sentry-api-reference.md sections 3-6).

The model's enums and the offline rules both read these tables, so one edit keeps them in step.
"""

from __future__ import annotations

import re
from typing import Final, Literal, get_args

Dataset = Literal[
    "events", "spans", "events_analytics_platform", "metrics", "transactions", "generic_metrics"
]
DisplayType = Literal[
    "line",
    "area",
    "bar",
    "table",
    "big_number",
    "details",
    "categorical_bar",
    "wheel",
    "rage_and_dead_clicks",
    "server_tree",
    "text",
    "agents_traces_table",
    "heatmap",
]
WidgetType = Literal[
    "discover",
    "issue",
    "metrics",
    "error-events",
    "transaction-like",
    "spans",
    "logs",
    "tracemetrics",
    "preprod-app-size",
]

# --- monitors (metric detectors) --------------------------------------------------------

#: Dataset -> Sentry ``queryType`` (0 error, 1 performance, 2 crash rate).
QUERY_TYPES: Final[dict[str, int]] = {
    "events": 0,
    "spans": 1,
    "transactions": 1,
    "generic_metrics": 1,
    "events_analytics_platform": 1,
    "metrics": 2,
}

#: Dataset -> the ``eventTypes`` sent when the file gives none.
DEFAULT_EVENT_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "events": ("error", "default"),
    "spans": ("trace_item_span",),
    "transactions": ("transaction",),
    "generic_metrics": ("transaction",),
    "events_analytics_platform": ("trace_item_span",),
    "metrics": (),
}

#: Dataset -> event types Sentry allows for it.
ALLOWED_EVENT_TYPES: Final[dict[str, frozenset[str]]] = {
    "events": frozenset({"error", "default"}),
    "spans": frozenset({"trace_item_span"}),
    "transactions": frozenset({"transaction"}),
    "generic_metrics": frozenset({"transaction"}),
    "events_analytics_platform": frozenset({"trace_item_span", "trace_item_log"}),
    "metrics": frozenset(),
}

#: The file's dataset names -> Sentry's ``dataset`` (``spans`` is the span dataset of the events
#: analytics platform, queried with ``eventTypes: [trace_item_span]``).
WIRE_DATASETS: Final[dict[str, str]] = {"spans": "events_analytics_platform"}
#: Span-based datasets: windows of at least 5 minutes.
SPAN_DATASETS: Final[frozenset[str]] = frozenset({"spans", "events_analytics_platform"})

#: Transaction-based datasets Sentry no longer takes for monitors. Sentry refuses every change to
#: the query, aggregate, window or event types of a detector whose (new) dataset is one of these
#: (``MetricIssueDetectorValidator.is_editing_transaction_dataset`` / ``update_data_source`` in
#: src/sentry/incidents/metric_issue_detector.py), and refuses creating one on organizations in
#: the span migration (``_validate_transaction_dataset_deprecation``, feature
#: ``organizations:discover-saved-queries-deprecation``). Moving a detector *to* spans is allowed.
TRANSACTION_DATASETS: Final[frozenset[str]] = frozenset({"transactions", "generic_metrics"})
#: Sentry's own words for the refusal (update_data_source, metric_issue_detector.py).
TRANSACTION_REFUSAL: Final[str] = (
    "Updates to transaction-based alerts is disabled, as we migrate to the span dataset. "
    "Create span-based alerts (dataset: events_analytics_platform) with the "
    "is_transaction:true filter instead."
)
#: The search term that keeps a span query to transactions (segments). Sentry's own migration
#: writes ``is_transaction:1`` (``apply_is_segment_condition`` in
#: src/sentry/discover/translation/mep_to_eap.py); its refusal message says
#: ``is_transaction:true``: both mean the same and compare equal.
IS_TRANSACTION: Final[str] = "is_transaction:true"

#: Window choices (minutes) Sentry documents for static and percent monitors.
WINDOW_CHOICES_MINUTES: Final[tuple[int, ...]] = (1, 5, 10, 15, 30, 60, 120, 240, 1440)
#: Crash-rate (``metrics``) monitors: only these windows (minutes).
CRASH_RATE_WINDOWS_MINUTES: Final[tuple[int, ...]] = (30, 60, 120, 240, 720, 1440)
#: Dynamic (anomaly) detection: only these windows (minutes).
DYNAMIC_WINDOWS_MINUTES: Final[tuple[int, ...]] = (5, 15, 30, 60)
#: The serializer's bounds for any window (minutes).
WINDOW_MIN_MINUTES: Final[int] = 1
WINDOW_MAX_MINUTES: Final[int] = 1440
#: Percent-change comparison deltas (seconds): 5m, 15m, 1h, 1d, 1w, 30d.
COMPARISON_DELTAS: Final[tuple[int, ...]] = (300, 900, 3600, 86400, 604800, 2592000)

#: Priority values of detector conditions (``conditionResult``).
PRIORITY_HIGH: Final[int] = 75
PRIORITY_MEDIUM: Final[int] = 50
PRIORITY_RESOLVED: Final[int] = 0

#: A dynamic (anomaly) monitor's direction -> Sentry's ``thresholdType``:
#: ``AnomalyDetectionThresholdType`` (src/sentry/seer/anomaly_detection/types.py), the same
#: numbers as a legacy metric alert rule's ``AlertRuleThresholdType``
#: (src/sentry/incidents/models/alert_rule.py): ABOVE 0, BELOW 1, ABOVE_AND_BELOW 2.
THRESHOLD_TYPES: Final[dict[str, int]] = {"above": 0, "below": 1, "above_and_below": 2}

#: Friendly aliases for crash-rate aggregates -> the exact string Sentry wants.
CRASH_RATE_ALIASES: Final[dict[str, str]] = {
    "crash_free_rate(session)": (
        "percentage(sessions_crashed, sessions) AS _crash_rate_alert_aggregate"
    ),
    "crash_free_rate(user)": "percentage(users_crashed, users) AS _crash_rate_alert_aggregate",
}
CRASH_RATE_AGGREGATES: Final[frozenset[str]] = frozenset(CRASH_RATE_ALIASES.values())

_DURATION_COLUMNS: Final[frozenset[str]] = frozenset(
    {
        "transaction.duration",
        "span.duration",
        "span.self_time",
        "measurements.lcp",
        "measurements.fcp",
        "measurements.fid",
        "measurements.fp",
        "measurements.ttfb",
        "measurements.ttfb.requesttime",
        "measurements.inp",
    }
)
_PERCENTILE_FUNCTIONS: Final[frozenset[str]] = frozenset(
    {"avg", "p50", "p75", "p90", "p95", "p99", "p100", "max", "min", "percentile", "sum"}
)
_USER_COLUMNS: Final[frozenset[str]] = frozenset({"user", "tags[sentry:user]"})

_AGGREGATE_RE = re.compile(r"^\s*([a-z_0-9]+)\((.*)\)\s*$")


def split_aggregate(aggregate: str) -> tuple[str, list[str]] | None:
    """``"p95(transaction.duration)"`` -> ``("p95", ["transaction.duration"])``."""
    text = re.split(r"\s+AS\s+", aggregate, maxsplit=1, flags=re.IGNORECASE)[0]
    match = _AGGREGATE_RE.match(text)
    if not match:
        return None
    args = [a.strip() for a in match.group(2).split(",") if a.strip()]
    return match.group(1), args


def is_duration_aggregate(aggregate: str) -> bool:
    """Whether the aggregate's value is a duration in milliseconds."""
    parts = split_aggregate(aggregate)
    if parts is None:
        return False
    function, args = parts
    return function in _PERCENTILE_FUNCTIONS and bool(args) and args[0] in _DURATION_COLUMNS


def monitor_aggregate_problem(dataset: str, aggregate: str) -> str | None:
    """Why Sentry would refuse this aggregate on this dataset, or None when it fits."""
    if dataset == "metrics":
        if aggregate in CRASH_RATE_AGGREGATES:
            return None
        return (
            "crash-rate monitors (dataset metrics) take crash_free_rate(session) or "
            "crash_free_rate(user)"
        )
    if aggregate in CRASH_RATE_AGGREGATES:
        return "a crash-rate aggregate needs dataset: metrics"
    parts = split_aggregate(aggregate)
    if parts is None:
        return f"expected a function call like count() or p95(span.duration), got {aggregate!r}"
    function, args = parts
    if function == "upsampled_count":
        return "upsampled_count() may not be sent; use count()"
    if dataset == "events":
        if function == "count" and not args:
            return None
        if function == "count_unique" and args and args[0] in _USER_COLUMNS | {"release", "dist"}:
            return None
        return (
            f"{aggregate} is not an error aggregate: dataset events takes count() or "
            "count_unique(user); use dataset spans for performance"
        )
    if dataset in ("transactions", "generic_metrics"):
        if function in ("count", "failure_rate", "epm", "tpm") and not args:
            return None
        if function == "apdex" and len(args) <= 1:
            return None
        if function == "count_unique" and args and args[0] in _USER_COLUMNS:
            return None
        if (
            function in _PERCENTILE_FUNCTIONS
            and args
            and (args[0] in _DURATION_COLUMNS or args[0].startswith("measurements."))
        ):
            if args[0].startswith("span."):
                return f"{aggregate} needs dataset spans"
            return None
        return (
            f"{aggregate} is not a performance aggregate of dataset {dataset} "
            "(count(), failure_rate(), apdex(300), p95(transaction.duration), ...)"
        )
    if dataset in SPAN_DATASETS:
        if function == "count" and (not args or args[0] in ("span.duration", "message")):
            return None
        if (
            function in _PERCENTILE_FUNCTIONS | {"count"}
            and args
            and (
                args[0] in ("span.duration", "span.self_time")
                or args[0].startswith("measurements.")
            )
        ):
            return None  # span durations, and web vitals on spans (p95(measurements.lcp))
        if function in ("failure_rate", "epm", "apdex"):
            return None
        if function == "count_unique" and args and args[0] in _USER_COLUMNS:
            return None
        return (
            f"{aggregate} does not fit dataset {dataset}: aggregate over "
            "span.duration, span.self_time or a measurement, e.g. p95(span.duration)"
        )
    return f"unknown dataset {dataset!r}"


# --- alerts (workflows) -----------------------------------------------------------------

#: Trigger names in the file -> Sentry's workflow trigger condition types.
TRIGGER_TYPES: Final[dict[str, str]] = {
    "first_seen": "first_seen_event",
    "regression": "regression_event",
    "reappeared": "reappeared_event",
    "resolved": "issue_resolved_trigger",
}

#: Allowed action intervals (``config.frequency``), in minutes.
FREQUENCY_CHOICES_MINUTES: Final[tuple[int, ...]] = (0, 5, 10, 30, 60, 180, 720, 1440)

#: Event-frequency filter intervals (seconds) and Sentry's spelling of each: the keys of
#: ``STANDARD_INTERVALS`` (src/sentry/rules/conditions/event_frequency.py), the enum of
#: ``EventFrequencyCountHandler.comparison_json_schema`` (src/sentry/workflow_engine/handlers/
#: condition/event_frequency_handlers.py). The workflow endpoint's help text says 1min / 1hr:
#: its examples and the handler's schema say 1m / 1h, and the schema is what is enforced.
FREQUENCY_INTERVALS: Final[dict[int, str]] = {
    60: "1m",
    300: "5m",
    900: "15m",
    3600: "1h",
    86400: "1d",
    604800: "1w",
    2592000: "30d",
}

#: Level names -> Sentry's numeric level.
LEVELS: Final[dict[str, int]] = {
    "sample": 0,
    "debug": 10,
    "info": 20,
    "warning": 30,
    "error": 40,
    "fatal": 50,
}

#: Issue priority names -> value of ``issue_priority_greater_or_equal``.
ISSUE_PRIORITIES: Final[dict[str, int]] = {"low": 25, "medium": 50, "high": 75}

#: Issue categories -> Sentry's ``issue_category`` value.
ISSUE_CATEGORIES: Final[dict[str, int]] = {
    "error": 1,
    "performance": 2,
    "profile": 3,
    "cron": 4,
    "replay": 5,
    "feedback": 6,
    "uptime": 7,
    "metric_alert": 8,
}

TAG_MATCHES: Final[tuple[str, ...]] = ("eq", "ne", "sw", "ew", "co", "nc", "is", "ns", "in", "nin")

# --- dashboards -------------------------------------------------------------------------

DISPLAY_TYPES: Final[tuple[str, ...]] = get_args(DisplayType)
REMOVED_DISPLAY_TYPES: Final[dict[str, str]] = {
    "top_n": "table",
    "stacked_area": "area",
    "world_map": "table",
}
WIDGET_TYPES: Final[tuple[str, ...]] = get_args(WidgetType)
MAX_WIDGETS: Final[int] = 30
GRID_COLUMNS: Final[int] = 6
# DashboardWidgetSerializer (src/sentry/api/serializers/rest_framework/dashboard.py) takes a
# widget description of at most 255 characters; the first widget's also holds our ownership
# marker with its entry key (api/wire.py with_marker): a blank line and 43 characters.
WIDGET_DESCRIPTION_MAX: Final[int] = 255
MARKER_ROOM: Final[int] = len("\n\n[managed by para-monitor key=0123456789ab]")

_RELEASE_FUNCTIONS: Final[frozenset[str]] = frozenset(
    {
        "crash_free_rate",
        "crash_rate",
        "count_unique",
        "sum",
        "anr_rate",
        "foreground_anr_rate",
        "count_healthy",
        "count_errored",
        "count_crashed",
        "count_abnormal",
        "session_duration",
    }
)


def widget_aggregate_problem(widget_type: str, aggregate: str) -> str | None:
    """Why this aggregate cannot be charted on this widget dataset, or None when it fits."""
    if aggregate.startswith("equation|"):
        return None
    parts = split_aggregate(aggregate)
    if parts is None:
        return f"expected a function call like count(), got {aggregate!r}"
    function, args = parts
    column = args[0] if args else ""
    if widget_type == "metrics":
        if function in _RELEASE_FUNCTIONS and column in ("", "session", "user", "session.duration"):
            return None
        return (
            f"{aggregate} is not a release-health aggregate (crash_free_rate(session), "
            "count_unique(user), sum(session), ...)"
        )
    if column.startswith("session") and function in ("crash_free_rate", "sum"):
        return f"{aggregate} is a release-health aggregate: use dataset metrics"
    if widget_type == "error-events":
        if column in _DURATION_COLUMNS or function in ("apdex", "failure_rate", "epm", "tpm"):
            return f"{aggregate} is a performance aggregate: use dataset transaction-like or spans"
        return None
    if widget_type == "transaction-like":
        if column.startswith("span."):
            return f"{aggregate} aggregates spans: use dataset spans"
        return None
    if widget_type == "spans":
        if column == "transaction.duration":
            return (
                f"{aggregate} aggregates transactions: "
                "use span.duration or dataset transaction-like"
            )
        return None
    return None


# --- transactions -> spans ----------------------------------------------------------------

_TRANSACTION_COLUMNS: Final[dict[str, str]] = {
    # column_switcheroo in src/sentry/discover/translation/mep_to_eap.py (the part that alerts
    # use: durations and the transaction's own attributes)
    "transaction.duration": "span.duration",
    "http.method": "transaction.method",
    "transaction.status": "trace.status",
}
_PERCENTILES: Final[dict[float, str]] = {
    0.5: "p50",
    0.75: "p75",
    0.9: "p90",
    0.95: "p95",
    0.99: "p99",
    1.0: "p100",
}


def span_aggregate(aggregate: str) -> str:
    """A transaction aggregate in its span form, as Sentry's own migration writes it
    (``function_switcheroo`` / ``column_switcheroo`` / ``format_percentile_term`` in
    src/sentry/discover/translation/mep_to_eap.py): ``p95(transaction.duration)`` ->
    ``p95(span.duration)``, ``count()`` -> ``count(span.duration)``, ``apdex(300)`` ->
    ``apdex(span.duration,300)``, ``percentile(transaction.duration,0.95)`` -> ``p95(...)``."""
    text = aggregate.strip()
    parts = split_aggregate(text)
    if parts is None:
        return text
    function, args = parts
    if function == "count" and not args:
        return "count(span.duration)"
    if function in ("apdex", "user_misery") and len(args) <= 1:
        return f"{function}(span.duration,{args[0] if args else 300})"
    columns = [_TRANSACTION_COLUMNS.get(a, a) for a in args]
    if function == "percentile" and len(columns) == 2:
        try:
            wanted = float(columns[1])
        except ValueError:
            return text
        nearest = min(_PERCENTILES, key=lambda p: (abs(p - wanted), -p))
        return f"{_PERCENTILES[nearest]}({columns[0]})"
    return f"{function}({','.join(columns)})"


_IS_TRANSACTION_TERM = re.compile(r"(?<![\w.:!-])is_transaction:(?:1|true)(?![\w.])", re.I)
_WRAPPED = re.compile(r"^\((?P<inner>.*)\)\s+AND\s+is_transaction:(?:1|true)$", re.I | re.S)


def span_query(query: str) -> str:
    """A transaction query in its span form: the query kept to transactions (segments) with
    ``is_transaction:true``, as ``apply_is_segment_condition`` (mep_to_eap.py) does."""
    text = " ".join(query.split())
    if _IS_TRANSACTION_TERM.search(text):
        return canonical_span_query(text)
    if re.search(r"\bOR\b", text, re.I):
        return f"({text}) AND {IS_TRANSACTION}"
    return f"{IS_TRANSACTION} {text}".strip()


def canonical_span_query(query: str) -> str:
    """One spelling for a span query that is kept to transactions: Sentry's migration writes
    ``(Q) AND is_transaction:1`` (or ``is_transaction:1`` alone), the file writes
    ``is_transaction:true Q``; both become ``is_transaction:true Q``. A query with a top-level
    OR is kept as written (only ``1`` is spelt ``true``), since dropping the parentheses would
    change its meaning."""
    text = " ".join(query.split())
    wrapped = _WRAPPED.match(text)
    if wrapped:
        inner = wrapped.group("inner").strip()
        if re.search(r"\bOR\b", inner, re.I):
            return f"({inner}) AND {IS_TRANSACTION}"
        text = f"{IS_TRANSACTION} {inner}"
    if not _IS_TRANSACTION_TERM.search(text) or re.search(r"\bOR\b", text, re.I):
        return _IS_TRANSACTION_TERM.sub(IS_TRANSACTION, text)
    rest = " ".join(_IS_TRANSACTION_TERM.sub(" ", text).split())
    rest = re.sub(r"^AND\s+|\s+AND$", "", rest, flags=re.I).strip()
    return f"{IS_TRANSACTION} {rest}".strip()


def is_transaction_query(query: str) -> bool:
    """Whether a span query is kept to transactions (has ``is_transaction:true`` or ``:1``)."""
    return bool(_IS_TRANSACTION_TERM.search(query))


# --- Slack ids ----------------------------------------------------------------------------

_SLACK_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{6,}$")


def slack_id_problem(channel: str, channel_id: str) -> str | None:
    """Why ``channel_id`` cannot be the Slack id of ``channel`` (``#name`` or ``@user``), or
    None when its form fits. Slack ids are upper-case letters and digits: channels start with
    C (public), G (private) or D (direct message), users with U or W. Only the form can be
    checked here: whether the id exists is Slack's answer, which Sentry asks for when the
    alert is written (``validate_slack_entity_id`` via ``SlackNotifyServiceForm.clean``)."""
    if channel.startswith("@"):
        if _SLACK_USER_ID.match(channel_id):
            return None
        return f"{channel_id!r} is not a Slack user id (U... or W..., e.g. U0123ABCD)"
    if _SLACK_CHANNEL_ID.match(channel_id):
        return None
    return f"{channel_id!r} is not a Slack channel id (C..., G... or D..., e.g. C0123ABCD)"
