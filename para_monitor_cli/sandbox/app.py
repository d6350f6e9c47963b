"""The sandbox's Starlette app: Relay-style ingest plus the subset of Sentry's REST API we use.

Status codes, error bodies, pagination and headers follow Sentry (see
docs/sentry-api-reference.md); response shapes follow the official OpenAPI spec. Server-side
validation of alert, monitor and dashboard bodies lives in ``validation.py`` and faults in
``faults.py``; this module wires them to the routes.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import dashboards, legacy, model, validation
from para_monitor_cli.sandbox.faults import Faults, FaultSyntaxError, faults_from_json
from para_monitor_cli.sandbox.ingest import (
    EVENT_ITEMS,
    MAX_BODY_BYTES,
    IngestError,
    auth_key,
    decompress,
    envelope_key,
    load_event,
    normal_event_id,
    parse_envelope,
)
from para_monitor_cli.sandbox.seed import apply_seed
from para_monitor_cli.sandbox.store import Doc, Query, Store
from para_monitor_cli.sandbox.web import (
    ALERTS_READ,
    ALERTS_WRITE,
    MEMBER_READ,
    NO_PERMISSION,
    NOT_FOUND,
    ORG_READ,
    PROJECT_READ,
    PROJECT_WRITE,
    RELEASES,
    RELEASES_WRITE,
    TEAM_READ,
    Ctx,
    Problem,
    SandboxState,
    api,
    check,
    detail,
    empty,
    is_member,
    now,
    ok,
    one,
    org_context,
    org_docs,
    page_response,
    page_window,
    paginate,
    paginate_query,
    project_ids,
    read_body,
    require,
)

# -- index, organizations, projects -------------------------------------------------------------


@api()
async def index(ctx: Ctx) -> Response:
    header = ctx.request.headers["authorization"].partition(" ")[2].strip()
    user = ctx.store.get("user", ctx.user)
    return ok(
        {
            "version": "0",
            "auth": {"scopes": list(ctx.state.tokens[header]["scopes"])},
            "user": model.show_user(user) if user else None,
        }
    )


@api(*ORG_READ, "member:read")
async def organizations(ctx: Ctx) -> Response:
    orgs = [o for o in ctx.store.all("org") if is_member(ctx.store, o["id"], ctx.user)]
    return paginate(ctx, [model.show_org(o, ctx.state.base_url) for o in orgs])


@api(*ORG_READ, "member:read")
async def organization(ctx: Ctx) -> Response:
    return ok(model.show_org(ctx.org, ctx.state.base_url))


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


# -- keys ---------------------------------------------------------------------------------------


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


# -- teams and members --------------------------------------------------------------------------


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


# -- integrations -------------------------------------------------------------------------------


@api("org:integrations", *ORG_READ)
async def integrations(ctx: Ctx) -> Response:
    provider = ctx.query("providerKey") or ctx.query("provider_key")
    found = org_docs(ctx, "integration")
    if provider:
        found = [i for i in found if i["provider"] == provider]
    features = ctx.request.query_params.getlist("features")
    shown = [model.show_integration(i) for i in found]
    if features:
        shown = [i for i in shown if set(features) & set(i["provider"]["features"])]
    return paginate(ctx, shown)


@api("org:integrations", *ORG_READ)
async def integration_detail(ctx: Ctx) -> Response:
    found = one(ctx, "integration", ctx.request.path_params["integration_id"])
    return ok(model.show_integration(found))


@api("org:integrations", "org:admin")
async def integration_delete(ctx: Ctx) -> Response:
    found = one(ctx, "integration", ctx.request.path_params["integration_id"])
    ctx.store.delete("integration", found["id"])
    return empty(204)


# -- releases -----------------------------------------------------------------------------------


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
    return paginate(ctx, [model.show_release(ctx.store, r) for r in releases])


@api(*RELEASES)
async def project_releases(ctx: Ctx) -> Response:
    releases = [r for r in org_releases(ctx) if ctx.project["id"] in r["projects"]]
    return paginate(ctx, [model.show_release(ctx.store, r) for r in releases])


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
        release = model.new_release(ctx.store, ctx.org["id"], version, ids, now())
        release.update({k: body.get(k) for k in ("ref", "url", "dateReleased") if k in body})
        ctx.store.put("release", release["id"], release)
        return ok(model.show_release(ctx.store, release), 201)
    existing["projects"] = sorted(set(existing["projects"]) | set(ids), key=int)
    ctx.store.put("release", existing["id"], existing)
    return ok(model.show_release(ctx.store, existing), 208)


@api(*RELEASES)
async def release_detail(ctx: Ctx) -> Response:
    release = find_release(ctx, ctx.request.path_params["version"])
    return ok(model.show_release(ctx.store, release))


@api(*RELEASES_WRITE)
async def release_delete(ctx: Ctx) -> Response:
    release = find_release(ctx, ctx.request.path_params["version"])
    ctx.store.delete("release", release["id"])
    return empty(204)


# -- events -------------------------------------------------------------------------------------


def valid_event_id(value: str) -> str:
    event_id = normal_event_id(value)
    if event_id is None:
        raise detail(
            400,
            "Event ID must be a valid UUID hex (32-36 characters long, "
            "containing only digits, dashes, or a-f characters)",
        )
    return event_id


@api(*PROJECT_READ, "event:read")
async def project_event(ctx: Ctx) -> Response:
    event_id = normal_event_id(ctx.request.path_params["event_id"])
    found = ctx.store.event(event_id, ctx.project["id"]) if event_id else None
    if found is None:
        raise detail(404, "Event not found")
    return ok(model.show_event(found[1], found[0]))


@api(*PROJECT_READ, "event:read")
async def project_events(ctx: Ctx) -> Response:
    """ProjectEventsEndpoint.get (api/endpoints/project_events.py): GenericOffsetPaginator
    over the project's events, newest first; the page's items come from the summary column
    (no event body is parsed for a list)."""
    project_id = ctx.project["id"]
    offset, per_page = page_window(ctx)
    page = ctx.store.event_page(
        project_id, offset, per_page, lambda e: model.show_event_summary(e, project_id)
    )
    return page_response(ctx, page, ctx.store.event_count(project_id), offset, per_page)


@api(*ORG_READ)
async def event_id_lookup(ctx: Ctx) -> Response:
    event_id = valid_event_id(ctx.request.path_params["event_id"])
    found = ctx.store.event(event_id)
    if found is None or found[0] not in project_ids(ctx):
        raise detail(404, NOT_FOUND)
    project_id, stored = found
    if stored["payload"].get("type") == "transaction":
        raise detail(404, NOT_FOUND)
    project = ctx.store.get("project", project_id)
    assert project is not None
    return ok(
        {
            "organizationSlug": ctx.org["slug"],
            "projectSlug": project["slug"],
            "groupId": str(stored["groupId"]),
            "eventId": event_id,
            "event": model.show_event(stored, project_id),
        }
    )


# -- detectors and workflows --------------------------------------------------------------------


def org_detectors(ctx: Ctx) -> Query:
    """The organization's detectors (those of its projects)."""
    return Query("detector", projects=frozenset(project_ids(ctx)))


def find_detector(ctx: Ctx, detector_id: str) -> Doc:
    detector = ctx.store.get("detector", detector_id)
    if detector is None or detector["projectId"] not in project_ids(ctx):
        raise detail(404, NOT_FOUND)
    return detector


def check_workflow_ids(ctx: Ctx, ids: Any, field_name: str = "workflowIds") -> list[str]:
    """The detector endpoints hand workflowIds to BulkDetectorWorkflowsValidator
    (validate_workflows_exist); its wording was not re-read: "Some workflows do not exist."
    is the sandbox's."""
    if not isinstance(ids, list):
        raise Problem(400, {field_name: ['Expected a list of items but got type "str".']})
    known = set(ctx.store.ids(Query("workflow", org=ctx.org["id"])))
    wanted = [str(i) for i in ids]
    if set(wanted) - known:
        raise Problem(400, {field_name: ["Some workflows do not exist."]})
    return wanted


def check_detector_ids(ctx: Ctx, ids: Any) -> list[str]:
    """A workflow's detectorIds (validate_detectors_exist_and_have_permissions in
    validators/detector_workflow.py; wording not re-read: "Some detectors do not exist." is
    the sandbox's)."""
    if not isinstance(ids, list):
        raise Problem(400, {"detectorIds": ['Expected a list of items but got type "str".']})
    known = set(ctx.store.ids(org_detectors(ctx)))
    wanted = [str(i) for i in ids]
    if set(wanted) - known:
        raise Problem(400, {"detectorIds": ["Some detectors do not exist."]})
    return wanted


def selected(ctx: Ctx, base: Query) -> Query:
    """OrganizationDetectorIndexEndpoint.filter_detectors (workflow_engine/endpoints/
    organization_detector_index.py), used for workflows too: ``id`` (integers, else
    {"id": ["Invalid ID format"]}), ``project`` / ``projectSlug``, and ``query`` terms
    ``type:``, ``name:`` and free text (name, description or type contains it). ``sortBy``
    orders by name, id or type; Sentry's other sort keys are accepted and leave the order.
    The filters become a store :class:`Query` (SQL over indexed columns)."""
    query = base
    ids = ctx.request.query_params.getlist("id")
    if ids:
        if not all(i.strip().lstrip("-").isdigit() for i in ids):
            raise Problem(400, {"id": ["Invalid ID format"]})
        query = replace(query, ids=frozenset(ids))
    projects = [p for p in ctx.request.query_params.getlist("project") if p != "-1"]
    if projects:
        query = replace(query, projects=(query.projects or frozenset(projects)) & set(projects))
    slugs = ctx.request.query_params.getlist("projectSlug")
    if slugs:
        wanted = {p["id"] for p in org_docs(ctx, "project") if p["slug"] in slugs}
        query = replace(query, projects=(query.projects or frozenset(wanted)) & wanted)
    text = (ctx.query("query") or "").strip()
    for term in text.split():
        name, sep, value = term.partition(":")
        if sep and name == "type":
            if query.type is not None and query.type != value:
                query = replace(query, ids=frozenset())  # two different types: nothing
            query = replace(query, type=value)
        elif sep and name == "name":
            query = replace(query, name_has=(*query.name_has, value))
        else:
            query = replace(query, text=(*query.text, term))
    sort = ctx.query("sortBy")
    if sort and sort.lstrip("-") in ("name", "id", "type"):
        query = replace(query, order=sort)
    return query


#: OrganizationDetectorIndexEndpoint.put / .delete: the filter they need, and their answers.
BULK_FILTER_NEEDED = "At least one of 'id', 'query', 'project', or 'projectSlug' must be provided."


def bulk_selection(ctx: Ctx, base: Query, kind: str, verb: str) -> list[Doc] | Response:
    """The documents a bulk PUT/DELETE acts on, or Sentry's answer when there are none:
    400 without a filter, 400 when an ``id`` asked for is not found, 200 "No ... found."."""
    params = ctx.request.query_params
    if not (
        params.getlist("id")
        or ctx.query("query")
        or params.getlist("project")
        or params.getlist("projectSlug")
    ):
        raise detail(400, BULK_FILTER_NEEDED)
    found = ctx.store.select(selected(ctx, base))
    if params.getlist("id") and len(found) != len(set(params.getlist("id"))):
        raise detail(
            400, f"Some {kind}s were not found or you do not have permission to {verb} them."
        )
    if not found:
        return ok({"detail": f"No {kind}s found."})
    return found


@api(*ALERTS_READ)
async def detectors_list(ctx: Ctx) -> Response:
    return paginate_query(
        ctx, selected(ctx, org_detectors(ctx)), lambda docs: model.show_detectors(ctx.store, docs)
    )


#: OrganizationProjectDetectorIndexEndpoint.post (workflow_engine/endpoints/
#: organization_project_detector_index.py): metric monitors need the "incidents" feature.
NO_INCIDENTS = "Unable to process request, confirm payment options."


@api("alerts:write", *PROJECT_WRITE)
async def detector_create(ctx: Ctx) -> Response:
    body = require(await ctx.body(), "name", "type")
    if body.get("type") == "metric_issue" and "incidents" not in model.org_features(ctx.org):
        raise detail(400, NO_INCIDENTS)
    check(ctx, validation.validate_detector, body, partial=False)
    body = as_strings(body, "name")
    workflow_ids = check_workflow_ids(ctx, body.get("workflowIds", []))
    detector_id = str(ctx.store.next_id("detector"))
    detector = model.detector_fields(ctx.store, ctx.org["id"], body, None, now())
    detector.update(
        {
            "id": detector_id,
            "org": ctx.org["id"],
            "projectId": ctx.project["id"],
            "createdBy": ctx.user,
        }
    )
    ctx.store.put("detector", detector_id, detector)
    model.set_links(ctx.store, workflow_ids, detector=detector_id)
    return ok(model.show_detector(ctx.store, detector), 201)


@api(*ALERTS_READ)
async def detector_detail(ctx: Ctx) -> Response:
    detector = find_detector(ctx, ctx.request.path_params["detector_id"])
    return ok(model.show_detector(ctx.store, detector))


@api("alerts:write", *ORG_READ)
async def detector_update(ctx: Ctx) -> Response:
    """OrganizationDetectorDetailsEndpoint.put: validator.is_valid (partial), then save() ->
    MetricIssueDetectorValidator.update (update_data_source's transaction rule). A built-in
    detector keeps only enabled, workflowIds and owner (the sandbox's reading of the error
    and issue-stream detectors' validators, not re-read)."""
    detector = find_detector(ctx, ctx.request.path_params["detector_id"])
    body = require(await ctx.body())
    if detector.get("builtin"):
        body = {k: v for k, v in body.items() if k in ("enabled", "workflowIds", "owner")}
    else:
        check(ctx, validation.validate_detector, body, partial=True, stored=detector)
        body = as_strings(body, "name")
    workflow_ids = check_workflow_ids(ctx, body["workflowIds"]) if "workflowIds" in body else None
    updated = model.detector_fields(ctx.store, ctx.org["id"], body, detector, now())
    ctx.store.put("detector", updated["id"], updated)
    if workflow_ids is not None:
        model.set_links(ctx.store, workflow_ids, detector=updated["id"])
    return ok(model.show_detector(ctx.store, updated))


def delete_detector(ctx: Ctx, detector: Doc) -> None:
    """can_delete_detector (validators/detector_workflow.py): system-created detectors cannot
    be deleted (403)."""
    if detector.get("builtin"):
        raise detail(403, NO_PERMISSION)
    ctx.store.delete("detector", detector["id"])
    model.set_links(ctx.store, [], detector=detector["id"])


@api("alerts:write", *ORG_READ)
async def detector_delete(ctx: Ctx) -> Response:
    delete_detector(ctx, find_detector(ctx, ctx.request.path_params["detector_id"]))
    return empty(204)


@api("alerts:write", *ORG_READ)
async def detectors_bulk_delete(ctx: Ctx) -> Response:
    """OrganizationDetectorIndexEndpoint.delete: can_delete_detectors refuses (403) a
    selection holding a built-in (system-created) detector."""
    docs = bulk_selection(ctx, org_detectors(ctx), "detector", "delete")
    if isinstance(docs, Response):
        return docs
    if any(d.get("builtin") for d in docs):
        raise detail(403, NO_PERMISSION)
    for detector in docs:
        delete_detector(ctx, detector)
    return empty(204)


@api("alerts:write", *ORG_READ)
async def detectors_bulk_update(ctx: Ctx) -> Response:
    """OrganizationDetectorIndexEndpoint.put: DetectorWorkflowMutationValidator's
    ``enabled`` (a boolean, True when absent), applied to the selection."""
    body = require(await ctx.body())
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise Problem(400, {"enabled": ["Must be a valid boolean."]})
    docs = bulk_selection(ctx, org_detectors(ctx), "detector", "update")
    if isinstance(docs, Response):
        return docs
    for detector in docs:
        detector["enabled"] = enabled
        detector["dateUpdated"] = now()
        ctx.store.put("detector", detector["id"], detector)
    return paginate(ctx, model.show_detectors(ctx.store, docs))


def find_workflow(ctx: Ctx, workflow_id: str) -> Doc:
    return one(ctx, "workflow", workflow_id)


@api(*ALERTS_READ)
async def workflows_list(ctx: Ctx) -> Response:
    query = selected(ctx, Query("workflow", org=ctx.org["id"]))
    return paginate_query(ctx, query, lambda docs: model.show_workflows(ctx.store, docs))


@api(*ALERTS_WRITE)
async def workflow_create(ctx: Ctx) -> Response:
    """The workflow index's POST: WorkflowValidator.is_valid, then create(); the actions are
    stored as their validator handlers left them (stored_workflow)."""
    body = require(await ctx.body(), "name")
    check(ctx, validation.validate_workflow, body, partial=False)
    body = as_strings(body, "name")
    detector_ids = check_detector_ids(ctx, body.get("detectorIds", []))
    body = stored_workflow(ctx, body)
    workflow_id = str(ctx.store.next_id("workflow"))
    workflow = model.workflow_fields(ctx.store, ctx.org["id"], body, None, now())
    workflow.update({"id": workflow_id, "org": ctx.org["id"], "createdBy": ctx.user})
    ctx.store.put("workflow", workflow_id, workflow)
    model.set_links(ctx.store, detector_ids, workflow=workflow_id)
    return ok(model.show_workflow(ctx.store, workflow), 201)


def stored_workflow(ctx: Ctx, body: Doc) -> Doc:
    """A valid workflow body as Sentry stores it: each action after its validator handler
    (validation.cleaned_workflow), and the environment as its name (WorkflowSerializer shows
    ``obj.environment.name``), whether it came as ``environment`` or ``environmentId``."""
    body = validation.cleaned_workflow(body, org_context(ctx.store, ctx.org))
    if "environmentId" in body or "environment_id" in body:
        wanted = body.pop("environmentId", body.pop("environment_id", None))
        names = {v: k for k, v in model.org_environments(ctx.store, ctx.org["id"]).items()}
        body["environment"] = None if wanted is None else names.get(str(wanted))
    return body


@api(*ALERTS_READ)
async def workflow_detail(ctx: Ctx) -> Response:
    workflow = find_workflow(ctx, ctx.request.path_params["workflow_id"])
    return ok(model.show_workflow(ctx.store, workflow))


@api(*ALERTS_WRITE)
async def workflow_update(ctx: Ctx) -> Response:
    """OrganizationWorkflowDetailsEndpoint.put: WorkflowValidator (partial) and update()."""
    workflow = find_workflow(ctx, ctx.request.path_params["workflow_id"])
    body = require(await ctx.body())
    check(ctx, validation.validate_workflow, body, partial=True)
    body = as_strings(body, "name")
    detector_ids = check_detector_ids(ctx, body["detectorIds"]) if "detectorIds" in body else None
    body = stored_workflow(ctx, body)
    updated = model.workflow_fields(ctx.store, ctx.org["id"], body, workflow, now())
    ctx.store.put("workflow", updated["id"], updated)
    if detector_ids is not None:
        model.set_links(ctx.store, detector_ids, workflow=updated["id"])
    return ok(model.show_workflow(ctx.store, updated))


@api(*ALERTS_WRITE)
async def workflow_delete(ctx: Ctx) -> Response:
    workflow = find_workflow(ctx, ctx.request.path_params["workflow_id"])
    ctx.store.delete("workflow", workflow["id"])
    model.set_links(ctx.store, [], workflow=workflow["id"])
    return empty(204)


@api(*ALERTS_WRITE)
async def workflows_bulk_delete(ctx: Ctx) -> Response:
    """The workflow index's DELETE, modelled on OrganizationDetectorIndexEndpoint.delete (the
    workflow endpoint's own messages were not re-read)."""
    docs = bulk_selection(ctx, Query("workflow", org=ctx.org["id"]), "workflow", "delete")
    if isinstance(docs, Response):
        return docs
    for workflow in docs:
        ctx.store.delete("workflow", workflow["id"])
        model.set_links(ctx.store, [], workflow=workflow["id"])
    return empty(204)


# -- environments -------------------------------------------------------------------------------


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


# -- dashboards ---------------------------------------------------------------------------------

# -- ingest -------------------------------------------------------------------------------------


def ingest_project(state: SandboxState, project_id: str, key: str | None) -> Doc:
    if not key:
        raise IngestError(401, "missing authorization information")
    stored = state.store.get("key", key)
    project = state.store.get("project", project_id)
    if stored is None or project is None or stored["project"] != project_id:
        raise IngestError(403, "event submission rejected with_reason: ProjectId")
    if not stored["isActive"]:
        raise IngestError(403, "event submission rejected with_reason: DisabledKey")
    return project


def as_strings(body: Doc, *names: str) -> Doc:
    """The validated body with its CharFields as strings: DRF's
    ``CharField.to_internal_value`` (rest_framework/fields.py) accepts numbers and returns
    ``str(data)``, so a workflow named 1.5 is stored as "1.5" (stored as a number it broke
    later list queries)."""
    fixed = dict(body)
    for name in names:
        value = fixed.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            fixed[name] = str(value)
    return fixed


def timestamp_iso(value: Any) -> str:
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        except (OverflowError, OSError, ValueError):  # normalize_event drops these first
            return now()
    if isinstance(value, str) and value:
        return value if value.endswith("Z") or "+" in value else value + "Z"
    return now()


def store_event(state: SandboxState, project: Doc, event: Doc, fallback_id: Any, size: int) -> str:
    event_id = (
        normal_event_id(event.get("event_id")) or normal_event_id(fallback_id) or uuid.uuid4().hex
    )
    event["event_id"] = event_id
    received = now()
    stored = {
        "eventId": event_id,
        "groupId": model.group_id(state.store, project["id"], event),
        "dateReceived": received,
        "dateCreated": timestamp_iso(event.get("timestamp")),
        "size": size,
        "payload": event,
    }
    kind = model.event_type(event)
    summary = model.show_event_summary(stored, project["id"])
    if state.store.add_event(project["id"], event_id, kind, stored, summary):
        note_event(state, project, event, kind, received)
    return event_id


def note_event(state: SandboxState, project: Doc, event: Doc, kind: str, received: str) -> None:
    """What Sentry derives from an event: first-event flags, environments, releases."""
    project = dict(project)
    if kind == "transaction":
        project["firstTransactionEvent"] = True
    elif project.get("firstEvent") is None:
        project["firstEvent"] = received
    state.store.put("project", project["id"], project)
    # event_manager _get_or_create_environment_many: Environment.get_or_create(project, name)
    environment = event.get("environment")
    if isinstance(environment, str) and environment:
        model.get_or_create_environment(
            state.store, project["org"], project["id"], environment, received
        )
    version = event.get("release")
    if isinstance(version, str) and version:
        found = state.store.select(Query("release", org=project["org"], name=version), limit=1)
        if not found:
            release = model.new_release(
                state.store, project["org"], version, [project["id"]], received
            )
            state.store.put("release", release["id"], release)
        elif project["id"] not in found[0]["projects"]:
            found[0]["projects"].append(project["id"])
            state.store.put("release", found[0]["id"], found[0])


async def ingest(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    project_id = str(request.path_params["project_id"])
    kind = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    try:
        try:
            raw = await read_body(request, MAX_BODY_BYTES)
        except Problem as exc:
            raise IngestError(exc.status, str(exc.body.get("detail"))) from None
        body = decompress(raw, request.headers.get("content-encoding"))
        key = auth_key(
            request.headers.get("x-sentry-auth") or request.headers.get("authorization"),
            request.query_params.get("sentry_key"),
        )
        ids: list[str] = []
        if kind == "envelope":
            header, items = parse_envelope(body)
            project = ingest_project(state, project_id, key or envelope_key(header))
            for item_header, payload in items:
                if item_header.get("type") in EVENT_ITEMS:
                    event = load_event(payload)
                    if item_header["type"] == "transaction":
                        event.setdefault("type", "transaction")
                    ids.append(
                        store_event(state, project, event, header.get("event_id"), len(payload))
                    )
            return ok({"id": ids[0] if ids else header.get("event_id")})
        project = ingest_project(state, project_id, key)
        return ok({"id": store_event(state, project, load_event(body), None, len(body))})
    except IngestError as exc:
        return ok({"detail": exc.detail}, exc.status)


# -- sandbox admin (never faulted: faults.py exempts /_sandbox/) ---------------------------------


@api()
async def admin_faults(ctx: Ctx) -> Response:
    """GET the fault rules, PUT new ones (strings or objects, see faults.py), DELETE them all."""
    switchboard: Faults = ctx.request.app.state.faults
    if ctx.request.method == "PUT":
        try:
            switchboard.replace(faults_from_json(await ctx.body()))
        except (FaultSyntaxError, ValueError, TypeError) as exc:
            raise detail(400, str(exc)) from None
    elif ctx.request.method == "DELETE":
        switchboard.clear()
    return ok(switchboard.to_json())


# -- the app ------------------------------------------------------------------------------------

O = "/api/0/organizations/{org}"  # noqa: E741
P = "/api/0/projects/{org}/{project}"


def routes() -> list[Route]:
    return [
        Route("/api/{project_id:int}/envelope/", ingest, methods=["POST"]),
        Route("/api/{project_id:int}/store/", ingest, methods=["POST"]),
        Route("/api/0/", index, methods=["GET"]),
        Route("/_sandbox/faults/", admin_faults, methods=["GET", "PUT", "DELETE"]),
        Route("/api/0/organizations/", organizations, methods=["GET"]),
        Route(O + "/", organization, methods=["GET"]),
        Route(O + "/projects/", org_projects, methods=["GET"]),
        Route(O + "/teams/", org_teams, methods=["GET"]),
        Route(O + "/members/", org_members, methods=["GET"]),
        Route(O + "/members/{member_id}/teams/{team}/", team_member_delete, methods=["DELETE"]),
        Route("/api/0/teams/{org}/{team}/members/", team_members, methods=["GET"]),
        Route(O + "/integrations/", integrations, methods=["GET"]),
        Route(O + "/integrations/{integration_id}/", integration_detail, methods=["GET"]),
        Route(O + "/integrations/{integration_id}/", integration_delete, methods=["DELETE"]),
        Route(O + "/releases/", releases_list, methods=["GET"]),
        Route(O + "/releases/", release_create, methods=["POST"]),
        Route(O + "/releases/{version:path}/", release_detail, methods=["GET"]),
        Route(O + "/releases/{version:path}/", release_delete, methods=["DELETE"]),
        Route(O + "/eventids/{event_id}/", event_id_lookup, methods=["GET"]),
        Route(O + "/environments/", org_environments, methods=["GET"]),
        Route(O + "/detectors/", detectors_list, methods=["GET"]),
        Route(O + "/detectors/", detectors_bulk_update, methods=["PUT"]),
        Route(O + "/detectors/", detectors_bulk_delete, methods=["DELETE"]),
        Route(O + "/projects/{project}/detectors/", detector_create, methods=["POST"]),
        Route(O + "/detectors/{detector_id}/", detector_detail, methods=["GET"]),
        Route(O + "/detectors/{detector_id}/", detector_update, methods=["PUT"]),
        Route(O + "/detectors/{detector_id}/", detector_delete, methods=["DELETE"]),
        Route(O + "/workflows/", workflows_list, methods=["GET"]),
        Route(O + "/workflows/", workflow_create, methods=["POST"]),
        Route(O + "/workflows/", workflows_bulk_delete, methods=["DELETE"]),
        Route(O + "/workflows/{workflow_id}/", workflow_detail, methods=["GET"]),
        Route(O + "/workflows/{workflow_id}/", workflow_update, methods=["PUT"]),
        Route(O + "/workflows/{workflow_id}/", workflow_delete, methods=["DELETE"]),
        *dashboards.routes(O),
        *legacy.routes(O, P),
        Route(P + "/", project_detail, methods=["GET"]),
        Route(P + "/", project_update, methods=["PUT"]),
        Route(P + "/keys/", keys_list, methods=["GET"]),
        Route(P + "/keys/", keys_create, methods=["POST"]),
        Route(P + "/keys/{key_id}/", key_detail, methods=["GET"]),
        Route(P + "/keys/{key_id}/", key_update, methods=["PUT"]),
        Route(P + "/keys/{key_id}/", key_delete, methods=["DELETE"]),
        Route(P + "/teams/", project_teams, methods=["GET"]),
        Route(P + "/environments/", project_environments, methods=["GET"]),
        Route(P + "/releases/", project_releases, methods=["GET"]),
        Route(P + "/events/", project_events, methods=["GET"]),
        Route(P + "/events/{event_id}/", project_event, methods=["GET"]),
    ]


async def not_found(request: Request, exc: Exception) -> Response:
    return ok({"detail": NOT_FOUND}, 404)


async def not_allowed(request: Request, exc: Exception) -> Response:
    return ok({"detail": f'Method "{request.method}" not allowed.'}, 405)


async def server_error(request: Request, exc: Exception) -> Response:
    return ok({"detail": "Internal Error", "errorId": uuid.uuid4().hex}, 500)


class SafeHeaders:
    """Percent-encodes response header values that HTTP cannot carry (a path segment such as
    ``%00`` echoed in a deprecation header made the server drop the connection unanswered)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def safe_send(message: Any) -> None:
            if message.get("type") == "http.response.start":
                message["headers"] = [
                    (name, _header_bytes(value)) for name, value in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, safe_send)


def _header_bytes(value: bytes) -> bytes:
    if all(32 <= b < 127 for b in value):
        return value
    return quote(value, safe="/:;,=?&%*@!$'()+ ").encode("ascii")


def create_app(state: SandboxState) -> Starlette:
    """The bare Starlette app over ``state`` (faults are wrapped around it by the caller)."""
    app = Starlette(
        routes=routes(),
        exception_handlers={404: not_found, 405: not_allowed, 500: server_error},
        middleware=[Middleware(SafeHeaders)],
    )
    app.state.sandbox = state
    app.state.faults = Faults()
    return app


def open_state(
    store: Store, seed: Doc, token: str | None = None, base_url: str | None = None
) -> tuple[SandboxState, str]:
    """Seed ``store`` if it is empty and register the API token (given or generated)."""
    if store.meta("seeded") is None:
        apply_seed(store, seed, now())
        store.set_meta("seeded", now())
    state = SandboxState(store=store)
    if base_url:
        state.base_url = base_url
    token = token or "sntrys_sandbox_" + secrets.token_hex(24)
    state.add_token(token)
    return state, token


def reset_state(state: SandboxState, seed: Doc) -> None:
    """Back to the seed: every resource and event is dropped and the seed written again."""
    scopes = {t: g["scopes"] for t, g in state.tokens.items()}
    state.store.clear()
    apply_seed(state.store, seed, now())
    state.store.set_meta("seeded", now())
    state.tokens.clear()
    for token, granted in scopes.items():
        state.add_token(token, granted)
