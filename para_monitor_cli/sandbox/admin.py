"""The sandbox's own admin endpoints (never faulted: faults.py exempts /_sandbox/)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox.faults import Faults, FaultSyntaxError, faults_from_json
from para_monitor_cli.sandbox.web import (
    Ctx,
    api,
    detail,
    ok,
)


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


def routes(o: str, p: str) -> list[Route]:
    return [Route("/_sandbox/faults/", admin_faults, methods=["GET", "PUT", "DELETE"])]
