"""Installed integrations (Slack, PagerDuty, ...): list, detail, uninstall."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model
from para_monitor_cli.sandbox.web import (
    ORG_READ,
    Ctx,
    api,
    empty,
    ok,
    one,
    org_docs,
    paginate,
)


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


def routes(o: str, p: str) -> list[Route]:
    return [
        Route(o + "/integrations/", integrations, methods=["GET"]),
        Route(o + "/integrations/{integration_id}/", integration_detail, methods=["GET"]),
        Route(o + "/integrations/{integration_id}/", integration_delete, methods=["DELETE"]),
    ]
