"""Start a sandbox for a test: ``with run_sandbox() as sb: ... sb.url, sb.dsn, sb.token``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from para_monitor_cli.sandbox.server import SandboxServer

__all__ = ["SandboxServer", "run_sandbox"]


@contextmanager
def run_sandbox(
    *,
    data: Path | None = None,
    seed: Path | None = None,
    token: str | None = None,
    port: int = 0,
) -> Iterator[SandboxServer]:
    """A sandbox served by uvicorn on 127.0.0.1 in a thread, stopped on exit.

    The yielded server has ``.url``, ``.dsn``, ``.token``, ``.org``, ``.project``,
    ``.project_id``, ``.faults`` (the fault switchboard) and ``.reset()`` (back to the seed).
    """
    server = SandboxServer(port=port, data=data, seed=seed, token=token).start()
    try:
        yield server
    finally:
        server.stop()
