"""Relational app state in SQLite: source health, crawl fingerprints, alerts and the outbox."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS source_runs (
    run_id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    pages INTEGER DEFAULT 0,
    items INTEGER DEFAULT 0,
    new INTEGER DEFAULT 0,
    errors INTEGER DEFAULT 0,
    last_error TEXT,
    status TEXT NOT NULL DEFAULT 'running'
);
CREATE INDEX IF NOT EXISTS source_runs_source ON source_runs (source, run_id);
CREATE TABLE IF NOT EXISTS crawl_seen (
    url_key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_fetch INTEGER NOT NULL,
    published_ts INTEGER
);
CREATE TABLE IF NOT EXISTS alerts (
    alert_id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    rule TEXT NOT NULL,
    level INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    city TEXT,
    post_ids TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status, level);
CREATE TABLE IF NOT EXISTS outbox (
    message_id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL,
    notifier TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ts INTEGER NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (alert_id, notifier, payload)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_ts);
"""


class StateDB:
    """Thread-safe access to the state database (one connection per thread, WAL)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.conn.executescript(SCHEMA)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    def query(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts."""
        return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
