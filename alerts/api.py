"""What other packages do with alerts: raise a one-off alert with its notice, resolve one quietly,
read them. Only this package writes `alerts` and `outbox`: the rules' alerts go through
alerts.engine, everyone else's (SLA escalations of cases, a finished report) through here."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

from alerts.config import AppConfig
from alerts.explanation import summary_lines
from alerts.messages import console_base
from alerts.outbox import enqueue_notice
from alerts.schema import SCHEMA
from core.db import StateDB
from core.post import iso, now_cst

_RULE_TYPE = "coalesce(json_extract(a.data, '$.rule_type'), a.rule) AS rule_type"


def raise_alert(state: StateDB, config: AppConfig, *, key: str, rule: str, level: int, title: str,
                body: str, city: str | None = None, post_ids: Iterable[str] = (),
                categories: Iterable[str] = (), status: str = "open",
                rule_type: str | None = None, plain_title: bool = False,
                console_path: str | None = None, now: datetime | None = None) -> int | None:
    """Record an alert (once per key, ever) and queue its `new` notice; returns the alert id, or
    None when an alert with this key already exists.

    `rule_type` defaults to `rule`. `plain_title` makes `title` the message's title instead of
    the warning-level prefix and subject (for reports); `console_path` points the message's
    console link at that page instead of the warnings page.
    """
    state.ensure(SCHEMA)
    now = now or now_cst()
    stamp = iso(now)
    data = {"subject": title, "rule_type": rule_type or rule, "posts": [], "size": 1}
    overrides: dict[str, Any] = {}
    if plain_title:
        overrides["title"] = title
    if console_path:
        overrides["console"] = f"{console_base(config)}/{console_path.lstrip('/')}"
    with state.atomic() as conn:
        if conn.execute("SELECT 1 FROM alerts WHERE key = ? LIMIT 1", (key,)).fetchone():
            return None
        cur = conn.execute(
            "INSERT INTO alerts (key, rule, level, title, body, city, categories, post_ids, data, "
            "status, created_at, updated_at, resolved_at, notices) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            (key, rule, level, title, body, city, json.dumps(list(categories), ensure_ascii=False),
             json.dumps(list(post_ids)), json.dumps(data, ensure_ascii=False), status, stamp,
             stamp, stamp if status != "open" else None))
        alert_id = int(cur.lastrowid)
        alert = dict(conn.execute("SELECT * FROM alerts WHERE alert_id = ?", (alert_id,)).fetchone())
        enqueue_notice(conn, config, alert, "new", 1, now, overrides)
    return alert_id


def resolve_quietly(state: StateDB, key: str, now: datetime) -> bool:
    """Resolve the open alert of `key` without a notice (what it warned of has been dealt with;
    it stays in the history). An acknowledged alert is left as it is. False when none was open."""
    state.ensure(SCHEMA)
    return state.execute("UPDATE alerts SET status = 'resolved', resolved_at = ?, updated_at = ? "
                         "WHERE key = ? AND status = 'open'", (iso(now), iso(now), key)).rowcount > 0


def alerts_at_levels(state: StateDB, levels: Iterable[int], *, exclude_rules: Iterable[str] = (),
                     exclude_ids: Iterable[int] = ()) -> list[dict[str, Any]]:
    """Alert rows at these levels, oldest first, except those of `exclude_rules` and `exclude_ids`
    and those not published: waiting for review or rejected (alerts.review)."""
    state.ensure(SCHEMA)
    return state.query(
        "SELECT * FROM alerts WHERE level IN (SELECT value FROM json_each(?)) "
        "AND rule NOT IN (SELECT value FROM json_each(?)) "
        "AND alert_id NOT IN (SELECT value FROM json_each(?)) "
        "AND alert_id NOT IN (SELECT alert_id FROM alert_reviews WHERE state IN ('held', 'rejected')) "
        "ORDER BY alert_id",
        (json.dumps(list(levels)), json.dumps(list(exclude_rules)), json.dumps(list(exclude_ids))))


def recent_alerts(state: StateDB, limit: int) -> list[dict[str, Any]]:
    """The newest alerts, whatever their status (post_ids as stored: JSON text), with how they
    were published: `origin` (auto | manual) and `review` (None: at once; held, approved…), and
    `rule_type` (the raising rule's type, e.g. 'event')."""
    state.ensure(SCHEMA)
    return state.query("SELECT a.alert_id, a.key, a.rule, a.level, a.title, a.body, a.city, "
                       "a.post_ids, a.status, a.created_at, a.updated_at, a.explanation, "
                       f"coalesce(r.origin, 'auto') AS origin, r.state AS review, {_RULE_TYPE} "
                       "FROM alerts a LEFT JOIN alert_reviews r USING (alert_id) "
                       "ORDER BY a.created_at DESC LIMIT ?", (limit,))


def explained_alerts(state: StateDB, since: str, until: str) -> list[dict[str, Any]]:
    """The volume and spike warnings raised from `since` up to `until` (ISO times) with why they
    fired, oldest first and published only (not held or rejected by review): alert_id, rule,
    level, title, city, status, created_at, `explanation` (alerts.explanation's dict as of the
    warning's last update) and `lines` (its summary as (text, http url or "") — crawled text,
    to be escaped by whoever renders it)."""
    state.ensure(SCHEMA)
    rows = state.query(
        "SELECT alert_id, rule, level, title, city, status, created_at, explanation FROM alerts "
        "WHERE explanation IS NOT NULL AND created_at >= ? AND created_at < ? "
        "AND alert_id NOT IN (SELECT alert_id FROM alert_reviews WHERE state IN ('held', 'rejected')) "
        "ORDER BY created_at, alert_id", (since, until))
    for row in rows:
        row["explanation"] = json.loads(row["explanation"])
        row["lines"] = summary_lines(row["explanation"])
    return rows


def get_alert(state: StateDB, alert_id: int) -> dict[str, Any] | None:
    """One alert by id (every column as stored, with `origin`, `review` and `rule_type` as in
    recent_alerts); None when there is none."""
    state.ensure(SCHEMA)
    rows = state.query(f"SELECT a.*, coalesce(r.origin, 'auto') AS origin, r.state AS review, "
                       f"{_RULE_TYPE} "
                       "FROM alerts a LEFT JOIN alert_reviews r USING (alert_id) "
                       "WHERE a.alert_id = ?", (int(alert_id),))
    return rows[0] if rows else None


def count_raised(state: StateDB, since: str, until: str, exclude_rules: Iterable[str] = ()) -> int:
    """How many alerts were raised from `since` up to `until` (ISO times), except `exclude_rules`'."""
    state.ensure(SCHEMA)
    return state.query("SELECT count(*) AS n FROM alerts WHERE created_at >= ? AND created_at < ? "
                       "AND rule NOT IN (SELECT value FROM json_each(?))",
                       (since, until, json.dumps(list(exclude_rules))))[0]["n"]


def recent_of_types(state: StateDB, rule_types: Iterable[str], limit: int) -> list[dict[str, Any]]:
    """The newest alerts whose rule type (a rule's `type`, e.g. 'event') is one of `rule_types`."""
    state.ensure(SCHEMA)
    return state.query(
        "SELECT * FROM alerts WHERE coalesce(json_extract(data, '$.rule_type'), rule) IN "
        "(SELECT value FROM json_each(?)) ORDER BY created_at DESC, alert_id DESC LIMIT ?",
        (json.dumps(list(rule_types)), limit))
