"""The sandbox's Starlette app: assembles the resource modules' routes around shared plumbing.

Each resource kind lives in its own module beside this one (organizations, projects, teams,
integrations, releases, environments, events, detectors, workflows, dashboards, legacy, admin),
holding its routes, its stored document and API shape, and its validation rules; shared
mechanisms are in web.py (auth and scopes, errors, pagination), store.py (SQLite, list
queries), facts.py (Sentry's values) and validation.py (the rule helpers and the Snuba query
rules several kinds share). Adding a resource kind is one module with a
``routes(org_prefix, project_prefix)`` function and one line in :data:`RESOURCES`.

Status codes, error bodies, pagination and headers follow Sentry; response shapes follow the
official OpenAPI spec.
"""

from __future__ import annotations

import secrets
import uuid
from types import ModuleType
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import (
    admin,
    crons,
    dashboards,
    detectors,
    environments,
    events,
    integrations,
    legacy,
    organizations,
    projects,
    releases,
    teams,
    uptime,
    workflows,
)
from para_monitor_cli.sandbox.faults import Faults
from para_monitor_cli.sandbox.seed import apply_seed
from para_monitor_cli.sandbox.store import Doc, Store
from para_monitor_cli.sandbox.web import NOT_FOUND, SandboxState, now, ok

#: The resource modules, in routing order (Starlette takes the first route that matches; no two
#: modules' paths overlap). A new kind (crons, uptime...) is one module and one entry here.
RESOURCES: tuple[ModuleType, ...] = (
    events,
    organizations,
    admin,
    teams,
    integrations,
    releases,
    environments,
    detectors,
    workflows,
    crons,
    uptime,
    dashboards,
    legacy,
    projects,
)

O = "/api/0/organizations/{org}"  # noqa: E741
P = "/api/0/projects/{org}/{project}"


def routes() -> list[Route]:
    return [route for module in RESOURCES for route in module.routes(O, P)]


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
