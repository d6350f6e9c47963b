"""test-event against receivers we did not write (kent) and against loopback fault receivers.

kent (PyPI) stores what it receives and serves it back on /api/eventlist/ and /api/event/<id>,
so the test can check, independently of our own leak finder, that every test event arrived
with its id and that no planted secret reached the receiver.
"""

from __future__ import annotations

import json
import logging
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sentry_sdk
from probe_support import DSN_KEY, Kent, Receiver, run_kent, run_receiver, stopped_port
from typer.testing import CliRunner

from para_monitor_cli.cli import app
from para_monitor_cli.commands.test_event import (
    TestEventOptions,
    run_test_event,
)
from para_monitor_cli.errors import DeliveryError, UnreachableError, UsageError
from para_monitor_cli.probe import ProbeOptions, run_probe
from para_monitor_cli.runtime.hooks import load_hook
from para_monitor_cli.settings import resolve
from para_monitor_cli.spec import scrubbing_fields

runner = CliRunner()


@pytest.fixture(scope="session")
def kent_server() -> Iterator[Kent]:
    with run_kent() as kent:
        yield kent


@pytest.fixture
def kent(kent_server: Kent) -> Kent:
    kent_server.flush()
    return kent_server


def invoke(args: list[str], cwd: Path) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        result = runner.invoke(app, args, env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def _secret_cores(result_planted: object) -> list[str]:
    assert result_planted is not None
    return [s.core for s in result_planted.all()]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- kent
def test_kent_receives_every_test_event_by_id_with_no_planted_secret(
    kent: Kent, tmp_path: Path
) -> None:
    settings = resolve({"dsn": kent.dsn}, cwd=tmp_path, environ={})
    options = TestEventOptions(transaction=True, compression="gzip")  # kent cannot decode br
    result = run_test_event(settings, options)

    assert result.delivery_error is None
    assert [e.kind for e in result.events] == ["error", "message", "transaction"]
    assert all(e.delivery == "accepted" and e.status == 200 for e in result.events)
    assert result.exit_code() == 0
    assert not result.verified
    assert result.verify_note == "no auth token"

    received = {item["event_id"]: item["body"] for item in kent.received()}
    for event in result.events:
        assert event.event_id in received, f"{event.kind} {event.event_id} not received"
    error = received[result.events[0].event_id]
    # the error carries a real stack trace and this run's tag
    frames = error["exception"]["values"][0]["stacktrace"]["frames"]
    assert [f["function"] for f in frames][-2:] == ["_send_error", "_failing_call"]
    assert error["tags"]["para_monitor.run_id"] == result.run_id
    # the planted secrets went through the pipeline: their keys are there, their values not
    assert "Authorization" in error["request"]["headers"]
    assert "api_key" in frames[-1]["vars"]
    assert error["breadcrumbs"]["values"][0]["category"] == "auth"
    spans = received[result.events[2].event_id]["spans"]
    assert spans
    assert spans[0]["op"] == "db.query"
    everything = json.dumps(kent.received())
    for core in _secret_cores(result.planted):
        assert core not in everything
    # nothing from the process environment, and no OS user name
    assert "user" not in error or "username" not in error.get("user", {})
    assert "HOME" not in json.dumps(error.get("extra", {}))


def test_cli_against_kent_prints_ids_timings_and_verdict(kent: Kent, tmp_path: Path) -> None:
    code, out, err = invoke(
        [
            "--dsn",
            kent.dsn,
            "--org",
            "para-autopilot",
            "--project",
            "backend",
            "--url",
            "https://sentry.io/",
            "test-event",
            "--compression",
            "gzip",
        ],
        tmp_path,
    )
    assert code == 0, err
    ids = [item["event_id"] for item in kent.received()]
    assert len(ids) == 2
    for event_id in ids:
        assert event_id in out
        assert f"https://para-autopilot.sentry.io/projects/backend/events/{event_id}/" in out
    assert "arrival: NOT VERIFIED (no auth token)" in out
    assert "scrubbing: clean (no planted secret in the sent events)" in out
    assert DSN_KEY not in out + err


def test_cli_json_output(kent: Kent, tmp_path: Path) -> None:
    code, out, err = invoke(
        ["--output", "json", "--dsn", kent.dsn, "test-event", "--compression", "gzip"], tmp_path
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["ok"] is True
    assert doc["verified"] is False
    assert doc["delivery"] == {"ok": True, "error": None}
    assert doc["scrubbing"] == {"verdict": "clean", "checked": ["sent"], "leaks": []}
    assert {e["kind"] for e in doc["events"]} == {"error", "message"}
    received = {item["event_id"] for item in kent.received()}
    assert {e["event_id"] for e in doc["events"]} == received
    assert all(e["status"] == 200 and e["send_seconds"] is not None for e in doc["events"])


LEAKY_HOOK = '''
    """An application before_send that attaches the failing frame's locals "for debugging":
    it runs after the scrubbing engine, so whatever it adds goes out unscrubbed."""


    def before_send(event, hint):
        exc_info = hint.get("exc_info")
        if exc_info:
            tb = exc_info[2]
            while tb.tb_next is not None:
                tb = tb.tb_next
            event.setdefault("extra", {})["debug_locals"] = {
                name: str(value) for name, value in tb.tb_frame.f_locals.items()
            }
        return event


    def drop_everything(event, hint):
        return None


    def raise_on_everything(event, hint):
        raise ValueError("a bug in the application's hook")
'''


@pytest.fixture
def hook_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = "leaky_sentry_hooks"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(LEAKY_HOOK))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_a_broken_before_send_makes_test_event_fail(
    kent: Kent, tmp_path: Path, hook_module: str
) -> None:
    code, out, err = invoke(
        [
            "--dsn",
            kent.dsn,
            "test-event",
            "--compression",
            "gzip",
            "--hook",
            f"{hook_module}:before_send",
        ],
        tmp_path,
    )
    assert code == 1, out + err
    assert "scrubbing: LEAKED (1 planted secret found)" in out
    assert (
        "sent[0].extra.debug_locals.api_key: the planted frame_local secret (api_key) "
        "was not scrubbed" in out
    )
    # the leak is real: kent received the secret, and test-event never printed it
    error = next(i["body"] for i in kent.received() if "exception" in i["body"])
    leaked = error["extra"]["debug_locals"]["api_key"]
    assert leaked.startswith("sk-pmfake-")
    assert leaked not in out + err


def test_a_hook_that_drops_the_events_is_a_finding(
    kent: Kent, tmp_path: Path, hook_module: str
) -> None:
    code, out, _ = invoke(
        [
            "--dsn",
            kent.dsn,
            "test-event",
            "--compression",
            "gzip",
            "--hook",
            f"{hook_module}:drop_everything",
        ],
        tmp_path,
    )
    assert code == 1
    assert "(dropped)" in out
    assert out.count("dropped: the hook returned None") == 2
    assert "raised" not in out
    # only sentry-sdk's client report reached kent, counting the events the hook discarded
    received = kent.received()
    assert [item["event_id"] for item in received] == [None]
    assert received[0]["body"]["discarded_events"] == [
        {"category": "error", "quantity": 2, "reason": "before_send"}
    ]


def test_a_hook_that_raises_is_reported_as_raised_with_one_warning_per_event(
    kent: Kent, tmp_path: Path, hook_module: str, caplog: pytest.LogCaptureFixture
) -> None:
    args = ["--output", "json", "--dsn", kent.dsn, "test-event", "--compression", "gzip"]
    with caplog.at_level(logging.DEBUG, logger="para_monitor"):
        code, out, err = invoke([*args, "--hook", f"{hook_module}:raise_on_everything"], tmp_path)
    assert code == 1, out + err
    doc = json.loads(out)
    assert [(e["kind"], e["event_id"], e["reason"]) for e in doc["events"]] == [
        ("error", None, "dropped: the hook raised ValueError"),
        ("message", None, "dropped: the hook raised ValueError"),
    ]
    # one warning per dropped event, none captured as an event (no feedback loop)
    ours = [r for r in caplog.records if r.name.startswith("para_monitor")]
    assert [r.levelno for r in ours] == [logging.WARNING, logging.WARNING]
    assert [i["event_id"] for i in kent.received()] == [None]  # the client report only
    code, out, _ = invoke([*args[2:], "--hook", f"{hook_module}:raise_on_everything"], tmp_path)
    assert code == 1
    assert out.count("dropped: the hook raised ValueError") == 2
    assert "returned None" not in out


def test_the_probe_leaves_a_global_client_alone(kent: Kent) -> None:
    global_scope = sentry_sdk.get_global_scope()
    previous = global_scope.client
    app_client = sentry_sdk.Client(
        dsn=f"http://{DSN_KEY}@127.0.0.1:{stopped_port()}/2", default_integrations=False
    )
    global_scope.set_client(app_client)
    try:
        result = run_probe(ProbeOptions(dsn=kent.dsn, compression="gzip"))
        assert result.ok
        assert sentry_sdk.get_client() is app_client
        assert app_client.is_active()
    finally:
        global_scope.set_client(previous)
        app_client.close(timeout=0)
    assert {i["event_id"] for i in kent.received()} == {e.event_id for e in result.events}


# --------------------------------------------------------------------------- delivery faults
def _probe(dsn: str, **kwargs: object) -> tuple[int, str, str]:
    """Run the CLI against ``dsn``; return (exit code, stdout, stderr)."""
    args = ["--dsn", dsn, "test-event", "--compression", "gzip"]
    for key, value in kwargs.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_dsn_key(status: int) -> None:
    with run_receiver(Receiver(status=status)) as receiver:
        code, out, err = _probe(receiver.dsn)
    assert code == 3
    assert f"refused the DSN key (HTTP {status}): 2 of 2 test events not accepted" in err
    assert "Client Keys" in err
    assert DSN_KEY not in out + err


def test_a_rate_limit() -> None:
    receiver = Receiver(status=429, headers={"Retry-After": "60"})
    with run_receiver(receiver):
        code, _out, err = _probe(receiver.dsn)
    assert code == 3
    assert "rate limited the test events (HTTP 429, retry after 60 s)" in err
    # the SDK backs off after a 429: the message envelope is never sent
    assert len(receiver.requests) == 1


def test_a_slow_server() -> None:
    with run_receiver(Receiver(delay=1.5)) as receiver:
        code, _out, err = _probe(receiver.dsn, send_timeout=0.3)
    assert code == 3
    assert "is too slow (no answer within 0.3 s)" in err
    assert "--send-timeout" in err


def test_a_stopped_server() -> None:
    port = stopped_port()
    code, _out, err = _probe(f"http://{DSN_KEY}@127.0.0.1:{port}/1")
    assert code == 3
    assert f"cannot reach the receiver at 127.0.0.1:{port} (connection refused)" in err
    assert DSN_KEY not in err


def test_a_server_error_with_brotli_suggests_gzip() -> None:
    with run_receiver(Receiver(status=500)) as receiver:
        result = runner.invoke(app, ["--dsn", receiver.dsn, "test-event"])
    assert result.exit_code == 3
    assert "did not accept the test events (HTTP 500)" in result.stderr
    assert "try --compression gzip" in result.stderr
    assert receiver.requests[0].get("Content-Encoding") == "br"


def test_gzip_is_forced_on_request() -> None:
    with run_receiver(Receiver()) as receiver:
        code, _out, err = _probe(receiver.dsn)
    assert code == 0, err
    assert {r.get("Content-Encoding") for r in receiver.requests} == {"gzip"}


def test_delivery_errors_have_their_own_classes() -> None:
    with run_receiver(Receiver(status=403)) as receiver:
        refused = run_probe(ProbeOptions(dsn=receiver.dsn, compression="gzip"))
    stopped = run_probe(
        ProbeOptions(dsn=f"http://{DSN_KEY}@127.0.0.1:{stopped_port()}/1", compression="gzip")
    )
    assert isinstance(refused.delivery_error, DeliveryError)
    assert isinstance(stopped.delivery_error, UnreachableError)
    assert refused.exit_code() == 0  # no finding: the failure is operational (raised: exit 3)


# --------------------------------------------------------------------------- usage
def test_no_dsn_is_a_usage_error(tmp_path: Path) -> None:
    code, _out, err = invoke(["test-event"], tmp_path)
    assert code == 2
    assert "no dsn configured: pass --dsn or set SENTRY_DSN" in err


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nocolon", "expected module:function"),
        ("no_such_module_xyz:f", "cannot import module 'no_such_module_xyz'"),
        ("json:no_such_function", "'json' has no attribute 'no_such_function'"),
        ("json:__doc__", "is not callable"),
    ],
)
def test_bad_hooks(spec: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load_hook(spec)


def test_unknown_compression(tmp_path: Path) -> None:
    code, _out, err = invoke(
        ["--dsn", f"http://{DSN_KEY}@127.0.0.1:9/1", "test-event", "--compression", "zip"],
        tmp_path,
    )
    assert code == 2
    assert "Invalid value for '--compression': 'zip' is not one of auto, gzip, br, none" in err


def test_scrubbing_fields_come_from_the_spec_file(tmp_path: Path) -> None:
    spec = tmp_path / "alert_rules.yaml"
    spec.write_text("version: 1\nscrubbing:\n  sensitive_fields: [session_blob]\n")
    assert scrubbing_fields(spec) == (("session_blob",), ())
    assert scrubbing_fields(tmp_path / "absent.yaml") == ((), ())
    spec.write_text("version: 7\n")
    warnings: list[str] = []
    assert scrubbing_fields(spec, on_warning=warnings.append) == ((), ())
    assert len(warnings) == 1
    assert "not used for the scrubbing fields" in warnings[0]


def test_the_probe_inherits_nothing_from_the_process_scopes(kent: Kent) -> None:
    sentry_sdk.get_isolation_scope().add_breadcrumb({"message": "from the host process"})
    sentry_sdk.get_isolation_scope().set_tag("host_tag", "x")
    try:
        result = run_probe(ProbeOptions(dsn=kent.dsn, compression="gzip"))
    finally:
        sentry_sdk.get_isolation_scope().clear()
    assert result.ok
    error = next(i["body"] for i in kent.received() if "exception" in i["body"])
    assert [c["category"] for c in error["breadcrumbs"]["values"]] == ["auth"]
    assert "host_tag" not in error["tags"]


@pytest.mark.parametrize("command", ["test-event", "scrub-check"])
def test_help_lists_every_exit_code(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "100"})
    text = " ".join(result.stdout.split())
    for code in ("Exit 0 ", "; 1 ", "; 2 ", "; 4 "):
        assert code in text, code
    if command == "test-event":
        assert "; 3 when delivery failed or arrival could not be verified" in text


@pytest.mark.parametrize(
    ("args", "env_dsn", "named"),
    [
        (["--dsn", "http://k@[::1/2"], None, "--dsn is not a valid Sentry DSN (Invalid IPv6 URL)"),
        ([], "ftp://key@host/1", "SENTRY_DSN (environment) is not a valid Sentry DSN"),
    ],
)
def test_an_invalid_dsn_names_where_it_came_from(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env_dsn: str | None,
    named: str,
) -> None:
    if env_dsn is not None:
        monkeypatch.setenv("SENTRY_DSN", env_dsn)
    code, _out, err = invoke([*args, "test-event"], tmp_path)
    assert code == 2
    assert named in err
