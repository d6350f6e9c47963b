"""Receivers for the test-event tests: kent (an independent fake Sentry from PyPI, run as a
subprocess) and tiny http.server receivers for the faults a real server shows."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

DSN_KEY = "0123456789abcdef0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Kent:
    """A running kent-server and its read-back API."""

    url: str
    process: subprocess.Popen[bytes]

    @property
    def dsn(self) -> str:
        return f"http://{DSN_KEY}@{self.url.split('://', 1)[1].rstrip('/')}/1"

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=5) as response:
            return json.loads(response.read())

    def flush(self) -> None:
        request = urllib.request.Request(self.url + "api/flush/", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=5):
            pass

    def received(self) -> list[dict[str, Any]]:
        """Every item kent stored: ``{"kent_id", "event_id", "body"}`` (body as received)."""
        items = []
        for entry in self._get("api/eventlist/")["events"]:
            full = self._get(f"api/event/{entry['event_id']}")
            body = full["payload"]["body"]
            event_id = body.get("event_id") if isinstance(body, dict) else None
            items.append({"kent_id": entry["event_id"], "event_id": event_id, "body": body})
        return items


@contextmanager
def run_kent() -> Iterator[Kent]:
    """Start ``kent-server run`` on a free loopback port; wait until it answers; stop it."""
    # what kent's `kent-server` console script does, run by this interpreter: no PATH lookup, so
    # a `kent-server` of another environment is never picked up and a PATH without the venv's
    # bin still works (kent reads sys.argv whole, program name included, as the script sets it)
    launcher = "import sys; sys.argv[0] = 'kent-server'; from kent.cli_server import main; main()"
    command = [sys.executable, "-c", launcher]
    port = free_port()
    process = subprocess.Popen(
        [*command, "run", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    kent = Kent(url=f"http://127.0.0.1:{port}/", process=process)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                kent._get("api/eventlist/")
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("kent-server did not start") from None
                time.sleep(0.05)
        yield kent
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@dataclass
class Receiver:
    """A loopback HTTP receiver answering every envelope the same way."""

    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"{}"
    requests: list[dict[str, str]] = field(default_factory=list)
    port: int = 0

    @property
    def dsn(self) -> str:
        return f"http://{DSN_KEY}@127.0.0.1:{self.port}/1"


@contextmanager
def run_receiver(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            receiver.requests.append(dict(self.headers.items()))
            if receiver.delay:
                time.sleep(receiver.delay)
            try:
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the slow-server case)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def stopped_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    return free_port()
