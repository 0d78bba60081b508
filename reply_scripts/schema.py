"""The reply_scripts package's tables in state.db: scripts, their versions and their uses."""

from __future__ import annotations

import sqlite3

from core.db import Schema

TABLES = """
CREATE TABLE IF NOT EXISTS scripts (
    script_id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    use_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS script_versions (
    script_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    categories TEXT NOT NULL,
    scenario TEXT NOT NULL,
    body TEXT NOT NULL,
    risk_note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    approver TEXT,
    approved_at TEXT,
    retired_at TEXT,
    review_note TEXT NOT NULL DEFAULT '',
    tiers TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (script_id, version)
);
CREATE INDEX IF NOT EXISTS script_versions_status ON script_versions (status);
CREATE TABLE IF NOT EXISTS script_uses (
    use_id INTEGER PRIMARY KEY,
    script_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    case_id INTEGER,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


def add_tiers(conn: sqlite3.Connection) -> None:
    """A library created before scripts had tiers gets the column (empty: for every tier)."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(script_versions)")}
    if "tiers" not in columns:
        conn.execute("ALTER TABLE script_versions ADD COLUMN tiers TEXT NOT NULL DEFAULT '[]'")


SCHEMA = Schema("reply_scripts", (TABLES, add_tiers))
