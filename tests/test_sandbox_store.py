"""The sandbox's store at list scale: SQL pages and cursors, column-only event lists, and the
migration of a --data file written by the first schema."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from para_monitor_cli.sandbox.server import DataDirError, open_store
from para_monitor_cli.sandbox.store import DB_FILE, Query, Store

ORG = "para-autopilot"
O = f"/api/0/organizations/{ORG}"  # noqa: E741


def get(sandbox: Any, path: str) -> httpx.Response:
    response = httpx.get(
        sandbox.url.rstrip("/") + path, headers={"Authorization": f"Bearer {sandbox.token}"}
    )
    assert response.status_code == 200, response.text[:300]
    return response


def add_detectors(sandbox: Any, names: list[str]) -> list[str]:
    """Detectors written straight into the store (a copy of a built-in one, renamed)."""
    store = sandbox.state.store
    template = next(d for d in store.all("detector") if d["type"] == "error")
    ids = []
    for name in names:
        detector_id = str(store.next_id("detector"))
        doc = {**template, "id": detector_id, "name": name, "type": "metric_issue"}
        doc["builtin"] = False
        store.put("detector", detector_id, doc)
        ids.append(detector_id)
    return ids


def walk(sandbox: Any, path: str, between: Any = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Every item of a list, following rel="next"; ``between`` runs after the first page."""
    items: list[dict[str, Any]] = []
    hits: list[str] = []
    url: str | None = path
    while url:
        response = (
            get(sandbox, url)
            if url.startswith("/")
            else httpx.get(url, headers={"Authorization": f"Bearer {sandbox.token}"})
        )
        items += response.json()
        hits.append(response.headers["x-hits"])
        nxt = response.links["next"]
        url = nxt["url"] if nxt["results"] == "true" else None
        if between is not None and len(hits) == 1:
            between()
    return items, hits


def test_detector_pages_follow_cursors_with_a_filter_and_stay_stable_under_inserts(
    sandbox: Any,
) -> None:
    names = [f"{'cpu' if i % 2 else 'mem'} {i:03d}" for i in range(130)]
    add_detectors(sandbox, names)
    late: list[str] = []

    def insert() -> None:  # new detectors arrive while the client is on page 1
        late.extend(add_detectors(sandbox, ["cpu late 1", "mem late", "cpu late 2"]))

    items, hits = walk(sandbox, f"{O}/detectors/?per_page=20&query=name:CPU", insert)
    wanted = [n for n in names if n.startswith("cpu")]
    assert [d["name"] for d in items] == [*wanted, "cpu late 1", "cpu late 2"]
    assert hits[0] == str(len(wanted))  # X-Hits counts the filtered list
    assert len(hits) == 4  # 65 + 2 at 20 a page
    ordered, _ = walk(sandbox, f"{O}/detectors/?per_page=50&query=type:metric_issue&sortBy=-name")
    assert [d["name"] for d in ordered] == sorted([*names, "cpu late 1", "cpu late 2", "mem late"])[
        ::-1
    ]


def test_sort_by_id_is_numeric_and_text_search_reads_the_description(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for doc_id, description in (("10", "Checkout latency"), ("9", None), ("100", "latency p95")):
        store.put(
            "detector",
            doc_id,
            {"id": doc_id, "org": "1", "name": f"d{doc_id}", "description": description},
        )
    assert store.ids(Query("detector", order="id")) == ["9", "10", "100"]
    assert store.ids(Query("detector", order="-id")) == ["100", "10", "9"]
    assert store.ids(Query("detector", text=("LATENCY",))) == ["10", "100"]
    assert store.count(Query("detector", text=("latency", "p95"))) == 1
    assert [d["id"] for d in store.select(Query("detector"), offset=1, limit=1)] == ["9"]
    store.close()


def test_workflow_links_are_read_once_for_a_page(sandbox: Any) -> None:
    store = sandbox.state.store
    detectors = add_detectors(sandbox, ["a", "b"])
    store.set_links(["7", "12", "3"], detector=detectors[0])
    store.set_links([detectors[0], detectors[1]], workflow="12")
    assert store.linked(detectors=detectors) == {
        detectors[0]: ["3", "7", "12"],
        detectors[1]: ["12"],
    }
    assert store.linked(workflows=["12", "99"]) == {"12": detectors, "99": []}


def test_the_event_list_reads_the_summary_column_never_the_body(sandbox: Any) -> None:
    for n in range(3):
        sandbox.send_event("production", f"message {n}")
    store = sandbox.state.store
    # break every stored body: a list that parsed one would fail
    with store._lock:
        store._db.execute("UPDATE events SET data = 'not json'")
    path = f"/api/0/projects/{ORG}/{sandbox.project}/events/?per_page=2"
    items, hits = walk(sandbox, path)
    assert [e["message"] for e in items] == ["message 2", "message 1", "message 0"]
    assert hits == ["3", "3"]
    assert {t["key"]: t["value"] for t in items[0]["tags"]}["environment"] == "production"


# The first schema of sandbox/store.py (as of commit 907645f), copied to build an old file.
OLD_SCHEMA = """
CREATE TABLE docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    type TEXT NOT NULL,
    received REAL NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (project_id, event_id)
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def test_a_first_schema_data_directory_is_migrated_in_place(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / DB_FILE)
    db.executescript(OLD_SCHEMA)
    docs = [
        ("project", "2", {"id": "2", "org": "1", "slug": "web", "name": "web"}),
        ("detector", "5", {"id": "5", "org": "1", "projectId": "2", "name": "Errors"}),
        ("workflow", "8", {"id": "8", "org": "1", "name": "Page"}),
        ("link", "5:8", {"detector": "5", "workflow": "8"}),
    ]
    db.executemany(
        "INSERT INTO docs (kind, id, data) VALUES (?, ?, ?)",
        [(kind, i, json.dumps(doc)) for kind, i, doc in docs],
    )
    stored = {
        "eventId": "e1",
        "dateCreated": "2026-01-01T00:00:00Z",
        "payload": {"level": "warning"},
    }
    db.execute(
        "INSERT INTO events (event_id, project_id, type, received, data) VALUES (?, ?, ?, ?, ?)",
        ("e1", "2", "default", 0.0, json.dumps(stored)),
    )
    db.execute("INSERT INTO meta (key, value) VALUES ('seeded', 'yes')")
    db.commit()
    db.close()

    store = Store(tmp_path)
    assert store.meta("seeded") == "yes"
    assert store.meta("schema") == "2"
    assert store.ids(Query("detector", project="2")) == ["5"]
    assert store.ids(Query("workflow", org="1", name="Page")) == ["8"]
    assert store.linked(detectors=["5"]) == {"5": ["8"]}
    assert store.count("link") == 0  # moved to the links table
    made: list[str] = []

    def summarize(event: dict[str, Any]) -> dict[str, Any]:
        made.append(event["eventId"])
        return {"id": event["eventId"], "level": event["payload"]["level"]}

    assert store.event_page("2", 0, 10, summarize) == [{"id": "e1", "level": "warning"}]
    assert store.event_page("2", 0, 10, summarize) == [{"id": "e1", "level": "warning"}]
    assert made == ["e1"]  # rendered once, then read from its column
    store.close()
    Store(tmp_path).close()  # opening a migrated file again changes nothing


def test_a_state_file_of_an_unknown_schema_is_refused_with_the_remedy(tmp_path: Path) -> None:
    Store(tmp_path).set_meta("schema", "99")  # as a newer sandbox would leave it
    with pytest.raises(DataDirError) as caught:
        open_store(tmp_path)
    message = str(caught.value)
    assert "schema 99" in message
    assert "delete the file" in message
    assert DB_FILE in message


def test_dashboard_pages_put_the_prebuilt_dashboard_first_and_once(sandbox: Any) -> None:
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    for n in range(4):
        response = httpx.post(
            sandbox.url.rstrip("/") + f"{O}/dashboards/",
            json={"title": f"board {n}", "widgets": []},
            headers=headers,
        )
        assert response.status_code == 201, response.text[:300]
    items, hits = walk(sandbox, f"{O}/dashboards/?per_page=2")
    assert [d["title"] for d in items] == ["General", "board 0", "board 1", "board 2", "board 3"]
    assert hits == ["5", "5", "5"]
    items, hits = walk(sandbox, f"{O}/dashboards/?per_page=3&query=BOARD&sort=-title")
    assert [d["title"] for d in items] == ["board 3", "board 2", "board 1", "board 0"]
    assert hits == ["4", "4"]
