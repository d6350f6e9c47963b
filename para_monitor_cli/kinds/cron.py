"""Cron monitors: the backend's scheduled jobs, which check in (``crons:``).

Spec link: ``Spec.crons`` (``spec/model.py`` ``CronMonitor``). Identity: the monitor's slug
within its project (``scope = "project"``; Sentry keeps slugs unique in the organization, and
the slug is what jobs check in with). API: ``/organizations/{org}/monitors/`` (list, create) and
``.../monitors/{slug}/`` (update, delete), MonitorValidator in src/sentry/monitors/validators.py.

Ownership: a monitor has no free-text field, but Sentry gives each one a detector of type
``monitor_check_in_failure`` (``ensure_cron_detector``, src/sentry/monitors/utils.py), which does
have a description: the marker with the entry key goes there once the monitor is written. A
monitor the SDK created by a check-in upsert carries no marker: apply adopts it (an update and
the marker), ``--prune`` never deletes it. Alerts link the same detector (``detectorIds``), by
the cron's name within its project (the detector is named after the monitor).

Wire units: ``checkin_margin`` and ``max_runtime`` in minutes (the file's ``15m``); the interval
schedule ``[count, unit]``; every config key is sent (null when the file leaves it out, so the
file stays the whole truth), except the time zone, which Sentry cannot unset (a blank one is
dropped before the merge, ConfigValidator.validate): left out, it is sent as ``UTC``, Sentry's
reading of no time zone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from para_monitor_cli.api.wire import Directory, entry_key, has_marker, marker_key, with_marker
from para_monitor_cli.errors import ApiError, NotFoundError
from para_monitor_cli.kinds.base import (
    JSON,
    Context,
    ExportContext,
    Lookup,
    ProjectKind,
    Resource,
    owner_lookups,
)
from para_monitor_cli.spec.model import CronMonitor, Spec, slugify
from para_monitor_cli.spec.schedule import Schedule
from para_monitor_cli.spec.units import format_duration

if TYPE_CHECKING:
    from para_monitor_cli.api.client import SentryClient

DETECTOR_TYPE = "monitor_check_in_failure"  # MonitorIncidentType.slug (monitors/grouptype.py)
NO_TIMEZONE = "UTC"
CONFIG_KEYS = (
    "schedule_type",
    "schedule",
    "checkin_margin",
    "max_runtime",
    "timezone",
    "failure_issue_threshold",
    "recovery_threshold",
)


def owner_id(owner: str | None, directory: Directory) -> str | None:
    """``team:backend`` / ``user:ana@example.com`` -> Sentry's ``team:<id>`` / ``user:<id>``."""
    if not owner:
        return None
    kind, _, ref = owner.partition(":")
    if kind == "team":
        return f"team:{directory.team_id(ref)}"
    return f"user:{directory.member_id(ref)}"


def owner_text(owner: Any, directory: Directory) -> str | None:
    """An API owner ({type, id, name, email}) in the file's form."""
    if not isinstance(owner, Mapping):
        return None
    kind, ident = owner.get("type"), str(owner.get("id"))
    if kind == "team":
        slug = next((s for s, i in directory.teams.items() if i == ident), owner.get("name"))
        return f"team:{slug}"
    email = owner.get("email") or next(
        (e for e, i in directory.members.items() if i == ident), None
    )
    return f"user:{email}" if email else f"user:{ident}"


def cron_body(cron: CronMonitor, project: str, directory: Directory) -> JSON:
    """The monitor create/update body (MonitorValidator's fields, config in full)."""
    config: JSON = dict.fromkeys(CONFIG_KEYS)
    config.update(cron.wire_config())
    config["timezone"] = cron.timezone or NO_TIMEZONE
    return {
        "project": project,
        "name": cron.name,
        "slug": cron.monitor_slug,
        "status": "active" if cron.enabled else "disabled",
        "owner": owner_id(cron.owner, directory),
        "config": config,
    }


def canonical_cron(monitor: Mapping[str, Any]) -> JSON:
    """A monitor (request body or response) in the comparable form."""
    config = monitor.get("config") or {}
    schedule = config.get("schedule")
    owner = monitor.get("owner")
    if isinstance(owner, Mapping):
        owner = f"{owner.get('type')}:{owner.get('id')}"
    out: JSON = {
        "name": monitor.get("name"),
        "enabled": monitor.get("status", "active") == "active",
        "owner": owner or None,
        "schedule_type": config.get("schedule_type"),
        "schedule": list(schedule) if isinstance(schedule, list | tuple) else schedule,
        "timezone": config.get("timezone") or NO_TIMEZONE,
    }
    for key in CONFIG_KEYS[2:]:
        if key != "timezone":
            out[key] = config.get(key)
    return out


def shown_owner(owner: Any, directory: Directory) -> Any:
    """``team:<id>`` / ``user:<id>`` as the file writes it (``team:backend``)."""
    if not isinstance(owner, str) or ":" not in owner:
        return owner
    kind, _, ident = owner.partition(":")
    table = directory.teams if kind == "team" else directory.members
    name = next((n for n, i in table.items() if i == ident), None)
    return f"{kind}:{name}" if name else owner


def shown_cron(fields: Mapping[str, Any], directory: Directory) -> JSON:
    """The comparable fields in the file's units (``checkin_margin: 15m``, ``every 1 day``)."""
    out: JSON = {}
    for key, value in fields.items():
        if key == "owner":
            out[key] = shown_owner(value, directory)
            continue
        if key in ("checkin_margin", "max_runtime") and isinstance(value, int):
            out[key] = format_duration(value * 60)
        elif key == "schedule" and isinstance(value, list) and len(value) == 2:
            out[key] = Schedule("interval", count=int(value[0]), unit=value[1]).text
        elif key != "schedule_type":
            out[key] = value
    return out


def detector_of(monitor: Mapping[str, Any], detectors: Sequence[Mapping[str, Any]]) -> JSON | None:
    """The monitor_check_in_failure detector whose data source is this monitor."""
    for detector in detectors:
        for source in detector.get("dataSources") or []:
            query = source.get("queryObj") or {}
            if source.get("type") == "cron_monitor" and (
                query.get("id") == monitor.get("id") or query.get("slug") == monitor.get("slug")
            ):
                return dict(detector)
    return None


def cron_detectors(client: SentryClient, org: str) -> list[JSON]:
    return client.list_all(
        f"organizations/{org}/detectors/", {"project": ["-1"], "query": f"type:{DETECTOR_TYPE}"}
    )


def export_cron(monitor: Mapping[str, Any], directory: Directory) -> JSON:
    """A monitor as a ``crons:`` item."""
    config = monitor.get("config") or {}
    name = str(monitor.get("name"))
    out: JSON = {"name": name}
    if monitor.get("slug") != slugify(name):
        out["slug"] = monitor.get("slug")
    project = monitor.get("project") or {}
    if isinstance(project, Mapping) and project.get("slug"):
        out["project"] = project["slug"]
    if monitor.get("status") == "disabled":
        out["enabled"] = False
    schedule = config.get("schedule")
    if config.get("schedule_type") == "interval" and isinstance(schedule, list):
        out["schedule"] = Schedule("interval", count=int(schedule[0]), unit=schedule[1]).text
    else:
        out["schedule"] = schedule
    if config.get("timezone") and config["timezone"] != NO_TIMEZONE:
        out["timezone"] = config["timezone"]
    for key in ("checkin_margin", "max_runtime"):
        if config.get(key):
            out[key] = format_duration(int(config[key]) * 60)
    for key in ("failure_issue_threshold", "recovery_threshold"):
        if config.get(key):
            out[key] = config[key]
    owner = owner_text(monitor.get("owner"), directory)
    if owner:
        out["owner"] = owner
    return out


class CronKind(ProjectKind):
    name = "cron monitor"
    plural = "cron monitors"
    section = "crons"
    order = 0
    check_group = "alerts"

    def entry_name(self, entry: Any) -> str:
        return str(entry.monitor_slug)

    def lookups(self, spec: Spec | None) -> set[Lookup]:
        return owner_lookups(None if spec is None else [cron.owner for cron in spec.crons])

    def encode(self, entry: Any, project: str, ctx: Context) -> JSON:
        return cron_body(entry, project, ctx.directory)

    def canonical(self, obj: Mapping[str, Any]) -> JSON:
        return canonical_cron(obj)

    def show(self, fields: Mapping[str, Any], directory: Directory) -> JSON:
        return shown_cron(fields, directory)

    def read(self, client: SentryClient, org: str) -> list[JSON]:
        return client.cron_monitors(org=org)

    def complete(
        self,
        client: SentryClient,
        org: str,
        listed: Sequence[JSON],
        *,
        wanted: set[str],
        everything: bool,
    ) -> list[JSON]:
        """The monitors with their detector (``_detector``), whose description holds the
        marker: one more list, of the cron detectors only."""
        if not listed:
            return []
        detectors = cron_detectors(client, org)
        out = []
        for monitor in listed:
            item = dict(monitor)
            item["_detector"] = detector_of(monitor, detectors)
            out.append(item)
        return out

    def decode(self, obj: Mapping[str, Any], ctx: Context) -> Resource | None:
        detector = obj.get("_detector") or {}
        project = obj.get("project") or {}
        fields = canonical_cron(obj)
        return Resource(
            kind=self.name,
            name=str(obj.get("slug")),
            project=str(project.get("slug")) if isinstance(project, Mapping) else None,
            id=str(obj.get("slug")),
            fields=fields,
            managed=has_marker(detector.get("description")),
            shown=shown_cron(fields, ctx.directory),
            tag=marker_key(detector.get("description")),
        )

    def export(self, obj: Mapping[str, Any], ctx: ExportContext) -> JSON | None:
        return export_cron(obj, ctx.directory)

    def _mark(self, client: SentryClient, org: str, saved: Mapping[str, Any], tag: str) -> JSON:
        """Put the marker on the monitor's detector; returns the detector (for links)."""
        detector = detector_of(saved, cron_detectors(client, org))
        if detector is None:
            return {}
        if marker_key(detector.get("description")) != tag:
            detector = client.update_detector(
                str(detector["id"]),
                {
                    "name": detector.get("name"),
                    "type": DETECTOR_TYPE,
                    "description": with_marker(detector.get("description"), tag),
                },
                org=org,
            )
        return dict(detector)

    def create(self, client: SentryClient, org: str, desired: Resource, body: JSON) -> Any:
        try:
            saved = client.create_cron_monitor(body, org=org)
        except ApiError as exc:
            # MonitorValidator.validate_slug: another apply (or a job's first check-in) made it
            # between our read and this create; it is the monitor the file names
            if exc.status != 400 or "is already in use" not in str(exc):
                raise
            found = self.find(client, org, Directory(org=org), desired)
            if found is None:
                raise
            return self.update(client, org, str(found.get("slug")), body)
        return {**saved, "detector": self._mark(client, org, saved, desired.tag or "")}

    def update(self, client: SentryClient, org: str, rid: str, body: JSON) -> Any:
        saved = client.update_cron_monitor(rid, body, org=org)
        tag = entry_key(self.name, str(body.get("slug") or rid))
        return {**saved, "detector": self._mark(client, org, saved, tag)}

    def delete(self, client: SentryClient, org: str, rid: str) -> None:
        client.delete_cron_monitor(rid, org=org)

    def find(
        self, client: SentryClient, org: str, directory: Directory, desired: Resource
    ) -> Mapping[str, Any] | None:
        try:
            found = client.cron_monitor(desired.name, org=org)
        except NotFoundError:
            return None
        return {**found, "detector": self._mark(client, org, found, desired.tag or "")}

    def remember(self, saved: Any, directory: Directory) -> None:
        if isinstance(saved, Mapping) and saved.get("detector"):
            directory.add_detector(saved["detector"])


KIND = CronKind()
