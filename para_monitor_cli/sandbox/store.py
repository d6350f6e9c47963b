"""The sandbox's state: JSON documents and events in SQLite (in memory, or a file under --data).

Every resource is a JSON document keyed by ``(kind, id)``; insertion order is kept by an
autoincrement sequence so lists come back in creation order. Events have their own table keyed
by the SDK's event id. All access goes through one connection guarded by a lock: the server
runs request handlers on one event loop plus a small thread pool, and SQLite is fast enough
that a lock is simpler and cheaper than a pool.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

Doc = dict[str, Any]

DB_FILE = "sandbox.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    type TEXT NOT NULL,
    received REAL NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (project_id, event_id)
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


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
        if self.path:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

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
                "INSERT INTO docs (kind, id, data) VALUES (?, ?, ?) "
                "ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data",
                (kind, doc_id, text),
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
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM docs WHERE kind = ? ORDER BY seq", (kind,)
            ).fetchall()
        return [_loads(row[0]) for row in rows]

    def count(self, kind: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM docs WHERE kind = ?", (kind,)).fetchone()
        return int(row[0])

    # -- events -------------------------------------------------------------------------------

    def add_event(self, project_id: str, event_id: str, event_type: str, data: Doc) -> bool:
        """Store an event; a repeated id in the same project is ignored (as Sentry dedupes)."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO events (event_id, project_id, type, received, data) "
                "VALUES (?, ?, ?, ?, ?)",
                (event_id, project_id, event_type, time.time(), json.dumps(data)),
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

    def events(self, project_id: str) -> list[Doc]:
        """A project's events, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM events WHERE project_id = ? ORDER BY seq DESC", (project_id,)
            ).fetchall()
        return [_loads(row[0]) for row in rows]

    def event_count(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(row[0])

    # -- whole state --------------------------------------------------------------------------

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM docs")
            self._db.execute("DELETE FROM events")
            self._db.execute("DELETE FROM meta")


def _loads(text: str) -> Doc:
    value = json.loads(text)
    assert isinstance(value, dict)
    return value
