"""Relational app state in SQLite: source health, crawl fingerprints, alerts and the outbox."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

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
    key TEXT NOT NULL,              -- what the alert is about; at most one open alert per key
    rule TEXT NOT NULL,
    level INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    city TEXT,
    categories TEXT NOT NULL DEFAULT '[]',
    source TEXT,
    post_ids TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'open',   -- open | acknowledged (someone handles it) | resolved
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    resolved_at TEXT,
    notices INTEGER NOT NULL DEFAULT 0,    -- notifications raised so far (new, update, reminder…)
    last_notice_ts INTEGER,
    next_notice_ts INTEGER,                -- realert: no reminder/update before this
    notified_size INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_open_key ON alerts (key)
    WHERE status IN ('open', 'acknowledged');
CREATE INDEX IF NOT EXISTS alerts_key ON alerts (key);
CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status, rule, level);
CREATE TABLE IF NOT EXISTS outbox (
    message_id INTEGER PRIMARY KEY,
    alert_id INTEGER,                      -- NULL for a digest
    notifier TEXT NOT NULL,
    kind TEXT NOT NULL,                    -- new | update | escalated | reminder | resolved | digest
    dedup_key TEXT NOT NULL UNIQUE,        -- one message per (alert, notice, notifier)
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending', -- pending | sending | sent | held (for a digest) | digested
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ts INTEGER NOT NULL,
    lease_until INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    digest_id INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_ts);
CREATE TABLE IF NOT EXISTS silences (
    target TEXT PRIMARY KEY,               -- a rule name or an alert key
    until_ts INTEGER NOT NULL,
    reason TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rule_days (
    rule TEXT NOT NULL,
    day TEXT NOT NULL,                     -- a complete day in China time, 'YYYY-MM-DD'
    slice TEXT NOT NULL,                   -- 'city=衡阳,category=…'; '*' marks a day with posts
    count INTEGER NOT NULL,
    PRIMARY KEY (rule, day, slice)
);
CREATE TABLE IF NOT EXISTS rule_days_meta (
    rule TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,             -- the options the counts were made with
    covered_from TEXT NOT NULL,            -- rule_days is complete for days from this …
    covered_until TEXT NOT NULL,           -- … up to (not including) this
    computed_ts INTEGER NOT NULL
);
"""


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _upgrade(conn: sqlite3.Connection) -> None:
    """Bring a state.db from before tiered warnings (alerts keyed uniquely, no kinds) forward."""
    if not _columns(conn, "alerts") or "notices" in _columns(conn, "alerts"):
        return
    conn.executescript("""
        BEGIN IMMEDIATE;
        ALTER TABLE alerts RENAME TO alerts_v0;
        ALTER TABLE outbox RENAME TO outbox_v0;
        DROP INDEX IF EXISTS alerts_status;
        DROP INDEX IF EXISTS outbox_due;
        COMMIT;""")
    conn.executescript(SCHEMA)
    conn.executescript("""
        BEGIN IMMEDIATE;
        INSERT INTO alerts (alert_id, key, rule, level, title, body, city, post_ids, status,
                            created_at, updated_at, notices)
            SELECT alert_id, key, rule, level, title, body, city, post_ids, status, created_at,
                   updated_at, 1 FROM alerts_v0;
        INSERT OR IGNORE INTO outbox (message_id, alert_id, notifier, kind, dedup_key, payload, status,
                            attempts, next_attempt_ts, last_error, created_at, sent_at)
            SELECT message_id, alert_id, notifier, 'new', alert_id || ':new:1:' || notifier,
                   payload, status, attempts, next_attempt_ts, last_error, created_at, sent_at
            FROM outbox_v0;
        DROP TABLE alerts_v0;
        DROP TABLE outbox_v0;
        COMMIT;""")


class StateDB:
    """Thread-safe access to the state database (one connection per thread, WAL)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        _upgrade(self.conn)
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

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE): concurrent writers wait instead of interleaving."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
