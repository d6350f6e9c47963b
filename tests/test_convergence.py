"""Apply never leaves duplicates: overlapping applies, lost answers and killed runs converge.

The pure planner first (duplicates of ours are drift: the younger are deleted), then flows
against the sandbox over loopback with its fault injection: two applies at once (x20), a create
committed whose answer is lost (``drop-after``), a create committed after the client's read
timeout (``latency``), and an apply killed with SIGKILL mid-way and run again.
"""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from para_monitor_cli.api import client as api
from para_monitor_cli.api import wire
from para_monitor_cli.api.client import SentryClient
from para_monitor_cli.cli import app
from para_monitor_cli.commands.apply import apply_command
from para_monitor_cli.commands.plan import plan_command
from para_monitor_cli.reconcile import apply as apply_mod
from para_monitor_cli.reconcile.plan import Resource, plan
from para_monitor_cli.sandbox.faults import faults_from_json, parse_fault
from para_monitor_cli.settings import Settings, resolve

REPO = Path(__file__).resolve().parents[1]
SPEC_FILE = REPO / "alert_rules.yaml"
# the repo spec: 3 monitors, 3 cron monitors, 1 uptime check, 7 alerts, 1 dashboard
RESOURCES = 15


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    api.set_testing(True, attempts=3)
    monkeypatch.setattr(apply_mod, "REREAD_SECONDS", 0.3)
    yield
    api.set_testing(False)


# --------------------------------------------------------------------------- pure planner
def mon(name: str, rid: str, *, managed: bool = True, tag: str | None = None) -> Resource:
    return Resource(
        kind="monitor",
        name=name,
        project="p",
        id=rid,
        fields={"window": 60},
        managed=managed,
        tag=tag,
    )


def test_duplicates_of_ours_are_drift_and_the_younger_are_deleted() -> None:
    want = mon("a", "", tag=wire.entry_key("monitor", "a"))
    result = plan([want], [mon("a", "12"), mon("a", "7"), mon("a", "30")])
    assert result.has_drift
    kept = [c for c in result.changes if c.action == "noop"]
    deleted = sorted(c.actual.id for c in result.changes if c.action == "delete" and c.actual)
    assert [c.actual.id for c in kept if c.actual] == ["7"]
    assert deleted == ["12", "30"]
    assert all(c.duplicate_of == "7" for c in result.changes if c.action == "delete")
    assert "duplicate monitor 'p/a' (id 12; id 7 is kept)" in [c.label for c in result.changes]
    assert result.to_json()["changes"][-1]["duplicate_of"] == "7"


def test_same_named_resources_not_ours_are_never_deleted() -> None:
    result = plan([mon("a", "")], [mon("a", "5", managed=False), mon("a", "9")])
    assert [c.action for c in result.changes] == ["noop"]
    assert "without para-monitor's marker (id 5)" in result.warnings[0]


def test_an_entry_renamed_in_sentry_is_found_by_its_key_and_renamed_back() -> None:
    key = wire.entry_key("monitor", "a")
    result = plan([mon("a", "", tag=key)], [mon("renamed by hand", "4", tag=key)], prune=True)
    (change,) = result.changes
    assert change.action == "update"
    assert change.actual is not None
    assert change.actual.id == "4"
    assert [(d.path, d.before, d.after) for d in change.diff] == [("name", "renamed by hand", "a")]


def test_the_marker_carries_the_entry_key_and_older_markers_still_read() -> None:
    key = wire.entry_key("monitor", "Error rate")
    text = wire.with_marker("Errors per hour.", key)
    assert text.endswith(f"[managed by para-monitor key={key}]")
    assert wire.has_marker(text)
    assert wire.marker_key(text) == key
    assert wire.without_marker(text) == "Errors per hour."
    assert wire.with_marker(text, key) == text  # never doubled
    old = "Errors per hour.\n\n[managed by para-monitor]"
    assert wire.has_marker(old)
    assert wire.marker_key(old) is None
    assert wire.without_marker(old) == "Errors per hour."
    assert len(key) == 12
    assert key != wire.entry_key("dashboard", "Error rate")


def test_links_go_to_the_kept_detector_so_alerts_on_a_duplicate_are_updated() -> None:
    marker = wire.with_marker(None, "k")
    detectors = [
        {"id": "21", "projectId": "5", "name": "m", "type": "metric_issue", "description": marker},
        {"id": "8", "projectId": "5", "name": "m", "type": "metric_issue", "description": marker},
    ]
    directory = wire.directory_from_lists(
        "acme", projects=[{"slug": "p", "id": "5"}], detectors=detectors
    )
    assert directory.detectors[("5", "m")] == "8"
    assert directory.link_key("8") == "p/m"
    assert directory.link_key("21") == "p/m (duplicate id 21)"


def test_the_sandbox_can_commit_a_request_and_lose_its_answer() -> None:
    rule = parse_fault("POST /workflows/$:drop-after x1")
    assert (rule.action, rule.method, rule.path, rule.times) == (
        "drop-after",
        "POST",
        "/workflows/$",
        1,
    )
    assert faults_from_json([{"action": "drop-after", "path": "/detectors/"}])[0].action == (
        "drop-after"
    )


# --------------------------------------------------------------------------- sandbox flows
def settings_for(sandbox: Any, tmp_path: Path) -> Settings:
    sandbox.send_event("production")  # the file's monitors need it (plan's pre-flight)
    flags = {
        "url": sandbox.url,
        "auth_token": sandbox.token,
        "org": sandbox.org,
        "project": sandbox.project,
    }
    return resolve(flags, environ={}, cwd=tmp_path, home=tmp_path, config=SPEC_FILE)


def client_of(sandbox: Any, *, read_timeout: float = 30.0) -> SentryClient:
    http = httpx.Client(timeout=httpx.Timeout(read_timeout, connect=5.0))
    kwargs: dict[str, Any] = {}
    if "timeout" in inspect.signature(SentryClient).parameters:
        kwargs["timeout"] = read_timeout  # the client's own per-request timeout policy
    return SentryClient(http, base_url=sandbox.url, token=sandbox.token, org=sandbox.org, **kwargs)


def duplicates(sandbox: Any) -> dict[str, int]:
    """Every (kind, name) that exists more than once, with its count."""
    with client_of(sandbox) as client:
        found = [
            f"monitor {d['name']}"
            for d in client.detectors(org=sandbox.org)
            if d.get("type") in ("metric_issue", "uptime_domain_failure")
        ]
        found += [f"cron monitor {m['slug']}" for m in client.cron_monitors(org=sandbox.org)]
        found += [f"alert {w['name']}" for w in client.workflows(org=sandbox.org)]
        found += [
            f"dashboard {d['title']}"
            for d in client.dashboards(org=sandbox.org)
            if str(d["id"]).isdigit()
        ]
    assert len(set(found)) == RESOURCES, found
    return {name: n for name, n in Counter(found).items() if n > 1}


def converge(sandbox: Any, settings: Settings) -> None:
    """At most one more apply, then: no duplicates and an empty plan."""
    with client_of(sandbox) as client:
        planned = plan_command(settings, client=client)
        if planned.has_drift:
            apply_command(settings, client=client, confirm=lambda _p: True)
        again = plan_command(settings, client=client)
    assert not again.has_drift, [c.label for c in again.plan.pending]
    assert duplicates(sandbox) == {}


def one_apply(
    sandbox: Any, settings: Settings, start: threading.Barrier, failures: list[BaseException]
) -> None:
    with client_of(sandbox) as client:
        start.wait()
        try:
            apply_command(settings, client=client, confirm=lambda _p: True)
        except BaseException as exc:  # reported by the test, with the other thread's
            failures.append(exc)


def test_two_applies_at_once_converge_on_the_next_run(sandbox: Any, tmp_path: Path) -> None:
    settings = settings_for(sandbox, tmp_path)
    raced = 0
    for _ in range(20):
        sandbox.reset()
        sandbox.send_event("production")  # the file's monitors need it (plan's pre-flight)
        # every create takes a little while, so both applies plan before either has written
        sandbox.faults.latency(r"/(detectors|workflows|dashboards)/$", 0.05, method="POST")
        start = threading.Barrier(2)
        failures: list[BaseException] = []
        threads = [
            threading.Thread(target=one_apply, args=(sandbox, settings, start, failures))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        # the loser of a dashboard race finds the winner's (titles are unique: 409), so both
        # applies finish; their monitors and alerts may exist twice until the next run
        assert failures == []
        sandbox.faults.clear()
        raced += bool(duplicates(sandbox))
        converge(sandbox, settings)
    assert raced > 0, "the two applies never overlapped: the test proves nothing"


def test_a_create_whose_answer_is_lost_is_found_not_made_again(
    sandbox: Any, tmp_path: Path
) -> None:
    settings = settings_for(sandbox, tmp_path)
    # each kind's first create is committed, then the connection closes without an answer
    for kind in ("detectors", "workflows", "dashboards"):
        sandbox.faults.drop_after(rf"/{kind}/$", method="POST", times=1)
    notices: list[str] = []
    with client_of(sandbox) as client:
        outcome = apply_command(
            settings, client=client, confirm=lambda _p: True, on_warning=notices.append
        )
    assert len(outcome.applied) == RESOURCES
    assert duplicates(sandbox) == {}
    assert [r.fired for r in sandbox.faults.rules()] == [1, 1, 1]
    with client_of(sandbox) as client:
        assert not plan_command(settings, client=client).has_drift


def test_a_create_committed_after_the_read_timeout_is_waited_for(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(apply_mod, "REREAD_SECONDS", 10.0)
    settings = settings_for(sandbox, tmp_path)
    # Sentry commits 1.5 s after the request; the client gives up reading after 0.5 s
    sandbox.faults.latency(r"/detectors/$", 1.5, method="POST", times=3)
    notices: list[str] = []
    with client_of(sandbox, read_timeout=0.5) as client:
        outcome = apply_command(
            settings, client=client, confirm=lambda _p: True, on_warning=notices.append
        )
    assert len(outcome.applied) == RESOURCES
    waits = [n for n in notices if "re-reading for up to 10 s before creating it again" in n]
    found = [n for n in notices if "found it (id " in n]
    assert len(waits) == 3, notices
    assert len(found) == 3, notices
    assert duplicates(sandbox) == {}
    with client_of(sandbox) as client:
        assert not plan_command(settings, client=client).has_drift


def test_an_apply_killed_mid_way_and_run_again_converges(sandbox: Any, tmp_path: Path) -> None:
    settings = settings_for(sandbox, tmp_path)
    # the killed run's three monitor creates reach Sentry and are committed a second later
    slow = sandbox.faults.latency(r"/detectors/$", 1.0, method="POST", times=3)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")},
        "SENTRY_URL": sandbox.url,
        "SENTRY_AUTH_TOKEN": sandbox.token,
        "SENTRY_ORG": sandbox.org,
        "SENTRY_PROJECT": sandbox.project,
        "HOME": str(tmp_path),
    }
    command = [sys.executable, "-m", "para_monitor_cli", "--config", str(SPEC_FILE)]
    proc = subprocess.Popen(  # our own CLI, fixed arguments
        [*command, "apply-alerts", "--yes"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while slow.fired < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert slow.fired == 3, "the apply never reached its creates"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.stderr is not None
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    # run again at once: the killed run's monitors are not there yet, so they are made again
    with client_of(sandbox) as client:
        apply_command(settings, client=client, confirm=lambda _p: True)
    time.sleep(1.2)  # the killed run's creates land meanwhile: duplicates
    assert duplicates(sandbox) != {}
    # duplicates are drift: plan --detailed-exitcode says so, and the next apply deletes them
    base = ["--url", sandbox.url, "--auth-token", sandbox.token, "--org", sandbox.org]
    base += ["--project", sandbox.project, "--config", str(SPEC_FILE)]
    planned = CliRunner().invoke(app, [*base, "plan", "--detailed-exitcode"])
    assert planned.exit_code == 1, planned.output
    assert "- delete duplicate monitor 'para-autopilot-backend/" in planned.stdout
    assert "No changes" not in planned.stdout
    applied = CliRunner().invoke(app, [*base, "apply-alerts", "--yes"])
    assert applied.exit_code == 0, applied.output
    assert "No changes" not in applied.output
    assert "deleted duplicate monitor" in applied.stderr
    converge(sandbox, settings)
