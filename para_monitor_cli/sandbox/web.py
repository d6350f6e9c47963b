"""HTTP plumbing shared by the sandbox's routes: auth, resolution, errors, pagination."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from para_monitor_cli.sandbox import model, validation
from para_monitor_cli.sandbox.facts import MAX_PER_PAGE
from para_monitor_cli.sandbox.ingest import loads
from para_monitor_cli.sandbox.store import Doc, Query, Store

NOT_FOUND = "The requested resource does not exist"
NO_PERMISSION = "You do not have permission to perform this action."
NO_CREDENTIALS = "Authentication credentials were not provided."
BAD_TOKEN = "Invalid token"  # noqa: S105 - an error message, not a secret
# API request bodies. Relay in front of Sentry refuses API payloads over 20 MiB
# (``max_api_payload_size``, relay-config/src/config.rs); the sandbox's API has no body near
# that size to accept, so it caps them at 1 MiB (413) to keep its memory bounded.
MAX_API_BODY = 1024 * 1024
# JSON nesting of API bodies: Sentry parses them with DRF's JSONParser
# (rest_framework/parsers.py ``JSONParser.parse``: ``ParseError("JSON parse error - ...")``,
# 400), whose strict mode refuses NaN and Infinity (rest_framework/utils/json.py
# ``strict_constant``). Python's json stops at about 1000 levels with a RecursionError, which
# DRF does not catch (a 500 at Sentry); the sandbox answers 400 beyond 64 levels instead, far
# deeper than any body Sentry's serializers accept.
MAX_API_JSON_DEPTH = 64
PREBUILT_DASHBOARD = {"id": "default-overview", "title": "General"}

# scopes: any one of them suffices (the spec's security lists)
ORG_READ = ("org:read", "org:write", "org:admin")
PROJECT_READ = ("project:read", "project:write", "project:admin")
PROJECT_WRITE = ("project:write", "project:admin")
ALERTS_READ = ("alerts:read", *ORG_READ)
ALERTS_WRITE = ("alerts:write", "org:write", "org:admin")
MEMBER_READ = ("member:read", "member:write", "member:admin")
TEAM_READ = ("team:read", "team:write", "team:admin")
RELEASES = ("project:read", "project:write", "project:admin", "project:releases", "org:ci")
RELEASES_WRITE = ("project:write", "project:admin", "project:releases", "org:ci")


@dataclass
class SandboxState:
    """What every handler shares: the store, the API tokens, and the public base URL."""

    store: Store
    base_url: str = "http://127.0.0.1:9000/"
    tokens: dict[str, Doc] = field(default_factory=dict)

    def add_token(self, token: str, scopes: list[str] | None = None) -> None:
        user = self.store.meta("token_user") or "1"
        seeded = json.loads(self.store.meta("token_scopes") or "[]")
        self.tokens[token] = {"user": user, "scopes": scopes or seeded or list(model.ALL_SCOPES)}


@dataclass
class Ctx:
    """One authenticated API request with its organization and project resolved."""

    request: Request
    state: SandboxState
    user: str
    org: Doc
    project: Doc

    @property
    def store(self) -> Store:
        return self.state.store

    async def body(self) -> Any:
        """The JSON body ({} when empty): capped in size and nesting, strict (UTF-8, no NaN),
        a 400 or 413 in Sentry's error shape otherwise."""
        raw = await read_body(self.request, MAX_API_BODY)
        if not raw.strip():
            return {}
        try:
            return loads(raw, MAX_API_JSON_DEPTH)
        except ValueError as exc:
            raise detail(400, f"JSON parse error - {exc}") from None

    def query(self, name: str, default: str | None = None) -> str | None:
        return self.request.query_params.get(name, default)


Handler = Callable[[Ctx], Awaitable[Response]]


class Problem(Exception):
    """An API error: raised anywhere in a handler, turned into Sentry's response."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body
        self.headers = headers or {}


def detail(status: int, text: str) -> Problem:
    return Problem(status, {"detail": text})


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes (never read
    into memory beyond that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise detail(413, f"Request body too large: more than {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise detail(413, f"Request body too large: more than {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def ok(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(data, status_code=status, headers=headers)


def empty(status: int) -> Response:
    return Response(status_code=status)


def now() -> str:
    return model.now_iso()


# -- validation seam: what the resource modules' rules need from the store ---------------------


def org_context(store: Store, org: Doc) -> validation.OrgContext:
    """What validation needs to know about ``org``: members, teams, integrations..."""
    org_id = org["id"]
    projects = {p["id"]: p["slug"] for p in store.select(Query("project", org=org_id))}
    integrations = store.select(Query("integration", org=org_id))
    return validation.OrgContext(
        user_ids=frozenset(m["user"] for m in store.select(Query("member", org=org_id))),
        team_ids=frozenset(store.ids(Query("team", org=org_id))),
        integrations={i["id"]: i["provider"] for i in integrations},
        project_slugs=frozenset(projects.values()),
        workflow_ids=frozenset(store.ids(Query("workflow", org=org_id))),
        detector_ids=frozenset(store.ids(Query("detector", projects=frozenset(projects)))),
        environments=model.org_environments(store, org_id),
        features=frozenset(model.org_features(org)),
        installed={
            i["id"]: validation.Integration(
                provider=i["provider"],
                name=i["name"],
                active=model.integration_status(i) == "active",
                channels={str(k): str(v) for k, v in (i.get("slack_channels") or {}).items()},
                services={
                    str(s["id"]): str(s.get("service", s["id"])) for s in i.get("services", [])
                },
            )
            for i in integrations
        },
    )


def check(
    ctx: Ctx, rule: Callable[..., Any], body: Any, partial: bool | None = None, **extra: Any
) -> None:
    """Run one of ``validation.validate_*`` on ``body``; raise Sentry's 400 if it fails."""
    if partial is not None:
        extra["partial"] = partial
    errors = rule(body, ctx=org_context(ctx.store, ctx.org), **extra)
    if errors is not None:
        raise Problem(400, errors)


def require(body: Any, *names: str) -> Doc:
    """The body as a dict with ``names`` present (DRF's "This field is required.")."""
    if not isinstance(body, dict):
        raise Problem(400, {"nonFieldErrors": ["Invalid data. Expected a dictionary."]})
    missing = {n: ["This field is required."] for n in names if body.get(n) in (None, "")}
    if missing:
        raise Problem(400, missing)
    return body


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


# -- auth, org and project resolution -----------------------------------------------------------


def api(*scopes: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler: Bearer auth, scope check, org/project resolution, error bodies."""

    def wrap(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            state: SandboxState = request.app.state.sandbox
            try:
                user = authenticate(request, state, scopes)
                org = resolve_org(state, request.path_params.get("org"), user)
                project = resolve_project(state, org, request.path_params.get("project"))
                response = await fn(Ctx(request, state, user, org, project))
            except Problem as exc:
                response = ok(exc.body, exc.status, exc.headers)
            except json.JSONDecodeError:
                response = ok({"detail": "Malformed request."}, 400)
            return response

        endpoint.__name__ = fn.__name__
        return endpoint

    return wrap


def authenticate(request: Request, state: SandboxState, scopes: tuple[str, ...]) -> str:
    header = request.headers.get("authorization", "")
    kind, _, token = header.partition(" ")
    if not header:
        raise detail(401, NO_CREDENTIALS)
    if kind.lower() != "bearer" or token.strip() not in state.tokens:
        raise detail(401, BAD_TOKEN)
    grant = state.tokens[token.strip()]
    if scopes and not set(scopes) & set(grant["scopes"]):
        raise detail(403, NO_PERMISSION)
    return str(grant["user"])


def is_member(store: Store, org_id: str, user: str) -> bool:
    return any(m["org"] == org_id and m["user"] == user for m in store.all("member"))


def resolve_org(state: SandboxState, ref: str | None, user: str) -> Doc:
    if ref is None:
        return {}
    for org in state.store.all("org"):
        if ref in (org["slug"], org["id"]):
            if not is_member(state.store, org["id"], user):
                raise detail(403, NO_PERMISSION)
            return org
    raise detail(404, NOT_FOUND)


def resolve_project(state: SandboxState, org: Doc, ref: str | None) -> Doc:
    if ref is None:
        return {}
    for project in state.store.all("project"):
        if project["org"] == org["id"] and ref in (project["slug"], project["id"]):
            return project
    raise detail(404, NOT_FOUND)


def org_docs(ctx: Ctx, kind: str) -> list[Doc]:
    return ctx.store.select(Query(kind, org=ctx.org["id"]))


def project_ids(ctx: Ctx) -> set[str]:
    return {p["id"] for p in org_docs(ctx, "project")}


def one(ctx: Ctx, kind: str, doc_id: str, owner: str = "org") -> Doc:
    doc = ctx.store.get(kind, doc_id)
    expected = ctx.org["id"] if owner == "org" else ctx.project["id"]
    if doc is None or doc.get(owner) != expected:
        raise detail(404, NOT_FOUND)
    return doc


# -- pagination ---------------------------------------------------------------------------------


def page_window(ctx: Ctx, default: int = MAX_PER_PAGE) -> tuple[int, int]:
    """``(offset, per_page)`` from ``cursor`` and ``per_page``, as Sentry's OffsetPaginator
    reads them (api/paginator.py: cursor ``value:offset:is_prev``; api/base.py
    ``get_per_page``: at most 100), with Sentry's 400s for bad values. Offset pages are what
    Sentry serves these lists with: OrganizationDetectorIndexEndpoint.get (OffsetPaginator,
    count_hits=True) and ProjectEventsEndpoint.get (GenericOffsetPaginator)."""
    raw = ctx.query("per_page")
    per_page = default
    if raw is not None:
        try:
            per_page = int(raw)
        except ValueError:
            raise detail(400, "Invalid per_page parameter.") from None
        if per_page > MAX_PER_PAGE:
            raise detail(400, f"Invalid per_page value. Cannot exceed {MAX_PER_PAGE}.")
        if per_page < 1:
            raise detail(400, "Invalid per_page parameter.")
    offset = 0
    cursor = ctx.query("cursor")
    if cursor:
        parts = cursor.split(":")
        try:
            if len(parts) != 3:
                raise ValueError(cursor)
            offset = int(parts[1])
            int(parts[2])
        except ValueError:
            raise detail(400, "Invalid cursor parameter.") from None
        if offset < 0:
            raise detail(400, "Invalid cursor parameter.")
        # offsets are absolute here, so both directions (is_prev 0 or 1) read the same
    return offset, per_page


def page_response(ctx: Ctx, page: list[Any], total: int, offset: int, per_page: int) -> Response:
    """One page with Sentry's ``Link`` header (previous, then next) and hit counts."""
    base = str(ctx.request.url.replace(query=""))
    params = [(k, v) for k, v in ctx.request.query_params.multi_items() if k != "cursor"]

    def link(rel: str, value: str, results: bool) -> str:
        url = base + "?" + urlencode([*params, ("cursor", value)])
        flag = "true" if results else "false"
        return f'<{url}>; rel="{rel}"; results="{flag}"; cursor="{value}"'

    prev_cursor = f"0:{max(offset - per_page, 0)}:1"
    next_cursor = f"0:{offset + per_page}:0"
    header = ", ".join(
        [
            link("previous", prev_cursor, offset > 0),
            link("next", next_cursor, offset + per_page < total),
        ]
    )
    return ok(page, headers={"Link": header, "X-Hits": str(total), "X-Max-Hits": str(total)})


def paginate(
    ctx: Ctx,
    items: list[Any],
    default: int = MAX_PER_PAGE,
    show: Callable[[Any], Any] | None = None,
) -> Response:
    """One page of ``items`` (a list already in memory: the small kinds).

    ``show`` renders the items of the page only.
    """
    offset, per_page = page_window(ctx, default)
    page = items[offset : offset + per_page]
    if show is not None:
        page = [show(item) for item in page]
    return page_response(ctx, page, len(items), offset, per_page)


def paginate_query(
    ctx: Ctx,
    query: Query,
    show: Callable[[list[Doc]], list[Any]],
    default: int = MAX_PER_PAGE,
    lead: list[Any] | None = None,
) -> Response:
    """One page of what ``query`` matches, cut in SQL: the store counts the matches and
    reads (and ``show`` renders, as one batch) only the page's documents. ``lead`` items
    (already rendered) come before the query's, as the prebuilt dashboard does."""
    offset, per_page = page_window(ctx, default)
    lead = lead or []
    head = lead[offset : offset + per_page]
    start = max(0, offset - len(lead))
    docs = ctx.store.select(query, start, per_page - len(head))
    total = len(lead) + ctx.store.count(query)
    return page_response(ctx, [*head, *show(docs)], total, offset, per_page)
