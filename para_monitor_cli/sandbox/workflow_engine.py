"""What detectors (monitors) and workflows (alerts) share, as Sentry's workflow_engine does: the
index endpoints' filters and bulk selection, the detector <-> workflow links, and the stored
shape of a DataConditionGroup with its actions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.responses import Response

from para_monitor_cli.sandbox.store import Doc, Query, Store
from para_monitor_cli.sandbox.web import Ctx, Problem, detail, ok, org_docs, project_ids


def org_detectors(ctx: Ctx) -> Query:
    """The organization's detectors (those of its projects)."""
    return Query("detector", projects=frozenset(project_ids(ctx)))


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


def linked(store: Store, detector: str | None = None, workflow: str | None = None) -> list[str]:
    """One detector's workflow ids, or one workflow's detector ids (numeric order)."""
    if detector is not None:
        return store.linked(detectors=[detector])[detector]
    assert workflow is not None
    return store.linked(workflows=[workflow])[workflow]


def existing_ids(ctx: Ctx, ids: Any, *, field: str, among: Query, missing: str) -> list[str]:
    """The ids a body links (a detector's ``workflowIds``, a workflow's ``detectorIds``), as
    strings, when each is one of ``among``; else 400 on ``field``: not a list, or ``missing``.

    Mirrors the existence checks of src/sentry/workflow_engine/endpoints/validators/
    detector_workflow.py (validate_workflows_exist via BulkDetectorWorkflowsValidator, and
    validate_detectors_exist_and_have_permissions); their wording was not re-read: the
    ``missing`` messages are the sandbox's."""
    if not isinstance(ids, list):
        raise Problem(400, {field: ['Expected a list of items but got type "str".']})
    known = set(ctx.store.ids(among))
    wanted = [str(i) for i in ids]
    if set(wanted) - known:
        raise Problem(400, {field: [missing]})
    return wanted


def set_links(
    store: Store, ids: list[str], detector: str | None = None, workflow: str | None = None
) -> None:
    """Replace the links of one detector (to workflows ``ids``) or of one workflow."""
    store.set_links(ids, detector=detector, workflow=workflow)


def _workflow_action(store: Store, action: Doc) -> Doc:
    integration = action.get("integrationId", action.get("integration_id"))
    return {
        "id": str(store.next_id("action")),
        "type": action.get("type"),
        "integrationId": None if integration is None else str(integration),
        "data": dict(action.get("data") or {}),
        "config": dict(action.get("config") or {}),
        "status": action.get("status", "active"),
    }


def condition_group(store: Store, org_id: str, group: Doc, default_logic: str) -> Doc:
    return {
        "id": str(store.next_id("condition_group")),
        "organizationId": org_id,
        "logicType": group.get("logicType", group.get("logic_type", default_logic)),
        "conditions": [
            {
                "id": str(store.next_id("condition")),
                "type": c.get("type"),
                "comparison": c.get("comparison"),
                "conditionResult": c.get("conditionResult", c.get("condition_result")),
            }
            for c in group.get("conditions", [])
        ],
        "actions": [_workflow_action(store, a) for a in group.get("actions", [])],
    }
