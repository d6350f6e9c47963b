"""What Sentry accepts, as data (sentry-api-reference.md sections 3-6).

The model's enums and the offline rules both read these tables, so one edit keeps them in step.
"""

from __future__ import annotations

import re
from typing import Final, Literal, get_args

Dataset = Literal[
    "events", "transactions", "generic_metrics", "events_analytics_platform", "metrics"
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
    "transactions": 1,
    "generic_metrics": 1,
    "events_analytics_platform": 1,
    "metrics": 2,
}

#: Dataset -> the ``eventTypes`` sent when the file gives none.
DEFAULT_EVENT_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "events": ("error", "default"),
    "transactions": ("transaction",),
    "generic_metrics": ("transaction",),
    "events_analytics_platform": ("trace_item_span",),
    "metrics": (),
}

#: Dataset -> event types Sentry allows for it.
ALLOWED_EVENT_TYPES: Final[dict[str, frozenset[str]]] = {
    "events": frozenset({"error", "default"}),
    "transactions": frozenset({"transaction"}),
    "generic_metrics": frozenset({"transaction"}),
    "events_analytics_platform": frozenset({"trace_item_span", "trace_item_log"}),
    "metrics": frozenset(),
}

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
        return (
            f"expected a function call like count() or p95(transaction.duration), got {aggregate!r}"
        )
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
            "count_unique(user); use dataset transactions or events_analytics_platform for "
            "performance"
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
                return f"{aggregate} needs dataset events_analytics_platform (spans)"
            return None
        return (
            f"{aggregate} is not a performance aggregate of dataset {dataset} "
            "(count(), failure_rate(), apdex(300), p95(transaction.duration), ...)"
        )
    if dataset == "events_analytics_platform":
        if function == "count" and (not args or args[0] in ("span.duration", "message")):
            return None
        if (
            function in _PERCENTILE_FUNCTIONS | {"count"}
            and args
            and args[0]
            in (
                "span.duration",
                "span.self_time",
            )
        ):
            return None
        if function in ("failure_rate", "epm", "apdex"):
            return None
        if function == "count_unique" and args and args[0] in _USER_COLUMNS:
            return None
        return (
            f"{aggregate} does not fit dataset events_analytics_platform: aggregate over "
            "span.duration or span.self_time, e.g. p95(span.duration)"
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

#: Event-frequency filter intervals (seconds) and Sentry's spelling of each.
FREQUENCY_INTERVALS: Final[dict[int, str]] = {
    60: "1min",
    300: "5min",
    900: "15min",
    3600: "1hr",
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
