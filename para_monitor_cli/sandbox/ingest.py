"""Event ingest as Relay does it: decompress, authenticate the DSN key, split envelopes."""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

# Item types that carry an event we store; the rest (sessions, client reports...) are accepted
# and dropped, as a Relay without those products would.
EVENT_ITEMS = ("event", "transaction")


class IngestError(Exception):
    """A request Relay would refuse: ``status`` and the ``detail`` of its JSON body."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def decompress(body: bytes, encoding: str | None) -> bytes:
    """Undo ``Content-Encoding`` (gzip, deflate, br, identity; stacked codings too)."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    try:
        for coding in reversed(codings):
            if coding in ("gzip", "x-gzip"):
                body = gzip.decompress(body)
            elif coding == "deflate":
                try:
                    body = zlib.decompress(body)
                except zlib.error:
                    body = zlib.decompress(body, -zlib.MAX_WBITS)
            elif coding == "br":
                import brotli

                body = brotli.decompress(body)
            elif coding != "identity":
                raise IngestError(415, f"unsupported content encoding: {coding}")
    except (OSError, zlib.error, EOFError) as exc:
        raise IngestError(400, f"invalid compression: {exc}") from None
    except IngestError:
        raise
    except Exception as exc:  # brotli.error has no stable import path
        raise IngestError(400, f"invalid compression: {exc}") from None
    return body


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
        header = json.loads(head_line or b"{}")
    except ValueError:
        raise IngestError(400, "invalid envelope header") from None
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
            item_header = json.loads(line)
        except ValueError:
            raise IngestError(400, "invalid item header") from None
        if not isinstance(item_header, dict):
            raise IngestError(400, "invalid item header")
        length = item_header.get("length")
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
    try:
        event = json.loads(payload)
    except ValueError:
        raise IngestError(400, "invalid event payload") from None
    if not isinstance(event, dict):
        raise IngestError(400, "invalid event payload")
    return event


def normal_event_id(value: Any) -> str | None:
    """The 32-hex form Sentry uses, or None if ``value`` is not a UUID."""
    if not isinstance(value, str):
        return None
    text = value.replace("-", "").lower()
    if len(text) != 32 or any(c not in "0123456789abcdef" for c in text):
        return None
    return text
