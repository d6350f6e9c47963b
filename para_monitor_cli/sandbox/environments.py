"""Environments: the organization's and a project's (created by events, never by the API)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox.store import Doc, Query, Store
from para_monitor_cli.sandbox.web import (
    NO_PERMISSION,
    ORG_READ,
    PROJECT_READ,
    Ctx,
    api,
    detail,
    ok,
    project_ids,
)


def visibility(ctx: Ctx) -> str:
    """The ``visibility`` parameter of both environment lists (default ``visible``)."""
    wanted = ctx.query("visibility") or "visible"
    if wanted not in VISIBILITY:
        raise detail(
            400,
            f"Invalid value for 'visibility', valid values are: {sorted(VISIBILITY)!r}",
        )
    return wanted


@api(*ORG_READ)
async def org_environments(ctx: Ctx) -> Response:
    """OrganizationEnvironmentsEndpoint.get (api/endpoints/organization_environments.py):
    not paginated, sorted by name."""
    # get_projects: the ``project`` ids asked for (-1: every accessible project), 403 for one
    # that is not the organization's (recalled, not re-read); no parameter: every project
    wanted = {p for p in ctx.request.query_params.getlist("project") if p != "-1"}
    if wanted - project_ids(ctx):
        raise detail(403, NO_PERMISSION)
    projects = wanted or project_ids(ctx)
    found = organization_environments(ctx.store, projects, visibility(ctx))
    return ok([show_environment(e) for e in found])


@api(*PROJECT_READ)
async def project_environments(ctx: Ctx) -> Response:
    """ProjectEnvironmentsEndpoint.get (api/endpoints/project_environments.py)."""
    pairs = environment_pairs(ctx.store, ctx.project["id"], visibility(ctx))
    return ok([show_environment_project(env, link) for env, link in pairs])


# -- stored document and API shape

#: api/helpers/environments.py environment_visibility_filter_options
VISIBILITY = ("all", "hidden", "visible")


def _visible(link: Doc, visibility: str) -> bool:
    hidden = bool(link.get("isHidden"))
    return visibility == "all" or (hidden if visibility == "hidden" else not hidden)


def environment_pairs(store: Store, project_id: str, visibility: str) -> list[tuple[Doc, Doc]]:
    """ProjectEnvironmentsEndpoint.get: the project's (environment, link) pairs, by name,
    without the nameless "No Environment" row."""
    pairs = []
    for link in store.select(Query("environment_project", project=project_id)):
        env = store.get("environment", link["environment"])
        if env and env["name"] and _visible(link, visibility):
            pairs.append((env, link))
    return sorted(pairs, key=lambda pair: str(pair[0]["name"]))


def organization_environments(store: Store, project_ids: set[str], visibility: str) -> list[Doc]:
    """OrganizationEnvironmentsEndpoint.get: environments with a link to one of the projects
    that passes the visibility filter, by name, without the nameless row."""
    wanted = {
        link["environment"]
        for link in store.select(Query("environment_project", projects=frozenset(project_ids)))
        if _visible(link, visibility)
    }
    found = [e for e in (store.get("environment", i) for i in wanted) if e and e["name"]]
    return sorted(found, key=lambda e: str(e["name"]))


def show_environment(env: Doc) -> Doc:
    """EnvironmentSerializer (api/serializers/models/environment.py)."""
    return {"id": str(env["id"]), "name": env["name"]}


def show_environment_project(env: Doc, link: Doc) -> Doc:
    """EnvironmentProjectSerializer (api/serializers/models/environment.py)."""
    return {"id": str(env["id"]), "name": env["name"], "isHidden": bool(link.get("isHidden"))}


def routes(o: str, p: str) -> list[Route]:
    return [
        Route(o + "/environments/", org_environments, methods=["GET"]),
        Route(p + "/environments/", project_environments, methods=["GET"]),
    ]
