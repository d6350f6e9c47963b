"""Sandbox throughput: ingest events/s and REST API requests/s, with kent-server as the peer.

    python benchmarks/sandbox.py [--events 2000] [--requests 2000]

Both servers run on 127.0.0.1 in this run and receive the same gzip envelopes over one
keep-alive httpx client, sequentially (so the figures are per-connection latency bound).
kent (PyPI, a fake Sentry receiver on Flask's dev server) is the peer for ingest; for the API,
the peer is kent's event list endpoint, the closest thing it serves.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import socket
import subprocess
import sys
import time
import uuid

import httpx

from para_monitor_cli.sandbox.testing import run_sandbox


def envelope(n: int) -> bytes:
    event_id = uuid.uuid4().hex
    payload = json.dumps(
        {
            "event_id": event_id,
            "level": "error",
            "platform": "python",
            "exception": {"values": [{"type": "ValueError", "value": f"boom {n}"}]},
            "tags": {"route": "/api/checkout"},
            "environment": "production",
            "release": "para-autopilot@0.1.0",
        }
    ).encode()
    head = json.dumps({"event_id": event_id}).encode()
    item = json.dumps({"type": "event", "length": len(payload)}).encode()
    return gzip.compress(b"\n".join([head, item, payload]) + b"\n")


def rate(
    client: httpx.Client, method: str, url: str, bodies: list[bytes | None], headers: dict[str, str]
) -> float:
    start = time.perf_counter()
    for body in bodies:
        response = client.request(method, url, content=body, headers=headers)
        response.raise_for_status()
    return len(bodies) / (time.perf_counter() - start)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    bodies: list[bytes | None] = [envelope(i) for i in range(args.events)]
    gz = {"Content-Encoding": "gzip", "Content-Type": "application/x-sentry-envelope"}
    results: dict[str, float] = {}

    with run_sandbox() as sb, httpx.Client() as client:
        key = sb.dsn.split("//")[1].split("@")[0]
        url = f"{sb.url}api/{sb.project_id}/envelope/?sentry_key={key}"
        results["sandbox ingest"] = rate(client, "POST", url, bodies, gz)
        auth = {"Authorization": f"Bearer {sb.token}"}
        gets: list[bytes | None] = [None] * args.requests
        results["sandbox API GET project"] = rate(
            client, "GET", f"{sb.url}api/0/projects/{sb.org}/{sb.project}/", gets, auth
        )
        results["sandbox API GET events (100)"] = rate(
            client,
            "GET",
            f"{sb.url}api/0/projects/{sb.org}/{sb.project}/events/",
            gets[: max(args.requests // 10, 1)],
            auth,
        )

    kent = shutil.which("kent-server")
    if kent is None:
        print("kent-server not installed: no peer figures", file=sys.stderr)
    else:
        port = free_port()
        proc = subprocess.Popen(
            [kent, "run", "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client() as client:
                for _ in range(200):
                    try:
                        client.get(base + "/api/eventlist/")
                        break
                    except httpx.TransportError:
                        time.sleep(0.05)
                url = f"{base}/api/1/envelope/?sentry_key=public"
                results["kent ingest"] = rate(client, "POST", url, bodies, gz)
                results["kent API GET eventlist"] = rate(
                    client, "GET", base + "/api/eventlist/", [None] * args.requests, {}
                )
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    width = max(len(name) for name in results)
    for name, value in results.items():
        print(f"{name:<{width}}  {value:9.0f} /s")
    if "kent ingest" in results:
        ratio = results["sandbox ingest"] / results["kent ingest"]
        print(f"ingest ratio sandbox/kent: {ratio:.2f}")
        api_ratio = results["sandbox API GET project"] / results["kent API GET eventlist"]
        print(f"API ratio sandbox GET project / kent GET eventlist: {api_ratio:.2f}")


if __name__ == "__main__":
    main()
