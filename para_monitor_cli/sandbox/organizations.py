"""The API index and organizations: who the token is, which organizations it sees.

OrganizationIndexEndpoint / OrganizationDetailsEndpoint (api/endpoints/); the index answers
the token's scopes and user.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model
from para_monitor_cli.sandbox.store import Doc
from para_monitor_cli.sandbox.web import (
    ORG_READ,
    Ctx,
    api,
    is_member,
    ok,
    paginate,
)


@api()
async def index(ctx: Ctx) -> Response:
    header = ctx.request.headers["authorization"].partition(" ")[2].strip()
    user = ctx.store.get("user", ctx.user)
    return ok(
        {
            "version": "0",
            "auth": {"scopes": list(ctx.state.tokens[header]["scopes"])},
            "user": show_user(user) if user else None,
        }
    )


@api(*ORG_READ, "member:read")
async def organizations(ctx: Ctx) -> Response:
    orgs = [o for o in ctx.store.all("org") if is_member(ctx.store, o["id"], ctx.user)]
    return paginate(ctx, [show_org(o, ctx.state.base_url) for o in orgs])


@api(*ORG_READ, "member:read")
async def organization(ctx: Ctx) -> Response:
    return ok(show_org(ctx.org, ctx.state.base_url))


# -- stored document and API shape


def show_user(user: Doc) -> Doc:
    return {
        "id": user["id"],
        "name": user["name"],
        "username": user["email"],
        "email": user["email"],
        "avatarUrl": "",
        "isActive": True,
        "isSuspended": False,
        "hasPasswordAuth": True,
        "isManaged": False,
        "dateJoined": user["dateJoined"],
        "lastLogin": None,
        "has2fa": False,
        "lastActive": None,
        "isSuperuser": False,
        "isStaff": False,
        "experiments": {},
        "avatar": {"avatarType": "letter_avatar", "avatarUuid": None},
        "emails": [{"id": user["id"], "email": user["email"], "is_verified": True}],
    }


def show_org(org: Doc, base_url: str) -> Doc:
    return {
        "id": org["id"],
        "slug": org["slug"],
        "name": org["name"],
        "status": {"id": "active", "name": "active"},
        "dateCreated": org["dateCreated"],
        "isEarlyAdopter": False,
        "require2FA": False,
        "avatar": {"avatarType": "letter_avatar", "avatarUuid": None},
        "links": {"organizationUrl": base_url.rstrip("/"), "regionUrl": base_url.rstrip("/")},
        "hasAuthProvider": False,
        "allowMemberInvite": True,
        "allowMemberProjectCreation": True,
        "allowSuperuserAccess": False,
        "features": model.org_features(org),
    }


def routes(o: str, p: str) -> list[Route]:
    return [
        Route("/api/0/", index, methods=["GET"]),
        Route("/api/0/organizations/", organizations, methods=["GET"]),
        Route(o + "/", organization, methods=["GET"]),
    ]
