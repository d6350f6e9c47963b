"""The one place that knows Sentry's JSON for monitors, alerts and dashboards.

Three jobs, both directions (sentry-api-reference.md sections 3-6):

* **to the wire**: ``monitor_body`` / ``alert_body`` / ``dashboard_body`` turn spec models into
  request bodies, resolving names (projects, teams, members, active integrations, PagerDuty
  services, monitors) through a :class:`Directory` — a missing name is a
  :class:`~para_monitor_cli.errors.UsageError` that says what exists (plan's pre-flight,
  ``reconcile/preflight.py``, reports them all first, at their file lines). Slack channels are
  not resolved: Sentry's API lists none, so a target's ``channel_id`` (or nothing) is sent;
* **canonical forms**: ``canonical_detector`` / ``canonical_workflow`` / ``canonical_dashboard``
  accept either what we send or what Sentry returns and produce one comparable shape (ids,
  labels, ``#`` on Slack channels, condition order, server defaults and our ownership marker
  removed), so re-reading what was written compares equal;
* **from the wire**: ``export_*`` turn Sentry JSON (new and legacy alert APIs) back into the
  file's form (human units, named targets).

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
sets it from the token on create and never changes it. That is why ``--prune`` should run with a
dedicated internal-integration token: with a person's token, alerts that person made by hand
count as ours.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from para_monitor_cli.errors import UsageError
from para_monitor_cli.spec import catalog
from para_monitor_cli.spec.model import (
    Alert,
    AlertFilter,
    Dashboard,
    EmailTarget,
    Monitor,
    PagerDutyTarget,
    SlackTarget,
    Spec,
    Widget,
)
from para_monitor_cli.spec.units import (
    OPERATOR_TEXT,
    format_duration,
    format_number,
    format_threshold,
)

JSON = dict[str, Any]

MARKER = "[managed by para-monitor]"
# ``config.managedBy`` was our alert marker before real Sentry was found to refuse it; alerts that
# a sandbox kept with it are still recognised (nothing writes it any more).
LEGACY_MANAGED_BY = "para-monitor"
DEFAULT_ISSUE_DETECTOR_TYPES = ("error", "issue_stream")
PRIORITY_NAMES = {
    catalog.PRIORITY_HIGH: "high",
    catalog.PRIORITY_MEDIUM: "medium",
    catalog.PRIORITY_RESOLVED: "resolve",
}
# Reverse views of the catalog's tables, for export (the catalog is the one source).
_ISSUE_PRIORITY_NAMES = {v: k for k, v in catalog.ISSUE_PRIORITIES.items()}
_CATEGORY_NAMES = {v: k for k, v in catalog.ISSUE_CATEGORIES.items()}
_TRIGGER_NAMES = {v: k for k, v in catalog.TRIGGER_TYPES.items()}
_INTERVAL_NAMES = {v: k for k, v in catalog.FREQUENCY_INTERVALS.items()}
_LEVEL_NAMES = {v: k for k, v in catalog.LEVELS.items()}


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


def detector_key(detector: Mapping[str, Any]) -> str | None:
    return marker_key(detector.get("description"))


def dashboard_key(dashboard: Mapping[str, Any]) -> str | None:
    widgets = dashboard.get("widgets") or []
    return marker_key(widgets[0].get("description")) if widgets else None


def detector_rank(detector: Mapping[str, Any]) -> tuple[int, int, str]:
    """Which of several same-named detectors is *the* one (the planner keeps it, links go to
    it): ours first, then the oldest. Sentry's ids grow with creation (a bigint primary key),
    so the lowest id is the oldest."""
    return resource_rank(str(detector.get("id", "")), detector_is_managed(detector))


def resource_rank(rid: str, managed: bool) -> tuple[int, int, str]:
    return (0 if managed else 1, int(rid) if rid.isdigit() else 1 << 62, rid)


def detector_is_managed(detector: Mapping[str, Any]) -> bool:
    return has_marker(detector.get("description"))


def detector_is_builtin(detector: Mapping[str, Any]) -> bool:
    return detector.get("type") != "metric_issue"


def workflow_is_managed(workflow: Mapping[str, Any], identity: str | None) -> bool:
    """Ours when created by ``identity`` (the user id our token acts as), or legacy-marked."""
    created_by = workflow.get("createdBy")
    if identity is not None and created_by is not None and str(created_by) == identity:
        return True
    config = workflow.get("config")
    return isinstance(config, Mapping) and config.get("managedBy") == LEGACY_MANAGED_BY


def dashboard_is_builtin(dashboard: Mapping[str, Any]) -> bool:
    did = str(dashboard.get("id", ""))
    return not did.isdigit() or bool(dashboard.get("prebuiltId"))


def dashboard_is_managed(dashboard: Mapping[str, Any]) -> bool:
    widgets = dashboard.get("widgets") or []
    return bool(widgets) and has_marker(widgets[0].get("description"))


# =========================================================================== project scope
def workflow_projects(workflow: Mapping[str, Any], directory: Directory) -> frozenset[str]:
    """Slugs of the projects a workflow is linked to, through its ``detectorIds``.

    Empty when it is linked to nothing (organization-wide). A detector the directory does not
    know (not listed for this token) counts as a project of its own that no file names, so such
    an alert is never taken to lie within a file's scope.
    """
    projects: set[str] = set()
    for did in workflow.get("detectorIds") or []:
        pid = directory.detector_projects.get(str(did))
        projects.add(directory.project_slug(pid) if pid else f"(project of detector {did})")
    return frozenset(projects)


def dashboard_projects(dashboard: Mapping[str, Any], directory: Directory) -> frozenset[str]:
    """Slugs of a dashboard's ``projects`` filter; empty for all projects (``[]`` or ``-1``)."""
    ids = [str(p) for p in dashboard.get("projects") or []]
    if not ids or "-1" in ids:
        return frozenset()
    return frozenset(directory.project_slug(p) for p in ids)


# =========================================================================== to the wire
def _comparison_ops(direction: str) -> tuple[str, str]:
    """(alert operator, resolve operator) for a monitor's direction."""
    return ("lt", "gte") if direction == "below" else ("gt", "lte")


def _condition(op: str, value: Any, result: int) -> JSON:
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
        threshold_type = {"above": 0, "below": 1}.get(monitor.direction, 2)
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
        alert_op, resolve_op = _comparison_ops(monitor.direction)
        if monitor.high is not None:
            conditions.append(_condition(alert_op, monitor.high, catalog.PRIORITY_HIGH))
        if monitor.medium is not None:
            conditions.append(_condition(alert_op, monitor.medium, catalog.PRIORITY_MEDIUM))
        resolve = monitor.resolve_threshold
        if resolve is not None:
            conditions.append(_condition(resolve_op, resolve, catalog.PRIORITY_RESOLVED))
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


def _filter_condition(item: AlertFilter) -> JSON:
    kind = item.kind
    if kind == "level" and item.level is not None:
        comparison: Any = {"level": item.level.value, "match": item.level.match}
        ctype = "level"
    elif kind in ("events", "users"):
        freq = item.events if kind == "events" else item.users
        assert freq is not None
        ctype = "event_frequency_count" if kind == "events" else "event_unique_user_frequency_count"
        comparison = {"value": freq.value, "interval": catalog.FREQUENCY_INTERVALS[freq.interval]}
    elif kind == "priority" and item.priority is not None:
        ctype = "issue_priority_greater_or_equal"
        comparison = catalog.ISSUE_PRIORITIES[item.priority]
    elif kind == "occurrences":
        ctype, comparison = "issue_occurrences", {"value": item.occurrences}
    elif kind == "category" and item.category is not None:
        ctype, comparison = "issue_category", {"value": catalog.ISSUE_CATEGORIES[item.category]}
    elif kind == "tag" and item.tag is not None:
        ctype = "tagged_event"
        comparison = {"key": item.tag.key, "match": item.tag.match}
        # TaggedEventConditionHandler.comparison_json_schema (workflow_engine/handlers/condition/
        # tagged_event_handler.py) is a oneOf: "is set" / "not set" take no value at all
        if item.tag.match not in ("is", "ns"):
            comparison["value"] = item.tag.value
    else:  # pragma: no cover - the model guarantees one known key
        raise UsageError(f"unknown alert filter {kind!r}")
    return {"type": ctype, "comparison": comparison, "conditionResult": True}


def target_action(name: str, spec: Spec, directory: Directory) -> JSON:
    """One workflow action for the target named ``name`` in ``targets:``."""
    target = spec.target(name)
    if target is None:
        raise UsageError(f"alert action {name!r} names no target under targets:")
    if isinstance(target, EmailTarget):
        if target.team is not None:
            config = {"targetType": "team", "targetIdentifier": directory.team_id(target.team)}
        else:
            assert target.member is not None
            config = {
                "targetType": "user",
                "targetIdentifier": directory.member_id(target.member),
            }
        return {"type": "email", "integrationId": None, "config": config, "data": {}}
    if isinstance(target, SlackTarget):
        iid = directory.integration_id("slack", target.workspace)
        # targetIdentifier is checked against Slack as an id; the name goes in targetDisplay
        # only. Empty, Sentry looks the name up in Slack (SlackActionValidatorHandler ->
        # SlackNotifyServiceForm.clean: no channel_id -> channel_transformer(name)); the
        # workflow endpoint's own example sends "targetIdentifier": "" this way.
        return {
            "type": "slack",
            "integrationId": iid,
            "config": {
                "targetType": "specific",
                "targetIdentifier": target.channel_id or "",
                "targetDisplay": target.channel,
            },
            "data": {},
        }
    assert isinstance(target, PagerDutyTarget)
    iid = directory.integration_id("pagerduty", target.integration)
    service_id = directory.pagerduty_service_id(iid, target.service)
    return {
        "type": "pagerduty",
        "integrationId": iid,
        "config": {
            "targetType": "specific",
            "targetIdentifier": service_id,
            "targetDisplay": target.service,
        },
        "data": {"priority": target.severity},
    }


def alert_links(alert: Alert, spec: Spec, directory: Directory) -> list[str]:
    """Link keys (``project/name`` or ``project/@error``) of the detectors an alert watches."""
    keys: list[str] = []
    for name in alert.monitors:
        monitor = spec.monitor(name)
        if monitor is None:
            raise UsageError(f"alert {alert.name!r} links monitor {name!r}, not in monitors:")
        project = spec.monitor_project(monitor)
        keys.append(f"{project}/{name}")
    for project in spec.alert_projects(alert):
        directory.project_id(project)  # a clear error when the project does not exist
        keys.extend(f"{project}/@{kind}" for kind in DEFAULT_ISSUE_DETECTOR_TYPES)
    return sorted(set(keys))


def alert_body(alert: Alert, spec: Spec, directory: Directory) -> JSON:
    """The workflow body, without ``detectorIds`` (the applier adds them from the links).

    The environment is sent as ``environment``: its name, or null for every environment.
    How it reaches the server, in Sentry's source (src/sentry/workflow_engine/endpoints/
    validators/base/workflow.py, ``WorkflowValidator``):

    * the current validator, from which Sentry's official OpenAPI spec is generated
      (sentry-api-schema ``openapi-derefed.json``, 2026-08-16: the workflow create/update body),
      declares ``environment``: a nullable string, "The name of the environment for the alert
      to evaluate in", beside ``detector_ids`` and ``owner``, and no ``environment_id``; the
      name is looked up among the organization's environments (``EnvironmentField``,
      src/sentry/api/serializers/rest_framework/environment.py: "Environment is not part of
      this organization"), so it must exist (plan's pre-flight checks it);
    * the older validator in the searchable source index declared only
      ``environment_id = serializers.IntegerField(required=False, help_text="The name of the
      environment ...")  # TODO fix this, we pass the name, not the ID``, stored as
      ``Workflow.environment_id`` in ``create``; a serializer drops keys it does not declare,
      so an id-only body filters nothing on the current one (and a name-only body nothing on
      that older one). The current one is what sentry.io runs and what the spec documents.

    ``WorkflowSerializer`` (src/sentry/workflow_engine/endpoints/serializers/
    workflow_serializer.py) answers ``"environment": obj.environment.name if obj.environment
    else None``: the name, which :func:`canonical_workflow` compares.
    """
    trigger_conditions = [
        {"type": catalog.TRIGGER_TYPES[t], "comparison": True, "conditionResult": True}
        for t in alert.triggers
    ]
    group: JSON = {
        "logicType": alert.filter_match,
        "conditions": [_filter_condition(f) for f in alert.filters],
        "actions": [target_action(n, spec, directory) for n in alert.actions],
    }
    return {
        "name": alert.name,
        "enabled": alert.enabled,
        "environment": alert.environment,
        "config": {"frequency": alert.frequency_minutes},
        "triggers": {"logicType": "any-short", "conditions": trigger_conditions, "actions": []},
        "actionFilters": [group],
    }


def widget_body(widget: Widget, *, first: bool = False, key: str | None = None) -> JSON:
    """A widget; the ``first`` one carries the dashboard's ownership marker (with ``key``)."""
    description = with_marker(widget.description, key) if first else widget.description
    body: JSON = {
        "title": widget.title,
        "description": description,
        "displayType": widget.display,
        "widgetType": widget.dataset,
        "interval": widget.interval or "5m",
        "queries": [
            {
                "name": "",
                "fields": list(widget.fields),
                "aggregates": list(widget.aggregates),
                "columns": list(widget.columns),
                "conditions": widget.conditions,
                "orderby": widget.orderby,
            }
        ],
    }
    if widget.limit is not None:
        body["limit"] = widget.limit
    if widget.layout is not None:
        lay = widget.layout
        body["layout"] = {"x": lay.x, "y": lay.y, "w": lay.w, "h": lay.h, "minH": lay.min_h}
    return body


def dashboard_body(dashboard: Dashboard, spec: Spec, directory: Directory) -> JSON:
    body: JSON = {
        "title": dashboard.title,
        "projects": [int(directory.project_id(p)) for p in spec.dashboard_projects(dashboard)],
        "environment": list(dashboard.environment),
        "widgets": [
            widget_body(w, first=i == 0, key=entry_key("dashboard", dashboard.title))
            for i, w in enumerate(dashboard.widgets)
        ],
    }
    if dashboard.period is not None:
        body["period"] = dashboard.period
    return body


# =========================================================================== canonical forms
def _num(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return float(value)


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
                thresholds[name] = {"op": cond.get("type"), "value": _num(cond.get("comparison"))}
        out["thresholds"] = dict(sorted(thresholds.items()))
    return out


def _canonical_action(action: Mapping[str, Any]) -> JSON:
    config = action.get("config") or {}
    kind = action.get("type")
    integration = action.get("integrationId")
    out: JSON = {
        "type": kind,
        "integration": None if integration is None else str(integration),
        "targetType": config.get("targetType"),
    }
    if kind == "slack":
        display = config.get("targetDisplay") or config.get("targetIdentifier") or ""
        out["channel"] = str(display).lstrip("#")
    else:
        ident = config.get("targetIdentifier")
        out["target"] = None if ident is None else str(ident)
    data = action.get("data") or {}
    if kind in ("pagerduty", "opsgenie"):
        out["priority"] = data.get("priority") or "default"
    return out


def _canonical_conditions(conditions: Iterable[Mapping[str, Any]]) -> list[JSON]:
    items = [
        {"type": c.get("type"), "comparison": _num_deep(c.get("comparison"))} for c in conditions
    ]
    return sorted(items, key=lambda c: (str(c["type"]), repr(c["comparison"])))


def _num_deep(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _num_deep(v) for k, v in sorted(value.items())}
    return _num(value)


def canonical_workflow(workflow: Mapping[str, Any], directory: Directory | None = None) -> JSON:
    """A workflow (request body or response) in the comparable form.

    ``monitors`` (sorted link keys) is filled from ``detectorIds`` when a directory is given;
    desired resources set it themselves from the file.
    """
    out: JSON = {}
    if "enabled" in workflow:
        out["enabled"] = bool(workflow["enabled"])
    if "environment" in workflow:  # the name, sent and answered alike (see alert_body)
        out["environment"] = workflow.get("environment") or None
    config = workflow.get("config")
    if isinstance(config, Mapping):
        out["frequency"] = int(config.get("frequency", 30))
    triggers = workflow.get("triggers")
    if "triggers" in workflow:
        conds = (triggers or {}).get("conditions") or []
        out["triggers"] = sorted(str(c.get("type")) for c in conds)
    filters = workflow.get("actionFilters", workflow.get("action_filters"))
    if filters is not None:
        groups = []
        for group in filters:
            actions = [_canonical_action(a) for a in group.get("actions") or []]
            groups.append(
                {
                    "logic": _filter_logic(group.get("logicType", group.get("logic_type"))),
                    "conditions": _canonical_conditions(group.get("conditions") or []),
                    "actions": sorted(actions, key=repr),
                }
            )
        out["actionFilters"] = groups
    if directory is not None and "detectorIds" in workflow:
        ids = workflow.get("detectorIds") or []
        out["monitors"] = sorted(directory.link_key(str(i)) for i in ids)
    return out


def _filter_logic(logic: Any) -> str:
    """An action filter group's logic: ``any-short`` (which Sentry documents and its UI writes)
    stops at the first condition that passes, so it matches exactly what ``any`` matches
    (``DataConditionGroup.Type``, src/sentry/workflow_engine/models/data_condition_group.py)."""
    text = str(logic or "all")
    return "any" if text == "any-short" else text


def canonical_dashboard(dashboard: Mapping[str, Any]) -> JSON:
    out: JSON = {}
    if "projects" in dashboard:
        out["projects"] = sorted(str(p) for p in dashboard.get("projects") or [])
    if "environment" in dashboard:
        out["environment"] = sorted(dashboard.get("environment") or [])
    if "period" in dashboard:
        out["period"] = dashboard.get("period")
    if "widgets" in dashboard:
        out["widgets"] = [_canonical_widget(w) for w in dashboard.get("widgets") or []]
    return out


def _canonical_widget(widget: Mapping[str, Any]) -> JSON:
    out: JSON = {
        "title": widget.get("title"),
        "description": without_marker(widget.get("description")),
        "displayType": widget.get("displayType", widget.get("display_type")),
        "widgetType": widget.get("widgetType", widget.get("widget_type")),
        "interval": widget.get("interval") or "5m",
    }
    if "limit" in widget:
        out["limit"] = widget.get("limit")
    layout = widget.get("layout")
    if "layout" in widget and isinstance(layout, Mapping):
        out["layout"] = {k: layout.get(k) for k in ("x", "y", "w", "h", "minH")}
    queries = []
    for q in widget.get("queries") or []:
        queries.append(
            {
                # the table's column order: Sentry's own examples put aggregates first, the
                # file's widgets send columns then aggregates; both list the same fields, and
                # columns and aggregates are compared in order below
                "fields": sorted(str(f) for f in q.get("fields") or []),
                "aggregates": list(q.get("aggregates") or []),
                "columns": list(q.get("columns") or []),
                "conditions": q.get("conditions") or "",
                "orderby": q.get("orderby") or "",
            }
        )
    out["queries"] = queries
    return out


# =========================================================================== from the wire
class TargetBook:
    """Collects the named targets an export needs, one per distinct destination."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.targets: dict[str, JSON] = {}
        self._names: dict[str, str] = {}

    def name_for(self, action: Mapping[str, Any]) -> str | None:
        target = self._target(action)
        if target is None:
            return None
        key = repr(sorted(target.items()))
        if key in self._names:
            return self._names[key]
        base = _slug(
            {
                "email": "email-"
                + str(target.get("team") or str(target.get("member", "")).split("@")[0]),
                "slack": f"slack-{str(target.get('channel', '')).lstrip('#@')}",
                "pagerduty": f"pagerduty-{target.get('service', '')}",
            }[str(target["type"])]
        )
        name, n = base, 2
        while name in self.targets:
            name, n = f"{base}-{n}", n + 1
        self.targets[name] = target
        self._names[key] = name
        return name

    def _target(self, action: Mapping[str, Any]) -> JSON | None:
        d = self.directory
        kind = action.get("type")
        config = action.get("config") or {}
        ident = str(config.get("targetIdentifier") or "")
        integration = str(action.get("integrationId") or "")
        if kind == "email":
            if config.get("targetType") == "team":
                slug = next((s for s, i in d.teams.items() if i == ident), None)
                return {"type": "email", "team": slug} if slug else None
            if config.get("targetType") == "user":
                email = next((e for e, i in d.members.items() if i == ident), None)
                return {"type": "email", "member": email} if email else None
            return None
        if kind == "slack":
            workspace = _integration_name(d, "slack", integration)
            channel = str(config.get("targetDisplay") or ident)
            if not workspace or not channel:
                return None
            channel = channel if channel.startswith(("#", "@")) else "#" + channel
            target: JSON = {"type": "slack", "workspace": workspace, "channel": channel}
            if ident and not ident.startswith(("#", "@")):
                target["channel_id"] = ident  # Sentry keeps the id it checked with Slack
            return target
        if kind == "pagerduty":
            name = _integration_name(d, "pagerduty", integration)
            service = next(
                (
                    s
                    for (i, s), sid in d.pagerduty_services.items()
                    if i == integration and sid == ident
                ),
                None,
            )
            if not name or not service:
                return None
            out: JSON = {"type": "pagerduty", "integration": name, "service": service}
            priority = (action.get("data") or {}).get("priority")
            if priority and priority != "default":
                out["severity"] = priority
            return out
        return None


def _integration_name(d: Directory, provider: str, iid: str) -> str | None:
    return next((n for (p, n), i in d.integrations.items() if p == provider and i == iid), None)


def _slug(text: str) -> str:
    chars = [c.lower() if c.isalnum() else "-" for c in text]
    return "-".join(part for part in "".join(chars).split("-") if part) or "target"


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
            directions = {0: "above", 1: "below"}
            out["direction"] = directions.get(
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


def _export_filter(cond: Mapping[str, Any]) -> JSON | None:
    ctype = cond.get("type")
    comparison = cond.get("comparison")
    if ctype == "level" and isinstance(comparison, Mapping):
        op = {"gte": ">=", "lte": "<=", "eq": "=="}.get(str(comparison.get("match")), ">=")
        level = _LEVEL_NAMES.get(int(comparison.get("level", 40)), "error")
        return {"level": f"{op} {level}"}
    if ctype in ("event_frequency_count", "event_unique_user_frequency_count") and isinstance(
        comparison, Mapping
    ):
        seconds = _INTERVAL_NAMES.get(str(comparison.get("interval")))
        if seconds is None:  # not one of Sentry's intervals: never guessed as another one
            return None
        key = "events" if ctype == "event_frequency_count" else "users"
        return {key: f"> {int(comparison.get('value', 0))} in {format_duration(seconds)}"}
    if ctype == "issue_priority_greater_or_equal":
        value = int(comparison or catalog.ISSUE_PRIORITIES["high"])
        name = _ISSUE_PRIORITY_NAMES.get(value, "high")
        return {"priority": f">= {name}"}
    if ctype == "issue_occurrences" and isinstance(comparison, Mapping):
        return {"occurrences": int(comparison.get("value", 1))}
    if ctype == "issue_category" and isinstance(comparison, Mapping):
        category = _CATEGORY_NAMES.get(int(comparison.get("value", 1)))
        return {"category": category} if category else None
    if ctype == "tagged_event" and isinstance(comparison, Mapping):
        tag: JSON = {"key": comparison.get("key"), "match": comparison.get("match", "eq")}
        if tag["match"] not in ("is", "ns"):
            tag["value"] = comparison.get("value", "")
        return {"tag": tag}
    return None


def export_workflow(
    workflow: Mapping[str, Any], directory: Directory, book: TargetBook, problems: list[str]
) -> JSON:
    """A workflow as an ``alerts:`` item (targets collected in ``book``)."""
    name = str(workflow.get("name"))
    out: JSON = {"name": name}
    if workflow.get("enabled") is False:
        out["enabled"] = False
    if workflow.get("environment"):
        out["environment"] = workflow["environment"]
    triggers = []
    for cond in (workflow.get("triggers") or {}).get("conditions") or []:
        trigger = _TRIGGER_NAMES.get(str(cond.get("type")))
        if trigger:
            triggers.append(trigger)
        else:
            problems.append(f"alert {name!r}: trigger {cond.get('type')!r} cannot be exported")
    if triggers:
        out["triggers"] = triggers
    monitors: list[str] = []
    projects: list[str] = []
    for did in workflow.get("detectorIds") or []:
        key = directory.link_key(str(did))
        project, _, rest = key.partition("/")
        if rest.startswith("@"):
            if project not in projects:
                projects.append(project)
        elif rest:
            monitors.append(rest)
        else:  # a detector the token does not see: the file cannot name it
            problems.append(
                f"alert {name!r}: linked to monitor {did}, which this token cannot read; left out"
            )
    if monitors:
        out["monitors"] = sorted(set(monitors))
    if projects:
        out["projects"] = projects
    filters: list[JSON] = []
    actions: list[str] = []
    groups = workflow.get("actionFilters") or []
    for group in groups:
        logic = _filter_logic(group.get("logicType"))
        if logic != "all":
            out["filter_match"] = logic
        for cond in group.get("conditions") or []:
            item = _export_filter(cond)
            if item is None:
                problems.append(f"alert {name!r}: filter {cond.get('type')!r} cannot be exported")
            else:
                filters.append(item)
        for action in group.get("actions") or []:
            target = book.name_for(action)
            if target is None:
                problems.append(
                    f"alert {name!r}: a {action.get('type')} action names a destination "
                    "that cannot be resolved; left out"
                )
            elif target not in actions:
                actions.append(target)
    if filters:
        out["filters"] = filters
    if actions:
        out["actions"] = actions
    frequency = int((workflow.get("config") or {}).get("frequency", 30))
    if frequency != 30:
        out["frequency"] = format_duration(frequency * 60) if frequency else 0
    return out


def export_dashboard(dashboard: Mapping[str, Any], directory: Directory) -> JSON:
    out: JSON = {"title": dashboard.get("title")}
    projects = [directory.project_slug(str(p)) for p in dashboard.get("projects") or []]
    if projects:
        out["projects"] = projects
    if dashboard.get("environment"):
        out["environment"] = list(dashboard["environment"])
    if dashboard.get("period"):
        out["period"] = dashboard["period"]
    widgets = []
    for w in dashboard.get("widgets") or []:
        query = (w.get("queries") or [{}])[0]
        item: JSON = {"title": w.get("title")}
        description = without_marker(w.get("description"))
        if description:
            item["description"] = description
        item["display"] = w.get("displayType")
        item["dataset"] = w.get("widgetType") or "discover"
        if query.get("aggregates"):
            item["aggregates"] = list(query["aggregates"])
        if query.get("columns"):
            item["columns"] = list(query["columns"])
        if query.get("conditions"):
            item["conditions"] = query["conditions"]
        if query.get("orderby"):
            item["orderby"] = query["orderby"]
        if w.get("interval") and w.get("interval") != "5m":
            item["interval"] = w["interval"]
        if w.get("limit") is not None:
            item["limit"] = w["limit"]
        layout = w.get("layout")
        if isinstance(layout, Mapping):
            item["layout"] = {
                "x": layout.get("x", 0),
                "y": layout.get("y", 0),
                "w": layout.get("w", 2),
                "h": layout.get("h", 2),
                "min_h": layout.get("minH", 1),
            }
        widgets.append(item)
    out["widgets"] = widgets
    return out


# =========================================================================== shown forms
# What a plan prints: the canonical forms above (which the planner compares) written back in
# the file's language, with the units and formatters export uses: durations as 10m / 1h,
# thresholds as "> 2s", levels as ">= fatal", targets and monitors by their names in the file.
# Both sides of a diff go through the same function, so equal canonical forms show equal.


def _aggregate_alias(aggregate: Any) -> Any:
    for alias, exact in catalog.CRASH_RATE_ALIASES.items():
        if aggregate == exact:
            return alias
    return aggregate


def _shown_seconds(seconds: Any) -> Any:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return seconds
    return format_duration(int(seconds)) if seconds else 0


def _shown_threshold(condition: Mapping[str, Any], *, duration: bool, percent: bool) -> Any:
    op, value = condition.get("op"), condition.get("value")
    if op == "anomaly_detection":
        comparison = value if isinstance(value, Mapping) else {}
        directions = {0: "above", 1: "below", 2: "above_and_below"}
        kind = comparison.get("thresholdType")
        shown: JSON = {"sensitivity": comparison.get("sensitivity")}
        if isinstance(kind, int | float) and not isinstance(kind, bool):
            shown["direction"] = directions.get(int(kind), kind)
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
            out[key] = _shown_seconds(value)
        elif key == "thresholds" and isinstance(value, Mapping):
            out[key] = {
                name: _shown_threshold(cond, duration=duration, percent=percent)
                for name, cond in value.items()
                if isinstance(cond, Mapping)
            }
        else:
            out[key] = value
    return out


def _action_key(action: Mapping[str, Any]) -> str:
    return repr(sorted(action.items()))


class ActionNames:
    """Names a canonical workflow action as the file does: the ``targets:`` entry that sends
    to the same destination, else the name ``export`` would give it, marked as not in the file.
    """

    def __init__(self, directory: Directory, spec: Spec | None = None) -> None:
        self._book = TargetBook(directory)
        self._known: dict[str, str] = {}
        for name in spec.targets if spec is not None else {}:
            self._learn(name, spec)

    def _learn(self, name: str, spec: Spec | None) -> None:
        if spec is None:
            return
        try:
            action = _canonical_action(target_action(name, spec, directory=self._book.directory))
        except UsageError:  # a target Sentry cannot resolve names nothing that exists
            return
        self._known.setdefault(_action_key(action), name)

    def __call__(self, action: Mapping[str, Any]) -> str:
        known = self._known.get(_action_key(action))
        if known is not None:
            return known
        ident = action.get("target") if "target" in action else action.get("channel")
        display = action.get("channel")
        raw = {
            "type": action.get("type"),
            "integrationId": action.get("integration"),
            "config": {
                "targetType": action.get("targetType"),
                "targetIdentifier": ident,
                "targetDisplay": f"#{display}" if display else None,
            },
            "data": {"priority": action.get("priority")},
        }
        name = self._book.name_for(raw)
        if name is not None:
            return f"{name} (not in targets:)"
        return f"{action.get('type')} {ident} (not in targets:)"


def _shown_link(key: str) -> tuple[str | None, str | None]:
    """A link key -> (monitor name, None) or (None, project of a default issue detector)."""
    project, _, rest = key.partition("/")
    if rest.startswith("@"):
        return None, project
    return (rest or key), None


def shown_workflow(fields: Mapping[str, Any], names: ActionNames) -> JSON:
    """An alert's canonical fields in the file's terms: ``frequency: 1h``, ``triggers:
    [first_seen]``, ``filters[0].level: ">= fatal"``, ``actions: [slack-alerts]``,
    ``monitors`` by name and ``projects`` for the default issue detectors."""
    out: JSON = {}
    for key, value in fields.items():
        if key == "frequency" and isinstance(value, int | float):
            out[key] = _shown_seconds(int(value) * 60)
        elif key == "triggers" and isinstance(value, list):
            out[key] = [_TRIGGER_NAMES.get(str(t), str(t)) for t in value]
        elif key == "actionFilters" and isinstance(value, list):
            groups = [g for g in value if isinstance(g, Mapping)]
            out["filter_match"] = groups[0].get("logic") if groups else "all"
            filters: list[Any] = []
            actions: list[str] = []
            for group in groups:
                for cond in group.get("conditions") or []:
                    filters.append(_export_filter(cond) or dict(cond))
                actions.extend(names(a) for a in group.get("actions") or [])
            out["filters"] = filters
            out["actions"] = sorted(actions)
        elif key == "monitors" and isinstance(value, list):
            links = [_shown_link(str(k)) for k in value]
            out["monitors"] = sorted({m for m, _ in links if m is not None})
            out["projects"] = sorted({p for _, p in links if p is not None})
        else:
            out[key] = value
    return out


def shown_dashboard(fields: Mapping[str, Any], directory: Directory) -> JSON:
    """A dashboard's canonical fields as the file writes them: project slugs, and each widget
    with its one query's aggregates, columns, conditions and orderby."""
    out: JSON = {}
    for key, value in fields.items():
        if key == "projects" and isinstance(value, list):
            out[key] = [directory.project_slug(str(p)) for p in value]
        elif key == "widgets" and isinstance(value, list):
            out[key] = [_shown_widget(w) for w in value if isinstance(w, Mapping)]
        else:
            out[key] = value
    return out


def _shown_widget(widget: Mapping[str, Any]) -> JSON:
    names = {"displayType": "display", "widgetType": "dataset"}
    out: JSON = {}
    for key, value in widget.items():
        if key == "layout" and isinstance(value, Mapping):
            out[key] = {("min_h" if k == "minH" else k): v for k, v in value.items()}
        elif key == "queries" and isinstance(value, list):
            for index, query in enumerate(value):
                prefix = "" if index == 0 else f"query{index}."
                for name in ("aggregates", "columns", "conditions", "orderby"):
                    out[prefix + name] = query.get(name)
        else:
            out[names.get(key, key)] = value
    return out


# --------------------------------------------------------------------------- legacy rules
_LEGACY_TRIGGERS = {
    "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition": "first_seen",
    "sentry.rules.conditions.regression_event.RegressionEventCondition": "regression",
    "sentry.rules.conditions.reappeared_event.ReappearedEventCondition": "reappeared",
}


def _nearest_frequency(minutes: int) -> int:
    """Legacy rules allow 5..43200 minutes; alerts take a fixed set: round up."""
    for choice in catalog.FREQUENCY_CHOICES_MINUTES:
        if choice >= minutes:
            return choice
    return catalog.FREQUENCY_CHOICES_MINUTES[-1]


def legacy_issue_rule_to_workflow(rule: Mapping[str, Any], problems: list[str]) -> JSON:
    """A legacy issue alert rule (``projects/{o}/{p}/rules/``) as a workflow-shaped dict."""
    name = str(rule.get("name"))
    triggers: list[JSON] = []
    filters: list[JSON] = []
    for cond in rule.get("conditions") or []:
        cid = str(cond.get("id"))
        if cid in _LEGACY_TRIGGERS:
            ctype = catalog.TRIGGER_TYPES[_LEGACY_TRIGGERS[cid]]
            triggers.append({"type": ctype, "comparison": True, "conditionResult": True})
        elif cid.endswith(("EventFrequencyCondition", "EventUniqueUserFrequencyCondition")):
            # legacy rules use the same interval names as workflows (STANDARD_INTERVALS)
            interval = str(cond.get("interval"))
            if interval not in _INTERVAL_NAMES:
                problems.append(f"legacy rule {name!r}: interval {interval!r} cannot be exported")
                continue
            kind = (
                "event_frequency_count"
                if cid.endswith(".EventFrequencyCondition")
                else "event_unique_user_frequency_count"
            )
            if cond.get("comparisonType", "count") != "count":
                problems.append(f"legacy rule {name!r}: percent comparisons cannot be exported")
                continue
            filters.append(
                {
                    "type": kind,
                    "comparison": {
                        "value": int(cond.get("value", 0)),
                        "interval": interval,
                    },
                }
            )
        else:
            problems.append(f"legacy rule {name!r}: condition {cid} cannot be exported")
    for flt in rule.get("filters") or []:
        fid = str(flt.get("id"))
        if fid.endswith("LevelFilter"):
            filters.append(
                {
                    "type": "level",
                    "comparison": {"level": int(flt.get("level", 40)), "match": flt.get("match")},
                }
            )
        elif fid.endswith("IssueOccurrencesFilter"):
            filters.append({"type": "issue_occurrences", "comparison": {"value": flt.get("value")}})
        elif fid.endswith("TaggedEventFilter"):
            filters.append(
                {
                    "type": "tagged_event",
                    "comparison": {
                        "key": flt.get("key"),
                        "match": flt.get("match", "eq"),
                        "value": flt.get("value", ""),
                    },
                }
            )
        else:
            problems.append(f"legacy rule {name!r}: filter {fid} cannot be exported")
    actions: list[JSON] = []
    for act in rule.get("actions") or []:
        aid = str(act.get("id"))
        if aid.endswith("SlackNotifyServiceAction"):
            actions.append(
                {
                    "type": "slack",
                    "integrationId": str(act.get("workspace")),
                    "config": {
                        "targetType": "specific",
                        "targetIdentifier": act.get("channel_id") or act.get("channel"),
                        "targetDisplay": act.get("channel"),
                    },
                }
            )
        elif aid.endswith("PagerDutyNotifyServiceAction"):
            actions.append(
                {
                    "type": "pagerduty",
                    "integrationId": str(act.get("account")),
                    "config": {
                        "targetType": "specific",
                        "targetIdentifier": str(act.get("service")),
                    },
                    "data": {"priority": act.get("severity") or "default"},
                }
            )
        elif aid.endswith("NotifyEmailAction") and act.get("targetType") in ("Team", "Member"):
            actions.append(
                {
                    "type": "email",
                    "config": {
                        "targetType": "team" if act.get("targetType") == "Team" else "user",
                        "targetIdentifier": str(act.get("targetIdentifier")),
                    },
                }
            )
        else:
            problems.append(f"legacy rule {name!r}: action {aid} cannot be exported")
    match = str(rule.get("filterMatch") or "all")
    if str(rule.get("actionMatch") or "any") == "all" and len(triggers) > 1:
        problems.append(f"legacy rule {name!r}: 'all' of several triggers becomes 'any'")
    frequency = int(rule.get("frequency") or 30)
    chosen = _nearest_frequency(frequency)
    if chosen != frequency:
        problems.append(
            f"legacy rule {name!r}: frequency {frequency} min rounded up to {chosen} min"
        )
    projects = rule.get("projects") or []
    return {
        "name": name,
        "environment": rule.get("environment"),
        "config": {"frequency": chosen},
        "triggers": {"logicType": "any-short", "conditions": triggers},
        "actionFilters": [{"logicType": match, "conditions": filters, "actions": actions}],
        "projects": list(projects),
    }


def legacy_metric_rule_to_detector(
    rule: Mapping[str, Any], directory: Directory
) -> tuple[JSON, list[JSON]]:
    """A legacy metric alert rule as (detector-shaped dict, its trigger actions)."""
    threshold_type = int(rule.get("thresholdType") or 0)
    alert_op, resolve_op = _comparison_ops("below" if threshold_type == 1 else "above")
    conditions: list[JSON] = []
    actions: list[JSON] = []
    lowest: Any = None
    for trigger in rule.get("triggers") or []:
        critical = trigger.get("label") == "critical"
        result = catalog.PRIORITY_HIGH if critical else catalog.PRIORITY_MEDIUM
        value = trigger.get("alertThreshold")
        conditions.append(_condition(alert_op, value, result))
        lowest = value
        for act in trigger.get("actions") or []:
            kind = act.get("type")
            ident = str(act.get("targetIdentifier") or "")
            config: JSON = {"targetType": act.get("targetType"), "targetIdentifier": ident}
            if kind == "slack":
                config["targetIdentifier"] = act.get("inputChannelId") or ident
                config["targetDisplay"] = ident
            action: JSON = {
                "type": kind,
                "integrationId": None
                if act.get("integrationId") is None
                else str(act["integrationId"]),
                "config": config,
                "data": {"priority": act["priority"]} if act.get("priority") else {},
            }
            if repr(action) not in {repr(a) for a in actions}:
                actions.append(action)
    resolve = rule.get("resolveThreshold")
    if resolve is None:
        resolve = lowest
    if resolve is not None:
        conditions.append(_condition(resolve_op, resolve, catalog.PRIORITY_RESOLVED))
    projects = rule.get("projects") or []
    project_id = directory.projects.get(str(projects[0]), "") if projects else ""
    delta = rule.get("comparisonDelta")
    detector = {
        "name": rule.get("name"),
        "type": "metric_issue",
        "projectId": project_id,
        "description": rule.get("description") or "",
        "dataSources": [
            {
                "dataset": rule.get("dataset") or "events",
                "queryType": rule.get("queryType"),
                "eventTypes": list(rule.get("eventTypes") or []),
                "aggregate": rule.get("aggregate"),
                "query": rule.get("query") or "",
                "environment": rule.get("environment"),
                "timeWindow": int(float(rule.get("timeWindow") or 1) * 60),
            }
        ],
        "conditionGroup": {"logicType": "any", "conditions": conditions},
        "config": {
            "detectionType": rule.get("detectionType") or "static",
            "comparisonDelta": None if delta is None else int(delta) * 60,
        },
    }
    return detector, actions


def _sorted_json(items: Sequence[JSON]) -> list[JSON]:
    return sorted(items, key=repr)


__all__ = [
    "MARKER",
    "Directory",
    "TargetBook",
    "alert_body",
    "alert_links",
    "canonical_dashboard",
    "canonical_detector",
    "canonical_workflow",
    "dashboard_body",
    "dashboard_projects",
    "directory_from_lists",
    "export_dashboard",
    "export_detector",
    "export_workflow",
    "format_number",
    "legacy_issue_rule_to_workflow",
    "legacy_metric_rule_to_detector",
    "monitor_body",
    "workflow_projects",
]
