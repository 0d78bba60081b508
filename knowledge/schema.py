"""The knowledge package's tables in state.db: guides and typical cases, each with its versions."""

from __future__ import annotations

from core.db import Schema

# The version columns every reviewed library has (reply_scripts.review) follow each own's fields.
_REVIEW = """
    status TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    approver TEXT,
    approved_at TEXT,
    retired_at TEXT,
    review_note TEXT NOT NULL DEFAULT '',
"""

TABLES = f"""
CREATE TABLE IF NOT EXISTS guides (
    guide_id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS guide_versions (
    guide_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    categories TEXT NOT NULL,
    topic TEXT NOT NULL DEFAULT '',
    symptoms TEXT NOT NULL,
    steps TEXT NOT NULL,
    checks TEXT NOT NULL DEFAULT '[]',
    handover TEXT NOT NULL DEFAULT '',{_REVIEW}
    PRIMARY KEY (guide_id, version)
);
CREATE TABLE IF NOT EXISTS typical_cases (
    typical_id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    case_id INTEGER UNIQUE,
    case_no TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    tier INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS typical_versions (
    typical_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    categories TEXT NOT NULL,
    problem TEXT NOT NULL,
    reply TEXT NOT NULL DEFAULT '',
    fix TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    lesson TEXT NOT NULL DEFAULT '',{_REVIEW}
    PRIMARY KEY (typical_id, version)
);
"""

SCHEMA = Schema("knowledge", (TABLES,))
