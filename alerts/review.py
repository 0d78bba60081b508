"""Warning review (预警审核): per level (`warnings.review`), a new warning is published at once or
held until a reviewer approves it.

A held warning's messages wait in the outbox as 'review' (never delivered); the reviewers of the
first step of `warnings.reviewers` are told at once through their notifiers (审核请求), and when
nobody has reviewed it within `review_timeout` the next step's role is told (审核超时), once per
step. A reviewer may edit the title and body (采编), change the level or the recipients, and
approve — the messages are released in place, exactly once — or reject with a reason, and
nothing is sent. Every step is in the warnings' audit log (alerts/audit.py), written in the same
transaction as the change.

Who reviews: the roles of `warnings.reviewers` (default 管理者, then 管理员) and any admin; the
product has no separate monitor-lead role, so a province whose monitor leads review puts
`monitor` in the chain. Nobody reviews a warning they published by hand themselves.

Only the first notice of a warning is held: the engine's later notices (update, reminder,
escalated, resolved) of a held or rejected warning are not queued — the approved message carries
the warning as it is then — and those of an approved one go to the recipients it was approved for.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any, Iterable

from accounts.models import ROLE_LABELS, User
from alerts import audit
from alerts.config import AppConfig
from alerts.levels import LEVEL_NAMES, level_tag
from alerts.messages import console_base
from alerts.model import AlertsError, seconds
from alerts.notifiers import build_notifiers
from alerts.outbox import deliver_due, enqueue_notice
from alerts.schema import SCHEMA
from core.db import StateDB
from core.post import CST, iso, now_cst

STATE_LABELS = {"held": "待审", "approved": "通过", "rejected": "未通过", "published": "免审"}
ORIGIN_LABELS = {"auto": "自动监控", "manual": "人工发布"}
SYSTEM_ACTOR = "system"


class ReviewError(AlertsError):
    """A review or publishing step that cannot be done; the message is Chinese and safe to show."""


def review_of(conn: sqlite3.Connection | StateDB, alert_id: int) -> dict[str, Any] | None:
    """The review row of a warning (recipients and cities decoded), or None: published at once."""
    row = conn.execute("SELECT * FROM alert_reviews WHERE alert_id = ?", (alert_id,)).fetchone()
    if row is None:
        return None
    review = dict(row)
    review["cities"] = json.loads(review["cities"])
    review["recipients"] = None if review["recipients"] is None else json.loads(review["recipients"])
    return review


def _alert(conn: sqlite3.Connection, alert_id: int) -> dict[str, Any]:
    row = conn.execute("SELECT * FROM alerts WHERE alert_id = ?", (alert_id,)).fetchone()
    if row is None:
        raise ReviewError(f"预警 #{alert_id} 不存在")
    return dict(row)


def notify(conn: sqlite3.Connection, config: AppConfig, alert: dict[str, Any], kind: str, seq: int,
           now: datetime) -> int:
    """Queue a notice of an alert as its review allows; returns rows queued. A rule's new warning
    at a held level is held here (its review opened, the first reviewers asked)."""
    review = review_of(conn, alert["alert_id"])
    if review is None and kind == "new" and config.warnings.holds(alert["level"]):
        review = open_review(conn, config, alert, now, origin="auto", by=SYSTEM_ACTOR, state="held")
    if review is None:
        return enqueue_notice(conn, config, alert, kind, seq, now)
    to = review["recipients"]
    if review["state"] == "held":
        if kind != "new":
            return 0
        return enqueue_notice(conn, config, alert, kind, seq, now, to=to, status="review")
    if review["state"] == "rejected":
        return 0
    return enqueue_notice(conn, config, alert, kind, seq, now, to=to)


def open_review(conn: sqlite3.Connection, config: AppConfig, alert: dict[str, Any], now: datetime, *,
                origin: str, by: str, state: str, warning_type: str = "", department: str = "",
                cities: Iterable[str] = (), recipients: list[str] | None = None) -> dict[str, Any]:
    """Record how a warning is published; a held one asks the first reviewers at once."""
    held = state == "held"
    due = int(now.timestamp() + seconds(config.warnings.review_timeout)) if held else None
    conn.execute(
        "INSERT INTO alert_reviews (alert_id, origin, state, warning_type, department, cities, "
        "recipients, stage, stage_due_ts, created_by, created_at, published_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
        (alert["alert_id"], origin, state, warning_type, department,
         json.dumps(list(cities), ensure_ascii=False),
         None if recipients is None else json.dumps(recipients, ensure_ascii=False),
         due, by, iso(now), None if held else iso(now)))
    if held:
        audit.record(conn, iso(now), by, "hold", alert["alert_id"], level=alert["level"],
                     origin=origin)
        _ask(conn, config, alert, 0, now, escalated=False)
    review = review_of(conn, alert["alert_id"])
    assert review is not None
    return review


def _ask(conn: sqlite3.Connection, config: AppConfig, alert: dict[str, Any], stage: int,
         now: datetime, escalated: bool) -> int:
    """Tell the role of review step `stage` that a warning waits for it (once per step)."""
    reviewers = config.warnings.reviewers
    if stage >= len(reviewers):
        return 0
    step = reviewers[stage]
    role = ROLE_LABELS[step.role]
    subject = json.loads(alert["data"] or "{}").get("subject") or alert["title"]
    if escalated:
        title = f"【审核超时·请{role}审核】{subject}"
        lead = (f"该{LEVEL_NAMES[alert['level']]}预警提交审核已超过 {config.warnings.review_timeout}"
                f"仍未审核，现请{role}审核。审核通过前不会发出。")
    else:
        title = f"【待审核·{level_tag(alert['level'])}】{subject}"
        lead = f"有一条预警等待{role}审核，审核通过前不会发出。"
    overrides = {"title": title, "body": f"{lead}\n{alert['body']}",
                 "console": f"{console_base(config)}/warnings?review={alert['alert_id']}"}
    queued = enqueue_notice(conn, config, alert, "review", stage, now, overrides,
                            to=step.notifiers, quiet=False)
    audit.record(conn, iso(now), SYSTEM_ACTOR, "escalate" if escalated else "request",
                 alert["alert_id"], stage=stage, role=step.role, notifiers=step.notifiers,
                 queued=queued)
    return queued


def escalate_due(state: StateDB, config: AppConfig, now: datetime) -> int:
    """Ask the next reviewer of every held warning whose review step timed out; returns how many
    were escalated. The last step is asked once and then waits."""
    state.ensure(SCHEMA)
    now_ts = int(now.timestamp())
    due = state.query("SELECT alert_id FROM alert_reviews WHERE state = 'held' AND "
                      "stage_due_ts IS NOT NULL AND stage_due_ts <= ? ORDER BY alert_id", (now_ts,))
    escalated = 0
    for row in due:
        with state.atomic() as conn:
            review = review_of(conn, row["alert_id"])
            if review is None or review["state"] != "held" or review["stage_due_ts"] is None \
                    or review["stage_due_ts"] > now_ts:
                continue  # reviewed or escalated meanwhile
            stage = review["stage"] + 1
            if stage >= len(config.warnings.reviewers):
                conn.execute("UPDATE alert_reviews SET stage_due_ts = NULL WHERE alert_id = ?",
                             (row["alert_id"],))
                continue
            conn.execute("UPDATE alert_reviews SET stage = ?, stage_due_ts = ? WHERE alert_id = ?",
                         (stage, now_ts + int(seconds(config.warnings.review_timeout)),
                          row["alert_id"]))
            _ask(conn, config, _alert(conn, row["alert_id"]), stage, now, escalated=True)
            escalated += 1
    return escalated


def reviewer_roles(config: AppConfig) -> tuple[str, ...]:
    """The roles that may review: those of the chain, and the admin."""
    return tuple(dict.fromkeys([*(s.role for s in config.warnings.reviewers), "admin"]))


def _check_reviewer(user: User, config: AppConfig, review: dict[str, Any], action: str) -> None:
    user.require(*reviewer_roles(config), action=action)
    if review["origin"] == "manual" and review["created_by"] == user.username:
        raise ReviewError("不能审核自己发布的预警，请由其他审核人审核")


def _held(conn: sqlite3.Connection, alert_id: int) -> dict[str, Any]:
    review = review_of(conn, alert_id)
    if review is None or review["state"] == "published":
        raise ReviewError(f"预警 #{alert_id} 无需审核（已直接发布）")
    if review["state"] != "held":
        raise ReviewError(f"预警 #{alert_id} 已审核（{STATE_LABELS[review['state']]}），不能再次审核")
    return review


def check_recipients(config: AppConfig, names: Iterable[str]) -> list[str]:
    """Notifier names as given, each checked against `warnings.notifiers`."""
    known = [n.name for n in config.warnings.notifiers]
    names = list(dict.fromkeys(names))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ReviewError(f"没有名为「{unknown[0]}」的通知渠道（可选：{'、'.join(known) or '无'}）")
    if not names:
        raise ReviewError("请至少选择一个接收渠道")
    return names


def approve(state: StateDB, config: AppConfig, user: User, alert_id: int, *,
            title: str | None = None, body: str | None = None, level: int | None = None,
            recipients: list[str] | None = None, note: str = "",
            now: datetime | None = None) -> dict[str, Any]:
    """Approve a held warning, with the reviewer's edits (采编): its messages are released once,
    to `recipients` (notifier names) when given. Returns the review row."""
    state.ensure(SCHEMA)
    now = now or now_cst()
    with state.atomic() as conn:
        review = _held(conn, alert_id)
        _check_reviewer(user, config, review, "审核预警")
        alert = _alert(conn, alert_id)
        data = json.loads(alert["data"] or "{}")
        changes: dict[str, Any] = {}
        subject = data.get("subject") or alert["title"]
        if title is not None and title.strip() and title.strip() != subject:
            changes["title"] = [subject, title.strip()]
            subject = data["subject"] = title.strip()
        if body is not None and body.strip() and body.strip() != alert["body"]:
            changes["body"] = [alert["body"], body.strip()]
        if level is not None and level != alert["level"]:
            if level not in LEVEL_NAMES:
                raise ReviewError(f"级别须为 1、2 或 3，不是 {level}")
            changes["level"] = [alert["level"], level]
            data["reviewed_level"] = level  # the rule's later matches keep it (alerts.engine)
        if recipients is not None:
            recipients = check_recipients(config, recipients)
            if recipients != review["recipients"]:
                changes["recipients"] = [review["recipients"], recipients]
        else:
            recipients = review["recipients"]
        new_level = changes.get("level", [None, alert["level"]])[1]
        conn.execute("UPDATE alerts SET level = ?, title = ?, body = ?, data = ?, updated_at = ? "
                     "WHERE alert_id = ?",
                     (new_level, f"【{level_tag(new_level)}】{subject}",
                      changes.get("body", [None, alert["body"]])[1],
                      json.dumps(data, ensure_ascii=False, sort_keys=True), iso(now), alert_id))
        conn.execute("UPDATE alert_reviews SET state = 'approved', reviewed_by = ?, reviewed_at = ?, "
                     "reason = ?, recipients = ?, stage_due_ts = NULL, published_at = ? "
                     "WHERE alert_id = ?",
                     (user.username, iso(now), note.strip(),
                      None if recipients is None else json.dumps(recipients, ensure_ascii=False),
                      iso(now), alert_id))
        alert = _alert(conn, alert_id)
        # The reviewer's approval is the decision to send: no grouping, mute or folding now.
        queued = enqueue_notice(conn, config, alert, "new", 1, now, to=recipients, quiet=False)
        dropped = conn.execute("UPDATE outbox SET status = 'dropped' WHERE alert_id = ? AND "
                               "status = 'review'", (alert_id,)).rowcount
        if alert["status"] == "resolved" and _notifies_resolved(config, alert["rule"]):
            # The condition cleared while it waited: its recipients hear that too.
            queued += enqueue_notice(conn, config, alert, "resolved", alert["notices"] + 1, now,
                                     to=recipients, quiet=False)
        audit.record(conn, iso(now), user.username, "approve", alert_id, changes=changes,
                     note=note.strip(), queued=queued, dropped=dropped)
        result = review_of(conn, alert_id)
    assert result is not None
    return result


def _notifies_resolved(config: AppConfig, rule: str) -> bool:
    spec = next((r for r in config.warnings.rules if r.name == rule), None)
    return spec is not None and spec.notify_resolved


def reject(state: StateDB, config: AppConfig, user: User, alert_id: int, reason: str,
           now: datetime | None = None) -> dict[str, Any]:
    """Reject a held warning with a reason: none of its messages is ever sent. A warning
    published by hand is closed; a rule's stays open (its key taken, so it is not raised again
    while its condition holds) but silent."""
    state.ensure(SCHEMA)
    now = now or now_cst()
    if not reason.strip():
        raise ReviewError("请填写审核不通过的原因")
    with state.atomic() as conn:
        review = _held(conn, alert_id)
        _check_reviewer(user, config, review, "审核预警")
        conn.execute("UPDATE alert_reviews SET state = 'rejected', reviewed_by = ?, reviewed_at = ?, "
                     "reason = ?, stage_due_ts = NULL WHERE alert_id = ?",
                     (user.username, iso(now), reason.strip(), alert_id))
        withdrawn = conn.execute("UPDATE outbox SET status = 'rejected' WHERE alert_id = ? AND "
                                 "status = 'review'", (alert_id,)).rowcount
        if review["origin"] == "manual":
            conn.execute("UPDATE alerts SET status = 'resolved', resolved_at = ?, updated_at = ? "
                         "WHERE alert_id = ? AND status != 'resolved'", (iso(now), iso(now), alert_id))
        audit.record(conn, iso(now), user.username, "reject", alert_id, reason=reason.strip(),
                     withdrawn=withdrawn)
        result = review_of(conn, alert_id)
    assert result is not None
    return result


def held_reviews(state: StateDB) -> list[dict[str, Any]]:
    """Warnings waiting for review, oldest first, with their alert's fields and the step asked."""
    state.ensure(SCHEMA)
    rows = state.query(
        "SELECT a.alert_id, a.key, a.rule, a.level, a.title, a.body, a.city, a.post_ids, a.data, "
        "a.status, a.created_at, r.origin, r.warning_type, r.department, r.cities, r.recipients, "
        "r.stage, r.stage_due_ts, r.created_by FROM alert_reviews r JOIN alerts a USING (alert_id) "
        "WHERE r.state = 'held' ORDER BY a.alert_id")
    for row in rows:
        row["cities"] = json.loads(row["cities"])
        row["recipients"] = None if row["recipients"] is None else json.loads(row["recipients"])
        row["post_ids"] = json.loads(row["post_ids"])
        row["subject"] = json.loads(row.pop("data") or "{}").get("subject") or row["title"]
    return rows


def deliver(state: StateDB, config: AppConfig, now: datetime | None = None) -> dict[str, int]:
    """Deliver what is due now (after an approval or a warning published by hand) rather than at
    the monitor's next cycle; the outbox's leases keep a concurrent cycle from sending twice."""
    return deliver_due(state, build_notifiers(config), now)


def stage_label(config: AppConfig, stage: int, due_ts: int | None) -> str:
    """'待管理者审核（18:30 超时转管理员）' for the console and the CLI."""
    reviewers = config.warnings.reviewers
    if not reviewers:
        return "待审核"
    step = reviewers[min(stage, len(reviewers) - 1)]
    text = f"待{ROLE_LABELS[step.role]}审核"
    if due_ts is not None and stage + 1 < len(reviewers):
        at = datetime.fromtimestamp(due_ts, CST)
        text += (f"（{at:%m-%d %H:%M} 超时转"
                 f"{ROLE_LABELS[reviewers[stage + 1].role]}）")
    return text

