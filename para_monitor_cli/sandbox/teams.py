"""Teams and members: the organization's and a project's teams, members, a team's members."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import organizations
from para_monitor_cli.sandbox.store import Doc, Store
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
    return paginate(ctx, [show_team(ctx.store, t, ctx.user) for t in teams])


@api(*PROJECT_READ)
async def project_teams(ctx: Ctx) -> Response:
    teams = [t for t in (ctx.store.get("team", i) for i in ctx.project["teams"]) if t]
    return paginate(ctx, [show_team(ctx.store, t, ctx.user) for t in teams])


@api(*ORG_READ, *MEMBER_READ)
async def org_members(ctx: Ctx) -> Response:
    members = org_docs(ctx, "member")
    query = ctx.query("query") or ""
    if query.startswith("email:"):
        wanted = query.partition(":")[2].lower()
        members = [m for m in members if m["email"].lower() == wanted]
    return paginate(ctx, [show_member(ctx.store, m) for m in members])


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
                    **show_member(ctx.store, member),
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
    return ok(show_team(ctx.store, team, ctx.user))


# -- stored document and API shape


def show_team(store: Store, team: Doc, user_id: str) -> Doc:
    members = [store.get("member", m) for m in team["members"]]
    is_member = any(m is not None and m["user"] == user_id for m in members)
    return {
        "id": team["id"],
        "slug": team["slug"],
        "name": team["name"],
        "dateCreated": team["dateCreated"],
        "isMember": is_member,
        "teamRole": "admin" if is_member else None,
        "flags": {"idp:provisioned": False},
        "access": ["team:read", "team:write", "project:read", "event:read"],
        "hasAccess": True,
        "isPending": False,
        "memberCount": sum(1 for m in members if m is not None),
        "avatar": {"avatarType": "letter_avatar", "avatarUuid": None},
    }


def show_member(store: Store, member: Doc) -> Doc:
    user = store.get("user", member["user"])
    return {
        "id": member["id"],
        "email": member["email"],
        "name": member["name"],
        "user": organizations.show_user(user) if user else None,
        "orgRole": member["role"],
        "role": member["role"],
        "roleName": member["role"].title(),
        "pending": False,
        "expired": False,
        "flags": {
            "idp:provisioned": False,
            "idp:role-restricted": False,
            "sso:linked": False,
            "sso:invalid": False,
            "member-limit:restricted": False,
            "partnership:restricted": False,
        },
        "dateCreated": member["dateCreated"],
        "inviteStatus": "approved",
        "inviterName": None,
    }


def routes(o: str, p: str) -> list[Route]:
    return [
        Route(o + "/teams/", org_teams, methods=["GET"]),
        Route(o + "/members/", org_members, methods=["GET"]),
        Route(o + "/members/{member_id}/teams/{team}/", team_member_delete, methods=["DELETE"]),
        Route("/api/0/teams/{org}/{team}/members/", team_members, methods=["GET"]),
        Route(p + "/teams/", project_teams, methods=["GET"]),
    ]
