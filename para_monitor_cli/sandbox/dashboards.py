"""Dashboards: CRUD with Sentry's PUT semantics for widgets and queries, and the prebuilt entry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import organizations
from para_monitor_cli.sandbox.facts import (
    DASHBOARD_DISPLAY_TYPES,
    DASHBOARD_WIDGET_TYPES,
    MAX_WIDGET_LIMIT,
    MAX_WIDGETS,
)
from para_monitor_cli.sandbox.store import Doc, Query
from para_monitor_cli.sandbox.validation import (
    INTERVAL_RE,
    REQUIRED_MSG,
    ErrorBody,
    OrgContext,
    add_message,
    as_int,
    char_field_error,
    get_key,
    has_key,
    is_int,
    is_number,
    not_a_dictionary,
    snake_case,
)
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
    return dashboard_title_conflict(title, titles) is not None


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
        "createdBy": organizations.show_user(user),
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
        "createdBy": organizations.show_user(user),
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
    check(ctx, validate_dashboard, body, partial=False)
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
    check(ctx, validate_dashboard, body, partial=True)
    owned = [w["id"] for w in dashboard["widgets"]] + [
        f"{w['id']}/{q['id']}" for w in dashboard["widgets"] for q in w["queries"]
    ]
    foreign = foreign_widget_error(body, owned)
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


# -- rules: dashboards


def _layout_error(layout: Any) -> str | None:
    """LayoutField.to_internal_value (api/serializers/rest_framework/dashboard.py): the five
    keys, each an int. Sentry does not check that a widget fits the 6-column grid."""
    if layout is None:
        return None
    if not isinstance(layout, Mapping):
        return "Expected a dictionary of items."
    missing = [k for k in ("h", "minH", "w", "x", "y") if not has_key(layout, k)]
    if missing:
        return "Missing required keys: " + ", ".join(missing)
    for key in ("x", "y", "w", "h", "minH"):
        if not is_int(get_key(layout, key)):
            return f"Expected number for: {snake_case(key)}"
    return None


def _thresholds_error(thresholds: Any) -> Any:
    """DashboardWidgetSerializer.validate's thresholds rules (max1/max2, raised as
    ``{"thresholds": ...}``). "A valid number is required." is the sandbox's: Sentry compares
    a non-number and fails with a 500."""
    if not thresholds:
        return None
    if not isinstance(thresholds, Mapping):
        return ["Expected a dictionary of items."]
    max_values = thresholds.get("max_values") or thresholds.get("maxValues")
    if not max_values:
        return None
    if not isinstance(max_values, Mapping):
        return ["Expected a dictionary of items."]
    for i in range(len(max_values)):
        key = f"max{i + 1}"
        if key not in ("max1", "max2"):
            return [f"Invalid maximum key {key}"]
        value = max_values.get(key)
        if value is not None and not is_number(value):
            return {key: "A valid number is required."}
        if value:
            if value < 0:
                return {key: "Maximum values can not be negative"}
            previous = max_values.get(f"max{i}") if i > 0 else None
            if previous is not None and is_number(previous) and previous >= value:
                return {key: "Maximum value must be greater than minimum."}
    for key in ("max1", "max2"):
        if max_values.get(key) is None:
            return {key: "Must set all threshold maximums or none at all."}
    return None


def _query_errors(query: Any) -> ErrorBody:
    """DashboardWidgetQuerySerializer: its list/char fields, and validate()'s
    required_for_create (fields and conditions). The query builder's checks of fields,
    conditions and orderby (reported per query under the widget's ``queries``) are not
    modelled."""
    if not isinstance(query, Mapping):
        return not_a_dictionary(query)
    errors: ErrorBody = {}
    for key in ("fields", "aggregates", "columns", "fieldAliases"):
        value = get_key(query, key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            add_message(errors, key, 'Expected a list of items but got type "str".')
    for key in ("name", "conditions", "orderby"):
        value = get_key(query, key)
        if value is not None and not isinstance(value, str):
            add_message(errors, key, "Not a valid string.")
    if errors:
        return errors
    if not get_key(query, "id") and (
        not has_key(query, "fields") or not has_key(query, "conditions")
    ):
        return {
            "fields": ["fields are required during creation."],
            "conditions": ["conditions are required during creation."],
        }
    return {}


def _widget_errors(widget: Any) -> ErrorBody:
    """DashboardWidgetSerializer (api/serializers/rest_framework/dashboard.py): its fields
    (id via validate_id, display_type/widget_type choices, interval via parse_stats_period,
    limit 1..10, LayoutField), then validate(): queries, title and displayType required on
    creation, thresholds. axisRange/legendType choices were not re-read."""
    if not isinstance(widget, Mapping):
        return not_a_dictionary(widget)
    errors: ErrorBody = {}
    widget_id = get_key(widget, "id")
    if widget_id is not None and as_int(widget_id) is None:
        add_message(errors, "id", "Invalid ID format. Must be a numeric string")
    char_field_error(errors, widget, "title", required=False, max_length=255, allow_blank=True)
    char_field_error(
        errors,
        widget,
        "description",
        required=False,
        max_length=255,
        allow_blank=True,
        allow_null=True,
    )
    display = get_key(widget, "displayType")
    if has_key(widget, "displayType") and display not in DASHBOARD_DISPLAY_TYPES:
        add_message(errors, "displayType", f'"{display}" is not a valid choice.')
    widget_type = get_key(widget, "widgetType")
    if widget_type is not None and widget_type not in DASHBOARD_WIDGET_TYPES:
        add_message(errors, "widgetType", f'"{widget_type}" is not a valid choice.')
    interval = get_key(widget, "interval")
    if interval is not None:
        if not isinstance(interval, str) or len(interval) > 10:
            add_message(errors, "interval", "Ensure this field has no more than 10 characters.")
        elif not INTERVAL_RE.match(interval):
            add_message(errors, "interval", "Invalid interval")
    # limit = IntegerField(min_value=1, max_value=10, required=False, allow_null=True)
    limit = get_key(widget, "limit")
    if limit is not None:
        value = as_int(limit)
        if value is None:
            add_message(errors, "limit", "A valid integer is required.")
        elif value < 1:
            add_message(errors, "limit", "Ensure this value is greater than or equal to 1.")
        elif value > MAX_WIDGET_LIMIT:
            add_message(
                errors, "limit", f"Ensure this value is less than or equal to {MAX_WIDGET_LIMIT}."
            )
    layout_problem = _layout_error(get_key(widget, "layout"))
    if layout_problem:
        add_message(errors, "layout", layout_problem)
    for key, choices in (
        ("axisRange", ("auto", "dataMin")),
        ("legendType", ("default", "breakdown")),
    ):
        value = get_key(widget, key)
        if value is not None and value not in choices:
            add_message(errors, key, f'"{value}" is not a valid choice.')
    queries = get_key(widget, "queries")
    if queries is not None:
        if not isinstance(queries, list):
            add_message(errors, "queries", 'Expected a list of items but got type "dict".')
        else:
            per_query = [_query_errors(q) for q in queries]
            if any(per_query):
                errors["queries"] = per_query
    if errors:
        return errors

    # DashboardWidgetSerializer.validate
    if not widget_id:
        if not queries:
            return {"queries": ["One or more queries are required to create a widget"]}
        if not get_key(widget, "title") and widget_type != "metrics":
            return {"title": ["Title is required during creation."]}
        if display is None:
            return {"displayType": ["displayType is required during creation."]}
    threshold_problem = _thresholds_error(get_key(widget, "thresholds"))
    if threshold_problem is not None:
        return {"thresholds": threshold_problem}
    return {}


def validate_dashboard(
    body: Any, *, partial: bool = False, ctx: OrgContext | None = None
) -> ErrorBody | None:
    """DashboardDetailsSerializer (api/serializers/rest_framework/dashboard.py): the fields,
    DashboardPermissionsSerializer.validate (unknown teams), then validate(): start before
    end, at most Dashboard.MAX_WIDGETS widgets.

    A dashboard create (``partial=False``) or update (PUT, ``partial=True``) body.

    Title uniqueness (409) and widget ownership on PUT are checked by
    :func:`dashboard_title_conflict` and :func:`foreign_widget_error`.
    """
    if not isinstance(body, Mapping):
        return not_a_dictionary(body)
    errors: ErrorBody = {}
    char_field_error(errors, body, "title", required=not partial, max_length=255)
    projects = get_key(body, "projects")
    if projects is not None and (
        not isinstance(projects, list) or any(not is_int(p) for p in projects)
    ):
        add_message(errors, "projects", "A valid integer is required.")
    environment = get_key(body, "environment")
    if environment is not None and (
        not isinstance(environment, list) or not all(isinstance(e, str) for e in environment)
    ):
        add_message(errors, "environment", 'Expected a list of items but got type "str".')
    # period = CharField(required=False, allow_null=True): not parsed by the serializer
    period = get_key(body, "period")
    if period is not None and not isinstance(period, str):
        add_message(errors, "period", "Not a valid string.")
    for key in ("start", "end"):
        value = get_key(body, key)
        if value is not None and _parse_datetime(value) is None:
            add_message(
                errors,
                key,
                "Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
            )
    utc = get_key(body, "utc")
    if utc is not None and not isinstance(utc, bool):
        add_message(errors, "utc", "Must be a valid boolean.")
    filters = get_key(body, "filters")
    if filters is not None and not isinstance(filters, Mapping):
        add_message(errors, "filters", 'Expected a dictionary of items but got type "list".')
    permissions = get_key(body, "permissions")
    if permissions is not None:
        if not isinstance(permissions, Mapping):
            add_message(errors, "permissions", "Invalid data. Expected a dictionary.")
        else:
            perm_errors: ErrorBody = {}
            editable = get_key(permissions, "isEditableByEveryone")
            if editable is None:
                add_message(perm_errors, "isEditableByEveryone", REQUIRED_MSG)
            elif not isinstance(editable, bool):
                add_message(perm_errors, "isEditableByEveryone", "Must be a valid boolean.")
            teams = get_key(permissions, "teamsWithEditAccess", [])
            if not isinstance(teams, list) or any(as_int(t) is None for t in teams):
                add_message(perm_errors, "teamsWithEditAccess", "A valid integer is required.")
            elif ctx is not None and ctx.team_ids is not None:
                unknown = [str(t) for t in teams if str(t) not in ctx.team_ids]
                if unknown:
                    add_message(
                        perm_errors,
                        "nonFieldErrors",
                        "Cannot update dashboard edit permissions. "
                        f"Teams with IDs {_oxfordize(unknown)} do not exist.",
                    )
            if perm_errors:
                errors["permissions"] = perm_errors
    widgets = get_key(body, "widgets")
    if widgets is not None:
        if not isinstance(widgets, list):
            add_message(errors, "widgets", 'Expected a list of items but got type "dict".')
        else:
            per_widget = [_widget_errors(w) for w in widgets]
            if any(per_widget):
                errors["widgets"] = per_widget
    if errors:
        return errors

    start, end = get_key(body, "start"), get_key(body, "end")
    if start and end:
        parsed_start, parsed_end = _parse_datetime(start), _parse_datetime(end)
        if parsed_start is not None and parsed_end is not None and parsed_start >= parsed_end:
            return {"nonFieldErrors": ["start must be before end"]}
    if isinstance(widgets, list) and len(widgets) > MAX_WIDGETS:
        return {"nonFieldErrors": [f"Number of widgets must be less than {MAX_WIDGETS}"]}
    return None


def _oxfordize(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _parse_datetime(value: Any) -> Any:
    from datetime import datetime

    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=None)


def dashboard_title_conflict(title: str, existing_titles: Iterable[str]) -> str | None:
    """The dashboard endpoints' IntegrityError answer (organization_dashboards.py /
    organization_dashboard_details.py, not re-read): 409 "Dashboard title already taken".
    Sentry's 409 body (a bare JSON string) when ``title`` is already used in the org."""
    if title in set(existing_titles):
        return "Dashboard title already taken"
    return None


def foreign_widget_error(body: Any, own_widget_ids: Iterable[str]) -> list[str] | None:
    """DashboardDetailsSerializer.update_widgets (and update_widget_queries for queries):
    raised from ``save()``, so DRF renders it as a bare list.
    PUT: a widget (or query) id that belongs to another dashboard -> Sentry's 400 body.

    ``own_widget_ids`` holds the dashboard's widget ids and, for the query check, ids of the
    form ``"<widget id>/<query id>"``.
    """
    if not isinstance(body, Mapping) or not isinstance(get_key(body, "widgets"), list):
        return None
    owned = {str(i) for i in own_widget_ids}
    for widget in get_key(body, "widgets"):
        if not isinstance(widget, Mapping) or not get_key(widget, "id"):
            continue
        widget_id = str(get_key(widget, "id"))
        if widget_id not in owned:
            return ["You cannot update widgets that are not part of this dashboard."]
        for query in get_key(widget, "queries") or []:
            if (
                isinstance(query, Mapping)
                and get_key(query, "id")
                and f"{widget_id}/{get_key(query, 'id')}" not in owned
            ):
                return ["You cannot use a query not owned by this widget"]
    return None


def routes(org_prefix: str, project_prefix: str) -> list[Route]:
    return [
        Route(org_prefix + "/dashboards/", dashboards_list, methods=["GET"]),
        Route(org_prefix + "/dashboards/", dashboard_create, methods=["POST"]),
        Route(org_prefix + "/dashboards/{dashboard_id}/", dashboard_detail, methods=["GET"]),
        Route(org_prefix + "/dashboards/{dashboard_id}/", dashboard_update, methods=["PUT"]),
        Route(org_prefix + "/dashboards/{dashboard_id}/", dashboard_delete, methods=["DELETE"]),
    ]
