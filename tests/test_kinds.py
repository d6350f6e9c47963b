"""The registry of resource kinds: every kind implements the interface and every mechanism
(plan ordering, apply, export, render) loops over the registry, so a new kind needs no edit
elsewhere. The last tests register a throw-away kind and run plan and apply over it against the
sandbox, its own endpoint answered in the test."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from ingest_support import send_event
from typer.testing import CliRunner

from para_monitor_cli import kinds
from para_monitor_cli.api import client as api
from para_monitor_cli.api.client import SentryClient
from para_monitor_cli.api.wire import Directory
from para_monitor_cli.cli import app
from para_monitor_cli.kinds import Registry, registry
from para_monitor_cli.kinds.base import (
    JSON,
    Context,
    ExportContext,
    Resource,
    ResourceKind,
)
from para_monitor_cli.reconcile.apply import apply_plan
from para_monitor_cli.reconcile.plan import Plan, plan
from para_monitor_cli.reconcile.state import desired_resources, file_scope, read_actual
from para_monitor_cli.render import plan_lines
from para_monitor_cli.spec.check import load_spec
from para_monitor_cli.spec.model import Spec
from para_monitor_cli.wording import plural

REPO = Path(__file__).resolve().parents[1]
SPEC_FILE = REPO / "alert_rules.yaml"
runner = CliRunner()

#: What a kind must supply itself (the others have defaults in ResourceKind).
REQUIRED = ("desired", "read", "decode", "export", "create", "update", "delete", "find")


@pytest.fixture(autouse=True)
def _no_backoff() -> Iterator[None]:
    api.set_testing(True, attempts=3)
    yield
    api.set_testing(False)


# --------------------------------------------------------------------------- the registry
def test_the_registry_holds_the_kinds_in_dependency_order() -> None:
    kinds_now = registry()
    assert kinds_now.names() == ("cron monitor", "monitor", "uptime check", "alert", "dashboard")
    # alerts link monitors, cron monitors and uptime checks: written after, deleted before them
    assert [k.name for k in kinds_now.delete_order] == [
        "alert",
        "cron monitor",
        "monitor",
        "uptime check",
        "dashboard",
    ]
    assert [k.name for k in kinds_now.group("alerts")] == [
        "cron monitor",
        "monitor",
        "uptime check",
        "alert",
    ]
    assert [k.name for k in kinds_now.group("dashboards")] == ["dashboard"]


@pytest.mark.parametrize("kind", registry().kinds, ids=lambda k: k.name)
def test_every_kind_implements_the_interface(kind: ResourceKind) -> None:
    assert isinstance(kind, ResourceKind)
    for method in REQUIRED:
        assert getattr(type(kind), method) is not getattr(ResourceKind, method), method
    assert kind.section in Spec.model_fields  # its spec link
    assert kind.scope in ("project", "organization")
    assert set(kind.depends_on) <= set(registry().names())
    assert kind.plural.startswith(kind.name)
    assert kind.check_group in {"alerts", "dashboards"}  # a check-setup drift check covers it
    assert registry().get(kind.name) is kind


def _kind(name: str, *, depends_on: tuple[str, ...] = (), order: int = 100) -> ResourceKind:
    cls = type(
        f"Kind_{name}",
        (ResourceKind,),
        {"name": name, "plural": name + "s", "depends_on": depends_on, "order": order},
    )
    made: ResourceKind = cls()
    return made


def test_order_comes_from_dependencies_then_order_then_name() -> None:
    reg = Registry(
        [_kind("c", depends_on=("a",)), _kind("b", order=1), _kind("a", order=5), _kind("d")]
    )
    assert reg.names() == ("b", "a", "c", "d")
    assert [k.name for k in reg.delete_order] == ["b", "c", "a", "d"]
    assert reg.write_rank("c") > reg.write_rank("a")
    assert reg.delete_rank("c") < reg.delete_rank("a")


@pytest.mark.parametrize(
    ("made", "message"),
    [
        (lambda: [_kind("a", depends_on=("b",)), _kind("b", depends_on=("a",))], "cycle"),
        (lambda: [_kind("a", depends_on=("zzz",))], "unknown kind 'zzz'"),
        (lambda: [_kind("a"), _kind("a")], "share a name"),
    ],
)
def test_a_broken_registry_is_refused(made: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Registry(made())


def test_an_unknown_kind_is_named() -> None:
    with pytest.raises(KeyError, match="no resource kind 'heartbeat'"):
        registry().get("heartbeat")


# --------------------------------------------------------------------------- every kind, end to end
def cli(sandbox: Any, *args: str, config: Path = SPEC_FILE) -> Any:
    base = ["--url", sandbox.url, "--auth-token", sandbox.token, "--org", sandbox.org]
    base += ["--project", sandbox.project, "--config", str(config)]
    return runner.invoke(app, [*base, *args])


def test_every_kind_appears_in_plan_render_and_export(sandbox: Any) -> None:
    send_event(sandbox, "production")  # the repo's file puts monitors in that environment
    planned = cli(sandbox, "--output", "json", "plan")
    assert planned.exit_code == 0, planned.output
    created = {c["kind"] for c in json.loads(planned.stdout)["changes"]}
    shown = cli(sandbox, "plan").stdout
    assert cli(sandbox, "apply-alerts", "--yes").exit_code == 0
    exported = cli(sandbox, "export", "--no-legacy")
    assert exported.exit_code == 0, exported.output
    document = yaml.safe_load(exported.stdout)
    for kind in registry():
        assert kind.name in created
        assert f"+ create {kind.name} " in shown
        assert document[kind.section], kind.section  # exported under its own section
        counted = plural(len(document[kind.section]), kind.name, kind.plural)
        assert counted in exported.stderr  # counted in export's summary


# --------------------------------------------------------------------------- a throw-away kind
@dataclass(frozen=True)
class Bookmark:
    name: str
    url: str


class BookmarkKind(ResourceKind):
    """A kind no module defines: organization bookmarks, linked to monitors (so written after
    and deleted before them). Its entries come from the test, its endpoint from the transport."""

    name = "bookmark"
    plural = "bookmarks"
    section = "bookmarks"
    scope = "organization"
    depends_on = ("monitor",)
    order = 3
    check_group = "bookmarks"

    def __init__(self) -> None:
        self.wanted: list[Bookmark] = []

    def entries(self, spec: Spec) -> Sequence[Any]:
        return tuple(self.wanted)

    def file_scope(self, spec: Spec) -> tuple[set[str], bool]:
        return set(), True  # the file owns the organization's bookmarks

    def desired(self, ctx: Context) -> list[Resource]:
        return [
            Resource(
                kind=self.name,
                name=b.name,
                fields={"url": b.url},
                body={"name": b.name, "url": b.url},
                managed=True,
            )
            for b in self.wanted
        ]

    def read(self, client: SentryClient, org: str) -> list[JSON]:
        return client.list_all(f"organizations/{org}/bookmarks/")

    def decode(self, obj: Mapping[str, Any], ctx: Context) -> Resource | None:
        return Resource(
            kind=self.name,
            name=str(obj["name"]),
            id=str(obj["id"]),
            fields={"url": obj["url"]},
            managed=True,
        )

    def export(self, obj: Mapping[str, Any], ctx: ExportContext) -> JSON | None:
        return {"name": obj["name"], "url": obj["url"]}

    def create(self, client: SentryClient, org: str, desired: Resource, body: JSON) -> Any:
        return client.post(f"organizations/{org}/bookmarks/", body)

    def update(self, client: SentryClient, org: str, rid: str, body: JSON) -> Any:
        return client.put(f"organizations/{org}/bookmarks/{rid}/", body)

    def delete(self, client: SentryClient, org: str, rid: str) -> None:
        client.delete(f"organizations/{org}/bookmarks/{rid}/")

    def find(
        self, client: SentryClient, org: str, directory: Directory, desired: Resource
    ) -> Mapping[str, Any] | None:
        listed = client.list_all(f"organizations/{org}/bookmarks/")
        return next((b for b in listed if b["name"] == desired.name), None)


class BookmarkServer(httpx.BaseTransport):
    """Answers the bookmark endpoint itself and forwards every other request to the sandbox;
    records each write (method, path) in order."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.store: dict[str, JSON] = {}
        self.writes: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method != "GET":
            self.writes.append((request.method, path))
        if "/bookmarks/" not in path:
            return self.inner.handle_request(request)
        if request.method == "GET":
            return httpx.Response(200, json=list(self.store.values()))
        if request.method == "DELETE":
            self.store.pop(path.rstrip("/").rsplit("/", 1)[1])
            return httpx.Response(204)
        body = json.loads(request.read())
        if request.method == "POST":
            rid = str(len(self.writes))
        else:
            rid = path.rstrip("/").rsplit("/", 1)[1]
        self.store[rid] = {"id": rid, **body}
        return httpx.Response(201 if request.method == "POST" else 200, json=self.store[rid])

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def bookmarks(monkeypatch: pytest.MonkeyPatch) -> BookmarkKind:
    kind = BookmarkKind()
    monkeypatch.setattr(kinds.Loaded, "registry", registry().with_kind(kind))
    return kind


def spec_file(tmp_path: Path, project: str, *, monitor: bool) -> Spec:
    text = f"version: 1\nproject: {project}\n"
    if monitor:
        text += "monitors:\n  - {name: m, dataset: events, condition: count() > 10, window: 1h}\n"
    path = tmp_path / "alert_rules.yaml"
    path.write_text(text, encoding="utf-8")
    return load_spec(path)


def plan_of(client: SentryClient, org: str, spec: Spec) -> tuple[Plan, Directory]:
    actual = read_actual(client, org, spec=spec, prune=True)
    desired = desired_resources(spec, actual.directory)
    scope = file_scope(spec)
    return plan(desired, actual.resources, prune=True, scope=scope), actual.directory


def test_plan_and_apply_loop_over_a_kind_registered_at_run_time(
    sandbox: Any, tmp_path: Path, bookmarks: BookmarkKind
) -> None:
    server = BookmarkServer()
    client = SentryClient(
        httpx.Client(transport=server), base_url=sandbox.url, token=sandbox.token, org=sandbox.org
    )
    org = sandbox.org
    with client:
        spec = spec_file(tmp_path, sandbox.project, monitor=True)
        bookmarks.wanted = [Bookmark("home", "https://example.com/")]
        first, directory = plan_of(client, org, spec)
        mine = [(c.action, c.kind, c.key) for c in first.pending]
        assert mine == [
            ("create", "monitor", f"{sandbox.project}/m"),
            ("create", "bookmark", "home"),
        ]
        assert "  + create bookmark 'home'" in [text for text, _ in plan_lines(first, org)]
        apply_plan(first, client, org, directory)
        assert [b["url"] for b in server.store.values()] == ["https://example.com/"]
        posts = [p for m, p in server.writes if m == "POST"]
        assert posts[0].endswith("/detectors/")  # the monitor first: the bookmark depends on it
        assert posts[1].endswith("/bookmarks/")

        again, _ = plan_of(client, org, spec)
        assert not again.has_drift

        bookmarks.wanted = [Bookmark("home", "https://example.com/new")]
        changed, directory = plan_of(client, org, spec)
        [update] = changed.pending
        assert (update.action, update.kind, [d.path for d in update.diff]) == (
            "update",
            "bookmark",
            ["url"],
        )
        apply_plan(changed, client, org, directory)
        assert [b["url"] for b in server.store.values()] == ["https://example.com/new"]

        # the file drops both: with --prune, the bookmark goes before the monitor it links
        bookmarks.wanted = []
        server.writes.clear()
        gone, directory = plan_of(client, org, spec_file(tmp_path, sandbox.project, monitor=False))
        assert [(c.action, c.kind) for c in gone.pending] == [
            ("delete", "bookmark"),
            ("delete", "monitor"),
        ]
        apply_plan(gone, client, org, directory)
        assert server.store == {}
        deletes = [p for m, p in server.writes if m == "DELETE"]
        assert "/bookmarks/" in deletes[0]
        assert "/detectors/" in deletes[1]
