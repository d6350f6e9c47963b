"""Monitors: Sentry's metric detectors (``type: metric_issue``).

Spec link: ``Spec.monitors`` (``spec/model.py`` ``Monitor``). Identity: the name within its
project (``scope = "project"``); the ownership marker with the entry key ends the detector's
``description``. Lookups: environments (a monitor's ``environment`` must exist). Sentry's own
detectors (``error``, ``issue_stream``: every project's default issue detectors) are never
managed: alerts link them through ``projects:``, and the directory keeps them for that.

Wire units (sentry-api-reference.md section 3): the window and comparison delta in seconds,
thresholds as conditions whose ``conditionResult`` is the priority they raise
(``catalog.PRIORITY_HIGH`` / ``PRIORITY_MEDIUM`` / ``PRIORITY_RESOLVED``: Sentry's
``DetectorPriorityLevel``, src/sentry/workflow_engine/types.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from para_monitor_cli.api.wire import (
    Directory,
    entry_key,
    marker_key,
    with_marker,
    without_marker,
)
from para_monitor_cli.kinds.base import (
    JSON,
    Context,
    DetectorKind,
    EnvironmentRef,
    ExportContext,
    Lookup,
    num,
    shown_seconds,
)
from para_monitor_cli.spec import catalog
from para_monitor_cli.spec.model import Monitor, Spec
from para_monitor_cli.spec.units import OPERATOR_TEXT, format_duration, format_threshold

if TYPE_CHECKING:
    from para_monitor_cli.api.client import SentryClient


_DIRECTIONS = {v: k for k, v in catalog.THRESHOLD_TYPES.items()}  # thresholdType -> direction
PRIORITY_NAMES = {
    catalog.PRIORITY_HIGH: "high",
    catalog.PRIORITY_MEDIUM: "medium",
    catalog.PRIORITY_RESOLVED: "resolve",
}


def comparison_ops(direction: str) -> tuple[str, str]:
    """(alert operator, resolve operator) for a monitor's direction."""
    return ("lt", "gte") if direction == "below" else ("gt", "lte")


def threshold_condition(op: str, value: Any, result: int) -> JSON:
    """One static threshold condition of a detector's condition group."""
    return {"type": op, "comparison": value, "conditionResult": result}


def monitor_body(monitor: Monitor, spec: Spec, directory: Directory | None = None) -> JSON:
    """The detector create/update body (``type: metric_issue``)."""
    source: JSON = {
        "dataset": monitor.wire_dataset,
        "queryType": monitor.query_type,
        "eventTypes": list(monitor.wire_event_types),
        "aggregate": monitor.aggregate,
        "query": monitor.query,
        "environment": monitor.environment,
        "timeWindow": monitor.window,
    }
    conditions: list[JSON] = []
    if monitor.detection == "dynamic":
        threshold_type = catalog.THRESHOLD_TYPES[monitor.direction]
        conditions.append(
            {
                "type": "anomaly_detection",
                "comparison": {
                    "sensitivity": monitor.sensitivity or "medium",
                    "seasonality": "auto",
                    "thresholdType": threshold_type,
                },
                "conditionResult": catalog.PRIORITY_HIGH,
            }
        )
    else:
        alert_op, resolve_op = comparison_ops(monitor.direction)
        if monitor.high is not None:
            conditions.append(threshold_condition(alert_op, monitor.high, catalog.PRIORITY_HIGH))
        if monitor.medium is not None:
            conditions.append(
                threshold_condition(alert_op, monitor.medium, catalog.PRIORITY_MEDIUM)
            )
        resolve = monitor.resolve_threshold
        if resolve is not None:
            conditions.append(threshold_condition(resolve_op, resolve, catalog.PRIORITY_RESOLVED))
    config: JSON = {"detectionType": monitor.detection}
    if monitor.detection == "percent":
        config["comparisonDelta"] = monitor.comparison
    return {
        "name": monitor.name,
        "type": "metric_issue",
        "description": with_marker(monitor.description, entry_key("monitor", monitor.name)),
        "enabled": monitor.enabled,
        "dataSources": [source],
        "conditionGroup": {"logicType": "any", "conditions": conditions},
        "config": config,
    }


def _source_query(detector: Mapping[str, Any]) -> Mapping[str, Any]:
    sources = detector.get("dataSources") or detector.get("data_sources") or []
    if not sources:
        return {}
    source = sources[0]
    snuba = (source.get("queryObj") or {}).get("snubaQuery")
    return snuba if isinstance(snuba, Mapping) else source


def canonical_detector(detector: Mapping[str, Any]) -> JSON:
    """A metric detector (request body or response) in the comparable form."""
    out: JSON = {}
    if "description" in detector:
        out["description"] = without_marker(detector.get("description"))
    if "enabled" in detector:
        out["enabled"] = bool(detector["enabled"])
    query = _source_query(detector)
    if query:
        dataset = query.get("dataset", "events")
        out["dataset"] = dataset
        out["aggregate"] = query.get("aggregate")
        text = str(query.get("query") or "")
        # A detector Sentry moved to spans itself (translate_detector_and_update_subscription_
        # in_snuba, src/sentry/explore/translation/alerts_translation.py) reads back as
        # "(Q) AND is_transaction:1", or "is_transaction:1" for an empty Q: the same query as
        # the file's "is_transaction:true Q". Its added extrapolationMode is not compared.
        out["query"] = (
            catalog.canonical_span_query(text) if dataset in catalog.SPAN_DATASETS else text
        )
        out["environment"] = query.get("environment") or None
        out["eventTypes"] = sorted(query.get("eventTypes") or query.get("event_types") or [])
        window = query.get("timeWindow", query.get("time_window"))
        out["window"] = int(window) if window is not None else None
    config = detector.get("config")
    if isinstance(config, Mapping):
        out["detection"] = config.get("detectionType") or "static"
        delta = config.get("comparisonDelta")
        out["comparison"] = int(delta) if delta is not None else None
    group = detector.get("conditionGroup") or detector.get("condition_group")
    if isinstance(group, Mapping):
        thresholds: JSON = {}
        for cond in group.get("conditions") or []:
            result = cond.get("conditionResult", cond.get("condition_result"))
            name = PRIORITY_NAMES.get(result, f"priority{result}")
            if cond.get("type") == "anomaly_detection":
                name = "anomaly"
                thresholds[name] = {"op": "anomaly_detection", "value": cond.get("comparison")}
            else:
                thresholds[name] = {"op": cond.get("type"), "value": num(cond.get("comparison"))}
        out["thresholds"] = dict(sorted(thresholds.items()))
    return out


def _threshold_text(value: Any, *, duration: bool, percent: bool) -> Any:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    text = format_threshold(float(value), duration=duration, percent=percent)
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


def export_detector(
    detector: Mapping[str, Any], directory: Directory, problems: list[str] | None = None
) -> JSON:
    """A metric detector as a ``monitors:`` item.

    A transaction-based one (``transactions``, ``generic_metrics``) is written in its span form,
    as Sentry's own migration would (:func:`catalog.span_aggregate`, :func:`catalog.span_query`),
    with a note in ``problems``: Sentry refuses every change to a transaction-based monitor, and
    applying the exported file moves the monitor to spans, which Sentry allows.
    """
    query = _source_query(detector)
    aggregate = str(query.get("aggregate") or "count()")
    for alias, exact in catalog.CRASH_RATE_ALIASES.items():
        if aggregate == exact:
            aggregate = alias
    dataset = str(query.get("dataset") or "events")
    search = str(query.get("query") or "")
    event_types = sorted(query.get("eventTypes") or query.get("event_types") or [])
    if dataset in catalog.TRANSACTION_DATASETS:
        translated = catalog.span_aggregate(aggregate)
        if problems is not None:
            problems.append(
                f"monitor {detector.get('name')!r}: transaction-based ({dataset}, {aggregate}); "
                f"exported on spans ({translated}, {catalog.span_query(search)!r}), as Sentry "
                "refuses changes to transaction-based monitors: applying it moves the monitor "
                "to spans"
            )
        dataset, aggregate, search = "spans", translated, catalog.span_query(search)
        event_types = ["trace_item_span"]
    elif dataset == "events_analytics_platform" and event_types in ([], ["trace_item_span"]):
        dataset, event_types = "spans", ["trace_item_span"]
    if dataset in catalog.SPAN_DATASETS:
        search = catalog.canonical_span_query(search)
    out: JSON = {"name": detector.get("name")}
    project = directory.project_slug(str(detector.get("projectId")))
    out["project"] = project
    description = without_marker(detector.get("description"))
    if description:
        out["description"] = description
    if detector.get("enabled") is False:
        out["enabled"] = False
    out["dataset"] = dataset
    if tuple(event_types) != tuple(sorted(catalog.DEFAULT_EVENT_TYPES.get(dataset, ()))):
        out["event_types"] = event_types
    out["aggregate"] = aggregate
    if search:
        out["query"] = search
    if query.get("environment"):
        out["environment"] = query["environment"]
    out["window"] = format_duration(int(query.get("timeWindow") or 60))
    config = detector.get("config") or {}
    detection = config.get("detectionType") or "static"
    if detection != "static":
        out["detection"] = detection
    if detection == "percent" and config.get("comparisonDelta"):
        out["comparison"] = format_duration(int(config["comparisonDelta"]))
    duration = catalog.is_duration_aggregate(aggregate)
    percent = detection == "percent" or dataset == "metrics"
    group = detector.get("conditionGroup") or {}
    resolve_value: Any = None
    for cond in group.get("conditions") or []:
        result = cond.get("conditionResult")
        if cond.get("type") == "anomaly_detection":
            comparison = cond.get("comparison") or {}
            out["sensitivity"] = comparison.get("sensitivity", "medium")
            out["direction"] = _DIRECTIONS.get(
                int(comparison.get("thresholdType", 2)), "above_and_below"
            )
            continue
        value = _threshold_text(cond.get("comparison"), duration=duration, percent=percent)
        if result in (catalog.PRIORITY_HIGH, catalog.PRIORITY_MEDIUM):
            out["high" if result == catalog.PRIORITY_HIGH else "medium"] = value
            if cond.get("type") in ("lt", "lte"):
                out["direction"] = "below"
        elif result == catalog.PRIORITY_RESOLVED:
            resolve_value = value
    lowest = out.get("medium", out.get("high"))
    if resolve_value is not None and resolve_value != lowest:
        out["resolve"] = resolve_value
    return out


def _aggregate_alias(aggregate: Any) -> Any:
    for alias, exact in catalog.CRASH_RATE_ALIASES.items():
        if aggregate == exact:
            return alias
    return aggregate


def _shown_threshold(condition: Mapping[str, Any], *, duration: bool, percent: bool) -> Any:
    op, value = condition.get("op"), condition.get("value")
    if op == "anomaly_detection":
        comparison = value if isinstance(value, Mapping) else {}
        kind = comparison.get("thresholdType")
        shown: JSON = {"sensitivity": comparison.get("sensitivity")}
        if isinstance(kind, int | float) and not isinstance(kind, bool):
            shown["direction"] = _DIRECTIONS.get(int(kind), kind)
        return shown
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{op} {value}"
    text = format_threshold(float(value), duration=duration, percent=percent)
    return f"{OPERATOR_TEXT.get(str(op), op)} {text}"


def shown_detector(fields: Mapping[str, Any]) -> JSON:
    """A monitor's canonical fields in the file's units (``window: 10m``,
    ``thresholds.high: "> 2s"``, ``thresholds.resolve: "<= 1.5s"``)."""
    aggregate = str(fields.get("aggregate") or "")
    duration = catalog.is_duration_aggregate(aggregate)
    percent = fields.get("detection") == "percent" or fields.get("dataset") == "metrics"
    out: JSON = {}
    span_types = list(fields.get("eventTypes") or []) == ["trace_item_span"]
    for key, value in fields.items():
        if key == "aggregate":
            out[key] = _aggregate_alias(value)
        elif key == "dataset" and value == "events_analytics_platform" and span_types:
            out[key] = "spans"
        elif key == "eventTypes":
            out["event_types"] = value
        elif key in ("window", "comparison"):
            out[key] = shown_seconds(value)
        elif key == "thresholds" and isinstance(value, Mapping):
            out[key] = {
                name: _shown_threshold(cond, duration=duration, percent=percent)
                for name, cond in value.items()
                if isinstance(cond, Mapping)
            }
        else:
            out[key] = value
    return out


def detector_key(detector: Mapping[str, Any]) -> str | None:
    return marker_key(detector.get("description"))


def detector_is_builtin(detector: Mapping[str, Any]) -> bool:
    return detector.get("type") != "metric_issue"


class MonitorKind(DetectorKind):
    name = "monitor"
    plural = "monitors"
    section = "monitors"
    order = 0
    check_group = "alerts"
    # after a create's unknown outcome, only a metric detector is this monitor: a managed
    # uptime check of the same name in the project is another kind's (decode skips it too)
    detector_type = "metric_issue"

    def lookups(self, spec: Spec | None) -> set[Lookup]:
        if spec is not None and any(m.environment for m in spec.monitors):
            return {"environments"}
        return set()

    def environment_refs(self, spec: Spec) -> Iterator[EnvironmentRef]:
        for i, monitor in enumerate(spec.monitors):
            if monitor.environment:
                where = ("monitors", i, "environment")
                yield EnvironmentRef(monitor.environment, where, "Sentry refuses a monitor on it")

    def encode(self, entry: Any, project: str, ctx: Context) -> JSON:
        assert ctx.spec is not None
        return monitor_body(entry, ctx.spec, ctx.directory)

    def canonical(self, obj: Mapping[str, Any]) -> JSON:
        return canonical_detector(obj)

    def show(self, fields: Mapping[str, Any], directory: Directory) -> JSON:
        return shown_detector(fields)

    def is_builtin(self, obj: Mapping[str, Any]) -> bool:
        return detector_is_builtin(obj)

    def read(self, client: SentryClient, org: str) -> list[JSON]:
        # project=-1 (every project the token can access), so this list does not wait for the
        # projects list to turn the file's slugs into ids
        return client.detectors(org=org)

    def into_directory(self, directory: Directory, listed: Iterable[JSON]) -> None:
        for detector in listed:
            directory.add_detector(detector)

    def export(self, obj: Mapping[str, Any], ctx: ExportContext) -> JSON | None:
        if detector_is_builtin(obj):
            return None
        return export_detector(obj, ctx.directory, ctx.problems)


KIND = MonitorKind()
