"""Send one event to a sandbox as an SDK does, so that Sentry-side facts that come from events
exist (an organization's environments appear when the first event carrying one is saved)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx


def send_event(sandbox: Any, environment: str = "production", message: str = "hello") -> str:
    """POST one event to the sandbox's store endpoint with ``environment``; its event id.

    The same request an SDK makes (``/api/<project id>/store/`` with ``X-Sentry-Auth``); the
    sandbox processes it before it answers.
    """
    dsn = urlsplit(sandbox.dsn)
    key = dsn.username
    project_id = dsn.path.strip("/")
    event_id = uuid.uuid4().hex
    body = {
        "event_id": event_id,
        "timestamp": time.time(),
        "platform": "python",
        "level": "info",
        "message": message,
        "environment": environment,
    }
    auth = f"Sentry sentry_key={key}, sentry_version=7, sentry_client=para-monitor-tests/1"
    url = f"{dsn.scheme}://{dsn.hostname}:{dsn.port}/api/{project_id}/store/"
    response = httpx.post(
        url,
        content=json.dumps(body),
        headers={"X-Sentry-Auth": auth, "Content-Type": "application/json"},
        timeout=10,
    )
    response.raise_for_status()
    return event_id
