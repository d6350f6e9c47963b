"""The deprecated alert endpoints: ``organizations/{org}/alert-rules/`` and project ``rules/``.

Every response carries Sentry's deprecation headers; brownouts (410) and removal (404) are
faults, switched on in ``faults.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model, validation
from para_monitor_cli.sandbox.store import Doc, Query
from para_monitor_cli.sandbox.web import (
    ALERTS_READ,
    NOT_FOUND,
    PROJECT_READ,
    PROJECT_WRITE,
    Ctx,
    Handler,
    Problem,
    api,
    check,
    detail,
    now,
    ok,
    org_docs,
    paginate,
    require,
)

ALERT_RULES_WRITE = ("alerts:write", "org:write", "org:admin")
RULES_READ = ("alerts:read", "alerts:write", *PROJECT_READ)
RULES_WRITE = ("alerts:write", *PROJECT_WRITE)
Endpoint = Callable[[Request], Awaitable[Response]]


def deprecation(request: Request, replacement: str) -> dict[str, str]:
    # the slug as it was in the URL (a header value is latin-1: a slug Sentry would 404 on may
    # hold any character, and the answer must still be sent)
    org = quote(request.path_params["org"], safe="")
    return {
        "X-Sentry-Deprecation-Date": model.DEPRECATION_DATE,
        "X-Sentry-Replacement-Endpoint": f"/api/0/organizations/{org}/{replacement}/",
    }


def with_headers(request: Request, replacement: str, response: Response) -> Response:
    response.headers.update(deprecation(request, replacement))
    return response


def legacy(replacement: str, *scopes: str) -> Callable[[Handler], Endpoint]:
    """``api(*scopes)`` plus the deprecation headers on every answer, errors included."""

    def wrap(fn: Handler) -> Endpoint:
        endpoint = api(*scopes)(fn)

        async def with_deprecation(request: Request) -> Response:
            return with_headers(request, replacement, await endpoint(request))

        with_deprecation.__name__ = fn.__name__
        return with_deprecation

    return wrap


# -- metric alert rules -------------------------------------------------------------------------


def project_refs(ctx: Ctx, slugs: object) -> list[str]:
    if not isinstance(slugs, list):
        raise Problem(400, {"projects": ['Expected a list of items but got type "str".']})
    by_slug = {p["slug"]: p["id"] for p in org_docs(ctx, "project")}
    unknown = [s for s in slugs if s not in by_slug]
    if unknown:
        raise Problem(400, {"projects": [f"Invalid project slug: {unknown[0]}"]})
    return [by_slug[s] for s in slugs]


def show_alert_rule(ctx: Ctx, rule: Doc) -> Doc:
    return model.show_alert_rule(ctx.store, rule, ctx.store.get("user", rule["createdBy"]))


def find_alert_rule(ctx: Ctx) -> Doc:
    rule = ctx.store.get("alert_rule", ctx.request.path_params["rule_id"])
    if rule is None or rule["org"] != ctx.org["id"]:
        raise detail(404, NOT_FOUND)
    return rule


@legacy("detectors", *ALERTS_READ)
async def alert_rules_list(ctx: Ctx) -> Response:
    rules = list(reversed(org_docs(ctx, "alert_rule")))
    wanted = ctx.request.query_params.getlist("project")
    if wanted:
        rules = [r for r in rules if set(wanted) & set(r["projects"])]
    response = paginate(ctx, rules, default=25, show=lambda r: show_alert_rule(ctx, r))
    response.headers["X-Sentry-Alert-Rule-Hits"] = str(len(rules))
    response.headers["X-Sentry-Rule-Limit"] = "1000"
    return response


@legacy("detectors", "alerts:write", "org:read", "org:write", "org:admin")
async def alert_rule_create(ctx: Ctx) -> Response:
    body = require(await ctx.body(), "name", "aggregate", "timeWindow", "projects", "triggers")
    check(ctx, validation.validate_alert_rule, body)
    # AlertRuleSerializer refuses new transaction-based rules on migrated organizations
    # (Sentry's test_transactions_dataset_deprecation_validation: a bare-list 400)
    if (
        "discover-saved-queries-deprecation" in model.org_features(ctx.org)
        and body.get("dataset") in validation.TRANSACTION_DATASETS
    ):
        raise Problem(400, [validation.CREATE_TRANSACTION_DETECTOR])
    projects = project_refs(ctx, body["projects"])
    rule = model.new_alert_rule(ctx.store, ctx.org["id"], body, projects, ctx.user, now())
    ctx.store.put("alert_rule", rule["id"], rule)
    return ok(show_alert_rule(ctx, rule), 201)


@legacy("detectors", *ALERTS_READ)
async def alert_rule_detail(ctx: Ctx) -> Response:
    return ok(show_alert_rule(ctx, find_alert_rule(ctx)))


@legacy("detectors", *ALERT_RULES_WRITE)
async def alert_rule_update(ctx: Ctx) -> Response:
    rule = find_alert_rule(ctx)
    body = require(await ctx.body(), "name", "aggregate", "timeWindow", "projects", "triggers")
    check(ctx, validation.validate_alert_rule, body)
    projects = project_refs(ctx, body["projects"])
    fields = model.alert_rule_fields(ctx.store, rule["id"], body, projects, now())
    updated = {**rule, **fields, "dateModified": now()}
    ctx.store.put("alert_rule", rule["id"], updated)
    return ok(show_alert_rule(ctx, updated))


@legacy("detectors", *ALERT_RULES_WRITE)
async def alert_rule_delete(ctx: Ctx) -> Response:
    rule = find_alert_rule(ctx)
    ctx.store.delete("alert_rule", rule["id"])
    return Response(status_code=202)


# -- issue alert rules --------------------------------------------------------------------------


def project_rules(ctx: Ctx) -> list[Doc]:
    return ctx.store.select(Query("rule", project=ctx.project["id"]))


def show_rule(ctx: Ctx, rule: Doc) -> Doc:
    return model.show_rule(ctx.store, rule, ctx.store.get("user", rule["createdBy"]))


def find_rule(ctx: Ctx) -> Doc:
    rule = ctx.store.get("rule", ctx.request.path_params["rule_id"])
    if rule is None or rule["project"] != ctx.project["id"]:
        raise detail(404, NOT_FOUND)
    return rule


def duplicate_of(ctx: Ctx, fields: Doc, except_id: str | None = None) -> None:
    """Sentry refuses a rule identical (name aside) to another in the project."""

    def signature(rule: Doc) -> tuple[object, ...]:
        def nodes(key: str) -> list[Doc]:
            return sorted(
                ({k: v for k, v in n.items() if k not in ("uuid", "name")} for n in rule[key]),
                key=repr,
            )

        return (
            nodes("conditions"),
            nodes("filters"),
            nodes("actions"),
            rule["frequency"],
            rule["actionMatch"],
            rule["filterMatch"],
            rule["environment"],
        )

    wanted = signature(fields)
    for other in project_rules(ctx):
        if other["id"] != except_id and signature(other) == wanted:
            raise Problem(
                400,
                {
                    "name": [
                        f"This rule is an exact duplicate of '{other['name']}' in this project "
                        "and may not be created."
                    ],
                    "ruleId": [int(other["id"])],
                },
            )


@legacy("workflows", *RULES_READ)
async def rules_list(ctx: Ctx) -> Response:
    rules = sorted(project_rules(ctx), key=lambda r: int(r["id"]), reverse=True)
    return paginate(ctx, rules, show=lambda r: show_rule(ctx, r))


@legacy("workflows", *RULES_WRITE)
async def rule_create(ctx: Ctx) -> Response:
    body = require(await ctx.body(), "name", "actionMatch", "frequency")
    check(ctx, validation.validate_issue_rule, body)
    rule = model.new_rule(ctx.store, ctx.project["id"], body, ctx.user, now())
    duplicate_of(ctx, rule)
    ctx.store.put("rule", rule["id"], rule)
    return ok(show_rule(ctx, rule), 201)  # the workflow-engine serializer's status


@legacy("workflows", *RULES_READ)
async def rule_detail(ctx: Ctx) -> Response:
    return ok(show_rule(ctx, find_rule(ctx)))


@legacy("workflows", *RULES_WRITE)
async def rule_update(ctx: Ctx) -> Response:
    rule = find_rule(ctx)
    body = require(await ctx.body(), "name", "actionMatch", "frequency")
    check(ctx, validation.validate_issue_rule, body)
    updated = {**rule, **model.rule_fields(body)}
    duplicate_of(ctx, updated, except_id=rule["id"])
    ctx.store.put("rule", rule["id"], updated)
    return ok(show_rule(ctx, updated))


@legacy("workflows", *RULES_WRITE)
async def rule_delete(ctx: Ctx) -> Response:
    rule = find_rule(ctx)
    ctx.store.delete("rule", rule["id"])
    return Response(status_code=202)


def routes(org_prefix: str, project_prefix: str) -> list[Route]:
    o, p = org_prefix, project_prefix
    return [
        Route(o + "/alert-rules/", alert_rules_list, methods=["GET"]),
        Route(o + "/alert-rules/", alert_rule_create, methods=["POST"]),
        Route(o + "/alert-rules/{rule_id}/", alert_rule_detail, methods=["GET"]),
        Route(o + "/alert-rules/{rule_id}/", alert_rule_update, methods=["PUT"]),
        Route(o + "/alert-rules/{rule_id}/", alert_rule_delete, methods=["DELETE"]),
        Route(p + "/rules/", rules_list, methods=["GET"]),
        Route(p + "/rules/", rule_create, methods=["POST"]),
        Route(p + "/rules/{rule_id}/", rule_detail, methods=["GET"]),
        Route(p + "/rules/{rule_id}/", rule_update, methods=["PUT"]),
        Route(p + "/rules/{rule_id}/", rule_delete, methods=["DELETE"]),
    ]
