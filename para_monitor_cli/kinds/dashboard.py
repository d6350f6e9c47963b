"""Dashboards: Sentry's custom dashboards (widgets with queries and a layout).

Spec link: ``Spec.dashboards`` (``spec/model.py`` ``Dashboard``, ``Widget``). Identity: the
title within the organization (``scope = "organization"``: Sentry answers 409 to a second
dashboard of one title); the ownership marker with the entry key ends the first widget's
``description`` (a dashboard has no description of its own). Sentry's list holds no widgets,
so the detail of each dashboard the file names is fetched (every custom one for export and
``--prune``). Its projects are its ``projects`` filter (empty or ``-1``: all projects).
Lookups: environments (a filter on one never seen only shows nothing: pre-flight warns).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from para_monitor_cli.api.wire import (
    Directory,
    entry_key,
    has_marker,
    marker_key,
    with_marker,
    without_marker,
)
from para_monitor_cli.kinds.base import (
    JSON,
    Context,
    EnvironmentRef,
    ExportContext,
    Lookup,
    Resource,
    ResourceKind,
    YamlPath,
)
from para_monitor_cli.spec.model import Dashboard, Spec, Widget

if TYPE_CHECKING:
    from para_monitor_cli.api.client import SentryClient


def widget_body(widget: Widget, *, first: bool = False, key: str | None = None) -> JSON:
    """A widget; the ``first`` one carries the dashboard's ownership marker (with ``key``)."""
    description = with_marker(widget.description, key) if first else widget.description
    body: JSON = {
        "title": widget.title,
        "description": description,
        "displayType": widget.display,
        "widgetType": widget.dataset,
        "interval": widget.interval or "5m",
        "queries": [
            {
                "name": "",
                "fields": list(widget.fields),
                "aggregates": list(widget.aggregates),
                "columns": list(widget.columns),
                "conditions": widget.conditions,
                "orderby": widget.orderby,
            }
        ],
    }
    if widget.limit is not None:
        body["limit"] = widget.limit
    if widget.layout is not None:
        lay = widget.layout
        body["layout"] = {"x": lay.x, "y": lay.y, "w": lay.w, "h": lay.h, "minH": lay.min_h}
    return body


def dashboard_body(dashboard: Dashboard, spec: Spec, directory: Directory) -> JSON:
    body: JSON = {
        "title": dashboard.title,
        "projects": [int(directory.project_id(p)) for p in spec.dashboard_projects(dashboard)],
        "environment": list(dashboard.environment),
        "widgets": [
            widget_body(w, first=i == 0, key=entry_key("dashboard", dashboard.title))
            for i, w in enumerate(dashboard.widgets)
        ],
    }
    if dashboard.period is not None:
        body["period"] = dashboard.period
    return body


def canonical_dashboard(dashboard: Mapping[str, Any]) -> JSON:
    out: JSON = {}
    if "projects" in dashboard:
        out["projects"] = sorted(str(p) for p in dashboard.get("projects") or [])
    if "environment" in dashboard:
        out["environment"] = sorted(dashboard.get("environment") or [])
    if "period" in dashboard:
        out["period"] = dashboard.get("period")
    if "widgets" in dashboard:
        out["widgets"] = [_canonical_widget(w) for w in dashboard.get("widgets") or []]
    return out


def _canonical_widget(widget: Mapping[str, Any]) -> JSON:
    out: JSON = {
        "title": widget.get("title"),
        "description": without_marker(widget.get("description")),
        "displayType": widget.get("displayType", widget.get("display_type")),
        "widgetType": widget.get("widgetType", widget.get("widget_type")),
        "interval": widget.get("interval") or "5m",
    }
    if "limit" in widget:
        out["limit"] = widget.get("limit")
    layout = widget.get("layout")
    if "layout" in widget and isinstance(layout, Mapping):
        out["layout"] = {k: layout.get(k) for k in ("x", "y", "w", "h", "minH")}
    queries = []
    for q in widget.get("queries") or []:
        queries.append(
            {
                # the table's column order: Sentry's own examples put aggregates first, the
                # file's widgets send columns then aggregates; both list the same fields, and
                # columns and aggregates are compared in order below
                "fields": sorted(str(f) for f in q.get("fields") or []),
                "aggregates": list(q.get("aggregates") or []),
                "columns": list(q.get("columns") or []),
                "conditions": q.get("conditions") or "",
                "orderby": q.get("orderby") or "",
            }
        )
    out["queries"] = queries
    return out


def export_dashboard(dashboard: Mapping[str, Any], directory: Directory) -> JSON:
    out: JSON = {"title": dashboard.get("title")}
    projects = [directory.project_slug(str(p)) for p in dashboard.get("projects") or []]
    if projects:
        out["projects"] = projects
    if dashboard.get("environment"):
        out["environment"] = list(dashboard["environment"])
    if dashboard.get("period"):
        out["period"] = dashboard["period"]
    widgets = []
    for w in dashboard.get("widgets") or []:
        query = (w.get("queries") or [{}])[0]
        item: JSON = {"title": w.get("title")}
        description = without_marker(w.get("description"))
        if description:
            item["description"] = description
        item["display"] = w.get("displayType")
        item["dataset"] = w.get("widgetType") or "discover"
        if query.get("aggregates"):
            item["aggregates"] = list(query["aggregates"])
        if query.get("columns"):
            item["columns"] = list(query["columns"])
        if query.get("conditions"):
            item["conditions"] = query["conditions"]
        if query.get("orderby"):
            item["orderby"] = query["orderby"]
        if w.get("interval") and w.get("interval") != "5m":
            item["interval"] = w["interval"]
        if w.get("limit") is not None:
            item["limit"] = w["limit"]
        layout = w.get("layout")
        if isinstance(layout, Mapping):
            item["layout"] = {
                "x": layout.get("x", 0),
                "y": layout.get("y", 0),
                "w": layout.get("w", 2),
                "h": layout.get("h", 2),
                "min_h": layout.get("minH", 1),
            }
        widgets.append(item)
    out["widgets"] = widgets
    return out


def shown_dashboard(fields: Mapping[str, Any], directory: Directory) -> JSON:
    """A dashboard's canonical fields as the file writes them: project slugs, and each widget
    with its one query's aggregates, columns, conditions and orderby."""
    out: JSON = {}
    for key, value in fields.items():
        if key == "projects" and isinstance(value, list):
            out[key] = [directory.project_slug(str(p)) for p in value]
        elif key == "widgets" and isinstance(value, list):
            out[key] = [_shown_widget(w) for w in value if isinstance(w, Mapping)]
        else:
            out[key] = value
    return out


def _shown_widget(widget: Mapping[str, Any]) -> JSON:
    names = {"displayType": "display", "widgetType": "dataset"}
    out: JSON = {}
    for key, value in widget.items():
        if key == "layout" and isinstance(value, Mapping):
            out[key] = {("min_h" if k == "minH" else k): v for k, v in value.items()}
        elif key == "queries" and isinstance(value, list):
            for index, query in enumerate(value):
                prefix = "" if index == 0 else f"query{index}."
                for name in ("aggregates", "columns", "conditions", "orderby"):
                    out[prefix + name] = query.get(name)
        else:
            out[names.get(key, key)] = value
    return out


def dashboard_key(dashboard: Mapping[str, Any]) -> str | None:
    widgets = dashboard.get("widgets") or []
    return marker_key(widgets[0].get("description")) if widgets else None


def dashboard_is_builtin(dashboard: Mapping[str, Any]) -> bool:
    did = str(dashboard.get("id", ""))
    return not did.isdigit() or bool(dashboard.get("prebuiltId"))


def dashboard_is_managed(dashboard: Mapping[str, Any]) -> bool:
    widgets = dashboard.get("widgets") or []
    return bool(widgets) and has_marker(widgets[0].get("description"))


def dashboard_projects(dashboard: Mapping[str, Any], directory: Directory) -> frozenset[str]:
    """Slugs of a dashboard's ``projects`` filter; empty for all projects (``[]`` or ``-1``)."""
    ids = [str(p) for p in dashboard.get("projects") or []]
    if not ids or "-1" in ids:
        return frozenset()
    return frozenset(directory.project_slug(p) for p in ids)


class DashboardKind(ResourceKind):
    name = "dashboard"
    plural = "dashboards"
    section = "dashboards"
    scope = "organization"
    order = 2
    check_group = "dashboards"

    def entry_name(self, entry: Any) -> str:
        return str(entry.title)

    def lookups(self, spec: Spec | None) -> set[Lookup]:
        if spec is not None and any(d.environment for d in spec.dashboards):
            return {"environments"}
        return set()

    def project_refs(self, spec: Spec, fallback: str | None) -> Iterator[tuple[str, YamlPath]]:
        for i, dashboard in enumerate(spec.dashboards):
            if dashboard.projects is not None:
                for k, slug in enumerate(dashboard.projects):
                    yield slug, ("dashboards", i, "projects", k)
            elif fallback:
                yield fallback, ("project",) if spec.project else ("dashboards", i)

    def environment_refs(self, spec: Spec) -> Iterator[EnvironmentRef]:
        # Sentry does not check a dashboard's environment filter: one never seen shows nothing
        for i, dashboard in enumerate(spec.dashboards):
            for k, name in enumerate(dashboard.environment):
                where = ("dashboards", i, "environment", k)
                effect = "the dashboard shows no data for it until then"
                yield EnvironmentRef(name, where, effect, "warning")

    def file_scope(self, spec: Spec) -> tuple[set[str], bool]:
        projects: set[str] = set()
        org_wide = False
        for dashboard in spec.dashboards:
            shown = spec.dashboard_projects(dashboard)
            projects.update(shown)
            org_wide = org_wide or not shown
        return projects, org_wide

    def desired(self, ctx: Context) -> list[Resource]:
        effective = ctx.effective
        assert effective is not None
        out: list[Resource] = []
        for dashboard in effective.dashboards:
            body = dashboard_body(dashboard, effective, ctx.directory)
            fields = canonical_dashboard(body)
            out.append(
                Resource(
                    kind=self.name,
                    name=dashboard.title,
                    fields=fields,
                    body=body,
                    managed=True,
                    projects=frozenset(effective.dashboard_projects(dashboard)),
                    shown=shown_dashboard(fields, ctx.directory),
                    tag=entry_key(self.name, dashboard.title),
                )
            )
        return out

    def read(self, client: SentryClient, org: str) -> list[JSON]:
        return client.dashboards(org=org)

    def complete(
        self,
        client: SentryClient,
        org: str,
        listed: Sequence[JSON],
        *,
        wanted: set[str],
        everything: bool,
    ) -> list[JSON]:
        custom = [d for d in listed if not dashboard_is_builtin(d)]
        to_fetch = [d for d in custom if everything or str(d.get("title")) in wanted]

        def fetch(dashboard_id: str) -> Callable[[], JSON]:
            return lambda: client.dashboard(dashboard_id, org=org)

        details = client.gather([fetch(str(d["id"])) for d in to_fetch])
        return [dict(x) for x in details]

    def decode(self, obj: Mapping[str, Any], ctx: Context) -> Resource | None:
        fields = canonical_dashboard(obj)
        return Resource(
            kind=self.name,
            name=str(obj.get("title")),
            id=str(obj.get("id")),
            fields=fields,
            managed=dashboard_is_managed(obj),
            projects=dashboard_projects(obj, ctx.directory),
            shown=shown_dashboard(fields, ctx.directory),
            tag=dashboard_key(obj),
        )

    def export(self, obj: Mapping[str, Any], ctx: ExportContext) -> JSON | None:
        return export_dashboard(obj, ctx.directory)

    def export_sort_key(self, item: Mapping[str, Any]) -> tuple[str, ...]:
        return (str(item.get("title")),)

    def create(self, client: SentryClient, org: str, desired: Resource, body: JSON) -> Any:
        return client.create_dashboard(body, org=org)

    def update(self, client: SentryClient, org: str, rid: str, body: JSON) -> Any:
        return client.update_dashboard(rid, body, org=org)

    def delete(self, client: SentryClient, org: str, rid: str) -> None:
        client.delete_dashboard(rid, org=org)

    def find(
        self, client: SentryClient, org: str, directory: Directory, desired: Resource
    ) -> Mapping[str, Any] | None:
        # dashboard titles are unique in an organization (Sentry answers 409 to a second one)
        found: Mapping[str, Any] | None = next(
            (
                dash
                for dash in client.dashboards(org=org)
                if dash.get("title") == desired.name and not dashboard_is_builtin(dash)
            ),
            None,
        )
        return found


KIND = DashboardKind()
