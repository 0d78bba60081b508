"""The alerts tables: a state.db from before tiered warnings is carried forward; the review
tables join a database at version 2, the explanation column one at version 3, and the warnings'
audit log refuses change."""

from __future__ import annotations

import sqlite3

import pytest

from alerts.schema import SCHEMA
from core.db import StateDB

OLD_SCHEMA = """
CREATE TABLE alerts (alert_id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, rule TEXT NOT NULL,
    level INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, city TEXT,
    post_ids TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open', created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE INDEX alerts_status ON alerts (status, level);
CREATE TABLE outbox (message_id INTEGER PRIMARY KEY, alert_id INTEGER NOT NULL,
    notifier TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ts INTEGER NOT NULL, last_error TEXT,
    created_at TEXT NOT NULL, sent_at TEXT, UNIQUE (alert_id, notifier, payload));
CREATE INDEX outbox_due ON outbox (status, next_attempt_ts);
INSERT INTO alerts VALUES (1, 'post:x', 'post', 1, '【一级预警·红色】t', 'b', '衡阳', '["x"]', 'open',
    '2026-11-20T09:00:00+08:00', '2026-11-20T09:00:00+08:00');
INSERT INTO outbox VALUES (1, 1, 'log', '{"title": "t"}', 'pending', 2, 0, 'down',
    '2026-11-20T09:00:00+08:00', NULL);
"""


def test_old_state_db_is_upgraded_in_place(tmp_path):
    path = tmp_path / "state.db"
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    conn.close()
    state = StateDB(path)
    state.ensure(SCHEMA)
    alert = state.query("SELECT * FROM alerts")[0]
    assert alert["key"] == "post:x" and alert["notices"] == 1 and alert["status"] == "open"
    message = state.query("SELECT * FROM outbox")[0]
    assert message["kind"] == "new" and message["status"] == "pending" and message["attempts"] == 2
    indexes = {r["name"]: r["tbl_name"] for r in state.query(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    assert indexes == {"alerts_open_key": "alerts", "alerts_key": "alerts",
                       "alerts_status": "alerts", "outbox_due": "outbox", "outbox_held": "outbox",
                       "outbox_alert": "outbox",
                       "alert_reviews_state": "alert_reviews", "warning_audit_alert": "warning_audit"}
    assert not state.query("SELECT name FROM sqlite_master WHERE name LIKE '%_v0'")
    state.close()
    again = StateDB(path)
    again.ensure(SCHEMA)  # idempotent
    assert again.query("SELECT alert_id, notices FROM alerts") == [{"alert_id": 1, "notices": 1}]
    assert again.query("SELECT version FROM schema_versions WHERE owner = 'alerts'") == [
        {"version": SCHEMA.version}]
    again.close()


def test_review_tables_join_a_version_2_database_and_the_audit_log_is_append_only(tmp_path):
    from core.db import Schema

    state = StateDB(tmp_path / "state.db")
    state.ensure(Schema("alerts", SCHEMA.steps[:2]))
    state.execute("INSERT INTO alerts (key, rule, level, title, body, post_ids, created_at, "
                  "updated_at) VALUES ('post:a', 'post', 1, 't', 'b', '[]', 'x', 'x')")
    again = StateDB(tmp_path / "state.db")
    again.ensure(SCHEMA)
    assert again.query("SELECT key FROM alerts") == [{"key": "post:a"}]
    assert again.query("SELECT count(*) AS n FROM alert_reviews") == [{"n": 0}]
    again.execute("INSERT INTO warning_audit (at, actor, action) VALUES ('x', 'system', 'hold')")
    for statement in ("UPDATE warning_audit SET actor = 'someone'", "DELETE FROM warning_audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            again.execute(statement)
    assert again.query("SELECT actor FROM warning_audit") == [{"actor": "system"}]
    state.close()
    again.close()


def test_explanation_column_joins_a_version_3_database(tmp_path):
    from core.db import Schema

    state = StateDB(tmp_path / "state.db")
    state.ensure(Schema("alerts", SCHEMA.steps[:3]))
    state.execute("INSERT INTO alerts (key, rule, level, title, body, post_ids, created_at, "
                  "updated_at) VALUES ('volume:v:all', 'v', 2, 't', 'b', '[]', 'x', 'x')")
    state.close()
    again = StateDB(tmp_path / "state.db")
    again.ensure(SCHEMA)
    assert again.query("SELECT key, explanation FROM alerts") == [
        {"key": "volume:v:all", "explanation": None}]
    again.close()


def test_held_digest_messages_of_a_version_4_database_are_kept_as_digest_holds(tmp_path):
    from core.db import Schema

    state = StateDB(tmp_path / "state.db")
    state.ensure(Schema("alerts", SCHEMA.steps[:4]))
    for n, status in enumerate(("held", "sent"), 1):
        state.execute("INSERT INTO outbox (alert_id, notifier, kind, dedup_key, payload, status, "
                      "next_attempt_ts, created_at) VALUES (1, 'log', 'new', ?, '{}', ?, 1000, 'x')",
                      (f"1:new:{n}:log", status))
    again = StateDB(tmp_path / "state.db")
    again.ensure(SCHEMA)
    assert again.query("SELECT status, hold, group_key, release_ts FROM outbox ORDER BY message_id") == [
        {"status": "held", "hold": "digest", "group_key": "digest", "release_ts": 1000},
        {"status": "sent", "hold": None, "group_key": None, "release_ts": None}]
    state.close()
    again.close()
