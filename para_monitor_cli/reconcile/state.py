"""Reading both sides: the desired resources from a Spec, the actual ones from Sentry.

Reads use list endpoints only (detectors, workflows, dashboards, and the lookups: projects,
teams, members, integrations, environments), each paginated and run concurrently. The one
exception is a dashboard's widgets, which Sentry's list does not include: the detail is fetched
for the dashboards whose title the file names (and, with ``prune``, for every custom dashboard,
to see the ownership marker).

For ``--prune``, each resource also carries the projects it spans (an alert through its linked
detectors, a dashboard through its ``projects`` filter), and :func:`file_scope` gives the
projects a file manages: the planner deletes nothing of ours outside them (see
``reconcile/plan.py``).

Alerts carry no marker of their own (see ``api/wire.py``): they are ours when Sentry's
``createdBy`` is the user our token acts as. That identity (``GET /api/0/``) is read only when it
matters: with ``prune``, when two alerts share a name and the planner must pick ours, or when
Sentry holds alerts the file does not name (the plan notes ours among them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from para_monitor_cli.api import wire
from para_monitor_cli.api.client import Identity, SentryClient
from para_monitor_cli.api.wire import Directory
from para_monitor_cli.errors import UsageError
from para_monitor_cli.reconcile.plan import Resource, Scope
from para_monitor_cli.spec.model import EmailTarget, PagerDutyTarget, SlackTarget, Spec


@dataclass
class Actual:
    """What exists in Sentry, as resources, plus the directory used to read it."""

    directory: Directory
    resources: list[Resource] = field(default_factory=list)
    detectors: list[dict[str, Any]] = field(default_factory=list)
    workflows: list[dict[str, Any]] = field(default_factory=list)
    dashboards: list[dict[str, Any]] = field(default_factory=list)
    identity: Identity | None = None  # the token's user, when it was read
    identity_read: bool = False


def _needs(spec: Spec | None) -> dict[str, bool]:
    if spec is None:
        return {"teams": True, "members": True, "integrations": True, "environments": False}
    targets = spec.targets.values()
    return {
        "teams": any(isinstance(t, EmailTarget) and t.team for t in targets),
        "members": any(isinstance(t, EmailTarget) and t.member for t in targets),
        "integrations": any(isinstance(t, SlackTarget | PagerDutyTarget) for t in targets),
        "environments": any(m.environment for m in spec.monitors)
        or any(a.environment for a in spec.alerts)
        or any(d.environment for d in spec.dashboards),
    }


def read_actual(
    client: SentryClient,
    org: str,
    *,
    spec: Spec | None = None,
    prune: bool = False,
    all_dashboards: bool = False,
) -> Actual:
    """Read the directory and every monitor, alert and dashboard of the organization."""
    needs = _needs(spec)
    calls: dict[str, Callable[[], list[Any]]] = {
        "projects": lambda: client.projects(org),
        # project=-1 (every project the token can access), so this list does not wait for
        # the projects list to turn the file's slugs into ids
        "detectors": lambda: client.detectors(org=org),
        "workflows": lambda: client.workflows(org=org),
        "dashboards": lambda: client.dashboards(org=org),
    }
    if needs["teams"]:
        calls["teams"] = lambda: client.teams(org)
    if needs["members"]:
        calls["members"] = lambda: client.members(org)
    if needs["integrations"]:
        calls["integrations"] = lambda: client.integrations(org=org)
    if needs["environments"]:
        calls["environments"] = lambda: client.environments(org)
    if prune:
        calls["identity"] = lambda: [client.identity()]
    names = list(calls)
    results = dict(zip(names, client.gather([calls[n] for n in names]), strict=True))
    directory = wire.directory_from_lists(
        org,
        projects=results["projects"],
        teams=results.get("teams", []),
        members=results.get("members", []),
        integrations=results.get("integrations", []),
        detectors=results["detectors"],
        environments=results.get("environments", []),
    )
    actual = Actual(directory=directory)
    actual.detectors = list(results["detectors"])
    actual.workflows = list(results["workflows"])
    workflow_names = [str(wf.get("name")) for wf in actual.workflows]
    wanted_alerts = {a.name for a in spec.alerts} if spec is not None else set()
    if "identity" in results:
        actual.identity, actual.identity_read = results["identity"][0], True
    elif len(set(workflow_names)) < len(workflow_names) or (
        # alerts absent from the file: the plan names ours among them (what --prune would
        # delete), which takes knowing who "we" are
        spec is not None and any(name not in wanted_alerts for name in workflow_names)
    ):
        actual.identity, actual.identity_read = client.identity(), True
    identity_id = actual.identity.id if actual.identity is not None else None
    action_names = wire.ActionNames(directory, spec)
    for det in actual.detectors:
        if wire.detector_is_builtin(det):
            continue
        fields = wire.canonical_detector(det)
        actual.resources.append(
            Resource(
                kind="monitor",
                name=str(det.get("name")),
                project=directory.project_slug(str(det.get("projectId"))),
                id=str(det.get("id")),
                fields=fields,
                managed=wire.detector_is_managed(det),
                shown=wire.shown_detector(fields),
                tag=wire.detector_key(det),
            )
        )
    for wf in actual.workflows:
        fields = wire.canonical_workflow(wf, directory)
        actual.resources.append(
            Resource(
                kind="alert",
                name=str(wf.get("name")),
                id=str(wf.get("id")),
                fields=fields,
                managed=wire.workflow_is_managed(wf, identity_id),
                projects=wire.workflow_projects(wf, directory),
                shown=wire.shown_workflow(fields, action_names),
            )
        )
    wanted_titles = {d.title for d in spec.dashboards} if spec is not None else set()
    listed = [d for d in results["dashboards"] if not wire.dashboard_is_builtin(d)]
    to_fetch = [
        d for d in listed if all_dashboards or prune or str(d.get("title")) in wanted_titles
    ]

    def fetch(dashboard_id: str) -> Callable[[], Any]:
        return lambda: client.dashboard(dashboard_id, org=org)

    details = client.gather([fetch(str(d["id"])) for d in to_fetch])
    actual.dashboards = [dict(x) for x in details]
    for dash in actual.dashboards:
        fields = wire.canonical_dashboard(dash)
        actual.resources.append(
            Resource(
                kind="dashboard",
                name=str(dash.get("title")),
                id=str(dash.get("id")),
                fields=fields,
                managed=wire.dashboard_is_managed(dash),
                projects=wire.dashboard_projects(dash, directory),
                shown=wire.shown_dashboard(fields, directory),
                tag=wire.dashboard_key(dash),
            )
        )
    return actual


def prune_notes(actual: Actual) -> tuple[list[str], list[str]]:
    """(notes, warnings) telling what ``--prune`` may delete, given the identity read."""
    if not actual.identity_read:
        return [], []
    if actual.identity is None:
        return [], [
            "--prune leaves alerts alone: this token acts as no user (GET /api/0/ names none), "
            "so the alerts it created cannot be told from others; use an internal-integration "
            "token"
        ]
    return [
        "--prune deletes monitors and dashboards marked 'managed by para-monitor', and alerts "
        f"created by this token's identity ({actual.identity.shown}), that are not in the file "
        "and lie in the projects it manages; use a dedicated internal-integration token so that "
        "alerts made by hand are never pruned"
    ], []


def file_scope(spec: Spec, *, default_project: str | None = None) -> Scope:
    """The projects ``spec`` manages, for ``--prune`` (see :class:`~reconcile.plan.Scope`).

    The default project (the file's ``project:``, else ``default_project``), each monitor's
    project, each alert's projects and each dashboard's projects. ``org_wide`` when the file
    defines an alert linked to no project or a dashboard over all projects.
    """
    effective = spec
    if spec.project is None and default_project:
        effective = spec.model_copy(update={"project": default_project})
    projects: set[str] = {effective.project} if effective.project else set()
    org_wide = False
    for monitor in spec.monitors:
        project = effective.monitor_project(monitor)
        if project:
            projects.add(project)
    for alert in spec.alerts:
        linked = set(effective.alert_projects(alert))
        for name in alert.monitors:
            watched = spec.monitor(name)
            project = effective.monitor_project(watched) if watched is not None else None
            if project:
                linked.add(project)
        projects |= linked
        org_wide = org_wide or not linked
    for dashboard in spec.dashboards:
        shown = effective.dashboard_projects(dashboard)
        projects.update(shown)
        org_wide = org_wide or not shown
    return Scope(frozenset(projects), org_wide)


def desired_resources(
    spec: Spec, directory: Directory, *, default_project: str | None = None
) -> list[Resource]:
    """The file's monitors, alerts and dashboards as resources (names resolved to ids)."""
    out: list[Resource] = []
    names = wire.ActionNames(directory, spec)
    for monitor in spec.monitors:
        project = monitor.project or spec.project or default_project
        if not project:
            raise UsageError(
                f"monitor {monitor.name!r} has no project: set 'project:' in the file, "
                "on the monitor, or pass --project"
            )
        directory.project_id(project)
        body = wire.monitor_body(monitor, spec, directory)
        fields = wire.canonical_detector(body)
        out.append(
            Resource(
                kind="monitor",
                name=monitor.name,
                project=project,
                fields=fields,
                body=body,
                managed=True,
                shown=wire.shown_detector(fields),
                tag=wire.entry_key("monitor", monitor.name),
            )
        )
    effective = spec
    if spec.project is None and default_project:
        effective = spec.model_copy(update={"project": default_project})
    for alert in spec.alerts:
        body = wire.alert_body(alert, effective, directory)
        fields = wire.canonical_workflow(body, directory)
        links = wire.alert_links(alert, effective, directory)
        fields["monitors"] = links
        out.append(
            Resource(
                kind="alert",
                name=alert.name,
                fields=fields,
                body=body,
                managed=True,
                projects=frozenset(key.partition("/")[0] for key in links),
                shown=wire.shown_workflow(fields, names),
            )
        )
    for dashboard in spec.dashboards:
        body = wire.dashboard_body(dashboard, effective, directory)
        fields = wire.canonical_dashboard(body)
        out.append(
            Resource(
                kind="dashboard",
                name=dashboard.title,
                fields=fields,
                body=body,
                managed=True,
                projects=frozenset(effective.dashboard_projects(dashboard)),
                shown=wire.shown_dashboard(fields, directory),
                tag=wire.entry_key("dashboard", dashboard.title),
            )
        )
    return out
