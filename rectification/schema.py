"""The rectification package's tables in state.db; its audit log and notes refuse change."""

from __future__ import annotations

from core.db import Schema, append_only

TABLES = f"""
CREATE TABLE IF NOT EXISTS rectify_items (
    item_id INTEGER PRIMARY KEY,
    item_no TEXT UNIQUE,                  -- DB202611001: 督办, the month opened, the id
    problem TEXT NOT NULL,
    category TEXT,                        -- a complaint category, when the problem is one
    city TEXT,                            -- NULL: the whole province
    district TEXT NOT NULL DEFAULT '',
    owner_department TEXT NOT NULL,
    owners TEXT NOT NULL DEFAULT '[]',    -- usernames of named handlers (JSON), besides the city's
    deadline TEXT NOT NULL,               -- 'YYYY-MM-DD': due by the end of that day, China time
    measure TEXT NOT NULL,                -- the expected measure (预期整改措施)
    origin TEXT NOT NULL,                 -- event | volume | cases | candidate | manual
    alert_id INTEGER,
    status TEXT NOT NULL,
    progress INTEGER,                     -- the latest progress note's percentage
    last_progress_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT,
    closed_by TEXT,
    evidence TEXT,
    evidence_ref TEXT
);
CREATE INDEX IF NOT EXISTS rectify_items_status ON rectify_items (status, deadline);

CREATE TABLE IF NOT EXISTS rectify_links (
    item_id INTEGER NOT NULL,
    kind TEXT NOT NULL,                   -- case | post
    ref TEXT NOT NULL,                    -- the case id or the post id
    via TEXT NOT NULL,                    -- alert | cases | candidate | manual
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (item_id, kind, ref)
);

CREATE TABLE IF NOT EXISTS rectify_notes (
    note_id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    author_role TEXT NOT NULL,
    kind TEXT NOT NULL,                   -- progress | remark | evidence | reason
    body TEXT NOT NULL,
    percent INTEGER,
    attachment TEXT
);
CREATE INDEX IF NOT EXISTS rectify_notes_item ON rectify_notes (item_id, note_id);
{append_only('rectify_notes')}

CREATE TABLE IF NOT EXISTS rectify_audit (
    audit_id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS rectify_audit_item ON rectify_audit (item_id, audit_id);
{append_only('rectify_audit')}

CREATE TABLE IF NOT EXISTS rectify_worst (
    month TEXT PRIMARY KEY,               -- 'YYYY-MM': 一月一事, one item a month
    item_id INTEGER NOT NULL,
    marked_by TEXT NOT NULL,
    marked_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS rectify_escalations (
    item_id INTEGER NOT NULL,
    deadline TEXT NOT NULL,               -- a new deadline starts the stages again
    stage INTEGER NOT NULL,               -- index into rectification.escalation
    at TEXT NOT NULL,
    alert_key TEXT NOT NULL,
    alert_id INTEGER,
    PRIMARY KEY (item_id, deadline, stage)
);
"""

SCHEMA = Schema("rectification", (TABLES,))

NOTE_KINDS = {"progress": "整改进展", "remark": "督办意见", "evidence": "办结证据",
              "reason": "原因说明"}
