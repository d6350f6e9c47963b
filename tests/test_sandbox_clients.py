"""Clients we did not write, against the sandbox: sentry-sdk, the sentry-cli binary, restarts."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import uuid
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
import sentry_sdk
from openapi_support import validate_response

from para_monitor_cli.sandbox.testing import run_sandbox


def get(sandbox: Any, path: str) -> httpx.Response:
    return httpx.get(
        sandbox.url.rstrip("/") + path, headers={"Authorization": f"Bearer {sandbox.token}"}
    )


def project_event(sandbox: Any, event_id: str) -> dict[str, Any]:
    path = f"/api/0/projects/{sandbox.org}/{sandbox.project}/events/{event_id}/"
    response = get(sandbox, path)
    assert response.status_code == 200, response.text
    validate_response("GET", path, 200, response.json())
    return dict(response.json())


def test_sentry_sdk_error_message_and_transaction_are_readable(sandbox: Any) -> None:
    client = sentry_sdk.Client(
        dsn=sandbox.dsn,
        traces_sample_rate=1.0,
        release="para-autopilot@0.1.0",
        environment="production",
        default_integrations=False,
    )
    with sentry_sdk.isolation_scope() as isolation, sentry_sdk.new_scope() as current:
        isolation.set_client(client)
        current.set_client(client)
        try:
            raise ValueError("boom in checkout")
        except ValueError as exc:
            error_id = sentry_sdk.capture_exception(exc)
        message_id = sentry_sdk.capture_message("hello from the sdk", level="warning")
        with sentry_sdk.start_transaction(name="GET /api/health", op="http.server"):
            with sentry_sdk.start_span(op="db", name="SELECT 1"):
                pass
    client.flush(timeout=5)
    client.close()
    assert error_id
    assert message_id

    error = project_event(sandbox, error_id)
    assert error["type"] == "error"
    assert error["title"] == "ValueError: boom in checkout"
    assert {"key": "environment", "value": "production"} in error["tags"]
    message = project_event(sandbox, message_id)
    assert message["type"] == "default"
    assert message["message"] == "hello from the sdk"

    listed = get(sandbox, f"/api/0/projects/{sandbox.org}/{sandbox.project}/events/").json()
    transactions = [e for e in listed if e["event.type"] == "transaction"]
    assert [t["title"] for t in transactions] == ["GET /api/health"]
    tx_event = project_event(sandbox, transactions[0]["eventID"])
    assert any(entry["type"] == "spans" for entry in tx_event["entries"])

    lookup_path = f"/api/0/organizations/{sandbox.org}/eventids/{error_id}/"
    lookup = get(sandbox, lookup_path)
    assert lookup.status_code == 200
    validate_response("GET", lookup_path, 200, lookup.json())
    assert lookup.json()["projectSlug"] == sandbox.project
    # transactions are not found by the event id lookup, as in Sentry
    assert (
        get(
            sandbox, f"/api/0/organizations/{sandbox.org}/eventids/{transactions[0]['eventID']}/"
        ).status_code
        == 404
    )
    assert (
        get(sandbox, f"/api/0/organizations/{sandbox.org}/eventids/not-an-id/").status_code == 400
    )
    # a release the SDK reports exists for the project
    releases = get(sandbox, f"/api/0/projects/{sandbox.org}/{sandbox.project}/releases/").json()
    assert "para-autopilot@0.1.0" in {r["version"] for r in releases}


def envelope(event_id: str, message: str) -> bytes:
    head = json.dumps({"event_id": event_id}).encode()
    payload = json.dumps({"event_id": event_id, "message": message, "level": "info"}).encode()
    item = json.dumps({"type": "event", "length": len(payload)}).encode()
    return b"\n".join([head, item, payload]) + b"\n"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "identity"])
def test_ingest_accepts_every_compression(sandbox: Any, encoding: str) -> None:
    import brotli

    event_id = uuid.uuid4().hex
    body = envelope(event_id, f"via {encoding}")
    compressed = {
        "gzip": gzip.compress,
        "deflate": zlib.compress,
        "br": brotli.compress,
        "identity": lambda b: b,
    }[encoding](body)
    key = sandbox.dsn.split("//")[1].split("@")[0]
    response = httpx.post(
        f"{sandbox.url}api/{sandbox.project_id}/envelope/?sentry_key={key}",
        content=compressed,
        headers={"Content-Encoding": encoding},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"id": event_id}
    assert project_event(sandbox, event_id)["message"] == f"via {encoding}"


def test_store_endpoint_and_wrong_keys(sandbox: Any) -> None:
    key = sandbox.dsn.split("//")[1].split("@")[0]
    event_id = uuid.uuid4().hex
    url = f"{sandbox.url}api/{sandbox.project_id}/store/"
    auth = {"X-Sentry-Auth": f"Sentry sentry_version=7, sentry_key={key}, sentry_client=t/1"}
    ok = httpx.post(url, json={"event_id": event_id, "message": "stored"}, headers=auth)
    assert ok.status_code == 200
    assert project_event(sandbox, event_id)["title"] == "stored"
    wrong = httpx.post(
        url,
        json={"message": "x"},
        headers={"X-Sentry-Auth": "Sentry sentry_key=0123456789abcdef0123456789abcdef"},
    )
    assert wrong.status_code == 403
    assert wrong.json() == {"detail": "event submission rejected with_reason: ProjectId"}
    missing = httpx.post(url, json={"message": "x"})
    assert missing.status_code == 401


def test_disabled_key_is_refused(sandbox: Any) -> None:
    key = sandbox.dsn.split("//")[1].split("@")[0]
    path = f"/api/0/projects/{sandbox.org}/{sandbox.project}/keys/{key}/"
    httpx.put(
        sandbox.url.rstrip("/") + path,
        json={"isActive": False},
        headers={"Authorization": f"Bearer {sandbox.token}"},
    ).raise_for_status()
    refused = httpx.post(
        f"{sandbox.url}api/{sandbox.project_id}/store/?sentry_key={key}", json={"message": "x"}
    )
    assert refused.status_code == 403


def sentry_cli() -> str:
    """The binary the sentry-cli wheel (a dev dependency) installs beside this interpreter:
    found without PATH, which need not hold the venv's bin."""
    path = Path(sys.executable).parent / ("sentry-cli.exe" if os.name == "nt" else "sentry-cli")
    if not path.is_file():
        pytest.fail(
            f"sentry-cli (PyPI package sentry-cli, a dev dependency) is not in {path.parent}"
        )
    return str(path)


def test_sentry_cli_info_and_send_event(sandbox: Any) -> None:
    env = {**os.environ, "SENTRY_DISABLE_UPDATE_CHECK": "true"}
    info = subprocess.run(
        [sentry_cli(), "--url", sandbox.url, "--auth-token", sandbox.token, "info"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert info.returncode == 0, info.stderr
    assert "ada@para-autopilot.example" in info.stdout
    refused = subprocess.run(
        [sentry_cli(), "--url", sandbox.url, "--auth-token", "wrong", "info"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 1
    projects = subprocess.run(
        [
            sentry_cli(),
            "--url",
            sandbox.url,
            "--auth-token",
            sandbox.token,
            "projects",
            "list",
            "--org",
            sandbox.org,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert projects.returncode == 0, projects.stderr
    assert sandbox.project in projects.stdout
    sent = subprocess.run(
        [sentry_cli(), "send-event", "-m", "hello from sentry-cli", "--no-environ"],
        capture_output=True,
        text=True,
        env={**env, "SENTRY_DSN": sandbox.dsn},
        timeout=60,
        check=False,
    )
    assert sent.returncode == 0, sent.stderr
    listed = get(sandbox, f"/api/0/projects/{sandbox.org}/{sandbox.project}/events/").json()
    assert [e["message"] for e in listed] == ["hello from sentry-cli"]


def test_restart_with_data_keeps_every_resource_and_event(tmp_path: Path) -> None:
    event_id = uuid.uuid4().hex
    with run_sandbox(data=tmp_path, token="fixed-token") as first:
        org, project = first.org, first.project
        auth = {"Authorization": "Bearer fixed-token"}
        base = first.url.rstrip("/")
        created = httpx.post(
            f"{base}/api/0/organizations/{org}/dashboards/", json={"title": "kept"}, headers=auth
        )
        assert created.status_code == 201
        httpx.put(
            f"{base}/api/0/projects/{org}/{project}/", json={"safeFields": ["kept"]}, headers=auth
        ).raise_for_status()
        key = first.dsn.split("//")[1].split("@")[0]
        httpx.post(
            f"{base}/api/{first.project_id}/store/?sentry_key={key}",
            json={"event_id": event_id, "message": "persisted"},
        ).raise_for_status()
        paths = [
            f"/api/0/organizations/{org}/{kind}/"
            for kind in (
                "projects",
                "teams",
                "members",
                "integrations",
                "releases",
                "detectors",
                "workflows",
                "dashboards",
                "alert-rules",
            )
        ]
        paths += [
            f"/api/0/projects/{org}/{project}/{kind}"
            for kind in ("", "keys/", "rules/", "events/", f"events/{event_id}/")
        ]
        before = {p: httpx.get(base + p, headers=auth).json() for p in paths}
    with run_sandbox(data=tmp_path, token="fixed-token") as second:
        base = second.url.rstrip("/")
        after = {p: httpx.get(base + p, headers=auth).json() for p in paths}
    # links embed the port, which changes between runs
    old, new = f"127.0.0.1:{first.port}", f"127.0.0.1:{second.port}"
    assert json.dumps(after).replace(new, "URL") == json.dumps(before).replace(old, "URL")
    assert after[f"/api/0/projects/{org}/{project}/"]["safeFields"] == ["kept"]
    assert "kept" in {d["title"] for d in after[f"/api/0/organizations/{org}/dashboards/"]}
