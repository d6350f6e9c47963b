"""`para-monitor sandbox` as a user runs it: prints URL, DSN and token; stops on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx


def start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "para_monitor_cli", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    printed: dict[str, str] = {}
    for line in proc.stdout:
        name, sep, value = line.strip().partition("=")
        if sep:
            printed[name] = value
        if name == "SENTRY_PROJECT":
            break
    return proc, printed


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=15)
    finally:
        proc.stdout and proc.stdout.close()
        proc.stderr and proc.stderr.close()


def test_sandbox_command_prints_working_credentials(tmp_path: Path) -> None:
    proc, printed = start("--data", str(tmp_path), "--token", "local-token")
    try:
        assert printed["SENTRY_AUTH_TOKEN"] == "local-token"
        assert printed["SENTRY_ORG"] == "para-autopilot"
        url = printed["SENTRY_URL"]
        info = httpx.get(url + "api/0/", headers={"Authorization": "Bearer local-token"})
        assert info.status_code == 200
        dsn = printed["SENTRY_DSN"]
        key = dsn.split("//")[1].split("@")[0]
        sent = httpx.post(
            f"{url}api/{dsn.rsplit('/', 1)[1]}/store/?sentry_key={key}",
            json={"message": "from the cli test"},
        )
        assert sent.status_code == 200
    finally:
        code = stop(proc)
    assert code == 130  # interrupted, per the exit-code table, after a clean shutdown
    assert (tmp_path / "sandbox.sqlite3").exists()


def test_sandbox_command_applies_faults_and_rejects_bad_ones() -> None:
    proc, printed = start("--fault", "GET /api/0/organizations/:503x1")
    try:
        url = printed["SENTRY_URL"] + "api/0/organizations/"
        auth = {"Authorization": f"Bearer {printed['SENTRY_AUTH_TOKEN']}"}
        assert httpx.get(url, headers=auth).status_code == 503
        assert httpx.get(url, headers=auth).status_code == 200
    finally:
        stop(proc)
    bad = subprocess.run(
        [sys.executable, "-m", "para_monitor_cli", "sandbox", "--port", "0", "--fault", "nonsense"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert bad.returncode == 2
    assert "--fault" in bad.stderr


def test_faults_handle_switches_per_route(sandbox: Any) -> None:
    auth = {"Authorization": f"Bearer {sandbox.token}"}
    base = sandbox.url.rstrip("/")
    sandbox.faults.brownout()
    gone = httpx.get(f"{base}/api/0/organizations/{sandbox.org}/alert-rules/", headers=auth)
    assert gone.status_code == 410
    assert gone.json() == {"message": "This API no longer exists."}
    fine = httpx.get(f"{base}/api/0/organizations/{sandbox.org}/detectors/", headers=auth)
    assert fine.status_code == 200
    put = httpx.put(f"{base}/_sandbox/faults/", headers=auth, json=["/detectors/:429x1"])
    assert put.status_code == 200
    limited = httpx.get(f"{base}/api/0/organizations/{sandbox.org}/detectors/", headers=auth)
    assert limited.status_code == 429
    assert "X-Sentry-Rate-Limit-Reset" in limited.headers
    assert httpx.delete(f"{base}/_sandbox/faults/", headers=auth).status_code == 200
    assert httpx.get(f"{base}/_sandbox/faults/").status_code == 401
