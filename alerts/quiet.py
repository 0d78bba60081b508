"""Quiet alerting: fewer messages, none lost (after Alertmanager's inhibition, grouping and mute
timings).

A notice is queued as an outbox row either to be sent (`pending`) or `held` with why (`hold`),
the group it waits in (`group_key`) and when that group is released (`release_ts`):

- **mute** (静默时段): its level is outside its notifier's `send_during` time interval; it waits
  for the interval to open, together with everything else muted there, and goes out as one.
- **group** (分组): its level has a `group_wait`; the first message of a level opens a group for
  that long, later ones join it, and the group goes out as one message.
- **digest**: the notifier's `digest_levels`, one message per clock-aligned `digest_every`.
- **check**: a per-post warning's first notice, held to the end of its cycle, after the event
  rules ran: a post that just joined an event is then inside it.
- **fold** (抑制): at release, a held per-post notice whose post is inside an open 事件 warning
  of the same or a more urgent level goes into that event instead — one update message to the
  notifier about the event, naming the new posts — unless the post is more urgent than the event.
  The fold group collects for the event rule's `realert` (or the event level's `group_wait` if
  longer): an event is not notified again sooner. When the event's own notice (growth update,
  escalation) goes out meanwhile, it carries those posts, and the fold sends nothing more.

Folded posts are told as a new *update message*, not by editing the event's first message: the
企业微信, 钉钉 and 飞书 group robots this project posts to cannot edit a sent message (only app
bots with their own credentials can), and e-mail and SMS cannot at all. An update per group
window keeps "one message that grows" to one message per window.

Release runs once per cycle in one transaction: held rows become `pending` (sent as themselves,
the hold kept for the console), `digested` (into a group message) or `folded` (into an event's
update), and the message made for a group has a dedup key of its group and release time — so a
restart, or two cycles at once, release each group exactly once.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from alerts.config import ALWAYS, AppConfig, Notifier, TimeInterval, clock_range
from alerts.messages import digest_payload, notice_title, payload
from alerts.model import seconds
from alerts.schema import SCHEMA
from core.db import StateDB
from core.post import CST, iso

HOLD_LABELS = {"fold": "抑制（并入事件）", "group": "分组", "mute": "静默时段", "digest": "汇总"}
CST_OFFSET = 8 * 3600


@dataclass(frozen=True)
class Hold:
    """Why a message waits, in which group, and until when."""

    reason: str
    group_key: str
    release_ts: int


def opens_at(interval: TimeInterval, now: datetime) -> datetime:
    """`now` when it is inside the interval, else the next moment the interval opens."""
    local = now.astimezone(CST)
    ranges = [clock_range(t) for t in interval.times]
    for day in range(8):
        date = (local + timedelta(days=day)).date()
        if date.isoweekday() not in interval.weekdays:
            continue
        midnight = datetime(date.year, date.month, date.day, tzinfo=CST)
        for start, end in sorted(ranges):
            begins = midnight + timedelta(minutes=start)
            if begins <= local < midnight + timedelta(minutes=end):
                return now
            if begins > local:
                return begins
    raise AssertionError("a validated interval opens within a week")


def level_option(config: AppConfig, spec: Notifier, option: str, level: int) -> Any:
    """A notifier's `group_wait` / `send_during` for a level, else `warnings.quiet`'s."""
    own = getattr(spec, option)
    return own[level] if level in own else getattr(config.warnings.quiet, option).get(level)


def _join(conn: sqlite3.Connection, notifier: str, group_key: str, now_ts: int,
          release_ts: int) -> int:
    """The release time of the group still waiting under this key, or `release_ts` for a new one."""
    row = conn.execute("SELECT max(release_ts) FROM outbox WHERE notifier = ? AND status = 'held' "
                       "AND group_key = ? AND release_ts > ?", (notifier, group_key, now_ts)).fetchone()
    return row[0] if row[0] is not None else release_ts


def _window(conn: sqlite3.Connection, config: AppConfig, spec: Notifier, level: int,
            group_key: str, now: datetime) -> Hold | None:
    """The mute or grouping hold of a level's message at `now`, or None: nothing to wait for."""
    now_ts = int(now.timestamp())
    during = level_option(config, spec, "send_during", level)
    if during and during != ALWAYS:
        opens = int(opens_at(config.warnings.quiet.time_intervals[during], now).timestamp())
        if opens > now_ts:
            key = f"mute:{level}"
            return Hold("mute", key, _join(conn, spec.name, key, now_ts, opens))
    wait = level_option(config, spec, "group_wait", level)
    if wait and seconds(wait) > 0:
        return Hold("group", group_key,
                    _join(conn, spec.name, group_key, now_ts, now_ts + int(seconds(wait))))
    return None


def hold_for(conn: sqlite3.Connection, config: AppConfig, spec: Notifier, alert: dict[str, Any],
             kind: str, now: datetime) -> Hold | None:
    """Whether a notice to this notifier waits, and why; None: it is sent at once."""
    level = alert["level"]
    now_ts = int(now.timestamp())
    if level in spec.digest_levels:
        every = int(seconds(spec.digest_every))
        # Periods align to the clock in China (hourly digests on the hour, daily at midnight).
        period_end = (now_ts + CST_OFFSET) // every * every - CST_OFFSET + every
        return Hold("digest", "digest", period_end)
    hold = _window(conn, config, spec, level, f"level:{level}", now)
    if hold is not None:
        return hold
    data = json.loads(alert["data"] or "{}") if isinstance(alert["data"], str) else alert["data"]
    if config.warnings.quiet.inhibit and kind == "new" and data.get("rule_type") == "post":
        return Hold("check", "check", now_ts)
    return None


def release_held(state: StateDB, config: AppConfig, now: datetime) -> int:
    """Fold held per-post notices into their open events, then release every group whose time
    has come; returns the messages made for groups (digests, group and fold messages)."""
    state.ensure(SCHEMA)
    now_ts = int(now.timestamp())
    made = 0
    with state.atomic() as conn:
        if config.warnings.quiet.inhibit:
            _fold(conn, config, now)
        held = conn.execute("SELECT message_id, notifier, payload, hold, group_key, release_ts "
                            "FROM outbox WHERE status = 'held' AND release_ts <= ? "
                            "ORDER BY message_id", (now_ts,)).fetchall()
        groups: dict[tuple[Any, ...], list[tuple[int, dict[str, Any]]]] = {}
        for row in held:
            message = json.loads(row["payload"])
            key = (row["notifier"], row["hold"], row["group_key"], row["release_ts"],
                   message.get("recipient"))
            groups.setdefault(key, []).append((row["message_id"], message))
        for (notifier, hold, group_key, release_ts, recipient), members in groups.items():
            ids = [message_id for message_id, _ in members]
            if hold == "check" or (hold in ("group", "mute") and len(members) == 1):
                conn.executemany("UPDATE outbox SET status = 'pending', next_attempt_ts = ? "
                                 "WHERE message_id = ?", [(now_ts, i) for i in ids])
                continue
            items = [message for _, message in members]
            suffix = f":{recipient}" if recipient else ""
            if hold == "fold":
                dedup = f"fold:{notifier}:{group_key}:{release_ts}{suffix}"
                message = _fold_payload(conn, config, int(group_key.split(":")[1]), items, dedup,
                                        now)
                status = "folded"
            else:
                dedup = (f"digest:{notifier}:{release_ts}" if hold == "digest"
                         else f"{hold}:{notifier}:{group_key}:{release_ts}") + suffix
                message = {**digest_payload(config, notifier, items, dedup, now), "hold": hold}
                status = "digested"
            group_id = None
            if message is not None:
                if recipient:
                    message["recipient"] = recipient
                cur = conn.execute(
                    "INSERT OR IGNORE INTO outbox (alert_id, notifier, kind, dedup_key, payload, "
                    "status, next_attempt_ts, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                    (message["alert_id"], notifier, message["kind"], dedup,
                     json.dumps(message, ensure_ascii=False), now_ts, iso(now)))
                group_id = cur.lastrowid if cur.rowcount else None
                made += cur.rowcount
            conn.executemany("UPDATE outbox SET status = ?, digest_id = ? WHERE message_id = ?",
                             [(status, group_id, i) for i in ids])
    return made


def _open_events(conn: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    """Post id → the most urgent open event warning holding it. Events held for review or
    rejected have told nobody, so nothing folds into them."""
    events = conn.execute(
        "SELECT * FROM alerts WHERE status IN ('open', "
        "'acknowledged') AND json_extract(data, '$.rule_type') = 'event' AND alert_id NOT IN "
        "(SELECT alert_id FROM alert_reviews WHERE state IN ('held', 'rejected')) "
        "ORDER BY level DESC, alert_id").fetchall()
    return {post_id: event for event in events for post_id in json.loads(event["post_ids"])}


def _fold(conn: sqlite3.Connection, config: AppConfig, now: datetime) -> None:
    """Move held first notices of per-post warnings into the fold group of their event."""
    rows = conn.execute("SELECT message_id, notifier, payload FROM outbox WHERE status = 'held' "
                        "AND kind = 'new' AND hold != 'fold' AND "
                        "json_extract(payload, '$.rule_type') = 'post'").fetchall()
    if not rows:
        return
    owner = _open_events(conn)
    specs = {n.name: n for n in config.warnings.notifiers}
    realert = {r.name: int(seconds(r.realert)) for r in config.warnings.rules if r.realert}
    now_ts = int(now.timestamp())
    for row in rows:
        message = json.loads(row["payload"])
        event = next((owner[p] for p in message["post_ids"] if p in owner), None)
        spec = specs.get(row["notifier"])
        if event is None or spec is None or message["level"] < event["level"] \
                or not spec.receives(dict(event), "update"):
            continue  # not inside an event, more urgent than it, or the notifier never hears it
        key = f"event:{event['alert_id']}"
        window = _window(conn, config, spec, event["level"], key, now)
        release = window.release_ts if window else now_ts
        covered = datetime.fromisoformat(message["created_at"]).timestamp() <= \
            (event["last_notice_ts"] or 0)
        if covered:
            release = now_ts  # the event's last notice carried it: nothing to wait for
        elif window is None or window.reason == "group":
            # An event is not notified again before its rule's `realert`: nor is its fold update.
            release = max(release, _join(conn, spec.name, key, now_ts, now_ts + realert.get(
                event["rule"], 0)))
        conn.execute("UPDATE outbox SET hold = 'fold', group_key = ?, release_ts = ? "
                     "WHERE message_id = ?", (key, release, row["message_id"]))


def _fold_payload(conn: sqlite3.Connection, config: AppConfig, event_id: int,
                  items: list[dict[str, Any]], dedup: str, now: datetime) -> dict[str, Any] | None:
    """The event's update naming the per-post warnings folded into it; None when the event's
    last notice, queued after them, already carried them all (an event raised in the very cycle
    of its posts), or when the event or its rule is silenced (folded without a message, as the
    event is)."""
    event = dict(conn.execute("SELECT * FROM alerts WHERE alert_id = ?", (event_id,)).fetchone())
    silenced = conn.execute("SELECT 1 FROM silences WHERE target IN (?, ?) AND until_ts > ?",
                            (event["key"], event["rule"], int(now.timestamp()))).fetchone()
    told = event["last_notice_ts"] or 0
    items = [item for item in items
             if datetime.fromisoformat(item["created_at"]).timestamp() > told]
    if silenced or not items:
        return None
    message = payload(config, event, "update", dedup, now)
    subject = json.loads(event["data"] or "{}").get("subject") or event["title"]
    lines = [f"{i}. {item['title']}" for i, item in enumerate(items, 1)]
    message.update(
        title=notice_title("update", event["level"], f"{subject}：新增 {len(items)} 条单帖预警"),
        body="\n".join([f"以下 {len(items)} 条单帖预警属于本事件，已并入本事件通知，不再单独发送：",
                        *lines, "——", event["body"]]),
        posts=[item["posts"][0] for item in items if item.get("posts")][:10],
        post_ids=[p for item in items for p in item["post_ids"]],
        folded=[item["alert_id"] for item in items], hold="fold")
    return message


def quiet_log(state: StateDB, since: str, alert_id: int | None = None,
              limit: int = 500) -> list[dict[str, Any]]:
    """Messages held (muted, grouped, folded, digested) since an ISO time, newest first:
    notifier, kind, status, hold, group_key, release_ts, created_at, sent_at, the alert's id,
    level and title, and for a released group the message it went out in (`group_status`)."""
    state.ensure(SCHEMA)
    return state.query(
        "SELECT o.message_id, o.alert_id, o.notifier, o.kind, o.status, o.hold, o.group_key, "
        "o.release_ts, o.created_at, o.sent_at, o.digest_id, a.level, a.title, "
        "g.status AS group_status, g.sent_at AS group_sent_at "
        "FROM outbox o LEFT JOIN alerts a USING (alert_id) "
        "LEFT JOIN outbox g ON g.message_id = o.digest_id "
        "WHERE o.hold IN ('fold', 'group', 'mute', 'digest') AND o.created_at >= ? "
        "AND (? IS NULL OR o.alert_id = ?) ORDER BY o.message_id DESC LIMIT ?",
        (since, alert_id, alert_id, limit))


def _clock(ts: int | None) -> str:
    return datetime.fromtimestamp(ts or 0, CST).strftime("%m-%d %H:%M")


def explain(row: dict[str, Any]) -> tuple[str, str]:
    """(why the message was held, what became of it), in Chinese, for a row of quiet_log."""
    hold, status = row["hold"], row["status"]
    if hold == "fold":
        why = f"抑制：帖子属于事件预警 #{row['group_key'].split(':')[1]}，并入事件通知"
    elif hold == "group":
        why = "分组：同一级别的预警在分组窗口内合并为一条发送"
    elif hold == "mute":
        why = "静默时段：该级别只在设定时段内发送"
    else:
        why = "汇总：该渠道按时段汇总发送此级别"
    sent = (row.get("group_sent_at") or row.get("sent_at") or "")[5:16].replace("T", " ")
    if status == "held":
        fate = f"等待中，{_clock(row['release_ts'])} 发出"
    elif status == "folded" and row["digest_id"] is None:
        fate = "事件通知已包含这些帖子（或事件已静默），不再单独发送"
    elif status in ("folded", "digested"):
        which = "事件更新" if status == "folded" else "合并消息"
        fate = f"已随{which}发出（{sent}）" if row.get("group_status") == "sent" \
            else f"已并入{which}，等待投递"
    else:
        fate = f"窗口内仅此一条，单独发出（{sent}）" if status == "sent" else "单独发出，等待投递"
    return why, fate
