"""Run the sandbox under uvicorn: in a background thread (tests) or in the foreground (CLI)."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import uvicorn

from para_monitor_cli.sandbox import projects
from para_monitor_cli.sandbox.app import create_app, open_state, reset_state
from para_monitor_cli.sandbox.faults import FaultMiddleware, Faults
from para_monitor_cli.sandbox.seed import SeedError, load_seed
from para_monitor_cli.sandbox.store import DB_FILE, Doc, SchemaError, Store
from para_monitor_cli.sandbox.web import SandboxState

HOST = "127.0.0.1"


class DataDirError(ValueError):
    """The state directory (``--data``) cannot hold the sandbox's state."""


def open_store(data: Path | None) -> Store:
    """The state store: in ``data`` (created if missing) or in memory; a
    :class:`DataDirError` naming the directory when it cannot be used."""
    if data is not None and data.exists() and not data.is_dir():
        raise DataDirError(f"{data} is not a directory")
    try:
        return Store(data)
    except OSError as exc:
        raise DataDirError(f"cannot keep state in {data}: {exc.strerror or exc}") from None
    except SchemaError as exc:
        raise DataDirError(str(exc)) from None
    except sqlite3.Error as exc:
        raise DataDirError(
            f"cannot keep state in {data}: {exc} (a damaged {DB_FILE}: delete it to start "
            "again from the seed)"
        ) from None


class SandboxServer:
    """A sandbox bound to 127.0.0.1: state, app, and the uvicorn server around them."""

    def __init__(
        self,
        *,
        port: int = 0,
        data: Path | None = None,
        seed: Path | None = None,
        token: str | None = None,
        host: str = HOST,
        faults: tuple[str, ...] = (),
    ) -> None:
        self.seed: Doc = load_seed(seed)
        self.store = open_store(data)
        # proto=IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections: without it
        # Nagle holds the response body back for a delayed ACK (40 ms per request)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((host, port))
            # listen now: a client that connects as soon as the URL is printed waits in the
            # backlog until uvicorn accepts, instead of being refused
            self._socket.listen(2048)
            self.port: int = self._socket.getsockname()[1]
            self.url = f"http://{host}:{self.port}/"
            self.state: SandboxState
            try:
                self.state, self.token = open_state(self.store, self.seed, token, self.url)
            except (LookupError, TypeError, ValueError, AttributeError) as exc:
                # the shape check in load_seed should catch these first; name what broke
                where = str(seed) if seed is not None else "the default seed"
                raise SeedError(
                    f"seed file {where} cannot be applied: {type(exc).__name__}: {exc}"
                ) from None
        except BaseException:
            self.close()
            raise
        self.app: Any = create_app(self.state)
        self.faults = Faults(faults)
        self.app.state.faults = self.faults
        self.asgi = FaultMiddleware(self.app, self.faults)
        config = uvicorn.Config(
            self.asgi,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    # -- what clients need ---------------------------------------------------------------------

    @property
    def org(self) -> str:
        return str(self.seed["organizations"][0]["slug"])

    def _project(self) -> Doc:
        first = self.seed["organizations"][0]["projects"][0]
        for project in self.store.all("project"):
            if project["slug"] == first["slug"]:
                return project
        raise LookupError(f"seeded project {first['slug']} is gone")

    @property
    def project(self) -> str:
        return str(self._project()["slug"])

    @property
    def project_id(self) -> str:
        return str(self._project()["id"])

    @property
    def dsn(self) -> str:
        """The DSN of the default project's first active client key."""
        project_id = self.project_id
        for key in self.store.all("key"):
            if key["project"] == project_id and key["isActive"]:
                return projects.dsn_for(key, self.url)
        raise LookupError("the default project has no active client key")

    def send_event(self, environment: str, message: str = "sandbox environment check") -> str:
        """Send one message event carrying ``environment`` to the default project through the
        sandbox's own ingest endpoint (the DSN's ``store/`` route, as an SDK would): Sentry
        creates an Environment row when such an event is saved, and so does the sandbox.
        Returns the event id."""
        key = self.dsn.split("//", 1)[1].split("@", 1)[0]
        event_id = uuid.uuid4().hex
        body = json.dumps(
            {
                "event_id": event_id,
                "message": message,
                "level": "info",
                "platform": "python",
                "environment": environment,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the sandbox's own http:// URL
            f"{self.url}api/{self.project_id}/store/",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Sentry-Auth": f"Sentry sentry_version=7, sentry_key={key}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return str(json.loads(response.read())["id"])

    # -- life cycle ----------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the seed (tokens kept), faults off."""
        reset_state(self.state, self.seed)
        self.faults.clear()

    def start(self) -> SandboxServer:
        """Serve in a daemon thread; returns once the server accepts connections."""
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            daemon=True,
            name=f"sandbox:{self.port}",
        )
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the sandbox server failed to start")
            threading.Event().wait(0.01)
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until Ctrl-C (uvicorn handles the signal)."""
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self.close()

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.close()

    def close(self) -> None:
        self._socket.close()
        self.store.close()
