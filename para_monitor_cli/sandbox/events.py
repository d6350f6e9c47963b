"""Events: Relay-style ingest (envelope and store endpoints) and the event API.

Ingest stores each event with its list summary (rendered once, kept as a column: a list
never parses a body) and derives what Sentry derives from an event (first-event flags,
environments, releases). The API serves a project's events (offset pages, newest first), one
event, and the organization's event-id lookup.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model, releases
from para_monitor_cli.sandbox.ingest import (
    EVENT_ITEMS,
    MAX_BODY_BYTES,
    IngestError,
    auth_key,
    decompress,
    envelope_key,
    load_event,
    normal_event_id,
    parse_envelope,
)
from para_monitor_cli.sandbox.store import Doc, Query, Store
from para_monitor_cli.sandbox.web import (
    NOT_FOUND,
    ORG_READ,
    PROJECT_READ,
    Ctx,
    Problem,
    SandboxState,
    api,
    detail,
    now,
    ok,
    page_response,
    page_window,
    project_ids,
    read_body,
)


def valid_event_id(value: str) -> str:
    event_id = normal_event_id(value)
    if event_id is None:
        raise detail(
            400,
            "Event ID must be a valid UUID hex (32-36 characters long, "
            "containing only digits, dashes, or a-f characters)",
        )
    return event_id


@api(*PROJECT_READ, "event:read")
async def project_event(ctx: Ctx) -> Response:
    event_id = normal_event_id(ctx.request.path_params["event_id"])
    found = ctx.store.event(event_id, ctx.project["id"]) if event_id else None
    if found is None:
        raise detail(404, "Event not found")
    return ok(show_event(found[1], found[0]))


@api(*PROJECT_READ, "event:read")
async def project_events(ctx: Ctx) -> Response:
    """ProjectEventsEndpoint.get (api/endpoints/project_events.py): GenericOffsetPaginator
    over the project's events, newest first; the page's items come from the summary column
    (no event body is parsed for a list)."""
    project_id = ctx.project["id"]
    offset, per_page = page_window(ctx)
    page = ctx.store.event_page(
        project_id, offset, per_page, lambda e: show_event_summary(e, project_id)
    )
    return page_response(ctx, page, ctx.store.event_count(project_id), offset, per_page)


@api(*ORG_READ)
async def event_id_lookup(ctx: Ctx) -> Response:
    event_id = valid_event_id(ctx.request.path_params["event_id"])
    found = ctx.store.event(event_id)
    if found is None or found[0] not in project_ids(ctx):
        raise detail(404, NOT_FOUND)
    project_id, stored = found
    if stored["payload"].get("type") == "transaction":
        raise detail(404, NOT_FOUND)
    project = ctx.store.get("project", project_id)
    assert project is not None
    return ok(
        {
            "organizationSlug": ctx.org["slug"],
            "projectSlug": project["slug"],
            "groupId": str(stored["groupId"]),
            "eventId": event_id,
            "event": show_event(stored, project_id),
        }
    )


def ingest_project(state: SandboxState, project_id: str, key: str | None) -> Doc:
    if not key:
        raise IngestError(401, "missing authorization information")
    stored = state.store.get("key", key)
    project = state.store.get("project", project_id)
    if stored is None or project is None or stored["project"] != project_id:
        raise IngestError(403, "event submission rejected with_reason: ProjectId")
    if not stored["isActive"]:
        raise IngestError(403, "event submission rejected with_reason: DisabledKey")
    return project


def timestamp_iso(value: Any) -> str:
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        except (OverflowError, OSError, ValueError):  # normalize_event drops these first
            return now()
    if isinstance(value, str) and value:
        return value if value.endswith("Z") or "+" in value else value + "Z"
    return now()


def store_event(state: SandboxState, project: Doc, event: Doc, fallback_id: Any, size: int) -> str:
    event_id = (
        normal_event_id(event.get("event_id")) or normal_event_id(fallback_id) or uuid.uuid4().hex
    )
    event["event_id"] = event_id
    received = now()
    stored = {
        "eventId": event_id,
        "groupId": group_id(state.store, project["id"], event),
        "dateReceived": received,
        "dateCreated": timestamp_iso(event.get("timestamp")),
        "size": size,
        "payload": event,
    }
    kind = event_type(event)
    summary = show_event_summary(stored, project["id"])
    if state.store.add_event(project["id"], event_id, kind, stored, summary):
        note_event(state, project, event, kind, received)
    return event_id


def note_event(state: SandboxState, project: Doc, event: Doc, kind: str, received: str) -> None:
    """What Sentry derives from an event: first-event flags, environments, releases."""
    project = dict(project)
    if kind == "transaction":
        project["firstTransactionEvent"] = True
    elif project.get("firstEvent") is None:
        project["firstEvent"] = received
    state.store.put("project", project["id"], project)
    # event_manager _get_or_create_environment_many: Environment.get_or_create(project, name)
    environment = event.get("environment")
    if isinstance(environment, str) and environment:
        model.get_or_create_environment(
            state.store, project["org"], project["id"], environment, received
        )
    version = event.get("release")
    if isinstance(version, str) and version:
        found = state.store.select(Query("release", org=project["org"], name=version), limit=1)
        if not found:
            release = releases.new_release(
                state.store, project["org"], version, [project["id"]], received
            )
            state.store.put("release", release["id"], release)
        elif project["id"] not in found[0]["projects"]:
            found[0]["projects"].append(project["id"])
            state.store.put("release", found[0]["id"], found[0])


async def ingest(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    project_id = str(request.path_params["project_id"])
    kind = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    try:
        try:
            raw = await read_body(request, MAX_BODY_BYTES)
        except Problem as exc:
            raise IngestError(exc.status, str(exc.body.get("detail"))) from None
        body = decompress(raw, request.headers.get("content-encoding"))
        key = auth_key(
            request.headers.get("x-sentry-auth") or request.headers.get("authorization"),
            request.query_params.get("sentry_key"),
        )
        ids: list[str] = []
        if kind == "envelope":
            header, items = parse_envelope(body)
            project = ingest_project(state, project_id, key or envelope_key(header))
            for item_header, payload in items:
                if item_header.get("type") in EVENT_ITEMS:
                    event = load_event(payload)
                    if item_header["type"] == "transaction":
                        event.setdefault("type", "transaction")
                    ids.append(
                        store_event(state, project, event, header.get("event_id"), len(payload))
                    )
                elif item_header.get("type") == "check_in":
                    from para_monitor_cli.sandbox import crons

                    crons.ingest_check_in(state.store, project, payload)
            return ok({"id": ids[0] if ids else header.get("event_id")})
        project = ingest_project(state, project_id, key)
        return ok({"id": store_event(state, project, load_event(body), None, len(body))})
    except IngestError as exc:
        return ok({"detail": exc.detail}, exc.status)


# -- stored document and API shape


def group_id(store: Store, project_id: str, event: Doc) -> str | None:
    if event.get("type") == "transaction":
        return None
    fingerprint = event.get("fingerprint") or [event_title(event)]
    digest = hashlib.sha1(  # noqa: S324 - a grouping hash, not security
        f"{project_id}:{fingerprint}".encode()
    ).hexdigest()[:16]
    existing = store.get("group", digest)
    if existing is None:
        existing = store.put("group", digest, {"id": str(store.next_id("group"))})
    return str(existing["id"])


def event_type(event: Doc) -> str:
    if event.get("type") == "transaction":
        return "transaction"
    exc = event.get("exception")
    values = exc.get("values") if isinstance(exc, dict) else exc
    return "error" if values else "default"


def event_message(event: Doc) -> str:
    logentry = event.get("logentry") or {}
    if isinstance(logentry, dict):
        text = logentry.get("formatted") or logentry.get("message")
        if text:
            return str(text)
    message = event.get("message")
    if isinstance(message, dict):
        return str(message.get("formatted") or message.get("message") or "")
    return str(message or "")


def event_title(event: Doc) -> str:
    kind = event_type(event)
    if kind == "transaction":
        return str(event.get("transaction") or "<unlabeled transaction>")
    if kind == "error":
        exc = event["exception"]
        values = exc.get("values") if isinstance(exc, dict) else exc
        last = values[-1] if values else {}
        head = str(last.get("type") or "Error")
        value = last.get("value")
        return f"{head}: {value}" if value else head
    message = event_message(event)
    return message.splitlines()[0] if message else "<unlabeled event>"


def event_tags(event: Doc) -> list[Doc]:
    tags: dict[str, str] = {}
    raw = event.get("tags") or {}
    pairs = raw.items() if isinstance(raw, dict) else [tuple(p) for p in raw if len(p) == 2]
    for key, value in pairs:
        tags[str(key)] = str(value)
    for key in ("environment", "release", "level", "server_name", "transaction", "dist"):
        if event.get(key) and key not in tags:
            tags[key] = str(event[key])
    if event_type(event) != "transaction":
        tags.setdefault("level", str(event.get("level") or "error"))
    return [{"key": k, "value": v} for k, v in sorted(tags.items())]


def event_entries(event: Doc) -> list[Doc]:
    entries: list[Doc] = []
    exc = event.get("exception")
    if exc:
        values = exc.get("values") if isinstance(exc, dict) else exc
        entries.append(
            {
                "type": "exception",
                "data": {"values": values, "hasSystemFrames": False, "excOmitted": None},
            }
        )
    message = event_message(event)
    if message:
        logentry = event.get("logentry") if isinstance(event.get("logentry"), dict) else {}
        entries.append(
            {
                "type": "message",
                "data": {
                    "formatted": message,
                    "message": (logentry or {}).get("message"),
                    "params": (logentry or {}).get("params"),
                },
            }
        )
    crumbs = event.get("breadcrumbs")
    if crumbs:
        values = crumbs.get("values") if isinstance(crumbs, dict) else crumbs
        entries.append({"type": "breadcrumbs", "data": {"values": values}})
    if event.get("request"):
        entries.append({"type": "request", "data": event["request"]})
    if event.get("spans"):
        entries.append({"type": "spans", "data": event["spans"]})
    return entries


def show_event(stored: Doc, project_id: str) -> Doc:
    """The project event / eventids ``event`` object for a stored event."""
    event: Doc = stored["payload"]
    kind = event_type(event)
    sdk = event.get("sdk") or {}
    release = event.get("release")
    title = event_title(event)
    return {
        "id": stored["eventId"],
        "groupID": stored.get("groupId"),
        "eventID": stored["eventId"],
        "projectID": project_id,
        "message": event_message(event) or title,
        "title": title,
        "location": event.get("transaction") or event.get("culprit"),
        "culprit": event.get("culprit") or event.get("transaction"),
        "user": event.get("user"),
        "tags": event_tags(event),
        "platform": str(event.get("platform") or "other"),
        "dateReceived": stored["dateReceived"],
        "dateCreated": stored["dateCreated"],
        "contexts": event.get("contexts") or {},
        "size": stored.get("size", 0),
        "entries": event_entries(event),
        "dist": event.get("dist"),
        "sdk": {"name": sdk.get("name"), "version": sdk.get("version")},
        "context": event.get("extra") or {},
        "packages": event.get("modules") or {},
        "type": kind,
        "metadata": _metadata(event, kind, title),
        "errors": [],
        "occurrence": None,
        "_meta": {},
        "release": {"version": release} if release else None,
        "userReport": None,
        "sdkUpdates": [],
        "resolvedWith": [],
        "nextEventID": None,
        "previousEventID": None,
        "environment": event.get("environment"),
        "level": event.get("level"),
        "fingerprints": event.get("fingerprint") or [],
        **{
            name: epoch
            for name, key in (("startTimestamp", "start_timestamp"), ("endTimestamp", "timestamp"))
            if kind == "transaction" and (epoch := _epoch(event.get(key))) is not None
        },
    }


def _epoch(value: Any) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def show_event_summary(stored: Doc, project_id: str) -> Doc:
    full = show_event(stored, project_id)
    return {
        "id": full["id"],
        "event.type": full["type"],
        "groupID": full["groupID"],
        "eventID": full["eventID"],
        "projectID": project_id,
        "message": full["message"] or "",
        "title": full["title"],
        "location": full["location"],
        "culprit": full["culprit"],
        "user": full["user"],
        "tags": full["tags"],
        "platform": full["platform"],
        "dateCreated": full["dateCreated"],
        "crashFile": None,
        "metadata": full["metadata"],
    }


def _metadata(event: Doc, kind: str, title: str) -> Doc:
    if kind == "error":
        head, _, value = title.partition(": ")
        return {"type": head, "value": value, "title": title}
    return {"title": title}


def routes(o: str, p: str) -> list[Route]:
    return [
        Route("/api/{project_id:int}/envelope/", ingest, methods=["POST"]),
        Route("/api/{project_id:int}/store/", ingest, methods=["POST"]),
        Route(o + "/eventids/{event_id}/", event_id_lookup, methods=["GET"]),
        Route(p + "/events/", project_events, methods=["GET"]),
        Route(p + "/events/{event_id}/", project_event, methods=["GET"]),
    ]
