"""The cases package's tables in state.db; the audit log and the notes refuse change."""

from __future__ import annotations

from core.db import Schema, append_only

TABLES = f"""
CREATE TABLE IF NOT EXISTS cases (
    case_id INTEGER PRIMARY KEY,
    case_no TEXT UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    post_id TEXT,
    url TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    city TEXT,
    branch TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT '[]',
    tier INTEGER NOT NULL DEFAULT 0,
    level INTEGER,
    alert_id INTEGER UNIQUE,
    origin TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    status_since TEXT NOT NULL,
    first_response_due TEXT NOT NULL,
    closure_due TEXT NOT NULL,
    first_response_at TEXT,
    closed_at TEXT,
    reply_text TEXT,
    reply_script_id INTEGER,
    offline_result TEXT
);
CREATE INDEX IF NOT EXISTS cases_status ON cases (status, city);
CREATE INDEX IF NOT EXISTS cases_created ON cases (created_at);
CREATE INDEX IF NOT EXISTS cases_post ON cases (post_id);

CREATE TABLE IF NOT EXISTS case_audit (
    audit_id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS case_audit_case ON case_audit (case_id, audit_id);
{append_only('case_audit')}

CREATE TABLE IF NOT EXISTS case_notes (
    note_id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    script_id INTEGER,
    script_version INTEGER
);
CREATE INDEX IF NOT EXISTS case_notes_case ON case_notes (case_id, note_id);
{append_only('case_notes')}

CREATE TABLE IF NOT EXISTS case_posts (
    case_id INTEGER NOT NULL,
    post_id TEXT NOT NULL,
    relation TEXT NOT NULL,
    PRIMARY KEY (case_id, post_id)
);

CREATE TABLE IF NOT EXISTS case_escalations (
    case_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    alert_id INTEGER,
    PRIMARY KEY (case_id, kind)
);
"""

# 工单质检: what a closed case says (root cause, 处理场景, 计划解决时间), 无效工单, the 质检 checks of
# closed cases (one per closure sampled), and the duplicate dispatches folded into an open case.
QUALITY = """
ALTER TABLE cases ADD COLUMN root_cause_group TEXT;
ALTER TABLE cases ADD COLUMN root_cause TEXT;
ALTER TABLE cases ADD COLUMN root_cause_note TEXT;
ALTER TABLE cases ADD COLUMN scenario TEXT;
ALTER TABLE cases ADD COLUMN resolved INTEGER;
ALTER TABLE cases ADD COLUMN planned_fix_date TEXT;
ALTER TABLE cases ADD COLUMN invalid_reason TEXT;

CREATE TABLE IF NOT EXISTS case_checks (
    check_id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL,
    branch TEXT NOT NULL,
    tier INTEGER NOT NULL,
    basis TEXT NOT NULL,
    sampled_at TEXT NOT NULL,
    sampled_by TEXT NOT NULL,
    result TEXT,
    comment TEXT NOT NULL DEFAULT '',
    checked_at TEXT,
    checked_by TEXT,
    UNIQUE (case_id, closed_at)
);
CREATE INDEX IF NOT EXISTS case_checks_result ON case_checks (result, checked_at);

CREATE TABLE IF NOT EXISTS case_duplicates (
    dup_id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL,
    branch TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    origin TEXT NOT NULL,
    post_ids TEXT NOT NULL DEFAULT '[]',
    alert_id INTEGER,
    duplicate_case_id INTEGER
);
CREATE INDEX IF NOT EXISTS case_duplicates_alert ON case_duplicates (alert_id);
CREATE INDEX IF NOT EXISTS case_duplicates_at ON case_duplicates (at);
CREATE TRIGGER IF NOT EXISTS case_duplicates_no_update BEFORE UPDATE ON case_duplicates
BEGIN SELECT RAISE(ABORT, 'case_duplicates is append-only'); END;
"""

SCHEMA = Schema("cases", (TABLES, QUALITY))

NOTE_KINDS = {"comment": "备注", "info_request": "补充信息要求", "online_reply": "线上回复",
              "offline_result": "线下处理结果", "reason": "原因说明", "qc": "质检意见"}
