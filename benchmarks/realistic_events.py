"""Realistic Sentry error events of a chosen size, produced by the real sentry-sdk.

    from realistic_events import envelopes, events   # from a script in benchmarks/
    blobs = envelopes(100, size=50_000)    # list of envelope bytes, ready to POST to /envelope/
    docs = events(100, size=50_000)        # the same events as dicts (the envelope's event item)

    python benchmarks/realistic_events.py [--count 3] [--size 50000] [--seed 7]   # prints sizes

How an event is made: sentry-sdk is initialised (once per process) with a transport that keeps
the envelopes it is handed instead of sending them, the logging integration on (INFO logs become
breadcrumbs), local variables on, and traces on. Each event is one call into a small "FastAPI
handler" shape: a request (method, URL, headers with a cookie and a bearer token, a JSON body), a
user, tags and contexts set on an isolation scope, SQL queries run inside spans (and recorded as
``query`` breadcrumbs, as the SDK's SQLAlchemy integration does), outgoing HTTP calls recorded as
``httpx`` breadcrumbs, then an exception raised a few nested calls down (service -> repository ->
row parser), each frame with its locals. The SDK serialises the event as it would for a send.

Size: padding is realistic: a deeper call stack (more frames with locals and source context) and
more breadcrumbs, both chosen from ``size`` by a calibration run, so the serialised event item is
within a few percent of ``size`` (the script prints the measured spread; 50 kB gives 14 extra
frames and ~130 breadcrumbs, +-1%). The smallest event, unpadded, is ~9 kB: a smaller ``size``
gives that.

Determinism: event ``index`` draws its content from one ``random.Random`` seeded by (seed,
index); what the SDK draws at random or from the clock (event_id, timestamps, trace and span ids,
the thread id, object addresses in the locals' reprs) is replaced by values from the same
generator, so the same (n, size, seed) gives the same bytes in one checkout (frames carry
absolute paths). The SDK is initialised globally in the calling process: call this from a
benchmark driver, not from a process that reports to Sentry itself.

API (stable; other benchmarks import it): ``events(n, size=50_000, seed=0)`` -> list of dicts;
``envelopes(n, size=50_000, seed=0)`` -> list of bytes (not compressed: gzip them if the caller
wants the Content-Encoding path); ``envelope_of(event)`` -> bytes for one event dict.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.transport import Transport

DSN = "http://0123456789abcdef0123456789abcdef@127.0.0.1:9/1"
BASE_TIME = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)
ROUTES = [
    ("POST", "/api/v1/checkout", "create_checkout"),
    ("GET", "/api/v1/orders/{order_id}", "get_order"),
    ("PUT", "/api/v1/users/{user_id}/address", "update_address"),
    ("POST", "/api/v1/payments/refund", "refund_payment"),
    ("GET", "/api/v1/reports/daily", "daily_report"),
]
ERRORS = [KeyError, ValueError, TypeError, LookupError, RuntimeError, ZeroDivisionError]
ENVIRONMENTS = ["production", "production", "production", "staging"]
RELEASES = ["shop-api@2.14.0", "shop-api@2.14.1", "shop-api@2.15.0"]
LEVELS = ["error", "error", "error", "fatal", "warning"]
HOSTS = ["payments.internal", "inventory.internal", "api.stripe.example", "geo.internal"]
TABLES = ["orders", "order_lines", "users", "addresses", "payments", "stock"]

log = logging.getLogger("shop.api")
ADDRESS = re.compile(r"0x[0-9a-f]{6,16}")
RANDOM_ID = re.compile(r"(?<![0-9a-f-])(?:[0-9a-f]{32}|[0-9a-f]{16})(?![0-9a-f-])")


class CapturingTransport(Transport):
    """Keeps the envelopes the SDK would send (no network)."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.captured: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.captured.append(envelope)


_transport: CapturingTransport | None = None


def _sdk() -> CapturingTransport:
    global _transport  # noqa: PLW0603 - one SDK per process, set up on first use
    if _transport is None:
        transport = CapturingTransport()
        sentry_sdk.init(
            dsn=DSN,
            transport=transport,
            integrations=[LoggingIntegration(level=logging.INFO, event_level=None)],
            default_integrations=False,
            include_local_variables=True,
            max_request_body_size="always",
            max_breadcrumbs=1000,
            traces_sample_rate=1.0,
            send_default_pii=True,
            server_name="shop-api-7f9c5d-x2k4p",
        )
        logging.getLogger("shop").setLevel(logging.INFO)
        _transport = transport
    return _transport


@dataclass(frozen=True)
class Shape:
    """How much padding one event carries: stack depth and breadcrumb count."""

    depth: int
    crumbs: int


# --- the "application": nested calls with locals, as a FastAPI handler would run them -----------


def parse_row(row: dict[str, Any], columns: list[str], error: type[Exception], note: str) -> None:
    values = [row.get(column) for column in columns]
    ratio = len(values) / max(1, len(columns))
    raise error(f"{note}: cannot read column {columns[-1]!r} of row {row.get('id')} ({ratio:.2f})")


def fetch_rows(rng: random.Random, table: str, depth: int, error: type[Exception]) -> None:
    query = f"SELECT id, status, total_cents, currency FROM {table} WHERE owner_id = %s LIMIT 50"
    params = [rng.randrange(10_000, 99_999)]
    with sentry_sdk.start_span(op="db", name=query) as span:
        span.set_data("db.system", "postgresql")
        span.set_data("db.params", params)
        sentry_sdk.add_breadcrumb(category="query", message=query, data={"params": params})
    row = {
        "id": params[0],
        "status": rng.choice(["open", "paid", "refunded"]),
        "total_cents": rng.randrange(100, 90_000),
        "currency": "EUR",
    }
    if depth > 0:
        fetch_rows(rng, rng.choice(TABLES), depth - 1, error)
        return
    parse_row(row, ["id", "status", "total_cents", "currency", "tax_code"], error, table)


def call_service(rng: random.Random, host: str, payload: dict[str, Any]) -> dict[str, Any]:
    status = rng.choice([200, 200, 200, 201, 404, 502])
    url = f"https://{host}/v2/{rng.choice(['quote', 'reserve', 'lookup'])}"
    sentry_sdk.add_breadcrumb(
        type="http",
        category="httpx",
        data={"url": url, "method": "POST", "http.response.status_code": status},
    )
    return {"status": status, "echo": payload}


def handle_request(rng: random.Random, shape: Shape, request: dict[str, Any]) -> None:
    user_id = request["user"]["id"]
    cart = request["data"]
    for index in range(shape.crumbs):
        kind = index % 3
        if kind == 0:
            log.info("cart %s step %d for user %s: %d items", cart["cart_id"], index, user_id, 3)
        elif kind == 1:
            call_service(rng, rng.choice(HOSTS), {"cart": cart["cart_id"], "step": index})
        else:
            table = rng.choice(TABLES)
            sentry_sdk.add_breadcrumb(
                category="query",
                message=f"UPDATE {table} SET updated_at = now() WHERE id = %s",
                data={"params": [rng.randrange(1, 10**6)]},
            )
    fetch_rows(rng, rng.choice(TABLES), shape.depth, rng.choice(ERRORS))


# --- one event ------------------------------------------------------------------------------------


def _request(rng: random.Random, index: int) -> dict[str, Any]:
    method, path, _ = ROUTES[index % len(ROUTES)]
    user_id = rng.randrange(1, 500_000)
    concrete = path.replace("{order_id}", str(rng.randrange(10**6))).replace(
        "{user_id}", str(user_id)
    )
    return {
        "method": method,
        "url": f"https://shop.example.com{concrete}",
        "query_string": f"page={rng.randrange(1, 9)}&sort=-created",
        "headers": {
            "host": "shop.example.com",
            "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0",
            "accept": "application/json",
            "content-type": "application/json",
            "authorization": f"Bearer {uuid.UUID(int=rng.getrandbits(128)).hex}",
            "cookie": f"session={uuid.UUID(int=rng.getrandbits(128)).hex}; theme=dark",
            "x-request-id": str(uuid.UUID(int=rng.getrandbits(128))),
            "x-forwarded-for": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
        },
        "data": {
            "cart_id": f"c_{rng.getrandbits(48):012x}",
            "items": [
                {"sku": f"SKU-{rng.randrange(10**5):05d}", "qty": rng.randrange(1, 5)}
                for _ in range(rng.randrange(1, 6))
            ],
            "coupon": rng.choice([None, "WINTER10", "VIP"]),
        },
        "env": {"REMOTE_ADDR": "10.0.0.12", "SERVER_NAME": "shop-api", "SERVER_PORT": "8000"},
        "user": {
            "id": str(user_id),
            "email": f"user{user_id}@mail.example.com",
            "username": f"user{user_id}",
            "ip_address": "10.0.0.12",
        },
    }


def _capture(index: int, shape: Shape, seed: int) -> dict[str, Any]:
    transport = _sdk()
    rng = random.Random(seed * 1_000_003 + index)
    request = _request(rng, index)
    route = ROUTES[index % len(ROUTES)]
    transport.captured.clear()
    with sentry_sdk.isolation_scope() as scope:
        scope.clear_breadcrumbs()
        scope.set_user(request["user"])
        scope.set_tag("route", route[1])
        scope.set_tag("handler", route[2])
        scope.set_tag("region", rng.choice(["eu-west-1", "eu-central-1", "us-east-1"]))
        scope.set_tag("customer_tier", rng.choice(["free", "pro", "enterprise"]))
        scope.set_context("app", {"app_name": "shop-api", "workers": 4, "python": "3.12"})
        scope.set_context("feature_flags", {"new_checkout": rng.random() < 0.5, "beta": False})
        scope.level = rng.choice(LEVELS)
        http_request = {
            key: request[key] for key in ("method", "url", "query_string", "headers", "data", "env")
        }

        def add_request(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
            event["request"] = http_request
            event["transaction"] = route[1]
            event["environment"] = rng.choice(ENVIRONMENTS)
            event["release"] = rng.choice(RELEASES)
            return event

        scope.add_event_processor(add_request)
        with sentry_sdk.start_transaction(op="http.server", name=route[1]):
            try:
                handle_request(rng, shape, request)
            except Exception:  # the handler's error is what we capture
                sentry_sdk.capture_exception()
    for envelope in transport.captured:
        event = envelope.get_event()
        if event is not None:
            return _deterministic(json.dumps(event, default=str), rng, index)
    raise RuntimeError("sentry-sdk produced no event envelope")


def _deterministic(text: str, rng: random.Random, index: int) -> dict[str, Any]:
    """Replace what the SDK drew at random or from the clock with seeded values.

    Object addresses in the locals' reprs ("<... at 0x7f...>") become one fixed address, and so
    does the thread id; the SDK's random ids (trace and span ids, in the trace context and in the
    reprs of the spans held in locals) are renamed, in order of first appearance, to ids drawn
    from ``rng``.
    """
    text = ADDRESS.sub("0x7f3a5c0de000", text)
    renamed: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        token = match.group(0)
        if token not in renamed:
            renamed[token] = f"{rng.getrandbits(4 * len(token)):0{len(token)}x}"
        return renamed[token]

    event: dict[str, Any] = json.loads(RANDOM_ID.sub(rename, text))
    when = BASE_TIME + timedelta(seconds=37 * index)
    event["event_id"] = uuid.UUID(int=rng.getrandbits(128)).hex
    event["timestamp"] = when.isoformat()
    crumbs = event.get("breadcrumbs", {}).get("values", [])
    for offset, crumb in enumerate(crumbs):
        crumb["timestamp"] = (when - timedelta(milliseconds=5 * (len(crumbs) - offset))).isoformat()
    trace_data = event.get("contexts", {}).get("trace", {}).get("data", {})
    if "thread.id" in trace_data:
        trace_data["thread.id"] = "140245367818048"
    for key in ("start_timestamp", "_meta"):
        event.pop(key, None)
    return event


def _serialized_size(event: dict[str, Any]) -> int:
    return len(json.dumps(event, separators=(",", ":")).encode())


_shapes: dict[tuple[int, int], Shape] = {}


def _shape(size: int, seed: int) -> Shape:
    """Pick depth and breadcrumb count so that events come out near ``size`` bytes."""
    if (size, seed) in _shapes:
        return _shapes[(size, seed)]
    bare = _serialized_size(_capture(0, Shape(0, 0), seed))
    per_frame = _serialized_size(_capture(0, Shape(8, 0), seed)) - bare
    per_crumb = _serialized_size(_capture(0, Shape(0, 60), seed)) - bare
    budget = max(0, size - bare)
    # half the padding as frames (the SDK keeps locals for every frame), half as breadcrumbs
    depth = min(60, int(budget / 2 / max(1, per_frame / 8)))
    left = budget - depth * per_frame / 8
    crumbs = max(0, int(left / max(1, per_crumb / 60)))
    shape = Shape(depth, crumbs)
    measured = _serialized_size(_capture(0, shape, seed))
    if measured and abs(measured - size) > size * 0.03 and shape.crumbs:
        shape = Shape(depth, max(0, int(crumbs + (size - measured) / max(1, per_crumb / 60))))
    _shapes[(size, seed)] = shape
    return shape


def events(n: int, size: int = 50_000, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` realistic error events (dicts as the SDK would send them), each ~``size`` bytes."""
    shape = _shape(size, seed)
    return [_capture(index, shape, seed) for index in range(n)]


def envelope_of(event: dict[str, Any]) -> bytes:
    """One event as envelope bytes (header line, item header, JSON payload)."""
    payload = json.dumps(event, separators=(",", ":")).encode()
    header = json.dumps({"event_id": event["event_id"], "dsn": DSN, "sent_at": event["timestamp"]})
    item = json.dumps({"type": "event", "length": len(payload), "content_type": "application/json"})
    return header.encode() + b"\n" + item.encode() + b"\n" + payload + b"\n"


def envelopes(n: int, size: int = 50_000, seed: int = 0) -> list[bytes]:
    """``n`` realistic events as envelope bytes (uncompressed), each event item ~``size`` bytes."""
    return [envelope_of(event) for event in events(n, size, seed)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    produced = events(args.count, args.size, args.seed)
    sizes = [_serialized_size(event) for event in produced]
    shape = _shape(args.size, args.seed)
    print(f"asked {args.size} bytes; shape: {shape.depth} extra frames, {shape.crumbs} breadcrumbs")
    print(f"sizes: min {min(sizes)} max {max(sizes)} mean {sum(sizes) // len(sizes)}")
    event = produced[0]
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    print(
        f"first event: {event['level']} {event['exception']['values'][-1]['type']}, "
        f"{len(frames)} frames, {len(event['breadcrumbs']['values'])} breadcrumbs, "
        f"env {event['environment']}, release {event['release']}"
    )


if __name__ == "__main__":
    main()
