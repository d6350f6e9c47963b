"""Teams and members: the organization's and a project's teams, members, a team's members."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model
from para_monitor_cli.sandbox.store import Doc
from para_monitor_cli.sandbox.web import (
    MEMBER_READ,
    NOT_FOUND,
    ORG_READ,
    PROJECT_READ,
    TEAM_READ,
    Ctx,
    api,
    detail,
    ok,
    one,
    org_docs,
    paginate,
)


@api(*ORG_READ, *TEAM_READ)
async def org_teams(ctx: Ctx) -> Response:
    teams = org_docs(ctx, "team")
    return paginate(ctx, [model.show_team(ctx.store, t, ctx.user) for t in teams])


@api(*PROJECT_READ)
async def project_teams(ctx: Ctx) -> Response:
    teams = [t for t in (ctx.store.get("team", i) for i in ctx.project["teams"]) if t]
    return paginate(ctx, [model.show_team(ctx.store, t, ctx.user) for t in teams])


@api(*ORG_READ, *MEMBER_READ)
async def org_members(ctx: Ctx) -> Response:
    members = org_docs(ctx, "member")
    query = ctx.query("query") or ""
    if query.startswith("email:"):
        wanted = query.partition(":")[2].lower()
        members = [m for m in members if m["email"].lower() == wanted]
    return paginate(ctx, [model.show_member(ctx.store, m) for m in members])


def find_team(ctx: Ctx, ref: str) -> Doc:
    for team in org_docs(ctx, "team"):
        if ref in (team["slug"], team["id"]):
            return team
    raise detail(404, NOT_FOUND)


@api(*ORG_READ, *TEAM_READ)
async def team_members(ctx: Ctx) -> Response:
    team = find_team(ctx, ctx.request.path_params["team"])
    shown = []
    for member_id in team["members"]:
        member = ctx.store.get("member", member_id)
        if member is not None:
            shown.append(
                {
                    **model.show_member(ctx.store, member),
                    "teamRole": "contributor",
                    "teamSlug": team["slug"],
                }
            )
    return paginate(ctx, shown)


@api("org:write", "org:admin", "member:write", "member:admin", "team:write", "team:admin")
async def team_member_delete(ctx: Ctx) -> Response:
    team = find_team(ctx, ctx.request.path_params["team"])
    member = one(ctx, "member", ctx.request.path_params["member_id"])
    if member["id"] not in team["members"]:
        raise detail(404, NOT_FOUND)
    team = {**team, "members": [m for m in team["members"] if m != member["id"]]}
    ctx.store.put("team", team["id"], team)
    return ok(model.show_team(ctx.store, team, ctx.user))


def routes(o: str, p: str) -> list[Route]:
    return [
        Route(o + "/teams/", org_teams, methods=["GET"]),
        Route(o + "/members/", org_members, methods=["GET"]),
        Route(o + "/members/{member_id}/teams/{team}/", team_member_delete, methods=["DELETE"]),
        Route("/api/0/teams/{org}/{team}/members/", team_members, methods=["GET"]),
        Route(p + "/teams/", project_teams, methods=["GET"]),
    ]
