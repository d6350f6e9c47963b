"""Releases: the organization's and a project's, create (or add projects), detail, delete."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox.store import Doc, Query, Store
from para_monitor_cli.sandbox.web import (
    NOT_FOUND,
    RELEASES,
    RELEASES_WRITE,
    Ctx,
    Problem,
    api,
    detail,
    empty,
    now,
    ok,
    org_docs,
    paginate,
    require,
)


def org_releases(ctx: Ctx) -> list[Doc]:
    releases = org_docs(ctx, "release")
    releases.reverse()  # newest first, as Sentry's default sort by date
    return releases


@api(*RELEASES)
async def releases_list(ctx: Ctx) -> Response:
    releases = org_releases(ctx)
    wanted = [p for p in ctx.request.query_params.getlist("project") if p != "-1"]
    if wanted:
        releases = [r for r in releases if set(wanted) & set(r["projects"])]
    query = ctx.query("query")
    if query:
        releases = [r for r in releases if query in r["version"]]
    return paginate(ctx, [show_release(ctx.store, r) for r in releases])


@api(*RELEASES)
async def project_releases(ctx: Ctx) -> Response:
    releases = [r for r in org_releases(ctx) if ctx.project["id"] in r["projects"]]
    return paginate(ctx, [show_release(ctx.store, r) for r in releases])


def find_release(ctx: Ctx, version: str) -> Doc:
    found = ctx.store.select(Query("release", org=ctx.org["id"], name=version), limit=1)
    if not found:
        raise detail(404, NOT_FOUND)
    return found[0]


@api(*RELEASES_WRITE)
async def release_create(ctx: Ctx) -> Response:
    body = require(await ctx.body(), "version", "projects")
    version = body["version"]
    errors: dict[str, list[str]] = {}
    if (
        not isinstance(version, str)
        or len(version) > 200
        or version.strip() != version
        or (version in (".", "..", "latest") or "/" in version or "\n" in version)
    ):
        errors["version"] = ["Release with name " + repr(version) + " is not allowed"]
    by_ref = {p["slug"]: p["id"] for p in org_docs(ctx, "project")}
    by_ref.update({p["id"]: p["id"] for p in org_docs(ctx, "project")})
    projects = body["projects"] if isinstance(body["projects"], list) else []
    unknown = [p for p in projects if str(p) not in by_ref]
    if not projects or unknown:
        errors["projects"] = ["Invalid project ids or slugs"]
    if errors:
        raise Problem(400, errors)
    ids = [by_ref[str(p)] for p in projects]
    try:
        existing = find_release(ctx, version)
    except Problem:
        release = new_release(ctx.store, ctx.org["id"], version, ids, now())
        release.update({k: body.get(k) for k in ("ref", "url", "dateReleased") if k in body})
        ctx.store.put("release", release["id"], release)
        return ok(show_release(ctx.store, release), 201)
    existing["projects"] = sorted(set(existing["projects"]) | set(ids), key=int)
    ctx.store.put("release", existing["id"], existing)
    return ok(show_release(ctx.store, existing), 208)


@api(*RELEASES)
async def release_detail(ctx: Ctx) -> Response:
    release = find_release(ctx, ctx.request.path_params["version"])
    return ok(show_release(ctx.store, release))


@api(*RELEASES_WRITE)
async def release_delete(ctx: Ctx) -> Response:
    release = find_release(ctx, ctx.request.path_params["version"])
    ctx.store.delete("release", release["id"])
    return empty(204)


# -- stored document and API shape


def new_release(store: Store, org_id: str, version: str, project_ids: list[str], now: str) -> Doc:
    release_id = store.next_id("release")
    return {
        "id": str(release_id),
        "org": org_id,
        "version": version,
        "projects": project_ids,
        "dateCreated": now,
        "dateReleased": None,
        "ref": None,
        "url": None,
    }


def show_release(store: Store, release: Doc) -> Doc:
    projects = [p for p in (store.get("project", pid) for pid in release["projects"]) if p]
    version = release["version"]
    package, _, short = version.partition("@")
    return {
        "id": int(release["id"]),
        "version": version,
        "newGroups": 0,
        "status": "open",
        "shortVersion": short or version,
        "ref": release["ref"],
        "url": release["url"],
        "versionInfo": {
            "package": package if short else None,
            "version": {"raw": short or version},
            "description": short or version,
            "buildHash": None,
        },
        "data": {},
        "commitCount": 0,
        "deployCount": 0,
        "lastDeploy": None,
        "authors": [],
        "dateCreated": release["dateCreated"],
        "dateReleased": release["dateReleased"],
        "firstEvent": None,
        "lastEvent": None,
        "lastCommit": None,
        "owner": None,
        "userAgent": None,
        "projects": [
            {
                "id": int(p["id"]),
                "slug": p["slug"],
                "name": p["name"],
                "platform": p["platform"],
                "platforms": [p["platform"]] if p["platform"] else [],
                "hasHealthData": False,
                "newGroups": 0,
            }
            for p in projects
        ],
    }


def routes(o: str, p: str) -> list[Route]:
    return [
        Route(o + "/releases/", releases_list, methods=["GET"]),
        Route(o + "/releases/", release_create, methods=["POST"]),
        Route(o + "/releases/{version:path}/", release_detail, methods=["GET"]),
        Route(o + "/releases/{version:path}/", release_delete, methods=["DELETE"]),
        Route(p + "/releases/", project_releases, methods=["GET"]),
    ]
