"""Dashboards: CRUD with Sentry's PUT semantics for widgets and queries, and the prebuilt entry."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model, validation
from para_monitor_cli.sandbox.facts import MAX_WIDGETS
from para_monitor_cli.sandbox.store import Doc, Query
from para_monitor_cli.sandbox.web import (
    NOT_FOUND,
    ORG_READ,
    PREBUILT_DASHBOARD,
    Ctx,
    Problem,
    api,
    check,
    detail,
    empty,
    now,
    ok,
    paginate_query,
    require,
)

TITLE_TAKEN = "Dashboard title already taken"
QUERY_DEFAULTS: dict[str, Any] = {
    "name": "",
    "fields": [],
    "aggregates": [],
    "columns": [],
    "fieldAliases": [],
    "conditions": "",
    "orderby": "",
    "isHidden": False,
    "selectedAggregate": None,
    "linkedDashboards": [],
}
WIDGET_DEFAULTS: dict[str, Any] = {
    "title": "",
    "description": None,
    "displayType": "line",
    "thresholds": None,
    "interval": "5m",
    "limit": None,
    "widgetType": None,
    "layout": None,
    "axisRange": None,
    "legendType": None,
    "datasetSource": "user",
    "exploreUrls": None,
    "changedReason": None,
}
SNAKE = {
    "display_type": "displayType",
    "widget_type": "widgetType",
    "field_aliases": "fieldAliases",
    "is_hidden": "isHidden",
    "selected_aggregate": "selectedAggregate",
    "axis_range": "axisRange",
    "legend_type": "legendType",
    "linked_dashboards": "linkedDashboards",
    "dataset_source": "datasetSource",
}


def camel(data: Doc) -> Doc:
    return {SNAKE.get(k, k): v for k, v in data.items()}


def build_queries(ctx: Ctx, widget_id: str, given: list[Any], old: list[Doc]) -> list[Doc]:
    """DashboardDetailsSerializer.update_widget_queries: queries without an id are created,
    those with one of the widget's ids updated, the others removed."""
    by_id = {q["id"]: q for q in old}
    out = []
    for raw in given:
        query = camel(raw if isinstance(raw, dict) else {})
        if query.get("id") is not None:
            base = by_id.get(str(query["id"]))
            if base is None:
                # update_widget_queries, raised from save(): a bare list
                raise Problem(400, ["You cannot use a query not owned by this widget"])
        else:
            base = {**QUERY_DEFAULTS, "id": str(ctx.store.next_id("widget_query"))}
        merged = {**base, **{k: v for k, v in query.items() if k in QUERY_DEFAULTS}}
        merged.update({"widgetId": widget_id, "onDemand": []})
        out.append(merged)
    return out


def build_widgets(ctx: Ctx, dashboard_id: str, given: list[Any], old: list[Doc]) -> list[Doc]:
    """DashboardDetailsSerializer.update_widgets: widgets missing from the request are removed
    (remove_missing_widgets), widgets without an id created, the dashboard's own updated in
    the request's order; another dashboard's widget id is refused."""
    by_id = {w["id"]: w for w in old}
    out = []
    for raw in given:
        widget = camel(raw if isinstance(raw, dict) else {})
        if widget.get("id") is not None:
            base = by_id.get(str(widget["id"]))
            if base is None:
                # DashboardDetailsSerializer.update_widgets, raised from save(): a bare list
                raise Problem(
                    400, ["You cannot update widgets that are not part of this dashboard."]
                )
        else:
            base = {
                **WIDGET_DEFAULTS,
                "id": str(ctx.store.next_id("widget")),
                "dateCreated": now(),
                "queries": [],
            }
        merged = {**base, **{k: v for k, v in widget.items() if k in WIDGET_DEFAULTS}}
        if "queries" in widget:
            merged["queries"] = build_queries(
                ctx, merged["id"], list(widget["queries"] or []), base["queries"]
            )
        merged["dashboardId"] = dashboard_id
        out.append(merged)
    return out


def title_taken(ctx: Ctx, title: str, except_id: str | None = None) -> bool:
    same = Query("dashboard", org=ctx.org["id"], name=title)
    titles = (title for doc_id in ctx.store.ids(same) if doc_id != except_id)
    return validation.dashboard_title_conflict(title, titles) is not None


def show(ctx: Ctx, dashboard: Doc) -> Doc:
    user = ctx.store.get("user", dashboard["createdBy"]) or ctx.store.get("user", ctx.user)
    assert user is not None
    # Sentry shows period/start/end/utc only when the dashboard sets them
    ranges = {k: dashboard[k] for k in ("period", "start", "end") if dashboard[k] is not None}
    if dashboard["utc"]:
        ranges["utc"] = "true"
    return {
        **ranges,
        "id": dashboard["id"],
        "title": dashboard["title"],
        "dateCreated": dashboard["dateCreated"],
        "createdBy": model.show_user(user),
        "widgets": [
            {**w, "queries": [dict(q) for q in w["queries"]]} for w in dashboard["widgets"]
        ],
        "projects": dashboard["projects"],
        "environment": dashboard["environment"],
        "filters": dashboard["filters"],
        "permissions": dashboard["permissions"],
        "isFavorited": dashboard["isFavorited"],
        "prebuiltId": None,
    }


def summary(ctx: Ctx, dashboard: Doc) -> Doc:
    full = show(ctx, dashboard)
    return {
        "id": full["id"],
        "title": full["title"],
        "dateCreated": full["dateCreated"],
        "createdBy": full["createdBy"],
        "environment": full["environment"],
        "filters": full["filters"],
        "lastVisited": dashboard.get("lastVisited"),
        "widgetDisplay": [w["displayType"] for w in full["widgets"]],
        "widgetPreview": [
            {"displayType": w["displayType"], "layout": w["layout"]} for w in full["widgets"]
        ],
        "permissions": full["permissions"],
        "isFavorited": full["isFavorited"],
        "projects": full["projects"],
        "prebuiltId": None,
    }


def prebuilt(ctx: Ctx) -> Doc:
    """The prebuilt "General" dashboard the list starts with (OrganizationDashboardsEndpoint.get;
    its exact fields were not re-read)."""
    user = ctx.store.get("user", ctx.user)
    assert user is not None
    return {
        **PREBUILT_DASHBOARD,
        "dateCreated": ctx.org["dateCreated"],
        "createdBy": model.show_user(user),
        "environment": [],
        "filters": {},
        "lastVisited": None,
        "widgetDisplay": ["area", "big_number", "big_number", "line", "table"],
        "widgetPreview": [],
        "permissions": {"isEditableByEveryone": True, "teamsWithEditAccess": []},
        "isFavorited": False,
        "projects": [],
        "prebuiltId": None,
    }


def fields_of(body: Doc) -> Doc:
    out: Doc = {}
    for key in (
        "title",
        "projects",
        "environment",
        "period",
        "start",
        "end",
        "utc",
        "filters",
        "permissions",
        "isFavorited",
    ):
        if key in body:
            out[key] = body[key]
    return out


@api(*ORG_READ)
async def dashboards_list(ctx: Ctx) -> Response:
    """OrganizationDashboardsEndpoint.get: the prebuilt dashboard first, then the org's,
    filtered by ``query`` (title contains, case-insensitively) and sorted by ``sort``; the
    page is cut in SQL and only its dashboards are rendered."""
    listed = Query("dashboard", org=ctx.org["id"])
    query = ctx.query("query")
    if query:
        listed = replace(listed, name_has=(query,))
    sort = ctx.query("sort")
    if sort in ("title", "-title"):
        listed = replace(listed, order="-lname" if sort == "-title" else "lname")
    lead = []
    if not query or query.lower() in PREBUILT_DASHBOARD["title"].lower():
        lead.append(prebuilt(ctx))
    return paginate_query(ctx, listed, lambda docs: [summary(ctx, d) for d in docs], lead=lead)


@api(*ORG_READ)
async def dashboard_create(ctx: Ctx) -> Response:
    """OrganizationDashboardsEndpoint.post: DashboardDetailsSerializer, then a title already
    used is a 409 unless ``duplicate`` asks for a "<title> copy" (the copy naming was not
    re-read)."""
    body = require(await ctx.body(), "title")
    check(ctx, validation.validate_dashboard, body, partial=False)
    widgets = body.get("widgets") or []
    if len(widgets) > MAX_WIDGETS:  # DashboardDetailsSerializer.validate
        raise Problem(
            400, {"nonFieldErrors": [f"Number of widgets must be less than {MAX_WIDGETS}"]}
        )
    title = str(body["title"])
    if title_taken(ctx, title):
        if not body.get("duplicate"):
            raise Problem(409, TITLE_TAKEN)
        n = 1
        while title_taken(ctx, f"{title} copy {n}" if n > 1 else f"{title} copy"):
            n += 1
        title = f"{title} copy {n}" if n > 1 else f"{title} copy"
    dashboard_id = str(ctx.store.next_id("dashboard"))
    dashboard: Doc = {
        "id": dashboard_id,
        "org": ctx.org["id"],
        "createdBy": ctx.user,
        "dateCreated": now(),
        "projects": [],
        "environment": [],
        "period": None,
        "start": None,
        "end": None,
        "utc": False,
        "filters": {},
        "permissions": {"isEditableByEveryone": True, "teamsWithEditAccess": []},
        "isFavorited": False,
        **fields_of(body),
        "title": title,
    }
    dashboard["widgets"] = build_widgets(ctx, dashboard_id, list(widgets), [])
    ctx.store.put("dashboard", dashboard_id, dashboard)
    return ok(show(ctx, dashboard), 201)


def find(ctx: Ctx) -> Doc:
    dashboard_id = ctx.request.path_params["dashboard_id"]
    doc = ctx.store.get("dashboard", dashboard_id)
    if doc is None or doc["org"] != ctx.org["id"]:
        raise detail(404, NOT_FOUND)
    return doc


@api(*ORG_READ)
async def dashboard_detail(ctx: Ctx) -> Response:
    if ctx.request.path_params["dashboard_id"] == PREBUILT_DASHBOARD["id"]:
        board = prebuilt(ctx)
        for key in ("lastVisited", "widgetDisplay", "widgetPreview"):
            board.pop(key)
        return ok(
            {**board, "widgets": [], "period": "14d", "start": None, "end": None, "utc": False}
        )
    return ok(show(ctx, find(ctx)))


@api(*ORG_READ)
async def dashboard_update(ctx: Ctx) -> Response:
    """OrganizationDashboardDetailsEndpoint.put: DashboardDetailsSerializer (partial), then
    update(): widgets and queries as build_widgets, a title already used is a 409."""
    dashboard = find(ctx)
    body = require(await ctx.body())
    check(ctx, validation.validate_dashboard, body, partial=True)
    owned = [w["id"] for w in dashboard["widgets"]] + [
        f"{w['id']}/{q['id']}" for w in dashboard["widgets"] for q in w["queries"]
    ]
    foreign = validation.foreign_widget_error(body, owned)
    if foreign is not None:
        raise Problem(400, foreign)
    widgets = body.get("widgets")
    if widgets is not None and len(widgets) > MAX_WIDGETS:  # DashboardDetailsSerializer.validate
        raise Problem(
            400, {"nonFieldErrors": [f"Number of widgets must be less than {MAX_WIDGETS}"]}
        )
    if "title" in body and title_taken(ctx, str(body["title"]), dashboard["id"]):
        raise Problem(409, TITLE_TAKEN)
    updated = {**dashboard, **fields_of(body)}
    if widgets is not None:
        updated["widgets"] = build_widgets(
            ctx, dashboard["id"], list(widgets), dashboard["widgets"]
        )
    ctx.store.put("dashboard", updated["id"], updated)
    return ok(show(ctx, updated))


@api(*ORG_READ)
async def dashboard_delete(ctx: Ctx) -> Response:
    dashboard = find(ctx)
    ctx.store.delete("dashboard", dashboard["id"])
    return empty(204)


def routes(org_prefix: str) -> list[Route]:
    return [
        Route(org_prefix + "/dashboards/", dashboards_list, methods=["GET"]),
        Route(org_prefix + "/dashboards/", dashboard_create, methods=["POST"]),
        Route(org_prefix + "/dashboards/{dashboard_id}/", dashboard_detail, methods=["GET"]),
        Route(org_prefix + "/dashboards/{dashboard_id}/", dashboard_update, methods=["PUT"]),
        Route(org_prefix + "/dashboards/{dashboard_id}/", dashboard_delete, methods=["DELETE"]),
    ]
