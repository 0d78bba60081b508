"""The outbox: a receiver down for hours gets each message exactly once; a failing webhook never
writes its key into the outbox."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from alerts.cycle import run_cycle
from core.db import StateDB
from tests.alerts.conftest import NOW, log_lines, make_config, make_post, store_posts


def outbox_rows(config):
    state = StateDB(config.state_path)
    rows = state.query("SELECT * FROM outbox ORDER BY message_id")
    state.close()
    return rows


def test_receiver_down_for_hours_then_delivered_exactly_once(tmp_path, receiver):
    config = make_config(tmp_path, rules=[{"name": "post", "type": "post"}], notifiers=[
        {"name": "hook", "type": "webhook", "url": receiver.url},
        {"name": "log", "type": "file", "path": str(tmp_path / "alerts.jsonl")}])
    store_posts(config, [make_post(2, severity=4, influence=0.9), make_post(3, severity=3)])
    receiver.stop()
    first = run_cycle(config, now=NOW)
    assert first["queued"] == 4 and first["sent"] == 2 and first["failed"] == 1  # the file works
    for minutes in range(10, 4 * 60, 10):  # four hours of cycles against a dead channel
        counts = run_cycle(config, now=NOW + timedelta(minutes=minutes))
        assert counts["sent"] == 0
    waiting = [r for r in outbox_rows(config) if r["notifier"] == "hook"]
    assert all(r["status"] == "pending" and r["attempts"] >= 5 for r in waiting)
    assert receiver.url not in waiting[0]["last_error"] and "hook" in waiting[0]["last_error"]

    receiver.start()
    back = run_cycle(config, now=NOW + timedelta(hours=4, minutes=16))
    assert back["sent"] == 2
    for minutes in (20, 40, 60):
        assert run_cycle(config, now=NOW + timedelta(hours=4, minutes=minutes))["sent"] == 0
    assert len(receiver.bodies) == 2
    assert len({b["message_id"] for b in receiver.bodies}) == 2
    assert len(log_lines(tmp_path)) == 2


def test_a_failing_webhook_never_writes_its_key_into_the_outbox(tmp_path, receiver, monkeypatch):
    """A robot that refuses the message quoting the request URL back (key, signature and all)."""
    secret = f"Hk-{uuid.uuid4().hex}"
    monkeypatch.setenv("TOUSU_TEST_KEY", secret)
    monkeypatch.setenv("TOUSU_TEST_SIGN", f"Sg-{uuid.uuid4().hex}")
    config = make_config(tmp_path, rules=[{"name": "post", "type": "post"}], notifiers=[
        {"name": "ding", "type": "webhook", "format": "dingtalk", "secret": "${TOUSU_TEST_SIGN}",
         "url": receiver.url + "?access_token=${TOUSU_TEST_KEY}"}])
    receiver.reply = {"errcode": 310000, "errmsg": "sign not match, more: [" + receiver.url
                      + f"?access_token={secret}&timestamp=1&sign=c2lnbmF0dXJl]"}
    store_posts(config, [make_post(2, severity=4, influence=0.9)])
    assert run_cycle(config, now=NOW)["failed"] == 1
    assert secret in receiver.paths[0]                     # the key was sent, to the robot only
    rows = outbox_rows(config)
    error = rows[0]["last_error"]
    assert error.startswith("notifier ding: rejected: 310000 sign not match")
    assert "access_token=${TOUSU_TEST_KEY}" in error and "sign=***" in error
    for row in rows:
        assert secret not in json.dumps(row, ensure_ascii=False)
