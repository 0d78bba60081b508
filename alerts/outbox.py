"""The outbox: every message waits here until delivered; retries back off; restarts lose nothing."""

from __future__ import annotations

import json
import time
from typing import Any

from alerts.notifiers import NotifierError
from tousu.config import Config
from tousu.post import iso, now_cst
from tousu.state import StateDB

MAX_BACKOFF = 3600


def enqueue(state: StateDB, config: Config, alert_ids: list[int]) -> int:
    """Queue one message per (alert, matching notifier); returns how many were queued."""
    queued = 0
    for alert_id in alert_ids:
        rows = state.query("SELECT * FROM alerts WHERE alert_id = ?", (alert_id,))
        if not rows:
            continue
        alert = rows[0]
        message = {"alert_id": alert_id, "key": alert["key"], "level": alert["level"],
                   "title": alert["title"], "body": alert["body"], "city": alert["city"],
                   "post_ids": json.loads(alert["post_ids"]),
                   "console": f"http://{config.dashboard.host}:{config.dashboard.port}/"}
        for spec in config.warnings.notifiers:
            if alert["level"] > spec.min_level:
                continue
            if spec.cities and alert["city"] not in spec.cities:
                continue
            cur = state.execute(
                "INSERT OR IGNORE INTO outbox (alert_id, notifier, payload, next_attempt_ts, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (alert_id, spec.name, json.dumps(message, ensure_ascii=False), 0, iso(now_cst())))
            queued += cur.rowcount
    return queued


def deliver_due(state: StateDB, notifiers: dict[str, Any], now: float | None = None) -> dict[str, int]:
    """Try every due message once; returns counts of sent and failed."""
    now = time.time() if now is None else now
    counts = {"sent": 0, "failed": 0}
    due = state.query("SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_ts <= ? "
                      "ORDER BY message_id", (int(now),))
    for message in due:
        notifier = notifiers.get(message["notifier"])
        try:
            if notifier is None:
                raise NotifierError(f"notifier {message['notifier']} is no longer configured")
            notifier.send(json.loads(message["payload"]))
        except NotifierError as exc:
            attempts = message["attempts"] + 1
            state.execute("UPDATE outbox SET attempts = ?, next_attempt_ts = ?, last_error = ? "
                          "WHERE message_id = ?",
                          (attempts, int(now + min(MAX_BACKOFF, 15 * 2 ** attempts)), str(exc),
                           message["message_id"]))
            counts["failed"] += 1
            continue
        state.execute("UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, "
                      "last_error = NULL WHERE message_id = ?", (iso(now_cst()), message["message_id"]))
        counts["sent"] += 1
    return counts
