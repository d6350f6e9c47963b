"""Offline rules: Sentry's server-side validation, mirrored, plus lints Sentry does not do.

Each rule yields :class:`Finding` (YAML path, message, severity, rule id). ``severity`` is
``error`` for what Sentry would refuse or what cannot work, ``warning`` for what works but is
probably a mistake. Rule ids (``M…`` monitors, ``C…`` cron monitors, ``U…`` uptime checks,
``A…`` alerts, ``T…`` targets, ``D…`` dashboards, ``S…`` scrubbing) name each check in tests
and docs; :data:`RULES` describes them.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from para_monitor_cli.spec import catalog
from para_monitor_cli.spec.model import (
    CRON_MAX_MINUTES,
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    Layout,
    Monitor,
    SlackTarget,
    Spec,
)
from para_monitor_cli.spec.status import MAX_ASSERTION_OPS, assertion_ops, status_text
from para_monitor_cli.spec.units import (
    OPERATOR_TEXT,
    Quantity,
    format_duration,
    parse_condition,
    parse_quantity,
)

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    path: YamlPath
    message: str
    rule: str
    severity: str = "error"


RULES: dict[str, str] = {
    "M1": "monitor window between 1m and 24h, in whole minutes",
    "M2": "monitor window allowed for its dataset and detection",
    "M3": "monitor aggregate fits its dataset",
    "M4": "monitor event types fit its dataset",
    "M5": "static and percent monitors need a high threshold",
    "M6": "high and medium thresholds in the right order",
    "M7": "resolve threshold on the right side of the alerting thresholds",
    "M8": "percent detection needs a comparison window Sentry offers",
    "M9": "dynamic detection: sensitivity, no fixed thresholds, allowed windows",
    "M10": "query Sentry can run in a monitor",
    "M11": "threshold units fit the aggregate",
    "M12": "monitor names unique per project",
    "M13": "a monitor no alert connects to notifies nobody (warning)",
    "M14": "monitor direction fits its detection",
    "M15": "no transaction-based monitors: Sentry refuses them; write them on spans",
    "M16": "a span duration monitor keeps to transactions (is_transaction:true) (warning)",
    "C1": "check-in margin and max runtime in whole minutes from 1m to 28d",
    "C2": "cron timezone is a tz database name",
    "C3": "cron slug has the form Sentry accepts",
    "C4": "cron monitor names and slugs unique",
    "C5": "a cron monitor no alert connects to notifies nobody (warning)",
    "U1": "uptime interval is one Sentry offers",
    "U2": "uptime timeout from 1s to 60s",
    "U3": "uptime URL is http(s) with a host",
    "U4": "uptime request (line, headers, body) within 1000 bytes",
    "U5": "uptime check names unique per project",
    "U6": "an uptime check no alert connects to notifies nobody (warning)",
    "U7": "uptime expected_status fits in the 16 operations Sentry's checker compiles",
    "A1": "actions name defined targets",
    "A2": "monitors named by an alert exist",
    "A3": "every alert has an action",
    "A4": "an alert without filters matches every issue (warning)",
    "A5": "action interval is one Sentry offers",
    "A6": "alert names unique",
    "A7": "monitor-only alerts take no issue filters",
    "A8": "a name an alert connects to is one monitor, cron monitor or uptime check, not two",
    "T1": "every target is used (warning)",
    "T2": "Slack targets give a channel id (warning)",
    "T3": "a Slack channel id has the form of a Slack id",
    "D1": "dashboard titles unique",
    "D2": "widget titles unique within a dashboard (warning)",
    "D3": "widget fits the 6-column grid",
    "D4": "widget aggregates fit its dataset (warning)",
    "D5": "widget queries something",
    "D6": "widget order-by names one of its fields (warning)",
    "D7": "widget limit within 10 (warning)",
    "D8": "widgets do not overlap (warning)",
    "D9": "the first widget's description leaves room for the ownership marker",
    "S1": "a field is not both sensitive and safe",
    "S2": "no repeated scrubbing fields (warning)",
}


def _close(word: str, choices: list[str]) -> str:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f"; did you mean {found[0]!r}?" if found else ""


def _raw(data: Any, *path: str | int) -> Any:
    current = data
    for part in path:
        if isinstance(current, dict) and isinstance(part, str):
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            current = current[part]
        else:
            return None
    return current


class _MonitorView:
    """A monitor with its raw mapping, to point findings at what the user wrote."""

    def __init__(self, index: int, monitor: Monitor, raw: Any) -> None:
        self.index = index
        self.monitor = monitor
        self.raw = raw if isinstance(raw, dict) else {}

    def path(self, field: str) -> YamlPath:
        base: YamlPath = ("monitors", self.index)
        if field in self.raw:
            return (*base, field)
        if field in ("aggregate", "high", "direction") and "condition" in self.raw:
            return (*base, "condition")
        return base

    def quantity(self, field: str) -> Quantity | None:
        if field in self.raw:
            try:
                return parse_quantity(self.raw[field])
            except ValueError:
                return None
        if field == "high" and "condition" in self.raw:
            try:
                return parse_condition(self.raw["condition"]).threshold
            except ValueError:
                return None
        return None


def check_monitors(spec: Spec, data: Any) -> Iterator[Finding]:
    names: Counter[tuple[str | None, str]] = Counter()
    for index, monitor in enumerate(spec.monitors):
        view = _MonitorView(index, monitor, _raw(data, "monitors", index))
        yield from _monitor(view, spec)
        key = (spec.monitor_project(monitor), monitor.name)
        names[key] += 1
        if names[key] == 2:
            yield Finding(view.path("name"), f"duplicate monitor name {monitor.name!r}", "M12")
    linked = {name for alert in spec.alerts for name in alert.monitors}
    for index, monitor in enumerate(spec.monitors):
        if monitor.name not in linked:
            yield Finding(
                ("monitors", index, "name"),
                f"no alert connects monitor {monitor.name!r}: it opens issues but notifies "
                "nobody (add it to an alert's monitors)",
                "M13",
                "warning",
            )


def _monitor(view: _MonitorView, spec: Spec) -> Iterator[Finding]:
    m = view.monitor
    minutes, rest = divmod(m.window, 60)
    window_path = view.path("window")
    if rest or not catalog.WINDOW_MIN_MINUTES <= minutes <= catalog.WINDOW_MAX_MINUTES:
        yield Finding(
            window_path,
            f"window {format_duration(m.window)} is not allowed: Sentry takes whole minutes "
            "from 1m to 24h",
            "M1",
        )
    elif m.detection == "dynamic" and minutes not in catalog.DYNAMIC_WINDOWS_MINUTES:
        yield Finding(
            window_path,
            "Invalid time window for dynamic alert (valid windows are 5, 15, 30, 60 minutes)",
            "M2",
        )
    elif m.dataset == "metrics" and minutes not in catalog.CRASH_RATE_WINDOWS_MINUTES:
        yield Finding(
            window_path,
            "crash-rate monitors (dataset metrics) allow windows of 30m, 1h, 2h, 4h, 12h, 24h",
            "M2",
        )
    elif m.dataset in catalog.SPAN_DATASETS and minutes < 5:
        yield Finding(window_path, f"dataset {m.dataset} needs a window >= 5m", "M2")
    elif m.dataset != "metrics" and minutes not in catalog.WINDOW_CHOICES_MINUTES:
        choices = ", ".join(format_duration(x * 60) for x in catalog.WINDOW_CHOICES_MINUTES)
        yield Finding(
            window_path,
            f"window {format_duration(m.window)} is not one of Sentry's choices ({choices})",
            "M2",
            "warning",
        )

    if m.dataset in catalog.TRANSACTION_DATASETS:
        yield Finding(view.path("dataset"), _span_form_message(view), "M15")
        return
    problem = catalog.monitor_aggregate_problem(m.dataset, m.aggregate)
    if problem:
        yield Finding(view.path("aggregate"), problem, "M3")
    parts = catalog.split_aggregate(m.aggregate)
    if (
        m.dataset in catalog.SPAN_DATASETS
        and parts is not None
        and parts[1][:1] == ["span.duration"]
        and not catalog.is_transaction_query(m.query)
    ):
        yield Finding(
            view.path("query") if "query" in view.raw else view.path("dataset"),
            f"{m.aggregate} over every span (database queries, HTTP calls, ...) is not the "
            f'response time: add query: "{catalog.span_query(m.query)}" to measure requests',
            "M16",
            "warning",
        )

    if m.event_types is not None:
        allowed = catalog.ALLOWED_EVENT_TYPES[m.dataset]
        wrong = [t for t in m.event_types if t not in allowed]
        if wrong or (m.dataset in catalog.SPAN_DATASETS and len(m.event_types) != 1):
            valid = ", ".join(sorted(allowed)) or "none"
            yield Finding(
                view.path("event_types"),
                f"Invalid event types for this dataset. Valid event types are [{valid}]"
                + (f" (exactly one for {m.dataset})" if not wrong else ""),
                "M4",
            )

    yield from _thresholds(view)

    if "release:latest" in m.query:
        yield Finding(view.path("query"), "Unsupported Query: release:latest", "M10")
    if m.detection == "dynamic" and "is:unresolved" in m.query:
        yield Finding(view.path("query"), "dynamic monitors may not filter on is:unresolved", "M10")


def _span_form_message(view: _MonitorView) -> str:
    """Why a transaction-based monitor is refused, and the span form to write instead."""
    m = view.monitor
    aggregate = catalog.span_aggregate(m.aggregate)
    query = catalog.span_query(m.query)
    if "condition" in view.raw:
        try:
            parsed = parse_condition(view.raw["condition"])
            shown = (
                f"condition: {aggregate} {OPERATOR_TEXT[parsed.operator]} {parsed.threshold_text}"
            )
        except ValueError:
            shown = f"aggregate: {aggregate}"
    else:
        shown = f"aggregate: {aggregate}"
    return (
        f"dataset {m.dataset} is transaction-based: Sentry refuses to create such monitors on "
        "organizations moving to spans and refuses every later change to one "
        f'("{catalog.TRANSACTION_REFUSAL}"). Write it on spans: dataset: spans, {shown}, '
        f'query: "{query}"'
    )


def _thresholds(view: _MonitorView) -> Iterator[Finding]:
    m = view.monitor
    if m.detection == "dynamic":
        if m.sensitivity is None:
            yield Finding(("monitors", view.index), "dynamic detection needs a sensitivity", "M9")
        for field in ("high", "medium", "resolve"):
            if getattr(m, field) is not None:
                yield Finding(
                    view.path(field),
                    f"dynamic detection sets its own thresholds: remove {field}",
                    "M9",
                )
        if m.comparison is not None:
            yield Finding(view.path("comparison"), "comparison is for percent detection", "M8")
        return
    if m.sensitivity is not None:
        yield Finding(
            view.path("sensitivity"), "Sensitivity is not a valid field for this alert type", "M9"
        )
    if m.direction == "above_and_below":
        yield Finding(view.path("direction"), "above_and_below needs detection: dynamic", "M14")
        return
    if m.detection == "percent":
        if m.dataset == "metrics":
            yield Finding(view.path("detection"), "crash-rate monitors cannot use percent", "M8")
        if m.comparison is None:
            yield Finding(
                ("monitors", view.index),
                "Percentage-based alerts require a comparison delta: add comparison: 1h (or 5m, "
                "15m, 1d, 1w, 30d)",
                "M8",
            )
        elif m.comparison not in catalog.COMPARISON_DELTAS:
            choices = ", ".join(format_duration(s) for s in catalog.COMPARISON_DELTAS)
            yield Finding(view.path("comparison"), f"comparison must be one of {choices}", "M8")
    elif m.comparison is not None:
        yield Finding(view.path("comparison"), "comparison needs detection: percent", "M8")

    if m.high is None:
        yield Finding(
            view.path("medium") if m.medium is not None else ("monitors", view.index),
            "a monitor needs a high threshold: Sentry refuses a warning-only (medium) monitor",
            "M5",
        )
    above = m.direction == "above"
    if m.high is not None and m.medium is not None:
        wrong = m.medium >= m.high if above else m.medium <= m.high
        if wrong:
            side = "below" if above else "above"
            yield Finding(
                view.path("medium"),
                f"medium threshold must be {side} the high threshold for direction {m.direction}",
                "M6",
            )
    lowest = m.medium if m.medium is not None else m.high
    if m.resolve is not None and lowest is not None:
        wrong = m.resolve > lowest if above else m.resolve < lowest
        if wrong:
            side = "at or below" if above else "at or above"
            yield Finding(
                view.path("resolve"),
                f"resolve threshold must be {side} the alerting thresholds for direction "
                f"{m.direction}",
                "M7",
            )

    percent_ok = m.detection == "percent" or m.dataset == "metrics"
    for field in ("high", "medium", "resolve"):
        quantity = view.quantity(field)
        if quantity is None:
            continue
        if quantity.unit == "ms" and not m.is_duration:
            yield Finding(
                view.path(field),
                f"a duration does not fit {m.aggregate}, which is not a duration: "
                "give a plain number",
                "M11",
            )
        elif quantity.unit == "%" and not percent_ok:
            yield Finding(
                view.path(field),
                f"a percentage fits only percent detection or crash-rate monitors, not "
                f"{m.aggregate}",
                "M11",
            )
        elif quantity.unit == "" and m.is_duration and 0 < quantity.value < 100:
            yield Finding(
                view.path(field),
                f"{quantity.value:g} means {quantity.value:g} ms on {m.aggregate}; "
                "write a unit (e.g. 3s or 250ms)",
                "M11",
                "warning",
            )
        elif quantity.unit == "" and m.dataset == "metrics" and quantity.value <= 1:
            yield Finding(
                view.path(field),
                "crash-rate thresholds are percentages (e.g. 99.5%), not ratios",
                "M11",
                "warning",
            )


def connectable_names(spec: Spec) -> dict[str, list[str]]:
    """Every name an alert's ``monitors`` may use -> the kinds that carry it (a cron monitor
    answers to its name and to its slug)."""
    kinds: dict[str, list[str]] = {}
    for monitor in spec.monitors:
        kinds.setdefault(monitor.name, []).append("monitor")
    for cron in spec.crons:
        for key in dict.fromkeys((cron.name, cron.monitor_slug)):
            kinds.setdefault(key, []).append("cron monitor")
    for check in spec.uptime:
        kinds.setdefault(check.name, []).append("uptime check")
    return {name: list(dict.fromkeys(found)) for name, found in kinds.items()}


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _linked(spec: Spec) -> set[str]:
    return {name for alert in spec.alerts for name in alert.monitors}


def _field_path(data: Any, base: YamlPath, field: str) -> YamlPath:
    raw = _raw(data, *base)
    return (*base, field) if isinstance(raw, dict) and field in raw else base


def check_crons(spec: Spec, data: Any) -> Iterator[Finding]:
    """Sentry's ConfigValidator and MonitorValidator rules (src/sentry/monitors/validators.py,
    bounds from src/sentry/monitors/constants.py) that the model's field types do not hold."""
    from para_monitor_cli.spec.zones import known_timezones

    zones = known_timezones()
    names: Counter[str] = Counter()
    slugs: Counter[str] = Counter()
    linked = _linked(spec)
    for index, cron in enumerate(spec.crons):
        base: YamlPath = ("crons", index)
        for field in ("checkin_margin", "max_runtime"):
            seconds = getattr(cron, field)
            if seconds is None:
                continue
            minutes, rest = divmod(seconds, 60)
            if rest or not 1 <= minutes <= CRON_MAX_MINUTES:
                yield Finding(
                    _field_path(data, base, field),
                    f"{field} {format_duration(seconds)} is not allowed: Sentry takes whole "
                    f"minutes from 1m to {CRON_MAX_MINUTES} minutes (28d)",
                    "C1",
                )
        if cron.timezone is not None and cron.timezone not in zones:
            yield Finding(
                _field_path(data, base, "timezone"),
                f'"{cron.timezone}" is not a valid choice (a tz database name such as '
                f"Europe/Berlin){_close(cron.timezone, sorted(zones))}",
                "C2",
            )
        slug = cron.monitor_slug
        if cron.slug is not None and (
            len(slug) > SLUG_MAX_LENGTH or not re.match(SLUG_PATTERN, slug)
        ):
            yield Finding(
                _field_path(data, base, "slug"),
                f"slug {slug!r} is not allowed: lower-case letters, digits, - and _, at most "
                f"{SLUG_MAX_LENGTH}, not only digits",
                "C3",
            )
        elif cron.slug is None and not slug:
            yield Finding(
                _field_path(data, base, "name"),
                f"no slug can be made from the name {cron.name!r}: give a slug",
                "C3",
            )
        names[cron.name] += 1
        slugs[slug] += 1
        if names[cron.name] == 2:
            yield Finding(
                _field_path(data, base, "name"), f"duplicate cron monitor name {cron.name!r}", "C4"
            )
        elif slugs[slug] >= 2:
            where = "slug" if cron.slug is not None else "name"
            yield Finding(
                _field_path(data, base, where),
                f'The slug "{slug}" is already in use.',
                "C4",
            )
        if cron.name not in linked and slug not in linked:
            yield Finding(
                _field_path(data, base, "name"),
                f"no alert connects cron monitor {cron.name!r}: a missed or failed run opens an "
                "issue but notifies nobody (add it to an alert's monitors)",
                "C5",
                "warning",
            )


#: Sentry's check intervals (UptimeSubscription.IntervalSeconds) and timeout bounds
#: (UptimeMonitorDataSourceValidator.timeout_ms: 1000 to 60000 ms).
UPTIME_INTERVALS = (60, 300, 600, 1200, 1800, 3600)
UPTIME_TIMEOUT_RANGE = (1, 60)
#: _validate_request_size in src/sentry/uptime/endpoints/validators.py.
UPTIME_MAX_REQUEST_BYTES = 1000


def uptime_request_size(method: str, url: str, headers: Any, body: str | None) -> int:
    """compute_http_request_size: request line, each header line, the body with its CRLF."""
    size = len(f"{method} {url} HTTP/1.1\r\n")
    size += sum(len(k) + len(v.encode("utf-8")) + 2 for k, v in headers)
    if body is not None:
        size += len(body.encode("utf-8")) + 2
    return size


def check_uptime(spec: Spec, data: Any) -> Iterator[Finding]:
    """UptimeMonitorDataSourceValidator's rules (src/sentry/uptime/endpoints/validators.py)."""
    names: Counter[tuple[str | None, str]] = Counter()
    linked = _linked(spec)
    for index, check in enumerate(spec.uptime):
        base: YamlPath = ("uptime", index)
        if check.interval not in UPTIME_INTERVALS:
            allowed = ", ".join(format_duration(x) for x in UPTIME_INTERVALS)
            yield Finding(
                _field_path(data, base, "interval"),
                f"interval {format_duration(check.interval)} is not one of Sentry's choices "
                f"({allowed})",
                "U1",
            )
        low, high = UPTIME_TIMEOUT_RANGE
        if not low <= check.timeout <= high:
            yield Finding(
                _field_path(data, base, "timeout"),
                f"timeout {format_duration(check.timeout)} is not allowed: Sentry waits from "
                f"{low}s to {high}s",
                "U2",
            )
        parts = urlsplit(check.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            yield Finding(
                _field_path(data, base, "url"),
                f"Enter a valid URL: {check.url!r} needs http:// or https:// and a host",
                "U3",
            )
        size = uptime_request_size(check.method, check.url, check.headers, check.body)
        if size > UPTIME_MAX_REQUEST_BYTES:
            yield Finding(
                base,
                f"Request is too large, max size is {UPTIME_MAX_REQUEST_BYTES} bytes "
                f"(this one: {size})",
                "U4",
            )
        ops = assertion_ops(check.expected_status)
        if ops > MAX_ASSERTION_OPS:
            # the uptime checker's compile() (src/assertions/compiled.rs, dec_ops) refuses an
            # assertion of more than max_assertion_ops (16, src/config.rs) operations
            yield Finding(
                _field_path(data, base, "expected_status"),
                f"expected_status {status_text(check.expected_status)} needs {ops} assertion "
                f"operations; Sentry's uptime checker compiles at most {MAX_ASSERTION_OPS} "
                "(Too many assertion operations): use classes or ranges (2xx, 200-204)",
                "U7",
            )
        key = (check.project or spec.project, check.name)
        names[key] += 1
        if names[key] == 2:
            yield Finding(
                _field_path(data, base, "name"), f"duplicate uptime check name {check.name!r}", "U5"
            )
        if check.name not in linked:
            yield Finding(
                _field_path(data, base, "name"),
                f"no alert connects uptime check {check.name!r}: an outage opens an issue but "
                "notifies nobody (add it to an alert's monitors)",
                "U6",
                "warning",
            )


def check_alerts(spec: Spec, data: Any) -> Iterator[Finding]:
    targets = list(spec.targets)
    kinds = connectable_names(spec)
    monitors = list(kinds)
    seen: Counter[str] = Counter()
    for i, alert in enumerate(spec.alerts):
        base: YamlPath = ("alerts", i)
        seen[alert.name] += 1
        if seen[alert.name] == 2:
            yield Finding((*base, "name"), f"duplicate alert name {alert.name!r}", "A6")
        for j, name in enumerate(alert.actions):
            if name not in spec.targets:
                hint = _close(name, targets) or (
                    f" (defined: {', '.join(targets)})" if targets else " (no targets defined)"
                )
                yield Finding((*base, "actions", j), f"undefined target {name!r}{hint}", "A1")
        for j, name in enumerate(alert.monitors):
            if name not in kinds:
                yield Finding(
                    (*base, "monitors", j),
                    f"undefined monitor {name!r}{_close(name, monitors)}",
                    "A2",
                )
            elif len(kinds[name]) > 1:
                yield Finding(
                    (*base, "monitors", j),
                    f"{name!r} names both "
                    + " and ".join(_article(kind) for kind in kinds[name])
                    + ": rename one of them",
                    "A8",
                )
        if not alert.actions:
            raw = _raw(data, "alerts", i)
            where = (*base, "actions") if isinstance(raw, dict) and "actions" in raw else base
            yield Finding(where, "You must add an action for this alert to fire.", "A3")
        if alert.watches_issues and not alert.filters:
            what = "every new, regressed or reappearing issue" if alert.triggers else "every event"
            yield Finding(
                base,
                f"alert {alert.name!r} has no filters: it matches {what}"
                + (" in the environment" if alert.environment else "")
                + " (add a level, events, users or priority filter)",
                "A4",
                "warning",
            )
        minutes, rest = divmod(alert.frequency, 60)
        if rest or minutes not in catalog.FREQUENCY_CHOICES_MINUTES:
            allowed = ", ".join(
                format_duration(x * 60) if x else "0" for x in catalog.FREQUENCY_CHOICES_MINUTES
            )
            raw = _raw(data, "alerts", i)
            where = (*base, "frequency") if isinstance(raw, dict) and "frequency" in raw else base
            yield Finding(
                where,
                f"frequency {format_duration(alert.frequency)} is not allowed: Sentry offers "
                f"{allowed}",
                "A5",
            )
        if alert.monitors and alert.filters and not alert.triggers and alert.projects is None:
            yield Finding(
                (*base, "filters"),
                "filters apply to issue alerts: give triggers (first_seen, regression, "
                "reappeared) or projects to watch issues, or remove the filters",
                "A7",
                "warning",
            )


def check_targets(spec: Spec) -> Iterator[Finding]:
    used = {name for alert in spec.alerts for name in alert.actions}
    for name, target in spec.targets.items():
        if name not in used:
            yield Finding(
                ("targets", name), f"target {name!r} is never used by an alert", "T1", "warning"
            )
        if isinstance(target, SlackTarget) and target.channel_id is None:
            yield Finding(
                ("targets", name, "channel"),
                f"Slack channel {target.channel} has no channel_id: Sentry must look the name up "
                "in Slack when the alert is written (slow for large workspaces, and it fails if "
                "Slack does not answer in time); add channel_id",
                "T2",
                "warning",
            )
        if isinstance(target, SlackTarget) and target.channel_id is not None:
            problem = catalog.slack_id_problem(target.channel, target.channel_id)
            if problem:
                yield Finding(("targets", name, "channel_id"), problem, "T3")


def check_dashboards(spec: Spec) -> Iterator[Finding]:
    titles: Counter[str] = Counter()
    for d, dashboard in enumerate(spec.dashboards):
        base: YamlPath = ("dashboards", d)
        titles[dashboard.title] += 1
        if titles[dashboard.title] == 2:
            yield Finding((*base, "title"), "Dashboard title already taken", "D1")
        widget_titles: Counter[str] = Counter()
        placed: list[tuple[int, Layout]] = []  # earlier widgets with a layout
        for w, widget in enumerate(dashboard.widgets):
            wpath: YamlPath = (*base, "widgets", w)
            widget_titles[widget.title] += 1
            if widget_titles[widget.title] == 2:
                yield Finding(
                    (*wpath, "title"),
                    f"two widgets are titled {widget.title!r} on this dashboard",
                    "D2",
                    "warning",
                )
            layout = widget.layout
            if layout is not None:
                if layout.x + layout.w > catalog.GRID_COLUMNS:
                    yield Finding(
                        (*wpath, "layout"),
                        f"widget overflows the 6-column grid: x {layout.x} + w {layout.w} > 6",
                        "D3",
                    )
                if layout.min_h > layout.h:
                    yield Finding((*wpath, "layout", "min_h"), "min_h must not exceed h", "D3")
                # rectangles compared by their intervals (never cell by cell: h may be large)
                overlap = next((i for i, other in placed if _overlap(layout, other)), None)
                placed.append((w, layout))
                if overlap is not None:
                    other = dashboard.widgets[overlap].title
                    yield Finding(
                        (*wpath, "layout"),
                        f"widget overlaps {other!r} on the grid",
                        "D8",
                        "warning",
                    )
            room = catalog.WIDGET_DESCRIPTION_MAX - catalog.MARKER_ROOM
            if w == 0 and widget.description and len(widget.description.strip()) > room:
                yield Finding(
                    (*wpath, "description"),
                    f"the first widget's description is {len(widget.description.strip())} "
                    f"characters; the limit is {room}: Sentry keeps 255, and para-monitor's "
                    f"ownership marker takes {catalog.MARKER_ROOM} of them",
                    "D9",
                )
            for a, aggregate in enumerate(widget.aggregates):
                problem = catalog.widget_aggregate_problem(widget.dataset, aggregate)
                if problem:
                    yield Finding((*wpath, "aggregates", a), problem, "D4", "warning")
            if not widget.fields and widget.dataset != "issue" and widget.display != "text":
                yield Finding(
                    wpath,
                    "fields are required during creation: give aggregates (and/or columns)",
                    "D5",
                )
            if widget.orderby:
                key = widget.orderby.removeprefix("-")
                if key not in widget.fields:
                    yield Finding(
                        (*wpath, "orderby"),
                        f"orderby {key!r} is not one of the widget's aggregates or columns"
                        + _close(key, list(widget.fields)),
                        "D6",
                        "warning",
                    )
            if widget.limit is not None and widget.limit > 10:
                yield Finding(
                    (*wpath, "limit"),
                    "limit above 10: older Sentry servers refuse it",
                    "D7",
                    "warning",
                )


def _overlap(a: Layout, b: Layout) -> bool:
    """Whether two widgets share a grid cell (columns past the grid's edge do not count)."""
    a_right = min(a.x + a.w, catalog.GRID_COLUMNS)
    b_right = min(b.x + b.w, catalog.GRID_COLUMNS)
    return a.x < b_right and b.x < a_right and a.y < b.y + b.h and b.y < a.y + a.h


def check_scrubbing(spec: Spec) -> Iterator[Finding]:
    sensitive = spec.scrubbing.sensitive_fields
    safe = spec.scrubbing.safe_fields

    def norm(name: str) -> str:
        return name.lower().replace("-", "_")

    sensitive_norm = {norm(n) for n in sensitive}
    for i, name in enumerate(safe):
        if norm(name) in sensitive_norm:
            yield Finding(
                ("scrubbing", "safe_fields", i),
                f"{name!r} is listed as both sensitive and safe",
                "S1",
            )
    for key, names in (("sensitive_fields", sensitive), ("safe_fields", safe)):
        seen: set[str] = set()
        for i, name in enumerate(names):
            if norm(name) in seen:
                yield Finding(("scrubbing", key, i), f"{name!r} is listed twice", "S2", "warning")
            seen.add(norm(name))


CHECKS: tuple[Callable[[Spec, Any], Iterator[Finding]], ...] = (
    check_monitors,
    check_crons,
    check_uptime,
    check_alerts,
    lambda spec, _data: check_targets(spec),
    lambda spec, _data: check_dashboards(spec),
    lambda spec, _data: check_scrubbing(spec),
)


def run_rules(spec: Spec, data: Any) -> list[Finding]:
    """Every finding of every rule, in file order of the sections."""
    return [finding for check in CHECKS for finding in check(spec, data)]
