"""The outbox: every message waits here until delivered; retries back off; restarts lose nothing.

A notice is queued in the same transaction that changes its alert, one row per notifier it is
routed to (per phone for SMS), with a unique dedup key, so evaluating twice queues nothing twice.
Delivery claims a row with a lease before sending; a process that dies mid-send leaves a lease
that expires and the row is tried again (so a crash between "sent" and "recorded" can repeat one
message; the message id travels as Idempotency-Key / Message-ID for receivers that drop repeats).
A warning held for review (alerts/review.py) has its messages here as 'review': never delivered,
released in place on approval, so a restart in the middle of a review loses nothing.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any, Collection

from alerts.messages import payload
from alerts.notifiers import NotifierError
from alerts.quiet import hold_for
from alerts.config import Notifier, AppConfig
from alerts.schema import SCHEMA
from core.post import iso
from core.db import StateDB

MAX_BACKOFF = 900   # a channel down for hours is retried every 15 minutes at most
FIRST_BACKOFF = 15
LEASE = 120


def enqueue_notice(conn: sqlite3.Connection, config: AppConfig, alert: dict[str, Any], kind: str,
                   seq: int, now: datetime, overrides: dict[str, Any] | None = None, *,
                   to: Collection[str] | None = None, status: str = "pending",
                   quiet: bool = True) -> int:
    """Queue one notice about an alert to every notifier routed to it; returns rows queued.
    `overrides` replaces fields of the message (a title, a console link).

    `to` names the notifiers instead of the routing (recipients a person chose). `status`
    'review' keeps the messages for a held warning (审核) until queued again as 'pending', which
    releases them with the payload as it is then; a message already released stays as it is.
    A pending message may be held instead (alerts.quiet: muted, grouped, digested, checked
    against open events); `quiet` False sends it at once whatever the notifier's quiet options."""
    queued = 0
    now_ts = int(now.timestamp())
    for spec in config.warnings.notifiers:
        if not (spec.name in to if to is not None else spec.receives(alert, kind)):
            continue
        hold = hold_for(conn, config, spec, alert, kind, now) \
            if status == "pending" and quiet else None
        for recipient in (spec.phones if spec.type == "sms" else [None]):
            dedup = f"{alert['alert_id']}:{kind}:{seq}:{spec.name}" + (f":{recipient}" if recipient else "")
            message = {**payload(config, alert, kind, dedup, now), **(overrides or {})}
            if recipient:
                message["recipient"] = recipient
            cur = conn.execute(
                "INSERT INTO outbox (alert_id, notifier, kind, dedup_key, payload, status, "
                "next_attempt_ts, created_at, hold, group_key, release_ts) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (dedup_key) DO UPDATE SET payload = excluded.payload, "
                "status = excluded.status, next_attempt_ts = excluded.next_attempt_ts, "
                "hold = excluded.hold, group_key = excluded.group_key, "
                "release_ts = excluded.release_ts "
                "WHERE outbox.status = 'review' AND excluded.status != 'review'",
                (alert["alert_id"], spec.name, kind, dedup, json.dumps(message, ensure_ascii=False),
                 "held" if hold else status, now_ts, iso(now), hold and hold.reason,
                 hold and hold.group_key, hold and hold.release_ts))
            queued += cur.rowcount
    return queued


def deliver_due(state: StateDB, notifiers: dict[str, Any], now: datetime | float | None = None,
                down: set[str] | None = None) -> dict[str, int]:
    """Try every due message once, oldest first; returns counts of sent and failed. After a
    notifier fails, its other messages wait for the next cycle instead of failing one by one
    (`down` collects the failed notifiers, to share it between calls in one cycle)."""
    if now is None:
        now = datetime.now().astimezone()
    now_ts = int(now.timestamp()) if isinstance(now, datetime) else int(now)
    stamp = iso(datetime.fromtimestamp(now_ts).astimezone())
    counts = {"sent": 0, "failed": 0}
    state.ensure(SCHEMA)
    due = state.query("SELECT message_id, notifier, payload, attempts FROM outbox WHERE "
                      "(status = 'pending' AND next_attempt_ts <= ?) OR "
                      "(status = 'sending' AND lease_until < ?) ORDER BY message_id",
                      (now_ts, now_ts))
    down = set() if down is None else down
    for message in due:
        name = message["notifier"]
        if name in down:
            continue
        claimed = state.execute(
            "UPDATE outbox SET status = 'sending', lease_until = ? WHERE message_id = ? AND "
            "((status = 'pending' AND next_attempt_ts <= ?) OR (status = 'sending' AND lease_until < ?))",
            (now_ts + LEASE, message["message_id"], now_ts, now_ts)).rowcount
        if not claimed:
            continue  # another process took it
        notifier = notifiers.get(name)
        try:
            if notifier is None:
                raise NotifierError(f"notifier {name} is no longer configured")
            notifier.send(json.loads(message["payload"]))
        except NotifierError as exc:
            attempts = message["attempts"] + 1
            wait = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (attempts - 1))
            state.execute("UPDATE outbox SET status = 'pending', attempts = ?, next_attempt_ts = ?, "
                          "lease_until = NULL, last_error = ? WHERE message_id = ?",
                          (attempts, now_ts + wait, str(exc), message["message_id"]))
            counts["failed"] += 1
            down.add(name)
            continue
        state.execute("UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, "
                      "lease_until = NULL, last_error = NULL WHERE message_id = ?",
                      (stamp, message["message_id"]))
        counts["sent"] += 1
    return counts


def pending_summary(state: StateDB) -> list[dict[str, Any]]:
    """Per notifier: messages waiting, held for a digest, held for review, sent, and the last
    error."""
    state.ensure(SCHEMA)
    return state.query(
        "SELECT notifier, sum(status IN ('pending', 'sending')) AS waiting, "
        "sum(status = 'held') AS held, sum(status = 'review') AS review, "
        "sum(status = 'sent') AS sent, max(attempts) AS max_attempts, "
        "(SELECT last_error FROM outbox o2 WHERE o2.notifier = o.notifier AND last_error IS NOT NULL "
        " AND status = 'pending' ORDER BY message_id DESC LIMIT 1) AS last_error "
        "FROM outbox o GROUP BY notifier ORDER BY notifier")


