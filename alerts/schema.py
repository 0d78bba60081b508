"""The alerts package's tables in state.db: alerts, the outbox, silences, the volume bases, and
the review of warnings (审核), recipient groups, the warnings' audit log and the explanations of
volume and spike warnings."""

from __future__ import annotations

import sqlite3

from core.db import Schema, append_only, run_script

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
    status TEXT NOT NULL DEFAULT 'pending', -- pending | sending | sent | held | digested | folded
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


# Warning review and manual warnings (alerts/review.py, alerts/manual.py). A warning without a
# row in alert_reviews was published at once by a rule (自动监控, no review). The outbox holds a
# held warning's messages with status 'review' until approval makes them 'pending' (or 'dropped'
# for a recipient the reviewer took off) or rejection makes them 'rejected'; neither is sent.
REVIEW = """
CREATE TABLE IF NOT EXISTS alert_reviews (
    alert_id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,                  -- auto (自动监控) | manual (人工发布)
    state TEXT NOT NULL,                   -- held (待审) | approved (通过) | rejected (未通过)
                                           -- | published (人工发布, level not held: 免审)
    warning_type TEXT NOT NULL DEFAULT '', -- 预警类型
    department TEXT NOT NULL DEFAULT '',   -- 发布部门
    cities TEXT NOT NULL DEFAULT '[]',     -- 涉及地市
    recipients TEXT,                       -- notifier names (JSON); NULL: routed by the notifiers' rules
    stage INTEGER NOT NULL DEFAULT 0,      -- the step of warnings.reviewers asked now
    stage_due_ts INTEGER,                  -- when the step times out and the next one is asked
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    reason TEXT NOT NULL DEFAULT '',       -- why it was rejected, or the reviewer's note
    published_at TEXT                      -- when its messages were released
);
CREATE INDEX IF NOT EXISTS alert_reviews_state ON alert_reviews (state, stage_due_ts);
CREATE TABLE IF NOT EXISTS recipient_groups (
    name TEXT PRIMARY KEY,
    notifiers TEXT NOT NULL,               -- JSON list of notifier names (warnings.notifiers)
    note TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS warning_audit (
    audit_id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,                   -- the user, 'system' for the monitor's cycle
    action TEXT NOT NULL,                  -- a key of alerts.audit.ACTION_LABELS
    alert_id INTEGER,                      -- NULL for a recipient group change
    detail TEXT NOT NULL DEFAULT '{}'      -- JSON: what changed, the reason, who was asked
);
CREATE INDEX IF NOT EXISTS warning_audit_alert ON warning_audit (alert_id, audit_id);
""" + append_only("warning_audit")

# Why a volume or spike warning fired (alerts.explanation), as JSON; kept beside `data` (the
# rule's figures) and rewritten with it while the alert is open. NULL for other rules.
EXPLANATION = "ALTER TABLE alerts ADD COLUMN explanation TEXT;"

# Quiet alerting (alerts/quiet.py): why a message was held (NULL: sent as queued) — 'fold' (抑制:
# a per-post warning inside an open event, sent as part of the event's update), 'group' (分组
# window), 'mute' (静默时段), 'digest' (a notifier's clock-aligned digest), 'check' (held to the end
# of its cycle for the inhibition check); the group it waits in, and when the group is released.
# Held messages stay rows of the outbox, so a restart loses none and releases each group once.
QUIET = """
ALTER TABLE outbox ADD COLUMN hold TEXT;
ALTER TABLE outbox ADD COLUMN group_key TEXT;
ALTER TABLE outbox ADD COLUMN release_ts INTEGER;
UPDATE outbox SET hold = 'digest', group_key = 'digest', release_ts = next_attempt_ts
    WHERE status = 'held';
CREATE INDEX IF NOT EXISTS outbox_held ON outbox (status, release_ts);
CREATE INDEX IF NOT EXISTS outbox_alert ON outbox (alert_id);
"""

SCHEMA = Schema("alerts", (TABLES, from_untiered, REVIEW, EXPLANATION, QUIET))
