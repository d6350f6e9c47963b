"""Projects and their client keys (DSNs): list, detail, update; keys CRUD.

OrganizationProjectsEndpoint, ProjectDetailsEndpoint and ProjectKeysEndpoint /
ProjectKeyDetailsEndpoint (api/endpoints/).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model
from para_monitor_cli.sandbox.store import Doc, Query
from para_monitor_cli.sandbox.web import (
    ORG_READ,
    PROJECT_READ,
    PROJECT_WRITE,
    Ctx,
    Problem,
    api,
    empty,
    now,
    ok,
    one,
    org_docs,
    paginate,
    require,
)


def latest_release(ctx: Ctx, project_id: str) -> str | None:
    found = [r for r in org_docs(ctx, "release") if project_id in r["projects"]]
    return found[-1]["version"] if found else None


@api(*ORG_READ)
async def org_projects(ctx: Ctx) -> Response:
    shown = [
        model.show_project_summary(ctx.store, p, ctx.user, latest_release(ctx, p["id"]))
        for p in org_docs(ctx, "project")
    ]
    return paginate(ctx, shown)


def show_project(ctx: Ctx, project: Doc) -> Doc:
    return model.show_project(
        ctx.store,
        project,
        ctx.org,
        ctx.user,
        latest_release(ctx, project["id"]),
        ctx.state.base_url,
    )


@api(*PROJECT_READ)
async def project_detail(ctx: Ctx) -> Response:
    return ok(show_project(ctx, ctx.project))


PROJECT_EDITABLE: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "slug": str,
    "platform": (str, type(None)),
    "subjectPrefix": str,
    "subjectTemplate": str,
    "resolveAge": int,
    "isBookmarked": bool,
    "dataScrubber": bool,
    "dataScrubberDefaults": bool,
    "scrubIPAddresses": bool,
    "sensitiveFields": list,
    "safeFields": list,
    "allowedDomains": list,
    "relayPiiConfig": (str, type(None)),
    "highlightTags": list,
    "highlightContext": dict,
    "enableAutoReleaseCreation": bool,
    "scmSourceContextEnabled": bool,
}


@api(*PROJECT_WRITE, "project:read")
async def project_update(ctx: Ctx) -> Response:
    body = require(await ctx.body())
    errors: dict[str, list[str]] = {}
    for key, kind in PROJECT_EDITABLE.items():
        if key in body and not isinstance(body[key], kind):
            errors[key] = ["Invalid value."]
    for key in ("sensitiveFields", "safeFields", "allowedDomains"):
        values = body.get(key)
        if isinstance(values, list):
            if any(not isinstance(v, str) or not v.strip() for v in values):
                errors[key] = ["Empty values are not allowed."]
            elif key == "sensitiveFields" and sum(len(v) for v in values) > 4000:
                errors[key] = ["List of sensitive fields is too long."]
    slug = body.get("slug")
    if isinstance(slug, str) and any(
        p["slug"] == slug and p["id"] != ctx.project["id"] for p in org_docs(ctx, "project")
    ):
        errors["slug"] = [f"Another project ({slug}) is already using that slug"]
    if errors:
        raise Problem(400, errors)
    project = dict(ctx.project)
    project.update({k: body[k] for k in PROJECT_EDITABLE if k in body})
    ctx.store.put("project", project["id"], project)
    return ok(show_project(ctx, project))


def project_keys(ctx: Ctx) -> list[Doc]:
    return ctx.store.select(Query("key", project=ctx.project["id"]))


@api(*PROJECT_READ)
async def keys_list(ctx: Ctx) -> Response:
    status = ctx.query("status")
    keys = project_keys(ctx)
    if status in ("active", "inactive"):
        keys = [k for k in keys if k["isActive"] == (status == "active")]
    return paginate(ctx, [model.show_key(k, ctx.state.base_url) for k in keys])


def key_errors(body: Doc) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = body.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > 64):
        errors["name"] = ["Ensure this field has no more than 64 characters."]
    rate = body.get("rateLimit")
    if rate is not None:
        if not isinstance(rate, dict):
            errors["rateLimit"] = ["Invalid value."]
        else:
            count, window = rate.get("count"), rate.get("window")
            if not isinstance(count, int) or count < 0:
                errors["rateLimit"] = ["Ensure count is a non-negative integer."]
            elif not isinstance(window, int) or not 0 <= window <= 86400:
                errors["rateLimit"] = ["Ensure window is between 0 and 86400 seconds."]
    if "isActive" in body and not isinstance(body["isActive"], bool):
        errors["isActive"] = ["Must be a valid boolean."]
    use_case = body.get("useCase")
    if use_case is not None and use_case not in ("user", "profiling", "tempest", "demo"):
        errors["useCase"] = [f'"{use_case}" is not a valid choice.']
    return errors


@api(*PROJECT_WRITE)
async def keys_create(ctx: Ctx) -> Response:
    body = require(await ctx.body())
    errors = key_errors(body)
    if errors:
        raise Problem(400, errors)
    key = model.new_key(
        ctx.store,
        ctx.project["id"],
        {k: v for k, v in body.items() if k in ("name", "rateLimit", "useCase")},
        now(),
    )
    ctx.store.put("key", key["id"], key)
    return ok(model.show_key(key, ctx.state.base_url), 201)


@api(*PROJECT_READ)
async def key_detail(ctx: Ctx) -> Response:
    key = one(ctx, "key", ctx.request.path_params["key_id"], owner="project")
    return ok(model.show_key(key, ctx.state.base_url))


@api(*PROJECT_WRITE)
async def key_update(ctx: Ctx) -> Response:
    key = one(ctx, "key", ctx.request.path_params["key_id"], owner="project")
    body = require(await ctx.body())
    errors = key_errors(body)
    if errors:
        raise Problem(400, errors)
    for name in ("name", "isActive", "rateLimit", "browserSdkVersion"):
        if name in body:
            key[name] = body[name]
    ctx.store.put("key", key["id"], key)
    return ok(model.show_key(key, ctx.state.base_url))


@api("project:admin")
async def key_delete(ctx: Ctx) -> Response:
    key = one(ctx, "key", ctx.request.path_params["key_id"], owner="project")
    ctx.store.delete("key", key["id"])
    return empty(204)


def routes(o: str, p: str) -> list[Route]:
    return [
        Route(o + "/projects/", org_projects, methods=["GET"]),
        Route(p + "/", project_detail, methods=["GET"]),
        Route(p + "/", project_update, methods=["PUT"]),
        Route(p + "/keys/", keys_list, methods=["GET"]),
        Route(p + "/keys/", keys_create, methods=["POST"]),
        Route(p + "/keys/{key_id}/", key_detail, methods=["GET"]),
        Route(p + "/keys/{key_id}/", key_update, methods=["PUT"]),
        Route(p + "/keys/{key_id}/", key_delete, methods=["DELETE"]),
    ]
