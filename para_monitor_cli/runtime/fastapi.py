"""The seed's /sentry-test route, guarded: open outside production, and in production only to
a caller who sends the configured secret header (an open error-raising route is a noise and
abuse vector)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

SECRET_HEADER = "X-Sentry-Test-Secret"  # noqa: S105 - a header name, not a secret
SECRET_ENV = "SENTRY_TEST_SECRET"  # noqa: S105 - a variable name


class SentryTestError(Exception):
    """Raised on purpose by the /sentry-test route."""


def route_allowed(
    environment: str, secret: str | None, headers: Mapping[str, str], header: str = SECRET_HEADER
) -> bool:
    """Whether a request may trigger the test error."""
    if environment != "production":
        return True
    if not secret:
        return False
    import hmac  # here, not at import: it loads OpenSSL

    given = headers.get(header.lower()) or headers.get(header) or ""
    return hmac.compare_digest(given.encode(), secret.encode())


def add_sentry_test_route(
    app: Any,
    path: str = "/sentry-test",
    *,
    environment: str | None = None,
    secret: str | None = None,
    header: str = SECRET_HEADER,
) -> None:
    """Add ``GET path`` to a FastAPI app; it raises ``SentryTestError`` when allowed, and
    answers 404 (as if absent) when not, so probing reveals nothing."""
    from starlette.responses import JSONResponse

    env = environment or os.environ.get("ENVIRONMENT") or "development"
    key = secret if secret is not None else os.environ.get(SECRET_ENV)

    async def sentry_test(request: Any) -> Any:  # a plain Starlette endpoint: no injection
        if not route_allowed(env, key, request.headers, header):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        raise SentryTestError("Test Sentry integration")

    app.add_route(path, sentry_test, methods=["GET"], include_in_schema=False)
