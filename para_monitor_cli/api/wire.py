"""The shared Sentry wire facts of the client: integrations, the directory, ownership markers.

What each resource kind sends and reads (bodies, canonical forms, export, shown views) lives in
that kind's module (``para_monitor_cli/kinds/``, see docs/architecture.md); this module holds
what several kinds and the checks share, one place each:

* **integrations**: :func:`read_integration`, the one reader of an integration's provider, name,
  status and PagerDuty services, with Sentry's "active on both levels" rule (:data:`ACTIVE`):
  the alert's wiring, plan's pre-flight and check-setup all use it;
* **the directory**: :class:`Directory`, names in the file -> Sentry ids (and back), read once per
  run from list endpoints (:func:`directory_from_lists`) -- a missing name is a
  :class:`~para_monitor_cli.errors.UsageError` that says what exists;
* **markers**: our ownership marker and the entry key it carries.

Ownership marker (for ``--prune``): monitors carry :data:`MARKER` as the last paragraph of their
``description``; dashboards carry :data:`MARKER` at the end of their first widget's
``description`` (Sentry's dashboards have no description of their own). The marker we write
holds a stable key per spec entry, ``[managed by para-monitor key=<12 hex>]`` (:func:`entry_key`:
a hash of the kind and the name), so an entry's resource is known as ours and as that entry's
even after a lost response or a rename made in Sentry's UI; the bare marker of older versions
still reads as ours. Alerts (workflows) have
no free-text field at all (``WorkflowSerializer.serialize`` in Sentry's
``src/sentry/workflow_engine/endpoints/serializers/workflow_serializer.py`` returns id, name,
organizationId, createdBy, dates, triggers, actionFilters, environment, config, detectorIds,
enabled, lastTriggered; ``WorkflowValidator`` takes name, enabled, config, triggers,
actionFilters, environment), and their ``config`` is closed (``Workflow.config_schema``:
``{"frequency"}`` only, ``additionalProperties: false``), so an alert's identity is its name
and it is ours when its
``createdBy`` is the user id of the API identity we act as (``GET /api/0/`` ``user.id``): Sentry
sets it from the token on create and never changes it (``kinds/alert.py``). That is why
``--prune`` should run with a dedicated internal-integration token: with a person's token,
alerts that person made by hand count as ours.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from para_monitor_cli.errors import UsageError

JSON = dict[str, Any]

MARKER = "[managed by para-monitor]"
DEFAULT_ISSUE_DETECTOR_TYPES = ("error", "issue_stream")


# =========================================================================== integrations
#: The status an integration must have, on both of its levels, for Sentry to take an action
#: that uses it: ``_get_integrations`` (src/sentry/notifications/notification_action/types.py)
#: builds the action form's choices from ``integration_service.get_integrations(status=ACTIVE,
#: org_integration_status=ACTIVE)``, so an action on a disabled integration is refused.
ACTIVE = "active"


@dataclass(frozen=True)
class Integration:
    """One installed integration, as ``GET organizations/{org}/integrations/`` lists it.

    ``status`` is the first of the integration's own ``status`` and the organization's
    ``organizationIntegrationStatus`` that is not ``active`` (``active`` when both are;
    Sentry's ``OrganizationIntegrationSerializer`` writes both). ``services``: a PagerDuty
    integration's services (``configData.service_table``), name -> id.
    """

    id: str
    provider: str
    name: str
    status: str = ACTIVE
    services: Mapping[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


def read_integration(item: Mapping[str, Any]) -> Integration:
    """The one reader of an integration's provider, name, status and services: the client's
    wiring and ``check-setup`` both use it, so both apply the same rule."""
    provider = str((item.get("provider") or {}).get("key") or "")
    status = ACTIVE
    for key in ("status", "organizationIntegrationStatus"):
        value = item.get(key)
        if value is not None and str(value).lower() != ACTIVE:
            status = str(value).lower()
            break
    services: dict[str, str] = {}
    config = item.get("configData") or {}
    if provider == "pagerduty" and isinstance(config, Mapping):
        for service in config.get("service_table") or []:
            if isinstance(service, Mapping) and service.get("service") is not None:
                services[str(service.get("service"))] = str(service.get("id"))
    return Integration(
        id=str(item.get("id")),
        provider=provider,
        name=str(item.get("name")),
        status=status,
        services=services,
    )


# =========================================================================== directory
@dataclass
class Directory:
    """Names in the file -> Sentry ids (and back), read once per run from list endpoints."""

    org: str
    projects: dict[str, str] = field(default_factory=dict)  # slug -> id
    teams: dict[str, str] = field(default_factory=dict)  # slug -> id
    members: dict[str, str] = field(default_factory=dict)  # email (lower) -> user id
    integrations: dict[tuple[str, str], str] = field(default_factory=dict)  # (provider, name)
    integration_records: dict[str, Integration] = field(default_factory=dict)  # id -> record
    pagerduty_services: dict[tuple[str, str], str] = field(default_factory=dict)  # (iid, name)
    environments: dict[str, str] = field(default_factory=dict)  # name -> id
    detectors: dict[tuple[str, str], str] = field(default_factory=dict)  # (project id, name)
    default_detectors: dict[str, list[str]] = field(default_factory=dict)  # project id -> ids
    detector_keys: dict[str, str] = field(default_factory=dict)  # detector id -> link key
    detector_projects: dict[str, str] = field(default_factory=dict)  # detector id -> project id
    # detector id -> detector_rank (of same-named detectors, links go to the lowest)
    detector_ranks: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    # ---------------------------------------------------------------- lookups
    def project_id(self, slug: str) -> str:
        return _need(self.projects, slug, "project", slug)

    def team_id(self, slug: str) -> str:
        return _need(self.teams, slug, "team", slug)

    def member_id(self, email: str) -> str:
        return _need(self.members, email.lower(), "member", email)

    def integration_id(self, provider: str, name: str) -> str:
        """The id of an *active* integration (see :data:`ACTIVE`)."""
        options = {n for (p, n) in self.integrations if p == provider}
        if (provider, name) not in self.integrations:
            raise UsageError(
                f"no {provider} integration named {name!r} in organization {self.org}"
                + (f" (there is: {', '.join(sorted(options))})" if options else ""),
                hint=f"install the {provider} integration in Sentry or fix the target",
            )
        iid = self.integrations[(provider, name)]
        record = self.integration_records.get(iid)
        if record is not None and not record.active:
            raise UsageError(
                f"the {provider} integration {name!r} is {record.status}, not active: Sentry "
                "refuses actions on it",
                hint="re-enable it in Sentry (Settings > Integrations) or fix the target",
            )
        return iid

    def environment_id(self, name: str) -> str:
        """The id of an environment of the organization (by its exact name)."""
        if name not in self.environments:
            known = sorted(self.environments)
            raise UsageError(
                f"environment {name!r} is not part of organization {self.org}"
                + (f" (there is: {', '.join(known)})" if known else " (it has none yet)"),
                hint=ENVIRONMENT_REMEDY.format(name=name),
            )
        return self.environments[name]

    def pagerduty_service_id(self, integration_id: str, service: str) -> str:
        key = (integration_id, service)
        if key not in self.pagerduty_services:
            options = sorted(n for (i, n) in self.pagerduty_services if i == integration_id)
            raise UsageError(
                f"no PagerDuty service named {service!r} in integration {integration_id}"
                + (f" (there is: {', '.join(options)})" if options else "")
            )
        return self.pagerduty_services[key]

    def link_key(self, detector_id: str) -> str:
        return self.detector_keys.get(str(detector_id), f"#{detector_id}")

    def project_slug(self, project_id: str) -> str:
        for slug, pid in self.projects.items():
            if pid == str(project_id):
                return slug
        return str(project_id)

    def add_detector(self, detector: Mapping[str, Any]) -> None:
        """Remember a detector (listed, or just created) for links and export."""
        did = str(detector.get("id"))
        pid = str(detector.get("projectId"))
        kind = str(detector.get("type") or "")
        slug = self.project_slug(pid)
        self.detector_projects[did] = pid
        if kind in DEFAULT_ISSUE_DETECTOR_TYPES:
            defaults = self.default_detectors.setdefault(pid, [])
            if did not in defaults:
                defaults.append(did)
            self.detector_keys[did] = f"{slug}/@{kind}"
        else:
            name = str(detector.get("name") or "")
            rank = detector_rank(detector)
            self.detector_ranks[did] = rank
            held = self.detectors.get((pid, name))
            if held is not None and held != did and self.detector_ranks.get(held, rank) < rank:
                # a duplicate of the one links go to (the planner deletes it when it is ours):
                # an alert linked to it is not linked to the monitor the file names
                self.detector_keys[did] = f"{slug}/{name} (duplicate id {did})"
                return
            if held is not None and held != did:
                self.detector_keys[held] = f"{slug}/{name} (duplicate id {held})"
            self.detectors[(pid, name)] = did
            self.detector_keys[did] = f"{slug}/{name}"


#: How a missing environment comes to exist: Sentry creates an organization's Environment when
#: the first event carrying it is saved (``Environment.get_or_create`` in event ingestion).
ENVIRONMENT_REMEDY = (
    "it appears once an event with it arrives, e.g. `para-monitor test-event` with "
    "ENVIRONMENT={name}"
)


def _need(table: Mapping[str, str], key: str, what: str, shown: str) -> str:
    if key in table:
        return table[key]
    known = sorted(table)
    listing = f" (there is: {', '.join(known[:10])}{', ...' if len(known) > 10 else ''})"
    raise UsageError(f"no {what} named {shown!r} in Sentry" + (listing if known else ""))


def directory_from_lists(
    org: str,
    *,
    projects: Iterable[Mapping[str, Any]] = (),
    teams: Iterable[Mapping[str, Any]] = (),
    members: Iterable[Mapping[str, Any]] = (),
    integrations: Iterable[Mapping[str, Any]] = (),
    detectors: Iterable[Mapping[str, Any]] = (),
    environments: Iterable[Mapping[str, Any]] = (),
) -> Directory:
    """Build a :class:`Directory` from the JSON of Sentry's list endpoints."""
    d = Directory(org=org)
    for p in projects:
        d.projects[str(p["slug"])] = str(p["id"])
    for t in teams:
        d.teams[str(t["slug"])] = str(t["id"])
    for m in members:
        user = m.get("user") or {}
        email = str(m.get("email") or user.get("email") or "").lower()
        if email and user.get("id") is not None:
            d.members[email] = str(user["id"])
    for i in integrations:
        record = read_integration(i)
        d.integrations[(record.provider, record.name)] = record.id
        d.integration_records[record.id] = record
        for service, sid in record.services.items():
            d.pagerduty_services[(record.id, service)] = sid
    for det in detectors:
        d.add_detector(det)
    for env in environments:  # GET organizations/{org}/environments/: [{"id", "name"}]
        if env.get("name"):
            d.environments[str(env["name"])] = str(env.get("id"))
    return d


# =========================================================================== markers
# The marker at the end of a description: bare (older versions) or with the entry's key.
_MARKER_RE = re.compile(r"\[managed by para-monitor(?: key=(?P<key>[0-9a-f]{1,64}))?\]\s*\Z")


def entry_key(kind: str, name: str) -> str:
    """The stable key of one spec entry: 12 hex digits of SHA-256 over its kind and name.

    It survives a lost response (the resource carries it from its creation) and a rename in
    Sentry's UI; a monitor's key is looked up within its project only."""
    return hashlib.sha256(f"{kind}\0{name}".encode()).hexdigest()[:12]


def marker(key: str | None = None) -> str:
    return f"[managed by para-monitor key={key}]" if key else MARKER


def with_marker(description: str | None, key: str | None = None) -> str:
    text = without_marker(description)
    return f"{text}\n\n{marker(key)}" if text else marker(key)


def without_marker(description: str | None) -> str:
    text = (description or "").strip()
    found = _MARKER_RE.search(text)
    if found is not None:
        text = text[: found.start()].rstrip()
    return text


def has_marker(description: object) -> bool:
    return isinstance(description, str) and _MARKER_RE.search(description.strip()) is not None


def marker_key(description: object) -> str | None:
    """The entry key in a description's marker (None when unmarked or marked without a key)."""
    if not isinstance(description, str):
        return None
    found = _MARKER_RE.search(description.strip())
    return found["key"] if found is not None else None


def detector_rank(detector: Mapping[str, Any]) -> tuple[int, int, str]:
    """Which of several same-named detectors is *the* one (the planner keeps it, links go to
    it): ours first, then the oldest. Sentry's ids grow with creation (a bigint primary key),
    so the lowest id is the oldest."""
    return resource_rank(str(detector.get("id", "")), detector_is_managed(detector))


def resource_rank(rid: str, managed: bool) -> tuple[int, int, str]:
    return (0 if managed else 1, int(rid) if rid.isdigit() else 1 << 62, rid)


def detector_is_managed(detector: Mapping[str, Any]) -> bool:
    return has_marker(detector.get("description"))


__all__ = [
    "ACTIVE",
    "DEFAULT_ISSUE_DETECTOR_TYPES",
    "ENVIRONMENT_REMEDY",
    "MARKER",
    "Directory",
    "Integration",
    "detector_is_managed",
    "detector_rank",
    "directory_from_lists",
    "entry_key",
    "has_marker",
    "marker_key",
    "read_integration",
    "resource_rank",
    "with_marker",
    "without_marker",
]
