"""Uptime checks: Sentry requests a URL on an interval and opens an issue when it fails
(``uptime:``).

Spec link: ``Spec.uptime`` (``spec/model.py`` ``UptimeMonitor``). Identity: the name within its
project (``scope = "project"``). Sentry creates uptime monitors as detectors of type
``uptime_domain_failure`` (POST ``/organizations/{org}/projects/{project}/detectors/``, validated
by UptimeDomainCheckFailureValidator in src/sentry/uptime/endpoints/validators.py; the route
Sentry's own UI uses, and the one the public OpenAPI spec covers); the older
``/projects/{org}/{project}/uptime/`` route is experimental and not in the spec. The ownership
marker with the entry key ends the detector's ``description``, as for metric monitors.

Wire: ``dataSources[0]`` = {``url``, ``method``, ``headers`` (a list of [name, value]),
``body``, ``intervalSeconds``, ``timeoutMs``, ``traceSampling``}; ``config`` = {``mode: 1``
(manual), ``environment``, ``downtimeThreshold``, ``recoveryThreshold``}.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from para_monitor_cli.api.wire import (
    Directory,
    entry_key,
    with_marker,
    without_marker,
)
from para_monitor_cli.kinds.base import (
    JSON,
    Context,
    DetectorKind,
    ExportContext,
    Lookup,
    owner_lookups,
    shown_seconds,
)
from para_monitor_cli.kinds.cron import owner_id, owner_text, shown_owner
from para_monitor_cli.spec.model import Spec, UptimeMonitor
from para_monitor_cli.spec.units import format_duration

if TYPE_CHECKING:
    from para_monitor_cli.api.client import SentryClient

DETECTOR_TYPE = "uptime_domain_failure"  # UptimeDomainCheckFailure.slug (uptime/grouptype.py)
MANUAL = 1  # UptimeMonitorMode.MANUAL


def uptime_body(check: UptimeMonitor, directory: Directory) -> JSON:
    """The detector create/update body (``type: uptime_domain_failure``)."""
    return {
        "name": check.name,
        "type": DETECTOR_TYPE,
        "description": with_marker(None, entry_key(UptimeKind.name, check.name)),
        "enabled": check.enabled,
        "owner": owner_id(check.owner, directory),
        "dataSources": [
            {
                "url": check.url,
                "method": check.method,
                "headers": [list(pair) for pair in check.headers],
                "body": check.body,
                "intervalSeconds": check.interval,
                "timeoutMs": check.timeout * 1000,
                "traceSampling": check.trace_sampling,
            }
        ],
        "config": {
            "mode": MANUAL,
            "environment": check.environment,
            "downtimeThreshold": check.downtime_threshold,
            "recoveryThreshold": check.recovery_threshold,
        },
    }


def canonical_uptime(detector: Mapping[str, Any]) -> JSON:
    """An uptime detector (request body or response) in the comparable form."""
    sources = detector.get("dataSources") or [{}]
    query = sources[0].get("queryObj") or sources[0]
    config = detector.get("config") or {}
    owner = detector.get("owner")
    if isinstance(owner, Mapping):
        owner = f"{owner.get('type')}:{owner.get('id')}"
    headers = query.get("headers") or []
    return {
        "description": without_marker(detector.get("description")),
        "enabled": bool(detector.get("enabled", True)),
        "owner": owner or None,
        "url": query.get("url"),
        "method": query.get("method") or "GET",
        "headers": [[str(k).lower(), v] for k, v, *_ in headers],
        "body": query.get("body") or None,
        "interval": query.get("intervalSeconds"),
        "timeoutMs": query.get("timeoutMs"),
        "traceSampling": bool(query.get("traceSampling")),
        "environment": config.get("environment") or None,
        "downtimeThreshold": config.get("downtimeThreshold"),
        "recoveryThreshold": config.get("recoveryThreshold"),
    }


_SHOWN_NAMES = {
    "traceSampling": "trace_sampling",
    "downtimeThreshold": "downtime_threshold",
    "recoveryThreshold": "recovery_threshold",
}


def shown_uptime(fields: Mapping[str, Any], directory: Directory) -> JSON:
    """The comparable fields as the file writes them (``interval: 1m``, ``timeout: 10s``)."""
    out: JSON = {}
    for key, value in fields.items():
        if key == "interval":
            out[key] = shown_seconds(value)
        elif key == "timeoutMs" and isinstance(value, int) and value % 1000 == 0:
            out["timeout"] = format_duration(value // 1000)
        elif key == "owner":
            out[key] = shown_owner(value, directory)
        else:
            out[_SHOWN_NAMES.get(key, key)] = value
    return out


def export_uptime(detector: Mapping[str, Any], directory: Directory) -> JSON:
    """An uptime detector as an ``uptime:`` item."""
    fields = canonical_uptime(detector)
    out: JSON = {"name": detector.get("name")}
    out["project"] = directory.project_slug(str(detector.get("projectId")))
    if fields["enabled"] is False:
        out["enabled"] = False
    out["url"] = fields["url"]
    if fields["method"] != "GET":
        out["method"] = fields["method"]
    if fields["headers"]:
        out["headers"] = {k: v for k, v in fields["headers"]}
    if fields["body"]:
        out["body"] = fields["body"]
    out["interval"] = format_duration(int(fields["interval"] or 60))
    timeout_ms = int(fields["timeoutMs"] or 5000)
    out["timeout"] = format_duration(max(timeout_ms // 1000, 1))
    if fields["downtimeThreshold"] not in (None, 3):
        out["downtime_threshold"] = fields["downtimeThreshold"]
    if fields["recoveryThreshold"] not in (None, 1):
        out["recovery_threshold"] = fields["recoveryThreshold"]
    if fields["traceSampling"]:
        out["trace_sampling"] = True
    if fields["environment"]:
        out["environment"] = fields["environment"]
    owner = owner_text(detector.get("owner"), directory)
    if owner:
        out["owner"] = owner
    return out


class UptimeKind(DetectorKind):
    name = "uptime check"
    plural = "uptime checks"
    section = "uptime"
    order = 0
    check_group = "alerts"
    detector_type = DETECTOR_TYPE

    def lookups(self, spec: Spec | None) -> set[Lookup]:
        return owner_lookups(None if spec is None else [check.owner for check in spec.uptime])

    def encode(self, entry: Any, project: str, ctx: Context) -> JSON:
        return uptime_body(entry, ctx.directory)

    def canonical(self, obj: Mapping[str, Any]) -> JSON:
        return canonical_uptime(obj)

    def show(self, fields: Mapping[str, Any], directory: Directory) -> JSON:
        return shown_uptime(fields, directory)

    def read(self, client: SentryClient, org: str) -> list[JSON]:
        found = client.list_all(
            f"organizations/{org}/detectors/", {"project": ["-1"], "query": f"type:{DETECTOR_TYPE}"}
        )
        return [d for d in found if d.get("type") == DETECTOR_TYPE]

    def export(self, obj: Mapping[str, Any], ctx: ExportContext) -> JSON | None:
        return export_uptime(obj, ctx.directory)


KIND = UptimeKind()
