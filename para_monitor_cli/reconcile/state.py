"""Reading both sides: the desired resources from a Spec, the actual ones from Sentry.

Reads use list endpoints only (each registered kind's list -- detectors, workflows,
dashboards -- and the lookups the kinds ask for: projects, teams, members, integrations,
environments), each paginated and run concurrently. The one exception is a kind whose list is
partial (``ResourceKind.complete``): a dashboard's widgets are not in Sentry's list, so the detail
is fetched for the dashboards whose title the file names (and, with ``prune``, for every custom
dashboard, to see the ownership marker).

For ``--prune``, each resource also carries the projects it spans (an alert through its linked
detectors, a dashboard through its ``projects`` filter), and :func:`file_scope` gives the
projects a file manages: the planner deletes nothing of ours outside them (see
``reconcile/plan.py``).

Alerts carry no marker of their own (see ``kinds/alert.py``): they are ours when Sentry's
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
from para_monitor_cli.kinds import registry
from para_monitor_cli.kinds.base import JSON, Context, Lookup, Resource
from para_monitor_cli.reconcile.plan import Scope
from para_monitor_cli.spec.model import Spec

#: How each lookup is read (``GET organizations/{org}/...``); the kinds say which they need.
_LOOKUPS: dict[Lookup, Callable[[SentryClient, str], list[Any]]] = {
    "teams": lambda client, org: client.teams(org),
    "members": lambda client, org: client.members(org),
    "integrations": lambda client, org: client.integrations(org=org),
    "environments": lambda client, org: client.environments(org),
}


@dataclass
class Actual:
    """What exists in Sentry, as resources, plus the directory used to read it.

    ``listed``: each kind's objects as read (kind name -> JSON objects), for export."""

    directory: Directory
    resources: list[Resource] = field(default_factory=list)
    listed: dict[str, list[JSON]] = field(default_factory=dict)
    identity: Identity | None = None  # the token's user, when it was read
    identity_read: bool = False


def read_actual(
    client: SentryClient,
    org: str,
    *,
    spec: Spec | None = None,
    prune: bool = False,
    all_dashboards: bool = False,
) -> Actual:
    """Read the directory and every resource of every registered kind in the organization.

    ``all_dashboards`` (export): every object of kinds whose list is partial is read in
    detail, not only those the file names (``ResourceKind.complete``)."""
    kinds = registry()
    needs: set[Lookup] = set()
    for kind in kinds:
        needs |= kind.lookups(spec)

    def reader(read: Callable[[SentryClient, str], list[Any]]) -> Callable[[], list[Any]]:
        return lambda: read(client, org)

    calls: dict[str, Callable[[], list[Any]]] = {"projects": lambda: client.projects(org)}
    for kind in kinds:
        calls[f"kind:{kind.name}"] = reader(kind.read)
    for lookup, read in _LOOKUPS.items():
        if lookup in needs:
            calls[lookup] = reader(read)
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
        environments=results.get("environments", []),
    )
    listed = {kind.name: list(results[f"kind:{kind.name}"]) for kind in kinds}
    for kind in kinds:
        kind.into_directory(directory, listed[kind.name])
    actual = Actual(directory=directory)
    if "identity" in results:
        actual.identity, actual.identity_read = results["identity"][0], True
    elif any(kind.needs_identity(listed[kind.name], spec) for kind in kinds):
        actual.identity, actual.identity_read = client.identity(), True
    ctx = Context(directory=directory, spec=spec, identity=actual.identity)
    for kind in kinds:
        wanted = {kind.entry_name(e) for e in kind.entries(spec)} if spec is not None else set()
        objects = kind.complete(
            client, org, listed[kind.name], wanted=wanted, everything=all_dashboards or prune
        )
        actual.listed[kind.name] = objects
        for obj in objects:
            resource = kind.decode(obj, ctx)
            if resource is not None:
                actual.resources.append(resource)
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


def _effective(spec: Spec, default_project: str | None) -> Spec:
    """The file with ``default_project`` as its project when it names none."""
    if spec.project is None and default_project:
        return spec.model_copy(update={"project": default_project})
    return spec


def file_scope(spec: Spec, *, default_project: str | None = None) -> Scope:
    """The projects ``spec`` manages, for ``--prune`` (see :class:`~reconcile.plan.Scope`).

    The default project (the file's ``project:``, else ``default_project``) and the projects
    each kind's entries span (``ResourceKind.file_scope``: a monitor's project, an alert's
    projects, a dashboard's). ``org_wide`` when an entry is organization-wide (an alert linked
    to no project, a dashboard over all projects).
    """
    effective = _effective(spec, default_project)
    projects: set[str] = {effective.project} if effective.project else set()
    org_wide = False
    for kind in registry():
        spanned, whole = kind.file_scope(effective)
        projects |= spanned
        org_wide = org_wide or whole
    return Scope(frozenset(projects), org_wide)


def desired_resources(
    spec: Spec, directory: Directory, *, default_project: str | None = None
) -> list[Resource]:
    """The file's entries of every kind as resources (names resolved to ids)."""
    ctx = Context(
        directory=directory,
        spec=spec,
        effective=_effective(spec, default_project),
        default_project=default_project,
    )
    out: list[Resource] = []
    for kind in registry():
        out.extend(kind.desired(ctx))
    return out
