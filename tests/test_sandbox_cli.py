"""`para-monitor sandbox` as a user runs it: prints URL, DSN and token; stops on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest


def start(
    *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "para_monitor_cli", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
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
    proc, printed = start("--data", str(tmp_path), "--auth-token", "local-token")
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


# --------------------------------------------------------------------------- bad input: exit 2
def run_cli(*args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from para_monitor_cli.cli import app

    result = CliRunner().invoke(app, ["sandbox", *args])
    return result.exit_code, result.stderr


@pytest.mark.parametrize("port", ["-5", "65536", "99999999999999999999"])
def test_a_port_out_of_range_is_a_usage_error(port: str) -> None:
    code, err = run_cli("--port", port)
    assert code == 2, err
    assert f"--port {port} is out of range: use 0-65535" in err
    assert "Traceback" not in err


SEED_PROJECT = (
    "    projects:\n      - slug: api\n        keys: [{id: abc, secret: def, name: Default}]\n"
)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("organizations: [{slug: x}]\n", "organizations[0] needs at least one project"),
        ("user: 3\norganizations: [{slug: x}]\n", "'user' must be a mapping with 'id' and"),
        ("organizations: []\n", "at least one organization"),
        ("organizations:\n  - slug: x\n    members: [3]\n", "organizations[0].members[0] must be"),
        ("organizations:\n  - {slug: x, projects: [{slug: api}]}\n", "needs an active client key"),
        (
            "organizations:\n  - slug: x\n" + SEED_PROJECT + "        teams: [ghost]\n",
            "organizations[0].projects[0].teams: no team 'ghost' in this organization",
        ),
        (
            "organizations:\n  - slug: x\n" + SEED_PROJECT + "    releases: [{projects: [api]}]\n",
            "organizations[0].releases[0] needs 'version'",
        ),
        ("token: {scopes: read}\norganizations: [{slug: x}]\n", "token.scopes must be a list"),
        (
            "organizations:\n  - slug: x\n    features: incidents\n" + SEED_PROJECT,
            "organizations[0].features must be a list of feature names",
        ),
        (
            "organizations:\n  - slug: x\n" + SEED_PROJECT + "        environments: production\n",
            "organizations[0].projects[0].environments must be a list of environment names",
        ),
        (
            "organizations:\n  - slug: x\n" + SEED_PROJECT + "    integrations:\n"
            "      - {provider: slack, name: W, slack_channels: [C1]}\n",
            "organizations[0].integrations[0].slack_channels must map channel ids to channel names",
        ),
        (
            "organizations:\n  - slug: x\n" + SEED_PROJECT + "    integrations:\n"
            "      - {provider: slack, name: W, status: off}\n",
            "organizations[0].integrations[0].status must be active, disabled or pending_deletion",
        ),
    ],
)
def test_a_bad_seed_is_a_usage_error_naming_file_and_place(
    tmp_path: Path, text: str, problem: str
) -> None:
    seed = tmp_path / "s.yaml"
    seed.write_text(text, encoding="utf-8")
    code, err = run_cli("--port", "0", "--seed", str(seed))
    assert code == 2, err
    assert err.startswith(f"error: --seed: seed file {seed}: "), err
    assert problem in err
    assert len(err.strip().splitlines()) == 1


def test_a_seed_with_a_yaml_error_is_one_line_with_file_line_and_column(tmp_path: Path) -> None:
    seed = tmp_path / "s.yaml"
    seed.write_text("organizations:\n  - slug: [a\n    b: c\n", encoding="utf-8")
    code, err = run_cli("--port", "0", "--seed", str(seed))
    assert code == 2
    assert err.strip() == (
        f"error: --seed: {seed}:3:6: not valid YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence at 2:11)"
    )
    seed = tmp_path / "s.json"
    seed.write_text('{"organizations": [}', encoding="utf-8")
    code, err = run_cli("--port", "0", "--seed", str(seed))
    assert code == 2
    assert err.strip() == f"error: --seed: {seed}:1:20: not valid JSON: Expecting value"


def test_data_that_is_a_file_is_reported_as_a_data_problem(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    code, err = run_cli("--port", "0", "--data", str(afile))
    assert code == 2, err
    assert f"error: --data {afile}: {afile} is not a directory" in err
    assert "--port" not in err
    code, err = run_cli("--port", "0", "--data", str(afile / "sub"))
    assert code == 2, err
    assert err.startswith(f"error: --data {afile / 'sub'}: cannot keep state in")


def test_sandbox_token_comes_from_the_command_line_only(tmp_path: Path) -> None:
    import os

    # SENTRY_AUTH_TOKEN may hold a real token: the sandbox never adopts (nor prints) it
    env = {**os.environ, "SENTRY_AUTH_TOKEN": "sntrys_real_token_of_the_user"}
    proc, printed = start(env=env)
    try:
        assert printed["SENTRY_AUTH_TOKEN"] != "sntrys_real_token_of_the_user"
    finally:
        stop(proc)
    # --auth-token before the command means the same as after it
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "para_monitor_cli",
            "--auth-token",
            "before-token",
            "sandbox",
            "--port",
            "0",
            "--token",
            "old-spelling",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    lines = [proc.stdout.readline() for _ in range(4)]
    try:
        assert "  SENTRY_AUTH_TOKEN=before-token\n" in lines
        assert "--token is deprecated: use --auth-token" in proc.stderr.readline()
    finally:
        stop(proc)
