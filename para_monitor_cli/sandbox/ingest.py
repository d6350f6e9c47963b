"""Event ingest as Relay does it: decompress, authenticate the DSN key, split envelopes.

Every request gets an answer in Relay's error shape (``{"detail": ...}``) and nothing it sends
can make the sandbox allocate without bound: bodies and decompressed bodies are capped (the
caps below, modelled on Relay's ``Limits`` in ``relay-config/src/config.rs``), JSON nesting is
capped, and event fields of the wrong type are dropped as Relay's normalization drops them.
"""

from __future__ import annotations

import json
import math
import zlib
from datetime import datetime
from typing import Any

# Relay's defaults (relay-config/src/config.rs, ``impl Default for Limits``): max_event_size
# 1 MiB, max_envelope_size 100 MiB, max_api_payload_size 20 MiB. The sandbox keeps the event
# limit and caps a whole envelope, compressed or decompressed, at 20 MiB (a fifth of Relay's
# envelope limit) so that no request can hold more than a few tens of MB of its memory.
MAX_EVENT_BYTES = 1024 * 1024
MAX_BODY_BYTES = 20 * 1024 * 1024  # a request body as received (compressed or not)
MAX_DECOMPRESSED_BYTES = 20 * 1024 * 1024  # after every Content-Encoding is undone
# serde_json, which Relay parses envelopes and events with, stops at 128 levels of nesting
# (``Deserializer::remaining_depth``, "recursion limit exceeded"); the sandbox does the same.
MAX_JSON_DEPTH = 128

# Item types that carry an event we store; the rest (sessions, client reports...) are accepted
# and dropped, as a Relay without those products would.
EVENT_ITEMS = ("event", "transaction")


class IngestError(Exception):
    """A request Relay would refuse: ``status`` and the ``detail`` of its JSON body."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def decompress(body: bytes, encoding: str | None, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Undo ``Content-Encoding`` (gzip, deflate, br, identity; stacked codings too), streaming
    with an output limit: a body that would inflate past ``limit`` bytes is refused (413)
    without being inflated, so a compression bomb costs at most ``limit`` bytes."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    try:
        for coding in reversed(codings):
            if coding in ("gzip", "x-gzip"):
                body = _inflate(body, 16 + zlib.MAX_WBITS, limit)
            elif coding == "deflate":
                try:
                    body = _inflate(body, zlib.MAX_WBITS, limit)
                except zlib.error:
                    body = _inflate(body, -zlib.MAX_WBITS, limit)
            elif coding == "br":
                body = _unbrotli(body, limit)
            elif coding != "identity":
                raise IngestError(415, f"unsupported content encoding: {coding}")
    except (OSError, zlib.error, EOFError) as exc:
        raise IngestError(400, f"invalid compression: {exc}") from None
    except IngestError:
        raise
    except Exception as exc:  # brotli.error has no stable import path
        raise IngestError(400, f"invalid compression: {type(exc).__name__}") from None
    return body


def _too_large(limit: int) -> IngestError:
    return IngestError(413, f"envelope exceeded size limits (over {limit} bytes decompressed)")


def _inflate(body: bytes, wbits: int, limit: int) -> bytes:
    """zlib/gzip/raw deflate, at most ``limit`` bytes out; gzip members are concatenated."""
    out: list[bytes] = []
    size = 0
    data = body
    while data:
        inflater = zlib.decompressobj(wbits)
        chunk = inflater.decompress(data, limit + 1 - size)
        size += len(chunk)
        out.append(chunk)
        if size > limit or inflater.unconsumed_tail:
            raise _too_large(limit)
        if not inflater.eof:
            raise zlib.error("the compressed body is truncated")
        data = inflater.unused_data if wbits > 16 else b""
    return b"".join(out)


def _unbrotli(body: bytes, limit: int) -> bytes:
    import brotli

    inflater = brotli.Decompressor()
    try:
        out: bytes = inflater.process(body, output_buffer_limit=limit + 1)
    except TypeError:  # brotli < 1.2 has no output limit: feed it in small slices
        parts: list[bytes] = []
        size = 0
        for start in range(0, len(body), 64):
            part = inflater.process(body[start : start + 64])
            size += len(part)
            if size > limit:
                raise _too_large(limit) from None
            parts.append(part)
        out = b"".join(parts)
    if len(out) > limit:
        raise _too_large(limit)
    if not inflater.is_finished():
        raise IngestError(400, "invalid compression: the brotli stream is truncated")
    return out


def _refuse_constant(name: str) -> Any:
    # DRF's strict JSON (rest_framework/utils/json.py ``strict_constant``), as Sentry parses
    # API bodies; serde_json (Relay) has no NaN either
    raise ValueError(f"Out of range float values are not JSON compliant: {name!r}")


def loads(data: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Strict JSON: UTF-8 only, no NaN/Infinity, at most ``max_depth`` levels of nesting.
    Raises ValueError (with a message safe to show) for anything else."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError(f"recursion limit exceeded (more than {max_depth} levels)") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid UTF-8 at byte {exc.start}") from None
    if _depth_over(value, max_depth):
        raise ValueError(f"recursion limit exceeded (more than {max_depth} levels)")
    return value


def _depth_over(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def auth_key(header: str | None, query_key: str | None) -> str | None:
    """The public key from ``X-Sentry-Auth`` (or ``Authorization: Sentry ...``) or the query."""
    if header:
        text = header.strip()
        if text.lower().startswith("sentry "):
            text = text[len("sentry ") :]
        for part in text.split(","):
            name, _, value = part.strip().partition("=")
            if name.strip() == "sentry_key" and value.strip():
                return value.strip()
    return query_key or None


def parse_envelope(body: bytes) -> tuple[dict[str, Any], list[tuple[dict[str, Any], bytes]]]:
    """Split an envelope into its header and ``(item header, payload)`` pairs."""
    pos = body.find(b"\n")
    head_line = body if pos < 0 else body[:pos]
    try:
        header = loads(head_line or b"{}")
    except ValueError as exc:
        raise IngestError(400, f"invalid envelope header: {exc}") from None
    if not isinstance(header, dict):
        raise IngestError(400, "invalid envelope header")
    items: list[tuple[dict[str, Any], bytes]] = []
    cursor = len(body) if pos < 0 else pos + 1
    while cursor < len(body):
        end = body.find(b"\n", cursor)
        line = body[cursor:] if end < 0 else body[cursor:end]
        cursor = len(body) if end < 0 else end + 1
        if not line.strip():
            continue
        try:
            item_header = loads(line)
        except ValueError as exc:
            raise IngestError(400, f"invalid item header: {exc}") from None
        if not isinstance(item_header, dict):
            raise IngestError(400, "invalid item header")
        length = item_header.get("length")
        if length is not None and (
            not isinstance(length, int) or isinstance(length, bool) or length < 0
        ):
            raise IngestError(400, "invalid item header: length is not a byte count")
        if isinstance(length, int):
            payload = body[cursor : cursor + length]
            if len(payload) != length:
                raise IngestError(400, "envelope item shorter than its length")
            cursor += length
            if body[cursor : cursor + 1] == b"\n":
                cursor += 1
        else:
            end = body.find(b"\n", cursor)
            payload = body[cursor:] if end < 0 else body[cursor:end]
            cursor = len(body) if end < 0 else end + 1
        items.append((item_header, payload))
    return header, items


def envelope_key(header: dict[str, Any]) -> str | None:
    """The public key from the envelope header's ``dsn``, if it has one."""
    dsn = header.get("dsn")
    if not isinstance(dsn, str) or "@" not in dsn:
        return None
    cred = dsn.split("://", 1)[-1].split("@", 1)[0]
    return cred.split(":", 1)[0] or None


def load_event(payload: bytes) -> dict[str, Any]:
    """The event of an item or store request, normalized (:func:`normalize_event`)."""
    if len(payload) > MAX_EVENT_BYTES:
        raise IngestError(413, f"event exceeded size limits (over {MAX_EVENT_BYTES} bytes)")
    try:
        event = loads(payload)
    except ValueError as exc:
        raise IngestError(400, f"invalid event payload: {exc}") from None
    if not isinstance(event, dict):
        raise IngestError(400, "invalid event payload")
    return normalize_event(event)


# --------------------------------------------------------------------------- normalization
# Relay deserializes each event field into its protocol type (relay-event-schema,
# ``protocol/event.rs`` ``struct Event``); a value of the wrong type is removed and an
# ``invalid_data`` error is recorded (relay-protocol ``FromValue`` returning
# ``Annotated(None, meta.add_error(Error::expected(...)))``, surfaced as ``event.errors``).
# The fields the sandbox reads are held to those types here, so nothing later trips on them.
_STRINGS = ("environment", "transaction", "culprit", "platform", "logger", "server_name", "type")
_LENIENT_STRINGS = ("release", "dist")  # LenientString: numbers and booleans become strings
_OBJECTS = ("user", "contexts", "request", "extra", "sdk", "modules")


def normalize_event(event: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []

    def drop(name: str) -> None:
        event.pop(name, None)
        errors.append({"type": "invalid_data", "name": name})

    for name in _STRINGS:
        if name in event and event[name] is not None and not isinstance(event[name], str):
            drop(name)
    for name in _LENIENT_STRINGS:
        value = event.get(name)
        if isinstance(value, bool | int | float) and math.isfinite(value):
            event[name] = str(value).lower() if isinstance(value, bool) else str(value)
        elif value is not None and not isinstance(value, str):
            drop(name)
    for name in _OBJECTS:
        if name in event and event[name] is not None and not isinstance(event[name], dict):
            drop(name)
    level = event.get("level")
    if level is not None and not isinstance(level, str):
        drop("level")
    if "event_id" in event and not isinstance(event["event_id"], str):
        drop("event_id")
    _values_of(event, "exception", drop)
    _values_of(event, "breadcrumbs", drop)
    logentry = event.get("logentry")
    if isinstance(logentry, str):
        event["logentry"] = {"formatted": logentry}
    elif logentry is not None and not isinstance(logentry, dict):
        drop("logentry")
    message = event.get("message")
    if message is not None and not isinstance(message, str | dict):
        drop("message")
    tags = event.get("tags")
    if isinstance(tags, list):  # [[key, value], ...] as SDKs may send them
        pairs = [t for t in tags if isinstance(t, list) and len(t) == 2]
        event["tags"] = {str(k): str(v) for k, v in pairs}
    elif isinstance(tags, dict):
        event["tags"] = {str(k): str(v) for k, v in tags.items()}
    elif tags is not None:
        drop("tags")
    fingerprint = event.get("fingerprint")
    if fingerprint is not None:
        if isinstance(fingerprint, list) and all(
            isinstance(f, str | int | float | bool) for f in fingerprint
        ):
            event["fingerprint"] = [str(f) for f in fingerprint]
        else:
            drop("fingerprint")
    spans = event.get("spans")
    if spans is not None:
        if isinstance(spans, list):
            event["spans"] = [span for span in spans if isinstance(span, dict)]
        else:
            drop("spans")
    for name in ("timestamp", "start_timestamp"):
        if name in event and not _valid_timestamp(event[name]):
            drop(name)  # Relay then uses the time it received the event
    if errors:
        known = event.get("errors")
        event["errors"] = [*(known if isinstance(known, list) else []), *errors]
    return event


def _values_of(event: dict[str, Any], name: str, drop: Any) -> None:
    """``{"values": [objects]}`` (a bare list is accepted, as Relay's ``Values`` does)."""
    value = event.get(name)
    if value is None:
        return
    if isinstance(value, list):
        value = {"values": value}
    items = value.get("values") if isinstance(value, dict) else None
    if not isinstance(items, list):
        drop(name)
        return
    value["values"] = [item for item in items if isinstance(item, dict)]
    event[name] = value


def _valid_timestamp(value: Any) -> bool:
    """A finite Unix time that ``datetime`` can hold, or an ISO 8601 string."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return math.isfinite(value) and 0 <= value < 253402300800  # year 10000
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    return False


def normal_event_id(value: Any) -> str | None:
    """The 32-hex form Sentry uses, or None if ``value`` is not a UUID."""
    if not isinstance(value, str):
        return None
    text = value.replace("-", "").lower()
    if len(text) != 32 or any(c not in "0123456789abcdef" for c in text):
        return None
    return text
