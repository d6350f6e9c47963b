"""plan / apply-alerts / export: the pure planner, then flows against the sandbox over loopback."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from ingest_support import send_event
from typer.testing import CliRunner

from para_monitor_cli import errors
from para_monitor_cli.api import client as api
from para_monitor_cli.api import wire
from para_monitor_cli.api.client import SentryClient
from para_monitor_cli.cli import app
from para_monitor_cli.kinds import alert as alert_kind
from para_monitor_cli.kinds import dashboard as dashboard_kind
from para_monitor_cli.kinds import legacy, targets
from para_monitor_cli.kinds import monitor as monitor_kind
from para_monitor_cli.reconcile import apply as apply_mod
from para_monitor_cli.reconcile.apply import apply_plan
from para_monitor_cli.reconcile.plan import Resource, Scope, plan
from para_monitor_cli.reconcile.state import desired_resources, file_scope, read_actual
from para_monitor_cli.spec.check import load_spec

REPO = Path(__file__).resolve().parents[1]
SPEC_FILE = REPO / "alert_rules.yaml"
# the repo spec: 3 monitors, 3 cron monitors, 1 uptime check, 7 alerts, 1 dashboard
REPO_RESOURCES = 15
GOLDEN = Path(__file__).parent / "golden"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    api.set_testing(True, attempts=3)
    # a create whose answer is lost is looked for briefly (the lost-response tests set more)
    monkeypatch.setattr(apply_mod, "REREAD_SECONDS", 0.3)
    yield
    api.set_testing(False)


@pytest.fixture
def sandbox(sandbox: Any) -> Any:
    """The sandbox, reset to its seed, once an event from ``production`` arrived: the repo's
    file puts monitors and alerts in that environment, which an organization has only after
    such an event was saved (plan's pre-flight refuses the file before; see the test below)."""
    send_event(sandbox, "production")
    return sandbox


# --------------------------------------------------------------------------- pure planner
def mon(
    name: str, high: float, *, rid: str | None = None, managed: bool = True, project: str = "p"
) -> Resource:
    return Resource(
        kind="monitor",
        name=name,
        project=project,
        id=rid,
        fields={"window": 60, "thresholds": {"high": {"op": "gt", "value": high}}},
        managed=managed,
    )


def alert(name: str, *projects: str, rid: str = "3", managed: bool = True) -> Resource:
    return Resource(
        kind="alert", name=name, fields={}, id=rid, managed=managed, projects=frozenset(projects)
    )


def board(name: str, *projects: str, rid: str = "4", managed: bool = True) -> Resource:
    return Resource(
        kind="dashboard",
        name=name,
        fields={},
        id=rid,
        managed=managed,
        projects=frozenset(projects),
    )


P = Scope(frozenset({"p"}))
PQ = Scope(frozenset({"p", "q"}))
P_ORG = Scope(frozenset({"p"}), org_wide=True)


@pytest.mark.parametrize(
    ("desired", "actual", "prune", "expected"),
    [
        ([mon("a", 1)], [], False, [("create", "p/a")]),
        ([mon("a", 1)], [mon("a", 1, rid="7")], False, [("noop", "p/a")]),
        ([mon("a", 2)], [mon("a", 1, rid="7")], False, [("update", "p/a")]),
        ([], [mon("a", 1, rid="7")], False, []),
        ([], [mon("a", 1, rid="7")], True, [("delete", "p/a")]),
        ([], [mon("a", 1, rid="7", managed=False)], True, []),
    ],
)
def test_plan_table(
    desired: list[Resource], actual: list[Resource], prune: bool, expected: list[tuple[str, str]]
) -> None:
    result = plan(desired, actual, prune=prune, scope=P)
    assert [(c.action, c.key) for c in result.changes] == expected


@pytest.mark.parametrize(
    ("actual", "scope", "deleted", "left_alone"),
    [
        # monitors: by their project
        ([mon("a", 1, rid="7")], P, ["p/a"], []),
        ([mon("a", 1, rid="7", project="q")], P, [], ["monitor 'q/a' (q)"]),
        ([mon("a", 1, rid="7", project="q")], PQ, ["q/a"], []),
        # alerts: every linked project must be in scope
        ([alert("x", "p")], P, ["x"], []),
        ([alert("x", "p", "q")], P, [], ["alert 'x' (p, q)"]),
        ([alert("x", "p", "q")], PQ, ["x"], []),
        # alerts linked to nothing: org-wide, only when the file defines org-wide resources
        ([alert("x")], P, [], ["org-wide: alert 'x'"]),
        ([alert("x")], P_ORG, ["x"], []),
        # dashboards: by their projects filter; all projects = org-wide
        ([board("d", "q")], P, [], ["dashboard 'd' (q)"]),
        ([board("d", "p")], P, ["d"], []),
        ([board("d")], P, [], ["org-wide: dashboard 'd'"]),
        ([board("d")], P_ORG, ["d"], []),
        # not ours: neither deleted nor listed, wherever it is
        ([mon("a", 1, rid="7", project="q", managed=False), alert("x", managed=False)], P, [], []),
        # an empty scope deletes nothing
        ([mon("a", 1, rid="7"), alert("x", "p"), board("d", "p")], Scope(), [], None),
    ],
)
def test_prune_stays_within_the_files_scope(
    actual: list[Resource], scope: Scope, deleted: list[str], left_alone: list[str] | None
) -> None:
    result = plan([], actual, prune=True, scope=scope)
    assert [c.key for c in result.changes if c.action == "delete"] == deleted
    assert all(c.action == "delete" for c in result.changes)
    if left_alone is None:
        assert len(result.notes) == 1
        assert result.notes[0].startswith("left alone: 3 resources of para-monitor in projects")
        return
    listed: list[str] = []
    for note in result.notes:
        assert note.startswith("left alone: ")
        if "organization-wide" in note:
            assert "as this file defines none" in note
            listed += ["org-wide: " + x for x in note.split(": ", 2)[2].split(", ")]
        else:
            assert "in projects this file does not manage" in note
            listed.append(note.split(": ", 2)[2])
    assert listed == left_alone


def test_prune_without_scope_takes_the_projects_of_the_desired_resources() -> None:
    others = [mon("a", 1, rid="7", project="q"), alert("x", "q"), board("d")]
    result = plan([mon("b", 1)], [mon("z", 1, rid="9"), *others], prune=True)
    assert [(c.action, c.key) for c in result.changes] == [("create", "p/b"), ("delete", "p/z")]
    assert len(result.notes) == 2
    assert "left alone: 2 resources" in result.notes[0]
    assert "left alone: 1 organization-wide resource " in result.notes[1]
    assert plan([], [mon("z", 1, rid="9")], prune=True).changes == ()  # no file, no scope
    assert plan([], [mon("z", 1, rid="9")], prune=False).notes == ()


def test_left_alone_note_is_capped() -> None:
    many = [mon(f"m{i:02}", 1, rid=str(i), project="q") for i in range(25)]
    (note,) = plan([], many, prune=True, scope=P).notes
    assert note.startswith("left alone: 25 resources")
    assert note.endswith(", ... (5 more)")


def test_scope_projects_of_live_alerts_and_dashboards() -> None:
    directory = wire.directory_from_lists(
        "acme",
        projects=[{"slug": "p", "id": "1"}, {"slug": "q", "id": "2"}],
        detectors=[
            {"id": "10", "projectId": "1", "type": "error"},
            {"id": "11", "projectId": "2", "type": "metric_issue", "name": "m"},
        ],
    )
    assert alert_kind.workflow_projects({"detectorIds": ["10", 11]}, directory) == {"p", "q"}
    assert alert_kind.workflow_projects({"detectorIds": []}, directory) == frozenset()
    unknown = alert_kind.workflow_projects({"detectorIds": ["99"]}, directory)
    assert unknown == {"(project of detector 99)"}  # never inside any file's scope
    assert not Scope(frozenset({"p", "q"})).covers(alert("x", *unknown))
    assert dashboard_kind.dashboard_projects({"projects": [1]}, directory) == {"p"}
    assert dashboard_kind.dashboard_projects({"projects": [-1]}, directory) == frozenset()
    assert dashboard_kind.dashboard_projects({"projects": []}, directory) == frozenset()


def test_file_scope_names_every_project_of_the_file(tmp_path: Path) -> None:
    assert file_scope(load_spec(SPEC_FILE)) == Scope(frozenset({"para-autopilot-backend"}))
    spec_file = tmp_path / "alert_rules.yaml"
    spec_file.write_text(
        """version: 1
targets:
  mail: {type: email, team: backend}
monitors:
  - {name: m, project: api-b, dataset: events, condition: count() > 5, window: 1h}
alerts:
  - {name: on m, monitors: [m], actions: [mail]}
  - {name: new in c, projects: [api-c], triggers: [first_seen], actions: [mail]}
  - {name: anywhere, triggers: [first_seen], actions: [mail]}
dashboards:
  - title: d
    projects: [api-d]
    widgets: [{title: w, display: line, dataset: error-events, aggregates: [count()]}]
""",
        encoding="utf-8",
    )
    spec = load_spec(spec_file)
    assert file_scope(spec) == Scope(frozenset({"api-b", "api-c", "api-d"}), org_wide=True)
    # with a default project (--project) the issue alert watches it: nothing is org-wide
    assert file_scope(spec, default_project="api-a") == Scope(
        frozenset({"api-a", "api-b", "api-c", "api-d"})
    )


def test_plan_update_has_exactly_the_changed_field() -> None:
    result = plan([mon("a", 2)], [mon("a", 1, rid="7")])
    (change,) = result.changes
    assert [(d.path, d.before, d.after) for d in change.diff] == [("thresholds.high.value", 1, 2)]


def test_plan_never_touches_builtins_and_orders_deletes_after_writes() -> None:
    builtin = Resource(
        kind="dashboard", name="General", fields={}, id="x", builtin=True, managed=True
    )
    old = alert("old")
    result = plan([mon("b", 1)], [builtin, old, mon("z", 1, rid="9")], prune=True, scope=P_ORG)
    assert [(c.action, c.kind) for c in result.changes] == [
        ("create", "monitor"),
        ("delete", "alert"),
        ("delete", "monitor"),
    ]


def test_plan_prefers_managed_duplicate_and_warns() -> None:
    result = plan([mon("a", 1)], [mon("a", 1, rid="5", managed=False), mon("a", 1, rid="9")])
    (change,) = result.changes
    assert change.actual is not None
    assert change.actual.id == "9"
    assert result.warnings


def test_canonical_forms_ignore_server_noise() -> None:
    body = {
        "description": wire.with_marker("x"),
        "dataSources": [
            {
                "dataset": "events",
                "eventTypes": ["error", "default"],
                "timeWindow": 60,
                "aggregate": "count()",
                "query": "",
            }
        ],
        "conditionGroup": {
            "conditions": [
                {"type": "lte", "comparison": 5, "conditionResult": 0},
                {"type": "gt", "comparison": 10, "conditionResult": 75},
            ]
        },
    }
    response = {
        "id": "1",
        "description": "x\n\n" + wire.MARKER,
        "dateCreated": "now",
        "dataSources": [
            {
                "id": "3",
                "queryObj": {
                    "snubaQuery": {
                        "dataset": "events",
                        "eventTypes": ["default", "error"],
                        "timeWindow": 60.0,
                        "aggregate": "count()",
                        "query": "",
                        "environment": None,
                    }
                },
            }
        ],
        "conditionGroup": {
            "id": "4",
            "conditions": [
                {"id": "8", "type": "gt", "comparison": 10.0, "conditionResult": 75},
                {"id": "9", "type": "lte", "comparison": 5.0, "conditionResult": 0},
            ],
        },
    }
    assert not plan(
        [
            Resource(
                kind="monitor", name="m", project="p", fields=monitor_kind.canonical_detector(body)
            )
        ],
        [
            Resource(
                kind="monitor",
                name="m",
                project="p",
                id="1",
                fields=monitor_kind.canonical_detector(response),
            )
        ],
    ).has_drift
    slack_sent = {"type": "slack", "integrationId": "1", "config": {"targetDisplay": "#alerts"}}
    slack_read = {"type": "slack", "integrationId": 1, "config": {"targetDisplay": "alerts"}}
    flt_sent = {"actionFilters": [{"logicType": "all", "conditions": [], "actions": [slack_sent]}]}
    flt_read = {"actionFilters": [{"logicType": "all", "conditions": [], "actions": [slack_read]}]}
    assert alert_kind.canonical_workflow(flt_sent) == alert_kind.canonical_workflow(flt_read)


def test_issue_priorities_and_categories_round_trip_through_the_catalog(tmp_path: Path) -> None:
    from para_monitor_cli.spec import catalog

    expected = [{"priority": f">= {name}"} for name in catalog.ISSUE_PRIORITIES]
    expected += [{"category": name} for name in catalog.ISSUE_CATEGORIES]
    alerts = "".join(
        f"  - {{name: a{i}, filters: [{json.dumps(item)}], actions: [mail]}}\n"
        for i, item in enumerate(expected)
    )
    spec_file = tmp_path / "alert_rules.yaml"
    spec_file.write_text(
        f"version: 1\nproject: p\ntargets:\n  mail: {{type: email, team: t}}\nalerts:\n{alerts}",
        encoding="utf-8",
    )
    spec = load_spec(spec_file)
    directory = wire.directory_from_lists(
        "acme", projects=[{"slug": "p", "id": "1"}], teams=[{"slug": "t", "id": "2"}]
    )
    sent = []
    for item, want in zip(spec.alerts, expected, strict=True):
        body = alert_kind.alert_body(item, spec, directory)
        (condition,) = body["actionFilters"][0]["conditions"]
        sent.append(condition["comparison"])
        exported = alert_kind.export_workflow(body, directory, targets.TargetBook(directory), [])
        assert exported["filters"] == [want]  # the file's form comes back unchanged
    priorities = len(catalog.ISSUE_PRIORITIES)
    assert sent[:priorities] == list(catalog.ISSUE_PRIORITIES.values())
    assert [c["value"] for c in sent[priorities:]] == list(catalog.ISSUE_CATEGORIES.values())


# --------------------------------------------------------------------------- sandbox flows
def cli(sandbox: Any, *args: str, config: Path = SPEC_FILE) -> Any:
    base = [
        "--url",
        sandbox.url,
        "--auth-token",
        sandbox.token,
        "--org",
        sandbox.org,
        "--project",
        sandbox.project,
        "--config",
        str(config),
    ]
    return runner.invoke(app, [*base, *args])


@pytest.fixture
def closing() -> Iterator[list[SentryClient]]:
    made: list[SentryClient] = []
    yield made
    for client in made:
        client.close()


def sandbox_client(sandbox: Any, closing: list[SentryClient]) -> SentryClient:
    """A client of the sandbox with its token, closed when the test ends."""
    client = SentryClient(
        httpx.Client(), base_url=sandbox.url, token=sandbox.token, org=sandbox.org
    )
    closing.append(client)
    return client


def mock_client(handler: Any) -> SentryClient:
    """A client of org ``acme`` whose requests ``handler`` answers (httpx.MockTransport)."""
    return SentryClient(
        httpx.Client(transport=httpx.MockTransport(handler)),
        base_url="https://sentry.example/",
        token="t0ken-value",
        org="acme",
    )


def recording_client(sandbox: Any, sent: list[tuple[str, str, Any]]) -> SentryClient:
    def hook(request: httpx.Request) -> None:
        body = json.loads(request.content) if request.content else None
        sent.append((request.method, request.url.path, body))

    http = httpx.Client(event_hooks={"request": [hook]}, timeout=10)
    return SentryClient(http, base_url=sandbox.url, token=sandbox.token, org=sandbox.org)


def plan_now(
    client: SentryClient, org: str, spec_file: Path = SPEC_FILE, prune: bool = False
) -> Any:
    spec = load_spec(spec_file)
    actual = read_actual(client, org, spec=spec, prune=prune)
    return plan(desired_resources(spec, actual.directory), actual.resources, prune=prune), actual


def test_apply_repo_spec_then_plan_is_empty_and_bodies_match_openapi(
    sandbox: Any, closing: list[SentryClient]
) -> None:
    from openapi_support import validate_request

    sent: list[tuple[str, str, Any]] = []
    client = recording_client(sandbox, sent)
    closing.append(client)
    first, actual = plan_now(client, sandbox.org)
    assert first.counts() == {"create": REPO_RESOURCES, "update": 0, "delete": 0, "noop": 0}
    result = apply_plan(first, client, sandbox.org, actual.directory)
    assert len(result.applied) == REPO_RESOURCES
    second, _ = plan_now(client, sandbox.org)
    assert not second.has_drift
    assert second.counts()["noop"] == REPO_RESOURCES

    writes = [(m, p, b) for m, p, b in sent if m in {"POST", "PUT"}]
    # one write per changed resource, and for each cron monitor one more: the ownership
    # marker on its detector (the one free-text field a monitor has)
    crons = [p for m, p, _b in writes if m == "POST" and p.endswith("/monitors/")]
    assert len(crons) == 3
    assert len(writes) == REPO_RESOURCES + len(crons)
    for method, path, body in writes:
        validate_request(method, path, body)
    workflow_configs = [b["config"] for _, p, b in writes if p.endswith("/workflows/")]
    assert workflow_configs
    assert all(set(c) == {"frequency"} for c in workflow_configs)  # Workflow.config_schema


def test_changing_one_threshold_gives_exactly_that_field(sandbox: Any, tmp_path: Path) -> None:
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    changed = tmp_path / "alert_rules.yaml"
    text = SPEC_FILE.read_text(encoding="utf-8")
    changed.write_text(
        text.replace("p95(span.duration) > 2s", "p95(span.duration) > 2.5s"), "utf-8"
    )
    result = cli(sandbox, "--output", "json", "plan", "--detailed-exitcode", config=changed)
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    updates = [c for c in data["changes"] if c["action"] == "update"]
    assert len(updates) == 1
    # in the file's units, and the canonical (Sentry) values beside them
    assert updates[0]["diff"] == [{"path": "thresholds.high", "before": "> 2s", "after": "> 2.5s"}]
    assert updates[0]["wire_diff"] == [
        {"path": "thresholds.high.value", "before": 2000.0, "after": 2500.0}
    ]
    assert data["summary"] == {
        "create": 0,
        "update": 1,
        "delete": 0,
        "noop": REPO_RESOURCES - 1,
    }
    text_plan = cli(sandbox, "plan", config=changed)
    changed_lines = [line for line in text_plan.stdout.splitlines() if line.startswith("      ")]
    assert changed_lines == ["      thresholds.high: > 2s -> > 2.5s"]


def test_plan_text_golden(sandbox: Any) -> None:
    result = cli(sandbox, "plan")
    assert result.exit_code == 0, result.output
    text = re.sub(r"\(id \d+\)", "(id N)", result.stdout)
    golden = GOLDEN / "plan_initial.txt"
    assert text == golden.read_text(encoding="utf-8")


def test_apply_dry_run_changes_nothing_and_prune(sandbox: Any, tmp_path: Path) -> None:
    dry = cli(sandbox, "apply-alerts", "--dry-run")
    assert dry.exit_code == 0
    assert "dry run" in dry.stderr
    assert cli(sandbox, "plan", "--detailed-exitcode").exit_code == 1
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    assert cli(sandbox, "plan", "--detailed-exitcode").exit_code == 0
    smaller = tmp_path / "alert_rules.yaml"
    spec_text = SPEC_FILE.read_text(encoding="utf-8")
    start = spec_text.index("  # Performance Degradation: p95 > 3s, warning -> Slack.\n  - name:")
    end = spec_text.index("  # User Impact Alerts")
    smaller.write_text(spec_text[:start] + spec_text[end:], encoding="utf-8")
    pruned = cli(sandbox, "--output", "json", "plan", "--prune", config=smaller)
    deletes = [c["name"] for c in json.loads(pruned.stdout)["changes"] if c["action"] == "delete"]
    assert deletes == ["Performance degradation alert"]  # never the built-in detectors
    assert cli(sandbox, "apply-alerts", "--prune", "--yes", config=smaller).exit_code == 0
    assert cli(sandbox, "plan", "--prune", "--detailed-exitcode", config=smaller).exit_code == 0


def test_apply_without_yes_when_not_interactive_is_refused(sandbox: Any) -> None:
    result = cli(sandbox, "apply-alerts")
    assert result.exit_code == errors.EXIT_USAGE
    assert "--yes" in result.stderr


def test_missing_target_name_is_a_preflight_error_at_its_line(sandbox: Any, tmp_path: Path) -> None:
    bad = tmp_path / "alert_rules.yaml"
    text = SPEC_FILE.read_text("utf-8").replace("team: backend", "team: frontend")
    bad.write_text(text, "utf-8")
    result = cli(sandbox, "plan", config=bad)
    assert result.exit_code == errors.EXIT_OPERATIONAL  # the organization lacks it
    line = text.splitlines().index("    team: frontend") + 1
    assert (
        f"error: {bad}:{line}:11: targets.backend-email.team: no team 'frontend' in "
        f"organization {sandbox.org} (there is: backend); remedy: create the team"
    ) in result.stderr


def test_partial_apply_reports_progress_and_exits_3(sandbox: Any) -> None:
    sandbox.faults.error(r"/workflows/$", 500, method="POST")
    result = cli(sandbox, "apply-alerts", "--yes")
    assert result.exit_code == errors.EXIT_OPERATIONAL
    assert "apply stopped after 7 of 15 changes" in result.stderr
    assert "applied: cron monitor" in result.stderr
    assert "not attempted: " in result.stderr
    assert "dashboard" in result.stderr
    sandbox.faults.clear()
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    assert cli(sandbox, "plan", "--detailed-exitcode").exit_code == 0


def names(client: SentryClient, org: str) -> list[str]:
    kinds = ("metric_issue", "uptime_domain_failure")
    found = [d["name"] for d in client.detectors(org=org) if d.get("type") in kinds]
    found += [m["slug"] for m in client.cron_monitors(org=org)]
    found += [w["name"] for w in client.workflows(org=org)]
    found += [d["title"] for d in client.dashboards(org=org) if str(d["id"]).isdigit()]
    return found


def test_faults_converge_without_duplicates(sandbox: Any, closing: list[SentryClient]) -> None:
    faults = sandbox.faults
    faults.latency("*", 0.005)
    faults.too_many_requests(r"/detectors/$", method="POST", times=4)
    faults.error(r"/workflows/$", 503, method="POST", times=3)
    faults.drop(r"/dashboards/$", method="POST", times=2)
    faults.error(r"/workflows/$", 500, method="GET", times=2)
    faults.brownout()
    codes = []
    for _ in range(4):
        result = cli(sandbox, "apply-alerts", "--yes")
        codes.append(result.exit_code)
        if result.exit_code == 0:
            break
        assert result.exit_code == errors.EXIT_OPERATIONAL, result.output
    assert codes[-1] == 0
    faults.clear()
    client = sandbox_client(sandbox, closing)
    found = names(client, sandbox.org)
    assert len(found) == len(set(found)) == REPO_RESOURCES
    assert cli(sandbox, "plan", "--detailed-exitcode").exit_code == 0


def test_create_timeout_is_reread_not_recreated() -> None:
    created: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/0/":
            return httpx.Response(200, json={"version": "0", "user": {"id": "7", "name": "ci"}})
        if request.method == "POST" and path.endswith("/workflows/"):
            body = json.loads(request.content)
            created.append({"id": str(len(created) + 1), "createdBy": "7", **body})
            raise httpx.ReadTimeout("slow", request=request)  # happened, but no answer
        if path.endswith("/workflows/"):
            # a same-named alert someone else made meanwhile is not taken for ours
            return httpx.Response(200, json=[{"id": "99", "name": "a", "createdBy": "5"}, *created])
        return httpx.Response(200, json=[])

    client = mock_client(handler)
    body = {"name": "a", "config": {"frequency": 30}}
    desired = Resource(kind="alert", name="a", fields={"monitors": []}, body=body, managed=True)
    result = apply_plan(plan([desired], []), client, "acme", wire.Directory(org="acme"))
    assert len(result.applied) == 1
    assert len(created) == 1


def test_alert_ownership_is_the_creator_identity_and_legacy_marker_still_reads() -> None:
    ours = {"name": "a", "createdBy": "7", "config": {"frequency": 30}}
    assert alert_kind.workflow_is_managed(ours, "7")
    assert not alert_kind.workflow_is_managed(ours, "8")
    assert not alert_kind.workflow_is_managed(ours, None)
    assert not alert_kind.workflow_is_managed({"name": "a", "createdBy": None}, "7")
    old = {"name": "a", "createdBy": "8", "config": {"frequency": 30, "managedBy": "para-monitor"}}
    assert alert_kind.workflow_is_managed(old, "7")  # written by earlier versions (sandbox only)
    assert alert_kind.canonical_workflow(old) == alert_kind.canonical_workflow(
        ours
    )  # no perpetual diff


def test_prune_notes_name_the_identity_or_warn_without_one() -> None:
    from para_monitor_cli.reconcile.state import Actual, prune_notes

    directory = wire.Directory(org="acme")
    assert prune_notes(Actual(directory=directory)) == ([], [])
    notes, warnings = prune_notes(
        Actual(directory=directory, identity=api.Identity("7", "ci-bot"), identity_read=True)
    )
    assert not warnings
    assert "user 7 (ci-bot)" in notes[0]
    assert "internal-integration token" in notes[0]
    notes, warnings = prune_notes(Actual(directory=directory, identity_read=True))
    assert not notes
    assert "leaves alerts alone" in warnings[0]


def test_prune_keeps_alerts_made_by_hand_with_another_identity(
    sandbox: Any, closing: list[SentryClient]
) -> None:
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    other = "sandbox-token-of-ben"  # a person (user 2) making an alert by hand in the UI
    sandbox.state.tokens[other] = {"user": "2", "scopes": ["alerts:write", "org:read"]}
    try:
        hand = SentryClient(httpx.Client(), base_url=sandbox.url, token=other, org=sandbox.org)
        closing.append(hand)
        made = hand.create_workflow(
            {
                "name": "made by hand",
                "config": {"frequency": 30},
                "triggers": {"logicType": "any-short", "conditions": [], "actions": []},
                "actionFilters": [],
            }
        )
        assert made["createdBy"] == "2"
    finally:
        del sandbox.state.tokens[other]
    result = cli(sandbox, "--output", "json", "plan", "--prune", "--detailed-exitcode")
    assert result.exit_code == 0, result.output  # ours are all in the file; ben's is not ours
    data = json.loads(result.stdout)
    assert data["summary"]["delete"] == 0
    (note,) = [n for n in data["notes"] if n.startswith("--prune deletes")]
    assert "user 1 (" in note
    text = cli(sandbox, "plan", "--prune")
    assert "note: --prune deletes" in text.stdout
    assert "internal-integration token" in text.stdout
    reader = sandbox_client(sandbox, closing)
    created_by = {w["name"]: w["createdBy"] for w in reader.workflows()}
    assert created_by.pop("made by hand") == "2"
    assert set(created_by.values()) == {"1"}  # every alert we wrote carries our identity


def test_export_then_plan_is_empty_and_legacy_rules_translate(sandbox: Any, tmp_path: Path) -> None:
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    out = tmp_path / "exported.yaml"
    result = cli(sandbox, "export", "--out", str(out))
    assert result.exit_code == 0, result.output
    spec = load_spec(out)  # validates
    monitors = {m.name for m in spec.monitors}
    alerts = {a.name for a in spec.alerts}
    assert "Slow API p95 > 2s" in monitors  # legacy metric alert rule -> monitor
    assert {"New issue -> Slack", "Fatal error -> PagerDuty", "Slow API p95 > 2s"} <= alerts
    assert len(spec.monitors) == 4
    assert len(spec.dashboards) == 1
    plan_after = cli(sandbox, "--output", "json", "plan", config=out)
    summary = json.loads(plan_after.stdout)["summary"]
    # everything the new API already holds is unchanged; migrated legacy rules are creates
    assert summary["update"] == 0
    assert summary["delete"] == 0
    assert cli(sandbox, "apply-alerts", "--yes", config=out).exit_code == 0
    assert cli(sandbox, "plan", "--detailed-exitcode", config=out).exit_code == 0
    again = tmp_path / "again.yaml"
    assert cli(sandbox, "export", "--no-legacy", "--out", str(again)).exit_code == 0
    assert cli(sandbox, "plan", "--detailed-exitcode", config=again).exit_code == 0


def test_debug_plan_prints_http_traces_and_never_the_token(sandbox: Any) -> None:
    result = cli(sandbox, "--debug", "plan")
    assert result.exit_code == 0, result.output
    api_root = f"{sandbox.url.rstrip('/')}/api/0/organizations/{sandbox.org}"
    assert f"debug: -> GET {api_root}/detectors/ [Authorization: Bearer ****]" in result.stderr
    assert f"debug: <- 200 GET organizations/{sandbox.org}/workflows/ (" in result.stderr
    assert "Plan for organization" in result.stdout  # the data stays on stdout, traces do not
    assert "debug:" not in result.stdout
    assert sandbox.token not in result.stdout
    assert sandbox.token not in result.stderr
    quiet = cli(sandbox, "plan")  # the handler does not outlive its invocation
    assert quiet.exit_code == 0
    assert "debug:" not in quiet.stderr


def test_detectors_are_listed_for_every_accessible_project(
    sandbox: Any, closing: list[SentryClient]
) -> None:
    urls: list[httpx.URL] = []
    http = httpx.Client(event_hooks={"request": [lambda r: urls.append(r.url)]}, timeout=10)
    client = SentryClient(http, base_url=sandbox.url, token=sandbox.token, org=sandbox.org)
    closing.append(client)
    first, actual = plan_now(client, sandbox.org)
    apply_plan(first, client, sandbox.org, actual.directory)
    urls.clear()
    second, _ = plan_now(client, sandbox.org)
    assert not second.has_drift
    listed = [u for u in urls if u.path.endswith("/detectors/")]
    # one list of every detector (monitors, alert links), and one per kind that filters its
    # own type (cron monitors' detectors, uptime checks), each over every accessible project
    assert len([u for u in listed if "query" not in u.params]) == 1
    assert sorted(u.params.get("query", "") for u in listed) == [
        "",
        "type:monitor_check_in_failure",
        "type:uptime_domain_failure",
    ]
    assert all(u.params.get_list("project") == ["-1"] for u in listed)


def test_monitor_create_timeout_rereads_only_its_project() -> None:
    created: list[dict[str, Any]] = []
    listed: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/projects/backend/detectors/"):
            body = json.loads(request.content)
            created.append({"id": str(len(created) + 1), "projectId": "5", **body})
            raise httpx.ReadTimeout("slow", request=request)
        if path.endswith("/detectors/"):
            listed.append(request.url.params.get_list("project"))
            return httpx.Response(200, json=created)
        return httpx.Response(200, json=[])

    client = mock_client(handler)
    directory = wire.directory_from_lists("acme", projects=[{"slug": "backend", "id": "5"}])
    body = {"name": "m", "type": "metric_issue", "description": wire.with_marker(None)}
    desired = Resource(
        kind="monitor", name="m", project="backend", fields={}, body=body, managed=True
    )
    result = apply_plan(plan([desired], []), client, "acme", directory)
    assert len(result.applied) == 1
    assert len(created) == 1
    assert listed == [["5"]]


# --------------------------------------------------------------------------- two teams, one org
TEAM_B_FILE = """\
version: 1
organization: para-autopilot
project: {project}
targets:
  b-mail: {{type: email, team: backend}}
monitors:
  - name: Team B error rate
    description: Team B's own monitor.
    dataset: events
    condition: count() > 5
    window: 1h
alerts:
  - name: Team B error alert
    monitors: [Team B error rate]
    actions: [b-mail]
  - name: Team B new issues
    triggers: [first_seen]
    actions: [b-mail]
dashboards:
  - title: Team B health
    widgets:
      - {{title: Errors, display: line, dataset: error-events, aggregates: [count()]}}
"""


# cli() passes team A's --project; a flag beats the file's project: (as --org always did), so
# team B's runs give their project after the command (the later global option wins)
TEAM_B = ("--project", "team-b-api")


def add_project(sandbox: Any, slug: str) -> str:
    """A second project in the sandbox's organization (its API has no route to create one)."""
    from para_monitor_cli.sandbox import detectors, projects

    store = sandbox.state.store
    first = store.get("project", sandbox.project_id)
    project_id = str(store.next_id("project"))
    stamp = str(first["dateCreated"])
    doc = projects.new_project(project_id, first["org"], {"slug": slug}, first["teams"], stamp)
    store.put("project", project_id, doc)
    detectors.ensure_default_detectors(store, first["org"], project_id, stamp)
    return project_id


def test_prune_of_one_projects_file_deletes_nothing_of_another_project(
    sandbox: Any, tmp_path: Path, closing: list[SentryClient]
) -> None:
    add_project(sandbox, "team-b-api")
    file_b = tmp_path / "team_b.yaml"
    file_b.write_text(TEAM_B_FILE.format(project="team-b-api"), encoding="utf-8")
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0  # team A: the repo's file
    applied_b = cli(sandbox, "apply-alerts", "--yes", *TEAM_B, config=file_b)
    assert applied_b.exit_code == 0, applied_b.output
    client = sandbox_client(sandbox, closing)
    before = sorted(names(client, sandbox.org))
    assert len(before) == REPO_RESOURCES + 4

    planned = cli(sandbox, "--output", "json", "plan", "--prune", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output  # team A's file: nothing to delete
    data = json.loads(planned.stdout)
    assert data["summary"]["delete"] == 0
    (left,) = [n for n in data["notes"] if n.startswith("left alone:")]
    assert "4 resources of para-monitor in projects this file does not manage" in left
    for label in (
        "monitor 'team-b-api/Team B error rate' (team-b-api)",
        "alert 'Team B error alert' (team-b-api)",
        "alert 'Team B new issues' (team-b-api)",
        "dashboard 'Team B health' (team-b-api)",
    ):
        assert label in left
    assert "left alone: 4 resources" in cli(sandbox, "plan", "--prune").stdout

    pruned = cli(sandbox, "apply-alerts", "--prune", "--yes")
    assert pruned.exit_code == 0, pruned.output
    assert sorted(names(client, sandbox.org)) == before  # nothing of team B deleted

    # team B's prune, with one monitor and its alert gone from its file, removes only those
    smaller_b = tmp_path / "team_b_smaller.yaml"
    text_b = TEAM_B_FILE.format(project="team-b-api")
    start = text_b.index("monitors:\n")
    end = text_b.index("  - name: Team B new issues")
    smaller_b.write_text(text_b[:start] + "alerts:\n" + text_b[end:], encoding="utf-8")
    plan_b = cli(sandbox, "--output", "json", "plan", "--prune", *TEAM_B, config=smaller_b)
    b_changes = json.loads(plan_b.stdout)["changes"]
    assert sorted((c["kind"], c["name"]) for c in b_changes if c["action"] == "delete") == [
        ("alert", "Team B error alert"),
        ("monitor", "team-b-api/Team B error rate"),
    ]
    assert (
        cli(sandbox, "apply-alerts", "--prune", "--yes", *TEAM_B, config=smaller_b).exit_code == 0
    )
    after = sorted(names(client, sandbox.org))
    assert sorted(set(before) - set(after)) == ["Team B error alert", "Team B error rate"]
    assert cli(sandbox, "plan", "--detailed-exitcode").exit_code == 0  # team A untouched


def test_prune_leaves_org_wide_alerts_alone_unless_the_file_defines_one(
    sandbox: Any, tmp_path: Path, closing: list[SentryClient]
) -> None:
    client = sandbox_client(sandbox, closing)
    client.create_workflow(  # ours (our identity), linked to no monitor: organization-wide
        {
            "name": "org-wide by para-monitor",
            "config": {"frequency": 30},
            "triggers": {"logicType": "any-short", "conditions": [], "actions": []},
            "actionFilters": [],
        }
    )
    result = cli(sandbox, "--output", "json", "plan", "--prune")
    data = json.loads(result.stdout)
    assert not [c for c in data["changes"] if c["action"] == "delete"]
    assert any(
        "organization-wide" in n and "alert 'org-wide by para-monitor'" in n for n in data["notes"]
    )
    # a file that defines an org-wide alert (no project anywhere) owns org-wide alerts
    org_file = tmp_path / "org.yaml"
    org_file.write_text(
        "version: 1\norganization: para-autopilot\n"
        "targets:\n  mail: {type: email, team: backend}\n"
        "alerts:\n  - {name: anywhere, triggers: [first_seen], actions: [mail]}\n",
        encoding="utf-8",
    )
    base = ["--url", sandbox.url, "--auth-token", sandbox.token, "--org", sandbox.org]
    owned = runner.invoke(
        app, [*base, "--config", str(org_file), "--output", "json", "plan", "--prune"]
    )
    assert owned.exit_code == 0, owned.output
    deletes = [c["name"] for c in json.loads(owned.stdout)["changes"] if c["action"] == "delete"]
    assert deletes == ["org-wide by para-monitor"]


def test_export_takes_org_and_project_from_the_config_file(sandbox: Any, tmp_path: Path) -> None:
    spec_file = tmp_path / "alert_rules.yaml"
    spec_file.write_text(
        f"version: 1\norganization: {sandbox.org}\nproject: {sandbox.project}\n", "utf-8"
    )
    base = ["--url", sandbox.url, "--auth-token", sandbox.token, "--config", str(spec_file)]
    result = runner.invoke(app, [*base, "export", "--no-legacy"])
    assert result.exit_code == 0, result.output
    assert f"organization: {sandbox.org}\nproject: {sandbox.project}\n" in result.stdout
    # no organization anywhere: the usual usage error
    spec_file.write_text("version: 1\n", "utf-8")
    result = runner.invoke(app, [*base, "export", "--no-legacy"])
    assert result.exit_code == errors.EXIT_USAGE
    assert "no org configured" in result.stderr


def test_plan_speaks_the_files_language(sandbox: Any, tmp_path: Path) -> None:
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    text = SPEC_FILE.read_text(encoding="utf-8")
    for old, new in [
        ("actions: [backend-email, slack-alerts]\n    frequency: 1h", "actions: [oncall-notify]"),
        ('level: ">= fatal"', 'level: ">= error"'),
        ("    window: 10m\n", "    window: 15m\n"),
    ]:
        assert old in text
        text = text.replace(old, new, 1)
    changed = tmp_path / "alert_rules.yaml"
    changed.write_text(text, "utf-8")
    result = cli(sandbox, "plan", config=changed)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "      window: 10m -> 15m" in lines
    assert "      frequency: 1h -> 30m" in lines
    assert "      actions: [backend-email, slack-alerts] -> [oncall-notify]" in lines
    assert "      filters[0].level: >= fatal -> >= error" in lines
    # no wire units or ids anywhere in the plan
    for wire_word in ("600", "integration", "targetIdentifier", "conditionResult", '"201"'):
        assert wire_word not in result.stdout
    data = json.loads(cli(sandbox, "-o", "json", "plan", config=changed).stdout)
    diffs = {c["name"]: c["diff"] for c in data["changes"] if c["action"] == "update"}
    assert {
        "path": "actions",
        "before": ["backend-email", "slack-alerts"],
        "after": ["oncall-notify"],
    } in diffs["Error rate alert"]


def test_plan_names_a_destination_the_file_lacks(sandbox: Any, tmp_path: Path) -> None:
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    text = SPEC_FILE.read_text(encoding="utf-8")
    # the alert's Slack target is renamed in the file and points at another channel
    text = re.sub(
        r'channel: "#para-alerts"\n    channel_id: C0PARAALRT[^\n]*\n', 'channel: "#ops"\n', text
    )
    assert '"#ops"' in text
    changed = tmp_path / "alert_rules.yaml"
    changed.write_text(text, "utf-8")
    result = cli(sandbox, "plan", config=changed)
    assert result.exit_code == 0, result.output
    assert (
        "      actions: [slack-para-alerts (not in targets:)] -> [slack-alerts]"
        in result.stdout.splitlines()
    )


def test_plan_without_prune_mentions_ours_absent_from_the_file(
    sandbox: Any, tmp_path: Path
) -> None:
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    smaller = tmp_path / "alert_rules.yaml"
    text = SPEC_FILE.read_text(encoding="utf-8")
    start = text.index("  # Performance Degradation: p95 > 3s, warning -> Slack.\n  - name:")
    end = text.index("  # User Impact Alerts")
    smaller.write_text(text[:start] + text[end:], encoding="utf-8")
    # the monitor of the removed alert too
    result = cli(sandbox, "plan", config=smaller)
    assert result.exit_code == 0, result.output
    assert "No changes" in result.stdout
    assert (
        "  note: not in the file: 1 resource of para-monitor that --prune would delete: "
        "alert 'Performance degradation alert'" in result.stdout.splitlines()
    )


def test_apply_prints_one_line_per_change_and_counts_in_words(sandbox: Any, tmp_path: Path) -> None:
    result = cli(sandbox, "apply-alerts", "--yes")
    assert result.exit_code == 0, result.output
    progress = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert len(progress) == REPO_RESOURCES  # one line per change, once it is done
    assert all(line.startswith("  + created ") for line in progress)
    assert "creating" not in result.stderr
    assert "Applied 15 changes (15 created, 0 updated, 0 deleted)." in result.stderr
    changed = tmp_path / "alert_rules.yaml"
    text = SPEC_FILE.read_text(encoding="utf-8").replace("count() > 10", "count() > 11")
    changed.write_text(text, "utf-8")
    result = cli(sandbox, "apply-alerts", "--yes", config=changed)
    assert result.exit_code == 0, result.output
    assert "Applied 1 change (0 created, 1 updated, 0 deleted)." in result.stderr
    exported = cli(sandbox, "export", "--no-legacy")
    assert exported.exit_code == 0, exported.output
    assert "1 dashboard," in exported.stderr
    assert "1 dashboards" not in exported.stderr


# --------------------------------------------------------------------------- conformance (pure)
PREFLIGHT_FILE = """\
version: 1
organization: acme
project: api
targets:
  mail: {type: email, team: backend}
  ana: {type: email, member: ana@example.com}
  chat: {type: slack, workspace: Acme, channel: "#alerts", channel_id: C0ALERTS1}
  page: {type: pagerduty, integration: acme-pd, service: Backend}
monitors:
  - name: errors
    dataset: events
    condition: count() > 10
    window: 1h
    environment: production
alerts:
  - name: errors alert
    monitors: [errors]
    actions: [mail, ana, chat, page]
  - name: new issues
    environment: production
    triggers: [first_seen]
    filters: [{level: ">= error"}]
    actions: [mail]
dashboards:
  - title: health
    environment: [production]
    widgets: [{title: w, display: line, dataset: error-events, aggregates: [count()]}]
"""


def directory_for_preflight(**overrides: Any) -> wire.Directory:
    lists: dict[str, Any] = {
        "projects": [{"slug": "api", "id": "1"}],
        "teams": [{"slug": "backend", "id": "2"}],
        "members": [{"email": "ana@example.com", "user": {"id": "3"}}],
        "integrations": [
            {"id": "10", "name": "Acme", "provider": {"key": "slack"}, "status": "active"},
            {
                "id": "11",
                "name": "acme-pd",
                "provider": {"key": "pagerduty"},
                "status": "active",
                "organizationIntegrationStatus": "active",
                "configData": {"service_table": [{"service": "Backend", "id": "7"}]},
            },
        ],
        "environments": [{"id": "5", "name": "production"}],
        "detectors": [  # the default issue detectors Sentry creates with each project
            {"id": "20", "projectId": "1", "type": "error"},
            {"id": "21", "projectId": "1", "type": "issue_stream"},
        ],
    }
    lists.update(overrides)
    return wire.directory_from_lists("acme", **lists)


def preflight_of(tmp_path: Path, directory: wire.Directory, text: str = PREFLIGHT_FILE) -> Any:
    from para_monitor_cli.reconcile.preflight import preflight
    from para_monitor_cli.spec.check import load_spec_source

    spec_file = tmp_path / "alert_rules.yaml"
    spec_file.write_text(text, encoding="utf-8")
    spec, source = load_spec_source(spec_file)
    return preflight(spec, directory, source)


def test_preflight_passes_when_every_name_exists(tmp_path: Path) -> None:
    checked = preflight_of(tmp_path, directory_for_preflight())
    assert checked.problems == []
    (note,) = checked.notes  # what cannot be checked through Sentry's API is said
    assert "whether each Slack channel exists" in note


def test_preflight_names_a_missing_environment_at_its_lines_with_the_remedy(
    tmp_path: Path,
) -> None:
    checked = preflight_of(tmp_path, directory_for_preflight(environments=[]))
    lines = PREFLIGHT_FILE.splitlines()
    got = [(p.line, p.severity, p.path) for p in checked.problems]
    assert got == [
        (lines.index("    environment: production") + 1, "error", "monitors[0].environment"),
        (lines.index("    environment: production", 16) + 1, "error", "alerts[1].environment"),
        (
            lines.index("    environment: [production]") + 1,
            "warning",
            "dashboards[0].environment[0]",
        ),
    ]
    first = str(checked.errors[0])
    assert first.startswith(f"{tmp_path / 'alert_rules.yaml'}:14:18: monitors[0].environment:")
    assert "environment 'production' is not part of organization acme (it has none yet)" in first
    assert "`para-monitor test-event` with ENVIRONMENT=production" in first


def test_preflight_refuses_inactive_integrations_and_unknown_names(tmp_path: Path) -> None:
    integrations = [
        {"id": "10", "name": "Acme", "provider": {"key": "slack"}, "status": "disabled"},
        {
            "id": "11",
            "name": "acme-pd",
            "provider": {"key": "pagerduty"},
            "status": "active",
            "organizationIntegrationStatus": "active",
            "configData": {"service_table": [{"service": "Frontend", "id": "8"}]},
        },
    ]
    checked = preflight_of(
        tmp_path,
        directory_for_preflight(integrations=integrations, teams=[], members=[], projects=[]),
    )
    messages = {p.path: p.message for p in checked.errors}
    assert (
        "the Slack integration 'Acme' is disabled, not active" in messages["targets.chat.workspace"]
    )
    assert "no PagerDuty service 'Backend'" in messages["targets.page.service"]
    assert "(there is: Frontend)" in messages["targets.page.service"]
    assert "no team 'backend' in organization acme" in messages["targets.mail.team"]
    assert "ana@example.com is not a member" in messages["targets.ana.member"]
    assert "project 'api' does not exist" in messages["project"]
    assert all("remedy:" in m for m in messages.values())
    # the organization-level status counts as much as the integration's own
    paused = [{**integrations[1], "organizationIntegrationStatus": "disabled"}]
    (problem,) = [
        p
        for p in preflight_of(tmp_path, directory_for_preflight(integrations=paused)).errors
        if p.path == "targets.page.integration"
    ]
    assert "is disabled, not active" in problem.message


def test_preflight_needs_the_default_issue_detectors_of_an_issue_alerts_project(
    tmp_path: Path,
) -> None:
    lacking = [{"id": "20", "projectId": "1", "type": "error"}]
    checked = preflight_of(tmp_path, directory_for_preflight(detectors=lacking))
    (problem,) = checked.errors
    assert problem.path == "alerts[1]"
    assert problem.line == PREFLIGHT_FILE.splitlines().index("  - name: new issues") + 1
    assert "project 'api' has no default issue_stream issue monitor" in problem.message


def test_one_reader_of_integration_status() -> None:
    read = wire.read_integration
    assert read({"id": 1, "name": "a", "provider": {"key": "slack"}}).active
    assert not read({"id": 1, "name": "a", "status": "disabled"}).active
    assert not read(
        {"id": 1, "name": "a", "organizationIntegrationStatus": "Pending_Deletion"}
    ).active
    assert read({"id": 1, "status": "active", "organizationIntegrationStatus": "active"}).active
    directory = directory_for_preflight(
        integrations=[{"id": "10", "name": "Acme", "provider": {"key": "slack"}, "status": "x"}]
    )
    with pytest.raises(errors.UsageError, match="is x, not active"):
        directory.integration_id("slack", "Acme")


def spec_from(tmp_path: Path, text: str) -> Any:
    spec_file = tmp_path / "alert_rules.yaml"
    spec_file.write_text(text, encoding="utf-8")
    return load_spec(spec_file)


def test_frequency_filters_use_sentrys_intervals_and_read_back_as_themselves(
    tmp_path: Path,
) -> None:
    from para_monitor_cli.spec import catalog

    wanted = ["1m", "5m", "15m", "1h", "1d", "1w", "30d"]  # STANDARD_INTERVALS' keys
    assert list(catalog.FREQUENCY_INTERVALS.values()) == wanted
    alerts = "".join(
        f'  - {{name: a{i}, filters: [{{users: "> 5 in {w}"}}], actions: [mail]}}\n'
        for i, w in enumerate(wanted)
    )
    spec = spec_from(
        tmp_path,
        f"version: 1\nproject: p\ntargets:\n  mail: {{type: email, team: t}}\nalerts:\n{alerts}",
    )
    directory = wire.directory_from_lists(
        "acme", projects=[{"slug": "p", "id": "1"}], teams=[{"slug": "t", "id": "2"}]
    )
    for item, text in zip(spec.alerts, wanted, strict=True):
        body = alert_kind.alert_body(item, spec, directory)
        (condition,) = body["actionFilters"][0]["conditions"]
        assert condition["comparison"] == {"value": 5, "interval": text}
        problems: list[str] = []
        exported = alert_kind.export_workflow(
            body, directory, targets.TargetBook(directory), problems
        )
        assert exported["filters"] == [{"users": f"> 5 in {text}"}]
        assert not problems
    # an interval Sentry does not have is never shown as another one
    odd = {"type": "event_frequency_count", "comparison": {"value": 5, "interval": "1hr"}}
    problems = []
    body = {"name": "x", "actionFilters": [{"logicType": "all", "conditions": [odd]}]}
    exported = alert_kind.export_workflow(body, directory, targets.TargetBook(directory), problems)
    assert "filters" not in exported
    assert problems == ["alert 'x': filter 'event_frequency_count' cannot be exported"]


SLACK_FILE = """\
version: 1
project: p
targets:
  with-id: {type: slack, workspace: Acme, channel: "#alerts", channel_id: C0ALERTS1}
  by-name: {type: slack, workspace: Acme, channel: "#ops"}
alerts:
  - {name: a, triggers: [first_seen], filters: [{level: ">= error"}], actions: [with-id, by-name]}
"""


def test_slack_actions_send_an_id_or_nothing_never_a_channel_name(tmp_path: Path) -> None:
    spec = spec_from(tmp_path, SLACK_FILE)
    directory = directory_for_preflight(projects=[{"slug": "p", "id": "1"}])
    configs = {
        name: targets.target_action(name, spec, directory)["config"] for name in spec.targets
    }
    assert configs["with-id"] == {
        "targetType": "specific",
        "targetIdentifier": "C0ALERTS1",
        "targetDisplay": "#alerts",
    }
    assert configs["by-name"] == {
        "targetType": "specific",
        "targetIdentifier": "",  # Sentry looks the name up in Slack itself
        "targetDisplay": "#ops",
    }
    # what Sentry keeps after asking Slack (the id it found) compares equal to what we sent
    sent = alert_kind.canonical_workflow(alert_kind.alert_body(spec.alerts[0], spec, directory))
    stored = alert_kind.alert_body(spec.alerts[0], spec, directory)
    stored["actionFilters"][0]["actions"][1]["config"]["targetIdentifier"] = "C0OPS0001"
    assert alert_kind.canonical_workflow(stored) == sent
    # and an export names the id Sentry holds, never a name as an id
    book = targets.TargetBook(directory)
    alert_kind.export_workflow(stored, directory, book, [])
    assert book.targets["slack-ops"] == {
        "type": "slack",
        "workspace": "Acme",
        "channel": "#ops",
        "channel_id": "C0OPS0001",
    }


def test_alert_environment_is_sent_by_name_and_null_for_every_environment(
    tmp_path: Path,
) -> None:
    spec = spec_from(tmp_path, PREFLIGHT_FILE)
    directory = directory_for_preflight()
    body = alert_kind.alert_body(spec.alerts[1], spec, directory)
    # the current WorkflowValidator's field (the spec's workflow body): the name
    assert body["environment"] == "production"
    assert "environmentId" not in body
    answered = {**body, "environment": "production"}  # WorkflowSerializer: the name
    assert alert_kind.canonical_workflow(answered, directory) == alert_kind.canonical_workflow(
        body, directory
    )
    every = alert_kind.alert_body(spec.alerts[0], spec, directory)
    assert every["environment"] is None  # sent, so an environment set in Sentry is taken away


LATENCY_FILE = """\
version: 1
project: p
targets:
  mail: {type: email, team: t}
monitors:
  - name: slow
    dataset: spans
    query: "is_transaction:true"
    condition: p95(span.duration) > 2s
    resolve: 1.5s
    window: 10m
alerts:
  - {name: a, monitors: [slow], actions: [mail]}
"""


def test_latency_monitor_is_sent_on_spans(tmp_path: Path) -> None:
    spec = spec_from(tmp_path, LATENCY_FILE)
    body = monitor_kind.monitor_body(spec.monitors[0], spec)
    (source,) = body["dataSources"]
    assert source == {
        "dataset": "events_analytics_platform",
        "queryType": 1,
        "eventTypes": ["trace_item_span"],
        "aggregate": "p95(span.duration)",
        "query": "is_transaction:true",
        "environment": None,
        "timeWindow": 600,
    }


def test_a_detector_sentry_moved_to_spans_gives_no_perpetual_diff(tmp_path: Path) -> None:
    spec = spec_from(tmp_path, LATENCY_FILE.replace('"is_transaction:true"', '"http.method:GET"'))
    spec = spec.model_copy(
        update={
            "monitors": (
                spec.monitors[0].model_copy(
                    update={"query": "is_transaction:true http.method:GET"}
                ),
            )
        }
    )
    desired = monitor_kind.canonical_detector(monitor_kind.monitor_body(spec.monitors[0], spec))
    # what translate_detector_and_update_subscription_in_snuba (alerts_translation.py) leaves:
    # dataset and event types moved, aggregate and query translated by translate_mep_to_eap,
    # an extrapolation mode added, the query type kept
    migrated = {
        "id": "9",
        "description": wire.with_marker(None),
        "enabled": True,
        "dataSources": [
            {
                "queryObj": {
                    "snubaQuery": {
                        "dataset": "events_analytics_platform",
                        "queryType": 1,
                        "eventTypes": ["trace_item_span"],
                        "aggregate": "p95(span.duration)",
                        "query": "(http.method:GET) AND is_transaction:1",
                        "environment": None,
                        "timeWindow": 600,
                        "extrapolationMode": "client_and_server_weighted",
                    }
                }
            }
        ],
        "conditionGroup": {
            "conditions": [
                {"type": "gt", "comparison": 2000.0, "conditionResult": 75},
                {"type": "lte", "comparison": 1500.0, "conditionResult": 0},
            ]
        },
        "config": {"detectionType": "static"},
    }
    assert monitor_kind.canonical_detector(migrated) == desired
    bare = {**migrated}
    bare["dataSources"] = [
        {"queryObj": {"snubaQuery": {**migrated["dataSources"][0]["queryObj"]["snubaQuery"]}}}
    ]
    bare["dataSources"][0]["queryObj"]["snubaQuery"]["query"] = "is_transaction:1"
    plain = monitor_kind.canonical_detector(
        monitor_kind.monitor_body(spec_from(tmp_path, LATENCY_FILE).monitors[0], spec)
    )
    assert monitor_kind.canonical_detector(bare)["query"] == plain["query"] == "is_transaction:true"


def test_export_writes_transaction_monitors_on_spans(tmp_path: Path) -> None:
    from para_monitor_cli.spec.check import check_text

    directory = wire.directory_from_lists("acme", projects=[{"slug": "p", "id": "1"}])
    rule = {  # a legacy metric alert rule on transactions
        "name": "Slow API",
        "dataset": "transactions",
        "queryType": 1,
        "eventTypes": ["transaction"],
        "aggregate": "p95(transaction.duration)",
        "query": "transaction:/api/tasks",
        "timeWindow": 10,
        "thresholdType": 0,
        "resolveThreshold": 1500,
        "triggers": [{"label": "critical", "alertThreshold": 2000, "actions": []}],
        "projects": ["p"],
    }
    detector, _actions = legacy.legacy_metric_rule_to_detector(rule, directory)
    problems: list[str] = []
    monitor = monitor_kind.export_detector(detector, directory, problems)
    assert monitor["dataset"] == "spans"
    assert monitor["aggregate"] == "p95(span.duration)"
    assert monitor["query"] == "is_transaction:true transaction:/api/tasks"
    assert "event_types" not in monitor
    assert "exported on spans" in problems[0]
    import yaml

    text = yaml.safe_dump(
        {
            "version": 1,
            "targets": {"mail": {"type": "email", "team": "t"}},
            "monitors": [monitor],
            "alerts": [{"name": "a", "monitors": ["Slow API"], "actions": ["mail"]}],
        }
    )
    spec, found = check_text(text)
    assert spec is not None, found
    assert not [p for p in found if p.severity == "error"]


# --------------------------------------------------------------------------- pre-flight flow
@pytest.fixture
def unseen_sandbox(_sandbox_server: Any) -> Any:
    """The sandbox reset to its seed: an organization that has never received an event."""
    _sandbox_server.reset()
    return _sandbox_server


def test_preflight_on_an_organization_that_never_saw_production(
    unseen_sandbox: Any, closing: list[SentryClient]
) -> None:
    """Done-when of issue 13: plan names the missing environment at its file line, apply writes
    nothing; after `para-monitor test-event` with ENVIRONMENT=production apply succeeds and a
    second plan is empty."""
    sb = unseen_sandbox
    sent: list[tuple[str, str, Any]] = []
    client = recording_client(sb, sent)
    closing.append(client)
    assert client.environments() == []

    planned = cli(sb, "plan")
    assert planned.exit_code == errors.EXIT_OPERATIONAL, planned.output
    lines = SPEC_FILE.read_text(encoding="utf-8").splitlines()
    first_env = lines.index("    environment: production") + 1
    assert (
        f"error: {SPEC_FILE}:{first_env}:18: monitors[0].environment: environment 'production' "
        f"is not part of organization {sb.org} (it has none yet)"
    ) in planned.stderr
    assert "`para-monitor test-event` with ENVIRONMENT=production" in planned.stderr
    problems = [line for line in planned.stderr.splitlines() if line.startswith("error: ")]
    assert len(problems) == 5  # 3 monitors and 2 alerts in production
    assert "hint: nothing was written" in planned.stderr

    applied = cli(sb, "apply-alerts", "--yes")
    assert applied.exit_code == errors.EXIT_OPERATIONAL, applied.output
    assert not names(client, sb.org)  # nothing was written
    assert [m for m, _p, _b in sent if m not in ("GET", "HEAD")] == []

    event = runner.invoke(
        app,
        [
            "--url",
            sb.url,
            "--auth-token",
            sb.token,
            "--org",
            sb.org,
            "--project",
            sb.project,
            "--dsn",
            sb.dsn,
            "test-event",
        ],
        env={"ENVIRONMENT": "production", "VERSION": "0.1.0"},
    )
    assert event.exit_code == 0, event.output
    assert [e["name"] for e in client.environments()] == ["production"]

    assert cli(sb, "apply-alerts", "--yes").exit_code == 0
    again = cli(sb, "plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes" in again.stdout


def test_preflight_refuses_a_disabled_integration_before_writing(
    sandbox: Any, closing: list[SentryClient]
) -> None:
    store = sandbox.state.store  # a person disabled the Slack integration in Sentry
    slack = store.get("integration", "101")
    store.put("integration", "101", {**slack, "status": "disabled"})
    result = cli(sandbox, "apply-alerts", "--yes")
    assert result.exit_code == errors.EXIT_OPERATIONAL, result.output
    line = (
        SPEC_FILE.read_text("utf-8").splitlines().index("    workspace: PARA Autopilot Workspace")
    )
    assert (
        f"error: {SPEC_FILE}:{line + 1}:16: targets.slack-alerts.workspace: the Slack "
        "integration 'PARA Autopilot Workspace' is disabled, not active"
    ) in result.stderr
    assert not names(sandbox_client(sandbox, closing), sandbox.org)  # nothing was written


def test_an_alert_environment_the_file_drops_is_taken_away(sandbox: Any, tmp_path: Path) -> None:
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    text = SPEC_FILE.read_text("utf-8")
    old = "  - name: Critical error alert\n    environment: production\n"
    assert old in text
    changed = tmp_path / "alert_rules.yaml"
    changed.write_text(text.replace(old, "  - name: Critical error alert\n"), "utf-8")
    result = cli(sandbox, "plan", config=changed)
    assert result.exit_code == 0, result.output
    assert "      environment: production -> (none)" in result.stdout.splitlines()
    assert cli(sandbox, "apply-alerts", "--yes", config=changed).exit_code == 0
    assert cli(sandbox, "plan", "--detailed-exitcode", config=changed).exit_code == 0


def test_environments_are_read_with_hidden_ones_for_every_project(
    sandbox: Any, closing: list[SentryClient]
) -> None:
    urls: list[httpx.URL] = []
    http = httpx.Client(event_hooks={"request": [lambda r: urls.append(r.url)]}, timeout=10)
    client = SentryClient(http, base_url=sandbox.url, token=sandbox.token, org=sandbox.org)
    closing.append(client)
    assert [e["name"] for e in client.environments()] == ["production"]
    (url,) = urls
    assert url.path == f"/api/0/organizations/{sandbox.org}/environments/"
    assert url.params.get("visibility") == "all"
    assert url.params.get_list("project") == ["-1"]


def test_monitors_sentry_moved_to_spans_itself_give_an_empty_plan(sandbox: Any) -> None:
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    store = sandbox.state.store
    moved = 0
    for detector in store.all("detector"):
        for source in detector.get("dataSources") or []:
            query = (source.get("queryObj") or {}).get("snubaQuery") or {}
            if query.get("dataset") != "events_analytics_platform":
                continue
            # what translate_detector_and_update_subscription_in_snuba
            # (src/sentry/explore/translation/alerts_translation.py) leaves behind
            query["query"] = "is_transaction:1"
            query["extrapolationMode"] = "client_and_server_weighted"
            moved += 1
        store.put("detector", str(detector["id"]), detector)
    assert moved == 2
    result = cli(sandbox, "plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output


def test_a_transaction_based_monitor_is_moved_to_spans_by_apply(sandbox: Any) -> None:
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    store = sandbox.state.store
    (detector,) = [
        d for d in store.all("detector") if d["name"] == "API p95 response time above 2s"
    ]
    # as it was made before Sentry's span migration: on transactions
    query = detector["dataSources"][0]["queryObj"]["snubaQuery"]
    query.update(
        {
            "dataset": "transactions",
            "eventTypes": ["transaction"],
            "aggregate": "p95(transaction.duration)",
            "query": "",
        }
    )
    store.put("detector", str(detector["id"]), detector)
    planned = cli(sandbox, "--output", "json", "plan")
    (change,) = [c for c in json.loads(planned.stdout)["changes"] if c["action"] == "update"]
    assert {d["path"] for d in change["wire_diff"]} == {
        "dataset",
        "aggregate",
        "query",
        "eventTypes",
    }
    # Sentry refuses changes *within* a transaction dataset, not a move to spans
    # (MetricIssueDetectorValidator.is_editing_transaction_dataset looks at the new dataset)
    applied = cli(sandbox, "apply-alerts", "--yes")
    assert applied.exit_code == 0, applied.output
    assert cli(sandbox, "plan", "--detailed-exitcode").exit_code == 0


def test_a_slack_target_without_channel_id_is_found_by_sentry_by_name(
    sandbox: Any, tmp_path: Path, closing: list[SentryClient]
) -> None:
    text = SPEC_FILE.read_text("utf-8")
    old = '    channel: "#para-alerts"\n    channel_id: C0PARAALRT'
    assert old in text
    by_name = tmp_path / "alert_rules.yaml"
    by_name.write_text(text.replace(old, '    channel: "#para-oncall"'), "utf-8")
    sent: list[tuple[str, str, Any]] = []
    client = recording_client(sandbox, sent)
    closing.append(client)
    spec = load_spec(by_name)
    actual = read_actual(client, sandbox.org, spec=spec)
    first = plan(desired_resources(spec, actual.directory), actual.resources)
    apply_plan(first, client, sandbox.org, actual.directory)
    slack = [
        action["config"]
        for _m, path, body in sent
        if path.endswith("/workflows/") and body
        for group in body["actionFilters"]
        for action in group["actions"]
        if action["type"] == "slack"
    ]
    assert slack
    assert all(c["targetIdentifier"] == "" and c["targetDisplay"] == "#para-oncall" for c in slack)
    # Sentry keeps the id Slack gave it; the plan reads back as the file
    assert cli(sandbox, "plan", "--detailed-exitcode", config=by_name).exit_code == 0
    # a channel Slack does not know is refused by Sentry at write time, not guessed
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(text.replace(old, '    channel: "#no-such-channel"'), "utf-8")
    result = cli(sandbox, "apply-alerts", "--yes", config=unknown)
    assert result.exit_code == errors.EXIT_OPERATIONAL, result.output
    assert "no-such-channel" in result.stderr


def test_tag_filters_is_set_and_not_set_send_no_value(tmp_path: Path) -> None:
    forms = [("eq", "/api/tasks"), ("is", None), ("ns", None)]
    alerts = "".join(
        f"  - {{name: a{i}, filters: [{{tag: {{key: endpoint, match: {m}"
        + (f", value: {v}" if v else "")
        + "}}], actions: [mail]}\n"
        for i, (m, v) in enumerate(forms)
    )
    spec = spec_from(
        tmp_path,
        f"version: 1\nproject: p\ntargets:\n  mail: {{type: email, team: t}}\nalerts:\n{alerts}",
    )
    directory = wire.directory_from_lists(
        "acme", projects=[{"slug": "p", "id": "1"}], teams=[{"slug": "t", "id": "2"}]
    )
    sent = []
    for item in spec.alerts:
        body = alert_kind.alert_body(item, spec, directory)
        (condition,) = body["actionFilters"][0]["conditions"]
        sent.append(condition["comparison"])
        exported = alert_kind.export_workflow(body, directory, targets.TargetBook(directory), [])
        assert exported["filters"] == [{"tag": condition["comparison"]}]  # round trip
    # TaggedEventConditionHandler's schema: is/ns take no value
    assert sent == [
        {"key": "endpoint", "match": "eq", "value": "/api/tasks"},
        {"key": "endpoint", "match": "is"},
        {"key": "endpoint", "match": "ns"},
    ]
