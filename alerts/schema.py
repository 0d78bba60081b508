"""The alerts package's tables in state.db: alerts, the outbox, silences and the volume bases."""

from __future__ import annotations

import sqlite3

from core.db import Schema, run_script

TABLES = """
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


def from_untiered(conn: sqlite3.Connection) -> None:
    """Carry alerts and messages of a state.db from before tiered warnings (alerts keyed
    uniquely, messages without kinds) into today's tables."""
    if "notices" in _columns(conn, "alerts"):
        return
    # Renamed tables keep their indexes, names and all: drop them so TABLES makes them anew.
    run_script(conn, """
        ALTER TABLE alerts RENAME TO alerts_v0;
        ALTER TABLE outbox RENAME TO outbox_v0;
        DROP INDEX IF EXISTS alerts_open_key;
        DROP INDEX IF EXISTS alerts_key;
        DROP INDEX IF EXISTS alerts_status;
        DROP INDEX IF EXISTS outbox_due;""")
    run_script(conn, TABLES)
    run_script(conn, """
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
        DROP TABLE outbox_v0;""")


SCHEMA = Schema("alerts", (TABLES, from_untiered))
