"""An HTTP fuzz of every sandbox route over loopback (issue 15, item 5).

A real uvicorn server on 127.0.0.1 port 0 gets a bounded, seeded loop of mutated requests on
every route: broken and deeply nested JSON, invalid UTF-8, non-ASCII and hostile slugs and ids,
wrong types, NaN and huge numbers, names that are numbers, events whose ``exception`` is a
string, compression bombs (gzip, deflate, brotli) and broken envelopes. Every request is sent
on a raw socket so a dropped connection is seen as such. Asserted: every request gets an HTTP
answer, none is a 5xx, every 4xx body is JSON in Sentry's error shape, and the process's peak
memory stays bounded (a 1 MB gzip bomb used to take the sandbox to 2.1 GB).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import random
import resource
import socket
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import brotli
import pytest

from para_monitor_cli.sandbox.app import routes
from para_monitor_cli.sandbox.testing import run_sandbox

SEED = 15
ROUNDS = 3  # each route gets ROUNDS mutated requests of each family
MAX_PEAK_GROWTH_MB = 300


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    with run_sandbox() as running:
        yield running


# --------------------------------------------------------------------------- raw HTTP
def send(port: int, raw: bytes, timeout: float = 20.0) -> tuple[int | None, bytes]:
    """Send ``raw`` on a new connection; (status, body), or (None, b"") if dropped."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # the server may answer (413) before reading a huge body: read the answer below
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(raw)
        chunks: list[bytes] = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    data = b"".join(chunks)
    if not data.startswith(b"HTTP/1.1 "):
        return None, data
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        body = dechunk(body)
    return status, body


def dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out


def request(
    method: str,
    target: bytes,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> bytes:
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}".encode("latin-1"))
    lines.append(f"Content-Length: {len(body)}".encode())
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


# --------------------------------------------------------------------------- mutations
HOSTILE_SEGMENTS = [
    "ünïcode",
    "%C3%BC",
    "..",
    "%2e%2e",
    "a%2Fb",
    "%00",
    "%FF%FE",
    "1.5",
    "-1",
    "99999999999999999999999999",
    "x" * 300,
    "%20",
    "null",
    "<script>",
]


def deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def json_bodies(rng: random.Random) -> list[bytes]:
    numbers = [1.5, -1, 0, 10**30, 1e308, -(10**20)]
    wrong = rng.choice([None, 1.5, "x", [], {}, True, rng.choice(numbers), "ü" * 50])
    fields = [
        "name",
        "type",
        "title",
        "version",
        "projects",
        "widgets",
        "dataSources",
        "conditionGroup",
        "config",
        "triggers",
        "actions",
        "environment",
        "enabled",
        "dataScrubber",
        "slug",
        "projectSlug",
        "frequency",
        "detectorIds",
        "workflowIds",
        "owner",
        "query",
        "aggregate",
        "timeWindow",
        "thresholdType",
        "conditions",
        "filters",
        "id",
        "ids",
        "isActive",
        "rateLimit",
    ]
    obj = {name: wrong for name in rng.sample(fields, 6)}
    obj["name"] = rng.choice([1.5, 7, "n" * 5000, "", None, ["x"], "ü"])
    return [
        b"{",
        b'{"name": NaN}',
        b'{"name": Infinity, "value": -Infinity}',
        b"\xff\xfe\xfa not utf-8",
        b'{"name": "\xff\xfe"}',
        deep(100_000),
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        json.dumps(obj).encode(),
        json.dumps([obj]).encode(),
        b'"just a string"',
        b"1e400",
        b"null",
    ]


def event(rng: random.Random) -> dict[str, Any]:
    return rng.choice(
        [
            {"exception": "x", "message": "m"},
            {"exception": {"values": "x"}},
            {"exception": {"values": [1, "x", None, {"stacktrace": "s"}]}},
            {"timestamp": float("nan")},
            {"timestamp": "nan"},
            {"timestamp": 1e308},
            {"timestamp": -1e308},
            {"timestamp": [1]},
            {"event_id": 12345, "release": 1.5, "environment": ["x"]},
            {"tags": "x", "user": 5, "contexts": [], "breadcrumbs": "b"},
            {"type": "transaction", "spans": "x", "start_timestamp": "y"},
            {"level": {"x": 1}, "logentry": 5, "request": "r"},
        ]
    )


def envelope(rng: random.Random, payload: bytes, item_type: str = "event") -> bytes:
    header = json.dumps({"event_id": "0" * 32}).encode()
    length = rng.choice([len(payload), len(payload) + 10, -1, 10**12, "x", None])
    item = {"type": item_type}
    if length is not None:
        item["length"] = length
    return header + b"\n" + json.dumps(item).encode() + b"\n" + payload + b"\n"


def bombs() -> list[tuple[str, bytes]]:
    """256 MB of zeros, compressed (about 250 KB each), made without holding the 256 MB."""
    chunk = b"\0" * (1024 * 1024)
    gz = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    defl = zlib.compressobj(9)
    br = brotli.Compressor(quality=5)
    parts: dict[str, list[bytes]] = {"gzip": [], "deflate": [], "br": []}
    for _ in range(256):
        parts["gzip"].append(gz.compress(chunk))
        parts["deflate"].append(defl.compress(chunk))
        parts["br"].append(br.process(chunk))
    parts["gzip"].append(gz.flush())
    parts["deflate"].append(defl.flush())
    parts["br"].append(br.finish())
    made = {name: b"".join(chunks) for name, chunks in parts.items()}
    return [*made.items(), ("gzip, gzip", gzip.compress(made["gzip"]))]


# --------------------------------------------------------------------------- the fuzz
def fill(path: str, rng: random.Random, org: str, project: str, project_id: str) -> bytes:
    """A target for a route template with its parameters filled, sometimes hostilely."""
    out = path
    for name, good in (("org", org), ("project", project), ("project_id", project_id)):
        for marker in ("{" + name + "}", "{" + name + ":int}"):
            if marker in out:
                value = good if rng.random() < 0.5 else rng.choice(HOSTILE_SEGMENTS)
                if marker.endswith(":int}"):
                    value = good if rng.random() < 0.7 else rng.choice(["0", "99999999999"])
                out = out.replace(marker, value)
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        value = rng.choice(["1", "2", "999999", *HOSTILE_SEGMENTS])
        out = out[:start] + value + out[end + 1 :]
    raw = quote(out, safe="/%:").encode("ascii")  # as an HTTP client sends non-ASCII
    if rng.random() < 0.1:
        raw += b"?per_page=" + rng.choice([b"-1", b"1000", b"x", b"%FF"])
    if rng.random() < 0.1:
        raw += b"?cursor=" + rng.choice([b"0:-5:0", b"a:b:c", b"1:2", b"%FF"])
    return raw


def cases(server: Any) -> list[tuple[str, bytes, bytes, dict[str, str]]]:
    rng = random.Random(SEED)
    org, project, project_id = server.org, server.project, server.project_id
    bearer = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
    out: list[tuple[str, bytes, bytes, dict[str, str]]] = []
    key = server.dsn.split("//", 1)[1].split("@", 1)[0]
    auth = {"X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7"}
    for route in routes():
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            for _ in range(ROUNDS):
                target = fill(route.path, rng, org, project, project_id)
                if "/envelope/" in route.path or "/store/" in route.path:
                    payload = json.dumps(event(rng), allow_nan=True).encode()
                    bodies = [envelope(rng, payload), payload, b"\xff\xfe", deep(50_000)]
                    if "/envelope/" in route.path:
                        bodies.append(envelope(rng, deep(100_000)))
                        bodies.append(envelope(rng, b'{"exception": "x"}', "transaction"))
                    for body in bodies:
                        out.append((method, target, body, auth))
                    out.append((method, target, b"x", {**auth, "Content-Encoding": "zstd"}))
                    out.append((method, target, b"x", {**auth, "Content-Encoding": "gzip"}))
                    continue
                headers = bearer if rng.random() < 0.9 else {"Authorization": "Bearer \xff"}
                if method in ("POST", "PUT"):
                    for body in rng.sample(json_bodies(rng), 4):
                        out.append((method, target, body, headers))
                else:
                    out.append((method, target, b"", headers))
    return out


def test_every_route_answers_every_mutation_with_a_non_5xx(server: Any) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    problems: list[str] = []
    count = 0
    for method, target, body, headers in cases(server):
        count += 1
        status, answer = send(server.port, request(method, target, body, headers))
        where = f"{method} {target[:80]!r} body {body[:40]!r}"
        if status is None:
            problems.append(f"dropped: {where}")
        elif status >= 500:
            problems.append(f"{status}: {where}: {answer[:200]!r}")
        elif status >= 400:
            try:
                shape = json.loads(answer)
            except ValueError:
                problems.append(f"{status} without a JSON body: {where}: {answer[:100]!r}")
            else:
                if not isinstance(shape, dict | list):
                    problems.append(f"{status} body not Sentry's shape: {where}: {shape!r}")
    assert count >= 300
    assert problems == [], f"{len(problems)} of {count}:\n" + "\n".join(problems[:40])
    # names that are numbers are stored as DRF stores them (strings), and the list queries
    # still work after the fuzz (a workflow named 1.5 once broke them)
    workflow = {"name": 1.5, "enabled": True, "config": {"frequency": 30}}
    workflow["triggers"] = {"logicType": "any-short", "conditions": []}
    workflow["actionFilters"] = []
    raw = request(
        "POST",
        f"/api/0/organizations/{server.org}/workflows/".encode(),
        json.dumps(workflow).encode(),
        {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"},
    )
    status, answer = send(server.port, raw)
    assert status == 201, answer[:300]
    assert json.loads(answer)["name"] == "1.5"
    lists = ("workflows/?query=1.5&sortBy=name", "detectors/?project=-1&query=x&sortBy=-name")
    for path in (*lists, "dashboards/", "alert-rules/"):
        raw = request(
            "GET",
            f"/api/0/organizations/{server.org}/{path}".encode(),
            headers={"Authorization": f"Bearer {server.token}"},
        )
        status, answer = send(server.port, raw)
        assert status == 200, (path, answer[:300])
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert after - before < MAX_PEAK_GROWTH_MB, (before, after)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "gzip, gzip"])
def test_compression_bombs_are_refused_with_413(server: Any, encoding: str) -> None:
    key = server.dsn.split("//", 1)[1].split("@", 1)[0]
    body = dict(bombs())[encoding]
    headers = {
        "X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7",
        "Content-Encoding": encoding,
    }
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    target = f"/api/{server.project_id}/envelope/".encode()
    status, answer = send(server.port, request("POST", target, body, headers))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert status == 413, answer[:200]
    assert "detail" in json.loads(answer)
    assert after - before < MAX_PEAK_GROWTH_MB, (before, after)


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /api/0/organizations/\xc3\xbc/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /api/0/ HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /api/2/store/ HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
        b"GARBAGE\r\n\r\n",
        b"GET /api/0/ HTTP/1.1\r\nBad Header\r\n\r\n",
    ],
)
def test_requests_http_cannot_parse_are_answered_not_dropped(server: Any, raw: bytes) -> None:
    """uvicorn's HTTP parser (h11) answers these with a plain-text 400 before the app sees
    them; the point is that they are answered, and the server keeps serving."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    with sock:
        sock.sendall(raw)
        if raw.endswith(b"abc"):  # a body shorter than its Content-Length: the client gives up
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None
    assert (status is not None and 400 <= status < 500) or answer == b"", answer[:200]
    status, _ = send(server.port, request("GET", b"/api/0/"))
    assert status == 401  # still serving


# --------------------------------------------------------------------------- ingest units
def test_decompression_stops_at_the_limit() -> None:
    from para_monitor_cli.sandbox.ingest import IngestError, decompress

    body = gzip.compress(b"x" * 10_000)
    assert decompress(body, "gzip", limit=10_000) == b"x" * 10_000
    for encoding, packed in (
        ("gzip", body),
        ("deflate", zlib.compress(b"x" * 10_000)),
        ("br", brotli.compress(b"x" * 10_000)),
    ):
        with pytest.raises(IngestError) as info:
            decompress(packed, encoding, limit=9_999)
        assert info.value.status == 413
    with pytest.raises(IngestError) as truncated:
        decompress(body[:-12], "gzip")
    assert truncated.value.status == 400
    two_members = gzip.compress(b"a") + gzip.compress(b"b")
    assert decompress(two_members, "gzip") == b"ab"


def test_strict_json_refuses_nan_bad_utf8_and_deep_nesting() -> None:
    from para_monitor_cli.sandbox.ingest import MAX_JSON_DEPTH, loads

    assert loads(b'{"a": [1, 2.5, "\\u00fc"]}') == {"a": [1, 2.5, "ü"]}
    for bad in (b'{"a": NaN}', b"[Infinity]", b'{"a": "\xff"}', deep(MAX_JSON_DEPTH + 1)):
        with pytest.raises(ValueError):
            loads(bad)
    assert loads(deep(3)) == [[[]]]
    assert isinstance(loads(deep(MAX_JSON_DEPTH)), list)  # the limit itself is accepted


def test_event_fields_of_the_wrong_type_are_dropped_as_relay_does() -> None:
    from para_monitor_cli.sandbox.ingest import normalize_event

    event = normalize_event(
        {
            "exception": "x",
            "timestamp": 1e308,
            "release": 1.5,
            "environment": ["production"],
            "tags": [["a", 1], "junk"],
            "breadcrumbs": [{"message": "ok"}, 5],
            "logentry": "hello",
        }
    )
    assert "exception" not in event
    assert "timestamp" not in event
    assert "environment" not in event
    assert event["release"] == "1.5"
    assert event["tags"] == {"a": "1"}
    assert event["breadcrumbs"] == {"values": [{"message": "ok"}]}
    assert event["logentry"] == {"formatted": "hello"}
    assert {e["name"] for e in event["errors"]} == {"exception", "timestamp", "environment"}
