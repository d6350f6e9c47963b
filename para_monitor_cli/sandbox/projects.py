"""Projects and their client keys (DSNs): list, detail, update; keys CRUD.

OrganizationProjectsEndpoint, ProjectDetailsEndpoint and ProjectKeysEndpoint /
ProjectKeyDetailsEndpoint (api/endpoints/).
"""

from __future__ import annotations

import secrets

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import environments, model, organizations
from para_monitor_cli.sandbox.store import Doc, Query, Store
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
        show_project_summary(ctx.store, p, ctx.user, latest_release(ctx, p["id"]))
        for p in org_docs(ctx, "project")
    ]
    return paginate(ctx, shown)


def show_project(ctx: Ctx, project: Doc) -> Doc:
    return project_shape(
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
    return paginate(ctx, [show_key(k, ctx.state.base_url) for k in keys])


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
    key = new_key(
        ctx.store,
        ctx.project["id"],
        {k: v for k, v in body.items() if k in ("name", "rateLimit", "useCase")},
        now(),
    )
    ctx.store.put("key", key["id"], key)
    return ok(show_key(key, ctx.state.base_url), 201)


@api(*PROJECT_READ)
async def key_detail(ctx: Ctx) -> Response:
    key = one(ctx, "key", ctx.request.path_params["key_id"], owner="project")
    return ok(show_key(key, ctx.state.base_url))


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
    return ok(show_key(key, ctx.state.base_url))


@api("project:admin")
async def key_delete(ctx: Ctx) -> Response:
    key = one(ctx, "key", ctx.request.path_params["key_id"], owner="project")
    ctx.store.delete("key", key["id"])
    return empty(204)


# -- stored document and API shape

PROJECT_FLAGS = (
    "hasFeedbacks",
    "hasFlags",
    "hasMinifiedStackTrace",
    "hasMonitors",
    "hasNewFeedbacks",
    "hasProfiles",
    "hasReplays",
    "hasSessions",
    "hasInsightsHttp",
    "hasInsightsDb",
    "hasInsightsAssets",
    "hasInsightsAppStart",
    "hasInsightsScreenLoad",
    "hasInsightsVitals",
    "hasInsightsCaches",
    "hasInsightsQueues",
    "hasInsightsAgentMonitoring",
    "hasInsightsMCP",
    "hasLogs",
    "hasTraceMetrics",
)


def new_project(project_id: str, org_id: str, data: Doc, team_ids: list[str], now: str) -> Doc:
    return {
        "id": project_id,
        "org": org_id,
        "slug": data["slug"],
        "name": data.get("name", data["slug"]),
        "platform": data.get("platform"),
        "teams": team_ids,
        "dateCreated": now,
        "firstEvent": None,
        "firstTransactionEvent": False,
        "dataScrubber": bool(data.get("dataScrubber", True)),
        "dataScrubberDefaults": bool(data.get("dataScrubberDefaults", True)),
        "scrubIPAddresses": bool(data.get("scrubIPAddresses", False)),
        "sensitiveFields": list(data.get("sensitiveFields", [])),
        "safeFields": list(data.get("safeFields", [])),
        "allowedDomains": list(data.get("allowedDomains", ["*"])),
        "resolveAge": int(data.get("resolveAge", 0)),
        "subjectPrefix": data.get("subjectPrefix", ""),
        "subjectTemplate": data.get("subjectTemplate", "$shortID - $title"),
        "relayPiiConfig": data.get("relayPiiConfig"),
        "isBookmarked": False,
        "enableAutoReleaseCreation": False,
        "scmSourceContextEnabled": False,
        "highlightTags": [],
        "highlightContext": {},
        "securityToken": secrets.token_hex(16),
    }


def new_key(store: Store, project_id: str, data: Doc, now: str) -> Doc:
    key_id = str(data.get("id") or secrets.token_hex(16))
    return {
        "id": key_id,
        "project": project_id,
        "secret": str(data.get("secret") or secrets.token_hex(16)),
        "name": str(data.get("name") or _default_key_name()),
        "isActive": bool(data.get("isActive", True)),
        "rateLimit": data.get("rateLimit"),
        "useCase": data.get("useCase", "user"),
        "browserSdkVersion": data.get("browserSdkVersion", "8.x"),
        "dateCreated": now,
        "seq": store.next_id("key-seq"),
    }


def _default_key_name() -> str:
    return "Default"


def show_project_summary(store: Store, project: Doc, user_id: str, latest: str | None) -> Doc:
    teams = [t for t in (store.get("team", tid) for tid in project["teams"]) if t is not None]
    brief_teams = [{"id": t["id"], "name": t["name"], "slug": t["slug"]} for t in teams]
    is_member = any(
        (m := store.get("member", mid)) is not None and m["user"] == user_id
        for t in teams
        for mid in t["members"]
    )
    out: Doc = {
        "id": project["id"],
        "slug": project["slug"],
        "name": project["name"],
        "platform": project["platform"],
        "dateCreated": project["dateCreated"],
        "isBookmarked": project["isBookmarked"],
        "isMember": is_member,
        "features": ["alert-filters", "servicehooks", "similarity-indexing"],
        "firstEvent": project["firstEvent"],
        "firstTransactionEvent": project["firstTransactionEvent"],
        "access": list(model.ALL_SCOPES),
        "hasAccess": True,
        "team": brief_teams[0] if brief_teams else None,
        "teams": brief_teams,
        "platforms": [project["platform"]] if project["platform"] else [],
        "hasUserReports": False,
        "environments": [
            env["name"]
            for env, _link in environments.environment_pairs(store, project["id"], "all")
        ],
        "latestRelease": {"version": latest} if latest else None,
    }
    for flag in PROJECT_FLAGS:
        out[flag] = False
    return out


def project_shape(
    store: Store, project: Doc, org: Doc, user_id: str, latest: str | None, base_url: str
) -> Doc:
    out = show_project_summary(store, project, user_id, latest)
    out.pop("team", None)
    out.update(
        {
            "isInternal": False,
            "isPublic": False,
            "avatar": {"avatarType": "letter_avatar", "avatarUuid": None},
            "color": "#3f70bf",
            "status": "active",
            "options": {},
            "digestsMinDelay": 300,
            "digestsMaxDelay": 1800,
            "subjectPrefix": project["subjectPrefix"],
            "allowedDomains": project["allowedDomains"],
            "resolveAge": project["resolveAge"],
            "dataScrubber": project["dataScrubber"],
            "dataScrubberDefaults": project["dataScrubberDefaults"],
            "safeFields": project["safeFields"],
            "storeCrashReports": None,
            "sensitiveFields": project["sensitiveFields"],
            "subjectTemplate": project["subjectTemplate"],
            "securityToken": project["securityToken"],
            "securityTokenHeader": None,
            "verifySSL": False,
            "scrubIPAddresses": project["scrubIPAddresses"],
            "scrapeJavaScript": True,
            "enableAutoReleaseCreation": project["enableAutoReleaseCreation"],
            "highlightTags": project["highlightTags"],
            "highlightContext": project["highlightContext"],
            "highlightPreset": {"tags": ["handled", "level"], "context": {}},
            "groupingConfig": "newstyle:2023-01-11",
            "derivedGroupingEnhancements": "",
            "groupingEnhancements": "",
            "secondaryGroupingExpiry": 0,
            "secondaryGroupingConfig": None,
            "fingerprintingRules": "",
            "organization": organizations.show_org(org, base_url),
            "processingIssues": 0,
            "defaultEnvironment": None,
            "relayPiiConfig": project["relayPiiConfig"],
            "builtinSymbolSources": [],
            "dynamicSamplingBiases": [],
            "symbolSources": "[]",
            "isDynamicallySampled": False,
            "tempestFetchScreenshots": False,
            "autofixAutomationTuning": "off",
            "seerScannerAutomation": False,
            "seerNightshiftTweaks": None,
            "scmSourceContextEnabled": project["scmSourceContextEnabled"],
            "debugFilesRole": None,
        }
    )
    return out


def dsn_for(key: Doc, base_url: str, secret: bool = False) -> str:
    scheme, _, rest = base_url.rstrip("/").partition("://")
    cred = f"{key['id']}:{key['secret']}" if secret else key["id"]
    return f"{scheme}://{cred}@{rest}/{key['project']}"


def show_key(key: Doc, base_url: str) -> Doc:
    host = base_url.rstrip("/")
    public = dsn_for(key, base_url)
    project = key["project"]
    return {
        "id": key["id"],
        "name": key["name"],
        "label": key["name"],
        "public": key["id"],
        "secret": key["secret"],
        "projectId": int(project),
        "isActive": key["isActive"],
        "rateLimit": key["rateLimit"],
        "dsn": {
            "secret": dsn_for(key, base_url, secret=True),
            "public": public,
            "csp": f"{host}/api/{project}/csp-report/?sentry_key={key['id']}",
            "security": f"{host}/api/{project}/security/?sentry_key={key['id']}",
            "minidump": f"{host}/api/{project}/minidump/?sentry_key={key['id']}",
            "nel": f"{host}/api/{project}/nel/?sentry_key={key['id']}",
            "unreal": f"{host}/api/{project}/unreal/{key['id']}/",
            "crons": f"{host}/api/{project}/cron/___MONITOR_SLUG___/{key['id']}/",
            "cdn": f"{host}/js-sdk-loader/{key['id']}.min.js",
            "playstation": f"{host}/api/{project}/playstation/?sentry_key={key['id']}",
            "integration": f"{host}/",
            "otlp_traces": f"{host}/api/{project}/integration/otlp/v1/traces",
            "otlp_logs": f"{host}/api/{project}/integration/otlp/v1/logs",
        },
        "browserSdkVersion": key["browserSdkVersion"],
        "browserSdk": {"choices": [["latest", "latest"], ["8.x", "8.x"], ["7.x", "7.x"]]},
        "dateCreated": key["dateCreated"],
        "dynamicSdkLoaderOptions": {
            "hasReplay": True,
            "hasPerformance": False,
            "hasDebug": False,
            "hasFeedback": False,
            "hasLogsAndMetrics": False,
        },
        "useCase": key["useCase"],
    }


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
