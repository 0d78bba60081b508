"""A state.db from before tiered warnings is carried forward; the `warnings` command."""

from __future__ import annotations

import json
import sqlite3

from typer.testing import CliRunner

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
    alert = state.query("SELECT * FROM alerts")[0]
    assert alert["key"] == "post:x" and alert["notices"] == 1 and alert["status"] == "open"
    message = state.query("SELECT * FROM outbox")[0]
    assert message["kind"] == "new" and message["status"] == "pending" and message["attempts"] == 2
    state.close()
    StateDB(path).close()  # idempotent


def test_warnings_command_silence_outbox_and_list(tmp_path, monkeypatch):
    from tests.conftest import write_config
    from tousu.cli.main import app

    config = write_config(tmp_path, warnings={"notifiers": [
        {"name": "log", "type": "file", "path": str(tmp_path / "a.jsonl")}]})
    runner = CliRunner()

    def call(*args):
        result = runner.invoke(app, ["--config", str(config), "warnings", *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert "silenced post" in call("--silence", "post", "--for", "30m", "--reason", "演练")
    state = StateDB(tmp_path / "data" / "state.db")
    assert state.query("SELECT target, reason FROM silences") == [{"target": "post", "reason": "演练"}]
    assert "unsilenced post" in call("--unsilence", "post")
    assert "not silenced" in call("--unsilence", "post")
    assert json.loads(call("--outbox", "--json")) == []
    assert json.loads(call("--json")) == []
    bad = runner.invoke(app, ["--config", str(config), "warnings", "--silence", "x", "--for", "soon"])
    assert bad.exit_code == 2
