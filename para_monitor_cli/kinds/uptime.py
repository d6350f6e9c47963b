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

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from para_monitor_cli.api.wire import (
    Directory,
    detector_is_managed,
    detector_rank,
    entry_key,
    marker_key,
    with_marker,
    without_marker,
)
from para_monitor_cli.errors import UsageError
from para_monitor_cli.kinds.base import (
    JSON,
    Context,
    ExportContext,
    Lookup,
    Resource,
    ResourceKind,
    YamlPath,
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


class UptimeKind(ResourceKind):
    name = "uptime check"
    plural = "uptime checks"
    section = "uptime"
    scope = "project"
    order = 0
    check_group = "alerts"

    def lookups(self, spec: Spec | None) -> set[Lookup]:
        if spec is None:
            return {"teams", "members"}
        needs: set[Lookup] = set()
        for check in spec.uptime:
            if check.owner:
                needs.add("teams" if check.owner.startswith("team:") else "members")
        return needs

    def project_refs(self, spec: Spec, fallback: str | None) -> Iterator[tuple[str, YamlPath]]:
        for i, check in enumerate(spec.uptime):
            slug = check.project or fallback
            if slug:
                file_default: YamlPath = ("project",) if spec.project else ("uptime", i)
                yield slug, ("uptime", i, "project") if check.project else file_default

    def file_scope(self, spec: Spec) -> tuple[set[str], bool]:
        return {p for u in spec.uptime if (p := u.project or spec.project)}, False

    def desired(self, ctx: Context) -> list[Resource]:
        spec = ctx.spec
        assert spec is not None
        out: list[Resource] = []
        for check in spec.uptime:
            project = check.project or spec.project or ctx.default_project
            if not project:
                raise UsageError(
                    f"uptime check {check.name!r} has no project: set 'project:' in the file, "
                    "on the uptime check, or pass --project"
                )
            ctx.directory.project_id(project)
            body = uptime_body(check, ctx.directory)
            fields = canonical_uptime(body)
            out.append(
                Resource(
                    kind=self.name,
                    name=check.name,
                    project=project,
                    fields=fields,
                    body=body,
                    managed=True,
                    shown=shown_uptime(fields, ctx.directory),
                    tag=entry_key(self.name, check.name),
                )
            )
        return out

    def read(self, client: SentryClient, org: str) -> list[JSON]:
        found = client.list_all(
            f"organizations/{org}/detectors/", {"project": ["-1"], "query": f"type:{DETECTOR_TYPE}"}
        )
        return [d for d in found if d.get("type") == DETECTOR_TYPE]

    def decode(self, obj: Mapping[str, Any], ctx: Context) -> Resource | None:
        fields = canonical_uptime(obj)
        return Resource(
            kind=self.name,
            name=str(obj.get("name")),
            project=ctx.directory.project_slug(str(obj.get("projectId"))),
            id=str(obj.get("id")),
            fields=fields,
            managed=detector_is_managed(obj),
            shown=shown_uptime(fields, ctx.directory),
            tag=marker_key(obj.get("description")),
        )

    def export(self, obj: Mapping[str, Any], ctx: ExportContext) -> JSON | None:
        return export_uptime(obj, ctx.directory)

    def export_sort_key(self, item: Mapping[str, Any]) -> tuple[str, ...]:
        return (str(item.get("project")), str(item.get("name")))

    def create(self, client: SentryClient, org: str, desired: Resource, body: JSON) -> Any:
        assert desired.project is not None
        return client.create_detector(desired.project, body, org=org)

    def update(self, client: SentryClient, org: str, rid: str, body: JSON) -> Any:
        return client.update_detector(rid, body, org=org)

    def delete(self, client: SentryClient, org: str, rid: str) -> None:
        client.delete_detector(rid, org=org)

    def find(
        self, client: SentryClient, org: str, directory: Directory, desired: Resource
    ) -> Mapping[str, Any] | None:
        pid = directory.project_id(desired.project or "")
        mine = [
            det
            for det in client.detectors([pid], org=org)
            if det.get("type") == DETECTOR_TYPE
            and str(det.get("projectId")) == pid
            and detector_is_managed(det)
            and (
                det.get("name") == desired.name or marker_key(det.get("description")) == desired.tag
            )
        ]
        return min(mine, key=detector_rank) if mine else None

    def remember(self, saved: Any, directory: Directory) -> None:
        if isinstance(saved, Mapping):
            directory.add_detector(saved)


KIND = UptimeKind()
