"""``para-monitor sandbox``: run the local Sentry-compatible server until stopped."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from para_monitor_cli.errors import ParaMonitorError, UsageError

MAX_PORT = 65535


@dataclass(frozen=True)
class SandboxInfo:
    """What a client needs to talk to the running sandbox (local credentials, shown raw)."""

    url: str
    dsn: str
    token: str
    org: str
    project: str
    project_id: str
    data: Path | None
    faults: tuple[str, ...]


def run_sandbox_server(
    *,
    port: int,
    data: Path | None,
    seed: Path | None,
    token: str | None,
    faults: Sequence[str] = (),
    on_ready: Callable[[SandboxInfo], None],
) -> int:
    """Start the sandbox on 127.0.0.1:``port``, report it through ``on_ready``, serve until
    Ctrl-C. State lives in ``data`` (kept across restarts) or in memory."""
    if not 0 <= port <= MAX_PORT:
        raise UsageError(f"--port {port} is out of range: use 0-{MAX_PORT} (0 picks a free one)")
    from para_monitor_cli.sandbox.faults import FaultSyntaxError, parse_fault
    from para_monitor_cli.sandbox.seed import SeedError
    from para_monitor_cli.sandbox.server import DataDirError, SandboxServer

    for rule in faults:
        try:
            parse_fault(rule)
        except FaultSyntaxError as exc:
            raise UsageError(f"--fault {rule!r}: {exc}") from None
    try:
        server = SandboxServer(port=port, data=data, seed=seed, token=token, faults=tuple(faults))
    except SeedError as exc:
        raise UsageError(f"--seed: {exc}") from None
    except DataDirError as exc:
        raise UsageError(
            f"--data {data}: {exc}", hint="pass a directory (it is created if missing)"
        ) from None
    except OSError as exc:
        raise ParaMonitorError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror}",
            hint="choose another --port (0 picks a free one)",
        ) from None
    on_ready(
        SandboxInfo(
            url=server.url,
            dsn=server.dsn,
            token=server.token,
            org=server.org,
            project=server.project,
            project_id=server.project_id,
            data=data,
            faults=tuple(faults),
        )
    )
    server.serve_forever()
    return 0
