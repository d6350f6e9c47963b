"""What the benchmarks share: server processes on 127.0.0.1, their memory, and the peers
installed on demand (kent from PyPI, the Spotlight sidecar from npm).

Not a benchmark itself: ``python benchmarks/X.py`` puts this folder first on ``sys.path``, so the
scripts import it as ``peers``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# The Spotlight release measured; the benchmark installs exactly this one on first use, into
# PARA_MONITOR_BENCH_CACHE (default ~/.cache/para-monitor-bench), unless
# PARA_MONITOR_BENCH_INSTALL=0 (the tests set it: they never reach the network).
SPOTLIGHT_VERSION = "4.11.8"
HONO_VERSION = "4.12.25"
PEER_CACHE = Path(
    os.environ.get("PARA_MONITOR_BENCH_CACHE", Path.home() / ".cache" / "para-monitor-bench")
)


class PeerUnavailable(Exception):
    """A peer that cannot run here; the message says why (printed, and the peer skipped)."""


def clean_env() -> dict[str, str]:
    """The caller's environment less SENTRY_* (no real DSN or token reaches a server)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_kib(pid: int) -> tuple[int, int]:
    """(peak RSS, current RSS) of a process in KiB, from /proc (Linux); (0, 0) elsewhere."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return 0, 0
    fields = dict(
        line.split(":", 1)
        for line in status.read_text(encoding="utf-8").splitlines()
        if ":" in line
    )

    def kib(name: str) -> int:
        return int(fields.get(name, "0 kB").split()[0])

    return kib("VmHWM"), kib("VmRSS")


@dataclass
class Server:
    """A server process on 127.0.0.1 that the benchmark started (and stops)."""

    name: str
    base: str
    process: subprocess.Popen[bytes]
    info: dict[str, str] = field(default_factory=dict)

    def memory_kib(self) -> tuple[int, int]:
        return memory_kib(self.process.pid)


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Return once ``url`` answers at all; fail if the process exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PeerUnavailable(f"the server exited with {process.returncode} before answering")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise PeerUnavailable(f"no answer from {url} within {timeout:.0f} s")


def drain(process: subprocess.Popen[bytes]) -> None:
    """Read what a server prints from now on in a thread, so a full pipe never blocks it."""
    if process.stdout is not None:
        stream = process.stdout
        threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def sandbox_server(token: str, seed: Path | None = None) -> Iterator[Server]:
    """``para-monitor sandbox --port 0`` as its own process (so its memory and CPU time are
    its own, not the benchmark's)."""
    cmd = [sys.executable, "-m", "para_monitor_cli", "sandbox", "--port", "0"]
    cmd += ["--auth-token", token, "-o", "json"]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    env = clean_env() | {"PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        assert process.stdout is not None
        text = ""
        while True:  # the start-up document is printed first, as one JSON object
            line = process.stdout.readline().decode()
            if not line:
                raise PeerUnavailable(f"the sandbox exited ({process.wait()}) before starting")
            text += line
            if line.startswith("}"):
                break
        info = json.loads(text)
        drain(process)
        server = Server("sandbox", info["url"].rstrip("/"), process, info)
        wait_http(server.base + "/api/0/", process)
        yield server
    finally:
        stop(process)


def kent_command() -> list[str]:
    """kent-server from the interpreter's own environment (dev extras), not from PATH."""
    script = Path(sys.executable).parent / "kent-server"
    if not script.exists():
        raise PeerUnavailable(
            "kent is not installed in this environment (pip install -e '.[dev]' brings it)"
        )
    return [str(script)]


@contextmanager
def kent_server() -> Iterator[Server]:
    """kent (PyPI): a fake Sentry receiver on Flask's development server."""
    port = free_port()
    cmd = [*kent_command(), "run", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=clean_env()
    )
    try:
        server = Server("kent", f"http://127.0.0.1:{port}", process)
        wait_http(server.base + "/api/eventlist/", process)
        yield server
    finally:
        stop(process)


def spotlight_dir() -> Path:
    """The Spotlight sidecar's npm install (made on first use, with a message)."""
    target = PEER_CACHE / f"spotlight-{SPOTLIGHT_VERSION}-hono-{HONO_VERSION}"
    package = target / "node_modules" / "@spotlightjs" / "spotlight" / "package.json"
    if package.exists():
        return target
    if os.environ.get("PARA_MONITOR_BENCH_INSTALL", "1") == "0":
        raise PeerUnavailable(
            f"@spotlightjs/spotlight@{SPOTLIGHT_VERSION} is not installed in {target} and "
            "PARA_MONITOR_BENCH_INSTALL=0 forbids installing it (a run without it installs it)"
        )
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        raise PeerUnavailable(
            "Node.js and npm are not installed, so the Spotlight sidecar cannot run"
        )
    print(
        f"installing the peer @spotlightjs/spotlight@{SPOTLIGHT_VERSION} with npm into {target}",
        file=sys.stderr,
    )
    target.mkdir(parents=True, exist_ok=True)
    # hono pinned to the release Spotlight 4.11.8 was built with: from hono 4.13 on,
    # ``ctx.req.query()`` returns an object without a prototype and Spotlight's request span
    # (``ctx.req.query().toString()``, dist/server/main.js) throws, so every POST gets a 500
    manifest = {
        "private": True,
        "dependencies": {"@spotlightjs/spotlight": SPOTLIGHT_VERSION},
        "overrides": {"hono": HONO_VERSION},
    }
    (target / "package.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund"],
        cwd=target,
        capture_output=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0 or not package.exists():
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise PeerUnavailable(f"npm could not install @spotlightjs/spotlight: {' / '.join(tail)}")
    return target


# The sidecar started through the package's own entry point (setupSpotlight) rather than its
# CLI: the CLI first loads instrument.js, which sends Spotlight's own telemetry (every request
# traced, tracesSampleRate 1) to sentry.io; the sandbox and kent send none, and this machine
# has no route out, so the CLI would be timed waiting on a network it cannot reach.
_SPOTLIGHT_MAIN = (
    "import {setupSpotlight} from '@spotlightjs/spotlight';"
    "const s = await setupSpotlight({port: 0, isStandalone: true});"
    "console.log(JSON.stringify({port: s.address().port}));"
)


@contextmanager
def spotlight_server() -> Iterator[Server]:
    """The Spotlight sidecar (npm @spotlightjs/spotlight) in its own node process."""
    where = spotlight_dir()
    node = shutil.which("node")
    assert node is not None
    process = subprocess.Popen(
        [node, "--input-type=module", "-e", _SPOTLIGHT_MAIN],
        cwd=where,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=clean_env(),
    )
    try:
        assert process.stdout is not None
        port = 0
        for raw in process.stdout:
            line = raw.decode(errors="replace").strip()
            if line.startswith("{"):
                port = int(json.loads(line)["port"])
                break
        if not port:
            raise PeerUnavailable(
                f"the Spotlight sidecar exited ({process.wait()}) before listening"
            )
        drain(process)
        server = Server("spotlight", f"http://127.0.0.1:{port}", process)
        wait_http(server.base + "/health", process)
        yield server
    finally:
        stop(process)
