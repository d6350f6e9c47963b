"""Installed integrations (Slack, PagerDuty, ...): list, detail, uninstall."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model
from para_monitor_cli.sandbox.store import Doc
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
    shown = [show_integration(i) for i in found]
    if features:
        shown = [i for i in shown if set(features) & set(i["provider"]["features"])]
    return paginate(ctx, shown)


@api("org:integrations", *ORG_READ)
async def integration_detail(ctx: Ctx) -> Response:
    found = one(ctx, "integration", ctx.request.path_params["integration_id"])
    return ok(show_integration(found))


@api("org:integrations", "org:admin")
async def integration_delete(ctx: Ctx) -> Response:
    found = one(ctx, "integration", ctx.request.path_params["integration_id"])
    ctx.store.delete("integration", found["id"])
    return empty(204)


# -- stored document and API shape


def show_integration(integration: Doc) -> Doc:
    """OrganizationIntegrationSerializer over the integration's ``get_config_data``.

    Slack's ``get_config_data`` returns only ``installationType``
    (integrations/slack/integration.py ``SlackIntegration.get_config_data``): the channels
    Slack knows (the seed's ``slack_channels``) are never shown, so channel ids cannot be
    discovered through Sentry's API. PagerDuty shows its ``service_table``.
    """
    provider = str(integration["provider"])
    known = model.PROVIDERS.get(provider, {"name": provider.title(), "features": ["alert-rule"]})
    config: Doc
    if provider == "pagerduty":
        config = {"service_table": list(integration.get("services", []))}
    elif provider == "slack":
        config = {"installationType": "born_as_bot"}
    else:
        config = dict(integration.get("configData", {}))
    status = model.integration_status(integration)
    return {
        "id": integration["id"],
        "name": integration["name"],
        "icon": None,
        "domainName": integration.get("domainName"),
        "accountType": None,
        "scopes": [],
        "outOfDate": False,
        "status": status,
        "provider": {
            "key": provider,
            "slug": provider,
            "name": known["name"],
            "canAdd": True,
            "canDisable": False,
            "features": known["features"],
            "aspects": {},
        },
        "configOrganization": [],
        "configData": config,
        "externalId": str(integration.get("externalId", integration["id"])),
        "organizationId": int(integration["org"]),
        "organizationIntegrationStatus": status,
        "gracePeriodEnd": None,
    }


def routes(o: str, p: str) -> list[Route]:
    return [
        Route(o + "/integrations/", integrations, methods=["GET"]),
        Route(o + "/integrations/{integration_id}/", integration_detail, methods=["GET"]),
        Route(o + "/integrations/{integration_id}/", integration_delete, methods=["DELETE"]),
    ]
