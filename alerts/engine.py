"""The alert lifecycle: open → (update, escalate, remind) → resolved, one open alert per key.

A rule hands over the conditions that hold now (matches). For each rule, in one transaction:
a match without an open alert opens one (notice `new`); a match with an open alert updates it and
notices it again only when its level rises (`escalated`, at once), when an event has grown by
`update_growth` (`update`), or, for ongoing conditions, as a `reminder` — the last two not before
the realert time, which grows by `realert_backoff` each time; an open alert without a match is
resolved (notice `resolved`). An acknowledged alert counts as open but gets no reminders.
Silenced rules and keys keep their alerts but queue no message. Notices go through the review
gate (alerts.review.notify): a new warning at a held level waits for a reviewer.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import datetime
from typing import Any

from alerts.levels import level_tag
from alerts.model import Match, seconds
from alerts.review import notify
from alerts.schema import SCHEMA
from alerts.config import AppConfig
from core.post import iso
from core.db import StateDB


def silenced_targets(state: StateDB, now: datetime) -> set[str]:
    """Rule names and alert keys silenced at `now`."""
    state.ensure(SCHEMA)
    rows = state.query("SELECT target FROM silences WHERE until_ts > ?", (int(now.timestamp()),))
    return {r["target"] for r in rows}


def silence(state: StateDB, target: str, until: datetime, reason: str, now: datetime) -> None:
    """Silence a rule (by name) or one alert (by key) until a time."""
    state.ensure(SCHEMA)
    state.execute("INSERT OR REPLACE INTO silences (target, until_ts, reason, created_at) "
                  "VALUES (?, ?, ?, ?)", (target, int(until.timestamp()), reason, iso(now)))


def unsilence(state: StateDB, target: str) -> bool:
    """Lift a silence; False when there was none."""
    state.ensure(SCHEMA)
    return state.execute("DELETE FROM silences WHERE target = ?", (target,)).rowcount > 0


def acknowledge(state: StateDB, alert_id: int, user: str, now: datetime | None = None) -> bool:
    """Someone handles the alert: no more reminders; escalation and resolution are still sent.
    False when the alert is not open."""
    state.ensure(SCHEMA)
    stamp = iso(now or datetime.now().astimezone())
    return state.execute(
        "UPDATE alerts SET status = 'acknowledged', updated_at = ?, "
        "data = json_set(data, '$.acknowledged_by', ?, '$.acknowledged_at', ?) "
        "WHERE alert_id = ? AND status = 'open'", (stamp, user, stamp, alert_id)).rowcount > 0


def _next_notice(spec: Any, notices: int, now_ts: int) -> int | None:
    if not spec.realert:
        return None
    wait = min(seconds(spec.realert) * spec.realert_backoff ** max(notices - 1, 0),
               seconds(spec.realert_max))
    return int(now_ts + wait)


def _row_values(spec: Any, rule_type: str, match: Match) -> dict[str, Any]:
    data = {**match.data, "subject": match.subject, "posts": match.posts[:10],
            "rule_type": rule_type, "size": match.size}
    return {"level": match.level, "title": f"【{level_tag(match.level)}】{match.subject}",
            "body": match.body, "city": match.city,
            "categories": json.dumps(match.categories, ensure_ascii=False),
            "source": match.source, "post_ids": json.dumps(match.post_ids),
            "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
            "explanation": (json.dumps(match.explanation, ensure_ascii=False, sort_keys=True)
                            if match.explanation is not None else None)}


def _notice(conn: sqlite3.Connection, config: AppConfig, alert_id: int, kind: str, seq: int,
            now: datetime, muted: bool) -> int:
    if muted:
        return 0
    alert = dict(conn.execute("SELECT * FROM alerts WHERE alert_id = ?", (alert_id,)).fetchone())
    return notify(conn, config, alert, kind, seq, now)


def apply_matches(state: StateDB, config: AppConfig, spec: Any, rule_type: Any,
                  matches: list[Match], now: datetime, muted: set[str]) -> dict[str, int]:
    """Reconcile one rule's open alerts with what holds now; queue the notices."""
    state.ensure(SCHEMA)
    counts = {"new": 0, "updated": 0, "resolved": 0, "notices": 0, "queued": 0}
    now_ts = int(now.timestamp())
    stamp = iso(now)
    rule_muted = spec.name in muted
    unique = {m.key: m for m in matches}
    with state.atomic() as conn:
        open_rows = {r["key"]: dict(r) for r in conn.execute(
            "SELECT * FROM alerts WHERE rule = ? AND status IN ('open', 'acknowledged')",
            (spec.name,))}
        for key, match in unique.items():
            row = open_rows.pop(key, None)
            reviewed_level = json.loads(row["data"] or "{}").get("reviewed_level") if row else None
            if reviewed_level:  # a reviewer set the level (alerts.review): it stays
                match = replace(match, level=reviewed_level,
                                data={**match.data, "reviewed_level": reviewed_level})
            if row is not None and not getattr(rule_type, "track_changes", True) and \
                    match.level >= row["level"]:
                continue  # a post's alert keeps its first text unless the level rises
            values = _row_values(spec, spec.type, match)
            is_muted = rule_muted or key in muted
            if row is None:
                if not rule_type.reopen and conn.execute(
                        "SELECT 1 FROM alerts WHERE key = ? LIMIT 1", (key,)).fetchone():
                    continue
                cur = conn.execute(
                    "INSERT INTO alerts (key, rule, level, title, body, city, categories, source, "
                    "post_ids, data, explanation, status, created_at, updated_at, notices, "
                    "last_notice_ts, next_notice_ts, notified_size) VALUES (:key, :rule, :level, "
                    ":title, :body, :city, :categories, :source, :post_ids, :data, :explanation, "
                    "'open', :stamp, :stamp, 1, :now, :next, :size)",
                    {**values, "key": key, "rule": spec.name, "stamp": stamp, "now": now_ts,
                     "next": _next_notice(spec, 1, now_ts), "size": match.size})
                counts["new"] += 1
                counts["notices"] += 1
                counts["queued"] += _notice(conn, config, int(cur.lastrowid), "new", 1, now, is_muted)
                continue
            kind = None
            due = row["next_notice_ts"] is not None and now_ts >= row["next_notice_ts"]
            if match.level < row["level"]:
                kind = "escalated"
            elif due and not rule_type.reminders and row["notified_size"] and \
                    match.size >= row["notified_size"] * getattr(spec, "update_growth", 2.0):
                kind = "update"
            elif due and rule_type.reminders and row["status"] == "open":
                kind = "reminder"
            changed = any(str(values[k]) != str(row[k]) for k in values)
            if not changed and kind is None:
                continue
            notices = row["notices"] + (1 if kind else 0)
            conn.execute(
                "UPDATE alerts SET level = :level, title = :title, body = :body, city = :city, "
                "categories = :categories, source = :source, post_ids = :post_ids, data = :data, "
                "explanation = :explanation, updated_at = :stamp, notices = :notices, "
                "last_notice_ts = :last, next_notice_ts = :next, notified_size = :size "
                "WHERE alert_id = :id",
                {**values, "stamp": stamp, "notices": notices,
                 "last": now_ts if kind else row["last_notice_ts"],
                 "next": _next_notice(spec, notices, now_ts) if kind else row["next_notice_ts"],
                 "size": match.size if kind else row["notified_size"], "id": row["alert_id"]})
            counts["updated"] += 1
            if kind:
                counts["notices"] += 1
                counts["queued"] += _notice(conn, config, row["alert_id"], kind, notices, now,
                                            rule_muted or key in muted)
        for key, row in open_rows.items():
            conn.execute("UPDATE alerts SET status = 'resolved', resolved_at = ?, updated_at = ? "
                         "WHERE alert_id = ?", (stamp, stamp, row["alert_id"]))
            counts["resolved"] += 1
            if spec.notify_resolved:
                counts["notices"] += 1
                counts["queued"] += _notice(conn, config, row["alert_id"], "resolved",
                                            row["notices"] + 1, now, rule_muted or key in muted)
    return counts
