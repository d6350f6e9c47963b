"""The sandbox's state: JSON documents and events in SQLite (in memory, or a file under --data).

Every resource is a JSON document keyed by ``(kind, id)``; insertion order is kept by an
autoincrement sequence so lists come back in creation order. The fields lists filter and sort
on (organization, project, name or title or version, type) are copied into columns with
indexes when a document is written, so a list page is one SQL query over the index
(:meth:`Store.select` with a :class:`Query`, LIMIT/OFFSET) and only the page's documents are
parsed. Detector <-> workflow links have their own table, read for a whole page at once.

Events have their own table keyed by the SDK's event id: the fields a list shows or filters on
are columns (level, environment, release, dates, and ``summary``: the list item, rendered once
at ingest), the body is a separate column parsed only when that one event is asked for.

All access goes through one connection guarded by a lock: the server runs request handlers on
one event loop plus a small thread pool, and SQLite is fast enough that a lock is simpler and
cheaper than a pool.

A ``--data`` file of the first schema (documents and events without columns) is migrated in
place when opened (columns added and filled, links moved to their table; an old event's list
summary is rendered the first time a list shows it).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Doc = dict[str, Any]

DB_FILE = "sandbox.sqlite3"
SCHEMA_VERSION = "2"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    org TEXT,
    project TEXT,
    name TEXT,
    type TEXT,
    data TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE INDEX IF NOT EXISTS docs_org ON docs (kind, org, seq);
CREATE INDEX IF NOT EXISTS docs_project ON docs (kind, project, seq);
CREATE INDEX IF NOT EXISTS docs_name ON docs (kind, org, name);
CREATE TABLE IF NOT EXISTS links (
    detector TEXT NOT NULL,
    workflow TEXT NOT NULL,
    PRIMARY KEY (detector, workflow)
);
CREATE INDEX IF NOT EXISTS links_workflow ON links (workflow, detector);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    type TEXT NOT NULL,
    received REAL NOT NULL,
    level TEXT,
    environment TEXT,
    release TEXT,
    date_created TEXT,
    summary TEXT,
    data TEXT NOT NULL,
    UNIQUE (project_id, event_id)
);
CREATE INDEX IF NOT EXISTS events_project ON events (project_id, seq);
CREATE INDEX IF NOT EXISTS events_id ON events (event_id);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

#: columns added by schema 2, per table (what a first-schema file lacks)
_ADDED = {
    "docs": ("org TEXT", "project TEXT", "name TEXT", "type TEXT"),
    "events": (
        "level TEXT",
        "environment TEXT",
        "release TEXT",
        "date_created TEXT",
        "summary TEXT",
    ),
}

#: what :class:`Query` may order by (a column, or the numeric id)
_ORDER = {
    "seq": "seq",
    "name": "name",
    "lname": "py_lower(name)",
    "type": "type",
    "id": "CAST(id AS INTEGER), id",
}


class SchemaError(ValueError):
    """The state file was written by a newer sandbox (a schema this one does not know)."""


@dataclass(frozen=True)
class Query:
    """Which documents of one kind a list wants, and in which order (all filters AND-ed).

    ``text`` terms match (case-insensitively, Python's ``str.lower``) the name, the type or
    the document's ``description``; ``name_has`` terms the name only. ``order`` is a column
    of ``_ORDER``, ``-`` in front for descending; ties keep creation order.
    """

    kind: str
    org: str | None = None
    project: str | None = None
    projects: frozenset[str] | None = None
    ids: frozenset[str] | None = None
    name: str | None = None
    type: str | None = None
    name_has: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    order: str = "seq"
    reverse: bool = False

    def where(self) -> tuple[str, list[Any]]:
        sql = ["kind = ?"]
        args: list[Any] = [self.kind]
        for column, value in (
            ("org", self.org),
            ("project", self.project),
            ("name", self.name),
            ("type", self.type),
        ):
            if value is not None:
                sql.append(f"{column} = ?")
                args.append(value)
        for column, values in (("project", self.projects), ("id", self.ids)):
            if values is not None:
                sql.append(f"{column} IN (SELECT value FROM json_each(?))")  # noqa: S608
                args.append(json.dumps(sorted(values)))
        for term in self.name_has:
            sql.append("instr(py_lower(coalesce(name, '')), ?) > 0")
            args.append(term.lower())
        for term in self.text:
            sql.append(
                "(instr(py_lower(coalesce(name, '')), ?) > 0"
                " OR instr(py_lower(coalesce(type, '')), ?) > 0"
                " OR instr(py_lower(coalesce(json_extract(data, '$.description'), '')), ?) > 0)"
            )
            args += [term.lower()] * 3
        return " AND ".join(sql), args

    def order_by(self) -> str:
        key = self.order.lstrip("-")
        descending = self.order.startswith("-") != self.reverse
        parts = [f"{part} DESC" if descending else part for part in _ORDER[key].split(", ")]
        return ", ".join(parts) + (", seq DESC" if self.reverse else ", seq")


def columns(data: Doc) -> tuple[str | None, str | None, str | None, str | None]:
    """The indexed columns of a document: organization, project, name, type.

    The name column holds what a kind's lists filter and sort by: ``name`` (detectors,
    workflows, teams...), else ``title`` (dashboards), else ``version`` (releases).
    """

    def text(value: Any) -> str | None:
        return None if value is None or isinstance(value, dict | list) else str(value)

    name = data.get("name")
    if name is None:
        name = data.get("title", data.get("version"))
    return (
        text(data.get("org")),
        text(data.get("projectId", data.get("project"))),
        text(name),
        text(data.get("type")),
    )


def event_columns(stored: Doc) -> tuple[str | None, str | None, str | None, str | None]:
    """An event's list columns: level, environment, release, date created."""
    payload = stored.get("payload") or {}

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) else None

    return (
        text(payload.get("level")),
        text(payload.get("environment")),
        text(payload.get("release")),
        text(stored.get("dateCreated")),
    )


class Store:
    """A tiny document store over SQLite. Thread-safe; every write is committed at once."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.path: Path | None = None
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
            self.path = data_dir / DB_FILE
        target = str(self.path) if self.path else ":memory:"
        self._lock = threading.RLock()
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.create_function("py_lower", 1, _lower, deterministic=True)
        if self.path:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()
        self._db.executescript(_SCHEMA)
        self.set_meta("schema", SCHEMA_VERSION)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _migrate(self) -> None:
        """Bring a first-schema file (tables without the list columns) to this schema."""
        tables = {
            str(row[0])
            for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if "docs" not in tables:
            return
        have = {str(row[1]) for row in self._db.execute("PRAGMA table_info(docs)")}
        if "org" in have:
            found = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found is not None and str(found[0]) != SCHEMA_VERSION:
                raise SchemaError(
                    f"{self.path} holds sandbox state of schema {found[0]}, this sandbox reads "
                    f"schema {SCHEMA_VERSION}: run the newer para-monitor, or delete the file "
                    "to start again from the seed"
                )
            return
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for table, added in _ADDED.items():
                    for column in added:
                        self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
                # statement by statement: executescript would commit the transaction
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                rows = self._db.execute("SELECT seq, kind, data FROM docs").fetchall()
                for seq, kind, text in rows:
                    doc = _loads(text)
                    if kind == "link":
                        self._db.execute(
                            "INSERT OR IGNORE INTO links (detector, workflow) VALUES (?, ?)",
                            (str(doc["detector"]), str(doc["workflow"])),
                        )
                        self._db.execute("DELETE FROM docs WHERE seq = ?", (seq,))
                    else:
                        self._db.execute(
                            "UPDATE docs SET org = ?, project = ?, name = ?, type = ? "
                            "WHERE seq = ?",
                            (*columns(doc), seq),
                        )
                for seq, text in self._db.execute("SELECT seq, data FROM events").fetchall():
                    self._db.execute(
                        "UPDATE events SET level = ?, environment = ?, release = ?, "
                        "date_created = ? WHERE seq = ?",
                        (*event_columns(_loads(text)), seq),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # -- meta ---------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def next_id(self, kind: str, floor: int = 1) -> int:
        """A fresh integer id for ``kind`` (monotonic, survives restarts)."""
        with self._lock:
            current = int(self.meta(f"seq:{kind}") or floor - 1)
            value = max(current + 1, floor)
            self.set_meta(f"seq:{kind}", str(value))
        return value

    def bump_id(self, kind: str, used: int) -> None:
        """Make sure later :meth:`next_id` calls never hand out ``used`` again."""
        with self._lock:
            current = int(self.meta(f"seq:{kind}") or 0)
            if used > current:
                self.set_meta(f"seq:{kind}", str(used))

    # -- documents ----------------------------------------------------------------------------

    def put(self, kind: str, doc_id: str, data: Doc) -> Doc:
        text = json.dumps(data, separators=(",", ":"))
        with self._lock:
            self._db.execute(
                "INSERT INTO docs (kind, id, org, project, name, type, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data, org = excluded.org, "
                "project = excluded.project, name = excluded.name, type = excluded.type",
                (kind, doc_id, *columns(data), text),
            )
        return data

    def get(self, kind: str, doc_id: str) -> Doc | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM docs WHERE kind = ? AND id = ?", (kind, doc_id)
            ).fetchone()
        return None if row is None else _loads(row[0])

    def delete(self, kind: str, doc_id: str) -> bool:
        with self._lock:
            cur = self._db.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, doc_id))
        return cur.rowcount > 0

    def all(self, kind: str) -> list[Doc]:
        """Every document of ``kind``: for the small kinds (organizations, members, teams...);
        lists of the kinds that grow use :meth:`select`."""
        return self.select(Query(kind))

    def select(self, query: Query, offset: int = 0, limit: int | None = None) -> list[Doc]:
        """The documents ``query`` matches, in its order, ``limit`` of them from ``offset``."""
        return [_loads(text) for text in self._column("data", query, offset, limit)]

    def ids(self, query: Query) -> list[str]:
        """The ids ``query`` matches, in its order (no document parsed)."""
        return [str(value) for value in self._column("id", query)]

    def _column(
        self, column: str, query: Query, offset: int = 0, limit: int | None = None
    ) -> list[Any]:
        """One column (``data`` or ``id``) of the rows ``query`` matches, one page of them."""
        where, args = query.where()
        sql = f"SELECT {column} FROM docs WHERE {where} ORDER BY {query.order_by()}"  # noqa: S608 - columns are ours
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            args = [*args, -1 if limit is None else limit, offset]
        with self._lock:
            return [row[0] for row in self._db.execute(sql, args).fetchall()]

    def count(self, kind: str | Query) -> int:
        query = Query(kind) if isinstance(kind, str) else kind
        where, args = query.where()
        with self._lock:
            row = self._db.execute(f"SELECT COUNT(*) FROM docs WHERE {where}", args).fetchone()  # noqa: S608 - columns are ours
        return int(row[0])

    # -- detector <-> workflow links ----------------------------------------------------------

    def linked(
        self, detectors: Iterable[str] = (), workflows: Iterable[str] = ()
    ) -> dict[str, list[str]]:
        """For each detector id given, its workflow ids; for each workflow id, its detector
        ids (one query for a whole page; each list sorted numerically)."""
        out: dict[str, list[str]] = {}
        for mine, theirs, wanted in (
            ("detector", "workflow", list(detectors)),
            ("workflow", "detector", list(workflows)),
        ):
            if not wanted:
                continue
            out.update({ident: [] for ident in wanted})
            with self._lock:
                rows = self._db.execute(
                    f"SELECT {mine}, {theirs} FROM links "  # noqa: S608 - fixed column names
                    f"WHERE {mine} IN (SELECT value FROM json_each(?)) "
                    f"ORDER BY {mine}, CAST({theirs} AS INTEGER), {theirs}",
                    (json.dumps(wanted),),
                ).fetchall()
            for ident, other in rows:
                out[str(ident)].append(str(other))
        return out

    def set_links(
        self, ids: Iterable[str], detector: str | None = None, workflow: str | None = None
    ) -> None:
        """Replace the links of one detector (to workflows ``ids``) or of one workflow."""
        mine = "detector" if detector is not None else "workflow"
        ident = detector if detector is not None else workflow
        pairs = [(ident, other) if detector is not None else (other, ident) for other in ids]
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.execute(f"DELETE FROM links WHERE {mine} = ?", (ident,))  # noqa: S608 - fixed column names
                self._db.executemany(
                    "INSERT OR IGNORE INTO links (detector, workflow) VALUES (?, ?)", pairs
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # -- events -------------------------------------------------------------------------------

    def add_event(
        self, project_id: str, event_id: str, event_type: str, data: Doc, summary: Doc | None = None
    ) -> bool:
        """Store an event; a repeated id in the same project is ignored (as Sentry dedupes).
        ``summary`` is its list item, kept as a column so lists never parse the body."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO events (event_id, project_id, type, received, level, "
                "environment, release, date_created, summary, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    event_id,
                    project_id,
                    event_type,
                    time.time(),
                    *event_columns(data),
                    None if summary is None else json.dumps(summary, separators=(",", ":")),
                    json.dumps(data, separators=(",", ":")),
                ),
            )
        return cur.rowcount > 0

    def event(self, event_id: str, project_id: str | None = None) -> tuple[str, Doc] | None:
        """``(project_id, event)`` for an event id, optionally within one project."""
        sql = "SELECT project_id, data FROM events WHERE event_id = ?"
        args: tuple[str, ...] = (event_id,)
        if project_id is not None:
            sql += " AND project_id = ?"
            args = (event_id, project_id)
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
        return None if row is None else (str(row[0]), _loads(row[1]))

    def event_page(
        self, project_id: str, offset: int, limit: int, summarize: Callable[[Doc], Doc]
    ) -> list[Doc]:
        """One page of a project's event list items, newest first, read from the summary
        column; an event stored without one (a migrated file) is parsed once and its summary
        kept."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, summary FROM events WHERE project_id = ? "
                "ORDER BY seq DESC LIMIT ? OFFSET ?",
                (project_id, limit, offset),
            ).fetchall()
        page: list[Doc] = []
        for seq, summary in rows:
            if summary is None:
                with self._lock:
                    (text,) = self._db.execute(
                        "SELECT data FROM events WHERE seq = ?", (seq,)
                    ).fetchone()
                    item = summarize(_loads(text))
                    self._db.execute(
                        "UPDATE events SET summary = ? WHERE seq = ?",
                        (json.dumps(item, separators=(",", ":")), seq),
                    )
                page.append(item)
            else:
                page.append(_loads(summary))
        return page

    def event_count(self, project_id: str | None = None) -> int:
        sql, args = "SELECT COUNT(*) FROM events", tuple[str, ...]()
        if project_id is not None:
            sql, args = sql + " WHERE project_id = ?", (project_id,)
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
        return int(row[0])

    # -- whole state --------------------------------------------------------------------------

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM docs")
            self._db.execute("DELETE FROM links")
            self._db.execute("DELETE FROM events")
            self._db.execute("DELETE FROM meta")
            self.set_meta("schema", SCHEMA_VERSION)


def _lower(value: Any) -> str | None:
    return None if value is None else str(value).lower()


def _loads(text: str) -> Doc:
    value = json.loads(text)
    assert isinstance(value, dict)
    return value
