"""Environments: the organization's and a project's (created by events, never by the API)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model
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
    if wanted not in model.VISIBILITY:
        raise detail(
            400,
            f"Invalid value for 'visibility', valid values are: {sorted(model.VISIBILITY)!r}",
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
    found = model.organization_environments(ctx.store, projects, visibility(ctx))
    return ok([model.show_environment(e) for e in found])


@api(*PROJECT_READ)
async def project_environments(ctx: Ctx) -> Response:
    """ProjectEnvironmentsEndpoint.get (api/endpoints/project_environments.py)."""
    pairs = model.project_environments(ctx.store, ctx.project["id"], visibility(ctx))
    return ok([model.show_environment_project(env, link) for env, link in pairs])


def routes(o: str, p: str) -> list[Route]:
    return [
        Route(o + "/environments/", org_environments, methods=["GET"]),
        Route(p + "/environments/", project_environments, methods=["GET"]),
    ]
