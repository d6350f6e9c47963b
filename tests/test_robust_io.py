"""Bounded, visible and interruptible I/O (issue 15, items 2 and 3).

Real processes against real sockets on 127.0.0.1: a server that accepts and never answers, a
port nobody listens on, a plain web server, and the sandbox. Each case must end with one clear
line and the documented exit code; Ctrl-C (SIGINT) must end every wait with exit 130, no
traceback. The time bounds asserted are generous limits on "it ends", not benchmarks.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from para_monitor_cli import errors, waits
from para_monitor_cli.api import client as api
from para_monitor_cli.cli import app

SPEC = Path(__file__).resolve().parents[1] / "alert_rules.yaml"
TOKEN = "robust-io-token"


# --------------------------------------------------------------------------- servers
class HangingServer:
    """Accepts connections on 127.0.0.1:0 and never answers (holds them open)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self.stop = threading.Event()
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.conns.append(conn)
            self.accepted.set()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        for conn in self.conns:
            conn.close()
        self.sock.close()


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    server = HangingServer()
    yield server
    server.close()


@pytest.fixture
def refused_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (bound, then closed)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


class _HtmlHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body><h1>404 Not Found</h1></body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        return None


@pytest.fixture
def web_server() -> Iterator[str]:
    """A plain web server (HTML 404 for everything), not Sentry."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------- helpers
def cli_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env.update(
        HOME=str(tmp_path),
        SENTRY_DISABLE_UPDATE_CHECK="true",
        SENTRY_AUTH_TOKEN=TOKEN,
        SENTRY_ORG="acme",
        SENTRY_PROJECT="backend",
        PYTHONUNBUFFERED="1",
    )
    env.update(values)
    return env


def run_cli(args: list[str], env: dict[str, str], cwd: Path, limit: float) -> tuple[int, str]:
    """Run ``para-monitor ARGS`` in a process; fail if it is still running after ``limit``."""
    done = subprocess.run(
        [sys.executable, "-m", "para_monitor_cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=limit,
        check=False,
    )
    return done.returncode, done.stderr


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def interrupt_when(
    args: list[str], env: dict[str, str], cwd: Path, ready: Any, *, limit: float = 60.0
) -> tuple[int, str, float]:
    """Start ``para-monitor ARGS``, wait until ``ready(stderr_so_far)`` is true, send SIGINT;
    return the exit code, the whole stderr and the seconds from SIGINT to exit."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "para_monitor_cli", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(iter(proc.stderr.readline, "")))
    reader.daemon = True
    reader.start()
    started = time.monotonic()
    try:
        while not ready("".join(seen)):
            assert proc.poll() is None, "".join(seen)
            assert time.monotonic() - started < limit, "".join(seen)
            time.sleep(0.05)
        time.sleep(0.3)  # well inside the wait
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=10)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
        proc.stderr.close()
    return code, "".join(seen), took


# --------------------------------------------------------------------------- timeouts
def test_a_hanging_server_ends_within_the_timeout(hanging: HangingServer, tmp_path: Path) -> None:
    env = cli_env(tmp_path, SENTRY_URL=f"http://127.0.0.1:{hanging.port}/")
    started = time.monotonic()
    code, stderr = run_cli(["--config", str(SPEC), "--timeout", "2", "plan"], env, tmp_path, 30)
    took = time.monotonic() - started
    assert code == errors.EXIT_OPERATIONAL, stderr
    (line,) = error_lines(stderr)  # one clear line
    assert "timed out: no answer from http://127.0.0.1" in line
    assert "--timeout 2 s" in stderr
    assert "Traceback" not in stderr
    assert took < 20  # 2 s per request; was 194 s of silence


def test_a_refused_connection_retries_visibly_and_ends(refused_port: int, tmp_path: Path) -> None:
    env = cli_env(tmp_path, SENTRY_URL=f"http://127.0.0.1:{refused_port}/")
    code, stderr = run_cli(["--config", str(SPEC), "--timeout", "3", "plan"], env, tmp_path, 30)
    assert code == errors.EXIT_OPERATIONAL, stderr
    (line,) = error_lines(stderr)
    assert "connection refused" in line
    assert "retrying GET organizations/acme/" in stderr  # every retry is shown
    assert "after connection refused (2/6, in " in stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "1e308"])
def test_timeout_values_that_never_end_are_usage_errors(value: str, tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["--timeout", value, "config"])
    assert out.exit_code == errors.EXIT_USAGE
    assert "--timeout must be a finite number of seconds > 0" in out.stderr


@pytest.mark.parametrize("option", ["--timeout", "--send-timeout"])
@pytest.mark.parametrize("value", ["nan", "inf", "-5", "1e308"])
def test_test_event_wait_options_refuse_nan_inf_and_negatives(option: str, value: str) -> None:
    dsn = "http://0123456789abcdef0123456789abcdef@127.0.0.1:9/1"
    out = CliRunner().invoke(app, ["--dsn", dsn, "test-event", option, value])
    assert out.exit_code == errors.EXIT_USAGE, out.output
    assert "must be a finite number of seconds" in out.stderr


def test_the_global_timeout_reaches_the_client(sandbox: Any) -> None:
    from para_monitor_cli.settings import resolve

    settings = resolve({"url": sandbox.url, "auth_token": sandbox.token, "org": sandbox.org})
    from dataclasses import replace

    client = api.client_from_settings(replace(settings, timeout=4.0))
    try:
        assert client.timeout == 4.0
        assert client.budget == api.COMMAND_BUDGET_FACTOR * 4.0
        assert client.http.timeout.connect == 4.0  # connect is at most the timeout
    finally:
        client.close()
    default = api.client_from_settings(settings)
    try:
        assert default.timeout == api.DEFAULT_TIMEOUT
        assert default.http.timeout.connect == api.CONNECT_TIMEOUT
        assert default.http.timeout.read == api.DEFAULT_TIMEOUT
    finally:
        default.close()


def test_retries_stop_when_the_requests_time_is_spent() -> None:
    """A 503 asking to come back in 60 s is not waited for past the request's time."""
    calls: list[int] = []

    def busy(_request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503, json={"detail": "busy"}, headers={"Retry-After": "60"})

    api.set_testing(False)
    http = httpx.Client(transport=httpx.MockTransport(busy))
    client = api.SentryClient(http, base_url="https://sentry.example.com", token=TOKEN, timeout=5)
    started = time.monotonic()
    with pytest.raises(errors.ServerError):
        client.get("organizations/acme/projects/")
    assert time.monotonic() - started < 5
    assert calls == [1]


def test_each_retry_is_reported(sandbox: Any, tmp_path: Path) -> None:
    lines: list[tuple[str, str]] = []
    waits.set_sink(lambda kind, text: lines.append((kind, text)))
    try:
        sandbox.faults.error(r"/projects/$", 503, times=2)
        http = httpx.Client()
        client = api.SentryClient(http, base_url=sandbox.url, token=sandbox.token, org=sandbox.org)
        assert client.projects()
        client.close()
    finally:
        waits.set_sink(None)
    retries = [text for kind, text in lines if kind == "retry"]
    assert retries == [
        f"retrying GET organizations/{sandbox.org}/projects/ after HTTP 503 (2/3, in 0.0 s)",
        f"retrying GET organizations/{sandbox.org}/projects/ after HTTP 503 (3/3, in 0.0 s)",
    ]


# --------------------------------------------------------------------------- identity
def test_a_wrong_organization_is_one_error_naming_the_visible_ones(
    sandbox: Any, tmp_path: Path
) -> None:
    env = {"SENTRY_URL": sandbox.url, "SENTRY_AUTH_TOKEN": sandbox.token, "SENTRY_ORG": "acme"}
    out = CliRunner().invoke(app, ["--config", str(SPEC), "plan"], env=env)
    assert out.exit_code == errors.EXIT_OPERATIONAL, out.output
    (line,) = error_lines(out.stderr)
    assert line == (
        f"error: organization 'acme' not found at {sandbox.url.rstrip('/')}: "
        f"this token can see {sandbox.org}"
    )


def test_test_event_with_a_wrong_organization_fails_fast(sandbox: Any, tmp_path: Path) -> None:
    env = {
        "SENTRY_URL": sandbox.url,
        "SENTRY_AUTH_TOKEN": sandbox.token,
        "SENTRY_ORG": "acme",
        "SENTRY_PROJECT": sandbox.project,
        "SENTRY_DSN": sandbox.dsn,
    }
    started = time.monotonic()
    out = CliRunner().invoke(app, ["test-event", "--compression", "gzip"], env=env)
    assert time.monotonic() - started < 30  # not the 90 s arrival wait
    assert out.exit_code == errors.EXIT_OPERATIONAL, out.output
    assert "organization 'acme' not found" in out.stderr
    assert "NOT VERIFIED" in out.stdout
    assert "stored events" not in out.stdout  # nothing was read back, so nothing is claimed


def test_a_wrong_project_names_the_projects(sandbox: Any) -> None:
    http = httpx.Client()
    client = api.SentryClient(http, base_url=sandbox.url, token=sandbox.token, org=sandbox.org)
    with pytest.raises(errors.TargetNotFoundError) as info:
        client.project("nope")
    client.close()
    assert str(info.value) == (
        f"project 'nope' not found in organization {sandbox.org!r}: "
        f"its projects are {sandbox.project}"
    )
    assert info.value.exit_code == errors.EXIT_OPERATIONAL


def test_a_missing_resource_is_still_a_plain_not_found(sandbox: Any) -> None:
    http = httpx.Client()
    client = api.SentryClient(http, base_url=sandbox.url, token=sandbox.token, org=sandbox.org)
    with pytest.raises(errors.NotFoundError):
        client.detector("999999")
    client.close()


def test_a_server_that_is_not_sentry_is_named(web_server: str, tmp_path: Path) -> None:
    env = {"SENTRY_URL": web_server, "SENTRY_AUTH_TOKEN": TOKEN, "SENTRY_ORG": "acme"}
    out = CliRunner().invoke(app, ["--config", str(SPEC), "plan"], env=env)
    assert out.exit_code == errors.EXIT_OPERATIONAL, out.output
    (line,) = error_lines(out.stderr)
    assert line.startswith(f"error: the server at {web_server.rstrip('/')} is not Sentry: ")
    assert "GET /api/0/ answered HTTP 404 with text/html, not JSON" in line


def test_check_setup_against_a_web_server_runs_nothing_as_passed(
    web_server: str, tmp_path: Path
) -> None:
    env = {
        "SENTRY_URL": web_server,
        "SENTRY_AUTH_TOKEN": TOKEN,
        "SENTRY_ORG": "acme",
        "SENTRY_PROJECT": "backend",
    }
    args = ["--config", str(SPEC), "-o", "json", "check-setup", "--skip", "test_error"]
    out = CliRunner().invoke(app, args, env=env)
    import json

    document = json.loads(out.stdout)
    networked = [c for c in document["checks"] if c["network"] == "required"]
    assert networked
    assert {c["status"] for c in networked} <= {"not_run", "skipped"}
    legacy = next(c for c in document["checks"] if c["name"] == "legacy_alerts")
    assert legacy["status"] == "not_run"  # it used to pass on a 404
    assert "is not Sentry" in legacy["summary"]
    assert document["summary"]["not_run"] >= 1
    assert out.exit_code == errors.EXIT_OPERATIONAL or document["summary"]["failed"]


@pytest.mark.parametrize("slug", ["a/b", "../admin", "x?y=1", "org name", "ünï", ""])
def test_bad_slugs_never_reach_a_url(slug: str) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    client = api.SentryClient(http, base_url="https://sentry.example.com", token=TOKEN)
    with pytest.raises(errors.UsageError):
        client.projects(org=slug or "a b")
    with pytest.raises(errors.UsageError):
        client.project(slug or " ", org="acme")
    assert seen == []


@pytest.mark.parametrize("slug", ["acme", "Acme-Corp", "team_1", "12345"])
def test_good_slugs_and_ids_pass(slug: str) -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"slug": slug})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    client = api.SentryClient(http, base_url="https://sentry.example.com", token=TOKEN)
    client.project(slug, org=slug)
    assert seen == [f"/api/0/projects/{slug}/{slug}/"]


# --------------------------------------------------------------------------- Ctrl-C
def assert_interrupted(code: int, stderr: str, took: float) -> None:
    assert code == errors.EXIT_INTERRUPTED, stderr
    assert "Traceback" not in stderr
    assert "error: interrupted" in stderr
    assert took < 2.5, took  # asked: within 1 s; the bound leaves room for a loaded machine


def test_ctrl_c_during_a_request_exits_130_at_once(hanging: HangingServer, tmp_path: Path) -> None:
    env = cli_env(tmp_path, SENTRY_URL=f"http://127.0.0.1:{hanging.port}/")
    code, stderr, took = interrupt_when(
        ["--config", str(SPEC), "plan"], env, tmp_path, lambda _err: hanging.accepted.is_set()
    )
    assert_interrupted(code, stderr, took)


@pytest.fixture
def elsewhere() -> Iterator[str]:
    """The DSN of a second sandbox: events sent there never arrive in the first one."""
    from para_monitor_cli.sandbox.testing import run_sandbox

    with run_sandbox() as other:
        yield other.dsn


def test_ctrl_c_during_test_event_arrival_wait(
    sandbox: Any, elsewhere: str, tmp_path: Path
) -> None:
    env = cli_env(
        tmp_path,
        SENTRY_URL=sandbox.url,
        SENTRY_AUTH_TOKEN=sandbox.token,
        SENTRY_ORG=sandbox.org,
        SENTRY_PROJECT=sandbox.project,
        SENTRY_DSN=elsewhere,  # accepted there, so never found here: the wait goes on
    )
    code, stderr, took = interrupt_when(
        ["test-event", "--compression", "gzip"],
        env,
        tmp_path,
        lambda err: "waiting for the test events" in err,
    )
    assert_interrupted(code, stderr, took)
    assert "waiting for the test events (0 of 2 found) to arrive in Sentry (" in stderr
    assert "s of 60 s)" in stderr  # the default --wait


def test_ctrl_c_while_waiting_reports_what_was_sent_and_found(
    sandbox: Any, elsewhere: str, tmp_path: Path
) -> None:
    """What was done is printed before exit 130: the events sent, what arrived so far."""
    env = cli_env(
        tmp_path,
        SENTRY_URL=sandbox.url,
        SENTRY_AUTH_TOKEN=sandbox.token,
        SENTRY_ORG=sandbox.org,
        SENTRY_PROJECT=sandbox.project,
        SENTRY_DSN=elsewhere,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "para_monitor_cli", "test-event", "--compression", "gzip"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    while line and "waiting for the test events" not in line:
        line = proc.stderr.readline()
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == errors.EXIT_INTERRUPTED, err
    assert re.search(r"^error\s+[0-9a-f]{32}\s+accepted \(HTTP 200\)", out, re.M)
    assert "arrival: NOT VERIFIED (interrupted (Ctrl-C) while waiting: 0 of 2 found)" in out
    assert "not found before Ctrl-C" in out
    assert "scrubbing: NOT VERIFIED" in out
    assert "error: interrupted" in err
    assert "Traceback" not in err


def test_ctrl_c_during_check_setup_test_error_wait(
    sandbox: Any, elsewhere: str, tmp_path: Path
) -> None:
    env = cli_env(
        tmp_path,
        SENTRY_URL=sandbox.url,
        SENTRY_AUTH_TOKEN=sandbox.token,
        SENTRY_ORG=sandbox.org,
        SENTRY_PROJECT=sandbox.project,
        SENTRY_DSN=elsewhere,
        ENVIRONMENT="production",
        VERSION="0.1.0",
    )
    code, stderr, took = interrupt_when(
        ["--config", str(SPEC), "check-setup", "--only", "test_error,team"],
        env,
        tmp_path,
        lambda err: "waiting for the test events" in err,
    )
    assert_interrupted(code, stderr, took)


def test_ctrl_c_while_starting_is_never_a_traceback(tmp_path: Path) -> None:
    """From the first line of para-monitor's own code (before typer is imported) on."""
    env = cli_env(tmp_path)
    # the handler in place before the CLI's imports: simulate Ctrl-C during them
    script = (
        "import signal, para_monitor_cli.__main__ as m\n"
        "real = __import__\n"
        "def slow(name, *a, **k):\n"
        "    if name == 'typer':\n"
        "        signal.raise_signal(signal.SIGINT)\n"
        "    return real(name, *a, **k)\n"
        "import builtins; builtins.__import__ = slow\n"
        "m.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == errors.EXIT_INTERRUPTED, done.stderr
    assert done.stderr == "error: interrupted\n"


def test_pause_wakes_on_cancel_from_another_thread() -> None:
    waits.CANCEL.clear()
    timer = threading.Timer(0.2, waits.CANCEL.set)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(waits.Interrupted):
            waits.pause(30)
    finally:
        waits.CANCEL.clear()
        timer.cancel()
    assert time.monotonic() - started < 5


# --------------------------------------------------------------------------- progress lines
def test_plain_progress_lines_for_logs() -> None:
    """Not a terminal: each retry is a line; a wait is a line when it starts, then at most
    every PLAIN_EVERY seconds."""
    import io

    from para_monitor_cli.cli import ProgressLine
    from para_monitor_cli.render import Output

    err = io.StringIO()
    line = ProgressLine(Output("text", stderr=err))
    assert not line.live
    line("retry", "retrying GET organizations/acme/ after HTTP 503 (2/6, in 0.4 s)")
    line("wait", "waiting for the test event to arrive in Sentry (0 s of 90 s)")
    line("wait", "waiting for the test event to arrive in Sentry (1 s of 90 s)")
    line.last_plain -= ProgressLine.PLAIN_EVERY  # ten seconds later
    line("wait", "waiting for the test event to arrive in Sentry (11 s of 90 s)")
    line("done", "")
    assert err.getvalue().splitlines() == [
        "retrying GET organizations/acme/ after HTTP 503 (2/6, in 0.4 s)",
        "waiting for the test event to arrive in Sentry (0 s of 90 s)",
        "waiting for the test event to arrive in Sentry (11 s of 90 s)",
    ]


def test_terminal_progress_is_one_status_line_updated_in_place() -> None:
    import io

    from rich.console import Console

    from para_monitor_cli.cli import ProgressLine
    from para_monitor_cli.render import Output

    out = Output("text", stderr=io.StringIO())
    # what a terminal gets: the console Output makes for its stderr, forced to a terminal
    out._consoles[id(out.stderr)] = Console(file=io.StringIO(), force_terminal=True)
    line = ProgressLine(out)
    assert line.live
    line("wait", "waiting for the test events (1 of 2 found) to arrive in Sentry (3 s of 90 s)")
    status = line.status
    assert status is not None
    line("wait", "waiting for the test events (1 of 2 found) to arrive in Sentry (4 s of 90 s)")
    assert line.status is status  # updated, not a new line
    line("done", "")
    assert line.status is None


def test_ctrl_c_during_apply_says_what_was_applied_in_flight_and_not_attempted(
    sandbox: Any, tmp_path: Path
) -> None:
    sandbox.send_event("production")  # the file's monitors need it (plan's pre-flight)
    slow = sandbox.faults.latency(r"/detectors/$", 5.0, method="POST")  # creates hang 5 s
    env = cli_env(
        tmp_path,
        SENTRY_URL=sandbox.url,
        SENTRY_AUTH_TOKEN=sandbox.token,
        SENTRY_ORG=sandbox.org,
        SENTRY_PROJECT=sandbox.project,
    )
    code, stderr, took = interrupt_when(
        ["--config", str(SPEC), "apply-alerts", "--yes"],
        env,
        tmp_path,
        lambda _err: slow.fired > 0,
    )
    assert code == errors.EXIT_INTERRUPTED, stderr
    assert "Traceback" not in stderr
    assert took < 2.5, took
    assert "in flight when interrupted (may or may not have happened; plan shows it): monitor" in (
        stderr
    )
    # the cron monitors (written through /monitors/, not slowed) went first; the uptime check
    # waits for its turn after the monitors, the alerts after all of them
    assert "applied: cron monitor " in stderr
    assert "not attempted: uptime check 'para-autopilot-backend/API health', alert " in stderr
    assert "error: interrupted after 3 of " in stderr


def test_the_command_budget_stops_new_requests() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json=[])

    http = httpx.Client(transport=httpx.MockTransport(answer))
    client = api.SentryClient(http, base_url="https://sentry.example.com", token=TOKEN, timeout=3)
    assert client.budget == 30
    client.deadline = time.monotonic() - 1  # the command has used its 10 x --timeout
    with pytest.raises(errors.UnreachableError, match=r"\(30 s = 10 x --timeout\) is spent"):
        client.projects(org="acme")
    assert seen == []
    client.extend_budget(60)  # test-event's arrival wait adds its own bound
    assert client.projects(org="acme") == []


def test_html_where_json_was_expected_is_not_sentry() -> None:
    """A captive portal or web server answering 200 with a page for every path."""

    def page(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>hello</html>", headers={"Content-Type": "text/html"})

    http = httpx.Client(transport=httpx.MockTransport(page))
    client = api.SentryClient(http, base_url="https://portal.example", token=TOKEN)
    with pytest.raises(errors.NotSentryError) as info:
        client.projects(org="acme")
    assert str(info.value).startswith("the server at https://portal.example is not Sentry: ")
    assert "GET /api/0/ answered HTTP 200 with text/html, not JSON" in str(info.value)
    assert info.value.exit_code == errors.EXIT_OPERATIONAL


def test_ctrl_c_while_sending_to_a_hanging_receiver(hanging: HangingServer, tmp_path: Path) -> None:
    """The SDK's flush (up to --send-timeout per envelope) is shown and stops on Ctrl-C."""
    dsn = f"http://0123456789abcdef0123456789abcdef@127.0.0.1:{hanging.port}/1"
    env = cli_env(tmp_path, SENTRY_DSN=dsn)
    code, stderr, took = interrupt_when(
        ["test-event", "--no-verify", "--compression", "gzip"],
        env,
        tmp_path,
        lambda err: "sending 2 test events (at most 31 s)" in err,
    )
    assert_interrupted(code, stderr, took)
