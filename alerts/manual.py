"""人工发布: a monitor publishes a warning by hand from selected posts, with its 预警类型, 发布部门,
级别, 涉及地市 and recipients. It goes through the same review rule as a rule's warning of its
level (alerts/review.py), and stays open until someone marks it 恢复 (recovered), which sends
its 解除 notice to the same recipients."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Iterable

from accounts.models import User
from alerts import audit
from alerts.config import MANUAL, AppConfig
from alerts.levels import LEVEL_NAMES, level_tag
from alerts.model import post_summary
from alerts.review import ReviewError, notify, open_review, review_of
from alerts.schema import SCHEMA
from core.db import StateDB
from core.post import iso, now_cst
from indexer.base import Store

PUBLISHERS = ("monitor", "manager", "admin")


def _body(warning_type: str, department: str, cities: list[str], text: str,
          posts: list[dict[str, Any]]) -> str:
    lines = [f"预警类型：{warning_type}　发布部门：{department}",
             f"涉及地市：{'、'.join(cities) or '全省'}　涉及帖子：{len(posts)} 条"]
    if text.strip():
        lines.append(text.strip())
    return "\n".join(lines)


def publish_manual(state: StateDB, config: AppConfig, store: Store, user: User, *,
                   post_ids: Iterable[str], warning_type: str, department: str, level: int,
                   cities: Iterable[str] = (), recipients: list[str] | None = None,
                   title: str = "", body: str = "", now: datetime | None = None) -> dict[str, Any]:
    """Publish a warning from posts; at a held level it waits for review, else its messages are
    queued at once. `recipients` (notifier names, e.g. from alerts.recipients.expand) replaces
    the notifiers' routing. Returns {'alert_id', 'state'}."""
    user.require(*PUBLISHERS, action="人工发布预警")
    state.ensure(SCHEMA)
    now = now or now_cst()
    ids = list(dict.fromkeys(post_ids))
    if not ids:
        raise ReviewError("请至少选择一条帖子")
    if warning_type not in config.warnings.manual.types:
        raise ReviewError(f"预警类型须为：{'、'.join(config.warnings.manual.types)}")
    if not department.strip():
        raise ReviewError("请填写发布部门")
    if level not in LEVEL_NAMES:
        raise ReviewError(f"级别须为 1、2 或 3，不是 {level}")
    posts = []
    for pid in ids:
        post = store.get(pid)
        if post is None:
            raise ReviewError(f"帖子 {pid} 不存在")
        posts.append(post_summary(post))
    cities = list(dict.fromkeys(c for c in cities if c)) or list(
        dict.fromkeys(p["city"] for p in posts if p["city"]))
    subject = title.strip() or f"{'、'.join(cities[:3]) or '全省'} {warning_type}：{posts[0]['title'][:30]}"
    text = _body(warning_type, department.strip(), cities, body, posts)
    categories = list(dict.fromkeys(c for p in posts for c in p["categories"]))
    key = "manual:" + hashlib.sha1(json.dumps([user.username, sorted(ids), subject],
                                              ensure_ascii=False).encode()).hexdigest()[:16]
    data = {"subject": subject, "rule_type": MANUAL, "posts": posts[:10], "size": len(posts)}
    stamp = iso(now)
    with state.atomic() as conn:
        same = conn.execute("SELECT alert_id FROM alerts WHERE key = ? AND status IN "
                            "('open', 'acknowledged')", (key,)).fetchone()
        if same is not None:
            raise ReviewError(f"同样的预警已发布（#{same[0]}），未重复发布")
        cur = conn.execute(
            "INSERT INTO alerts (key, rule, level, title, body, city, categories, post_ids, data, "
            "status, created_at, updated_at, notices) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', "
            "?, ?, 1)",
            (key, MANUAL, level, f"【{level_tag(level)}】{subject}", text,
             cities[0] if len(cities) == 1 else None, json.dumps(categories, ensure_ascii=False),
             json.dumps(ids), json.dumps(data, ensure_ascii=False, sort_keys=True), stamp, stamp))
        alert_id = int(cur.lastrowid)
        alert = dict(conn.execute("SELECT * FROM alerts WHERE alert_id = ?", (alert_id,)).fetchone())
        held = config.warnings.holds(level)
        audit.record(conn, stamp, user.username, "publish", alert_id, level=level,
                     warning_type=warning_type, department=department.strip(), cities=cities,
                     recipients=recipients, posts=ids)
        open_review(conn, config, alert, now, origin="manual", by=user.username,
                    state="held" if held else "published", warning_type=warning_type,
                    department=department.strip(), cities=cities, recipients=recipients)
        notify(conn, config, alert, "new", 1, now)
    return {"alert_id": alert_id, "state": "held" if held else "published"}


def recover(state: StateDB, config: AppConfig, user: User, alert_id: int, note: str = "",
            now: datetime | None = None) -> bool:
    """Mark a published hand-made warning 恢复 (what it warned of is over): it is resolved and
    its 解除 notice goes to its recipients. A rule's warnings recover when their condition
    clears. False when it was not open."""
    user.require(*PUBLISHERS, action="标记预警恢复")
    state.ensure(SCHEMA)
    now = now or now_cst()
    stamp = iso(now)
    with state.atomic() as conn:
        review = review_of(conn, alert_id)
        if review is None or review["origin"] != "manual":
            raise ReviewError("只有人工发布的预警需要手动标记恢复；自动监控的预警在条件解除时自动恢复")
        if review["state"] not in ("approved", "published"):
            raise ReviewError("预警尚未发布，不能标记恢复")
        changed = conn.execute("UPDATE alerts SET status = 'resolved', resolved_at = ?, "
                               "updated_at = ?, notices = notices + 1 WHERE alert_id = ? AND "
                               "status IN ('open', 'acknowledged')",
                               (stamp, stamp, alert_id)).rowcount
        if not changed:
            return False
        alert = dict(conn.execute("SELECT * FROM alerts WHERE alert_id = ?", (alert_id,)).fetchone())
        queued = notify(conn, config, alert, "resolved", alert["notices"], now)
        audit.record(conn, stamp, user.username, "recover", alert_id, note=note.strip(),
                     queued=queued)
    return True
