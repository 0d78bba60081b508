"""Case service: every function takes the acting User and checks it before touching data.

A handler sees and changes only cases of the cities they are bound to; asking for another
branch's case by id gets the same "not found" as a case that does not exist.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from accounts.models import SYSTEM, PermissionDenied, User
from alerts.api import resolve_quietly
from cases import checks, duplicates
from cases.closing import CLOSURE_COLUMNS, closure_fields
from cases.config import AppConfig
from cases.models import Case, CaseError, CaseNotFound
from cases.schema import NOTE_KINDS, SCHEMA
from cases.states import (ACTIONS, CLOSED, DISPATCHED, NEW, RESPONSE_STATUSES, STATUSES, action_between,
                          allowed_actions, normalise_status)
from core.config import interval_seconds
from core.db import StateDB
from core.post import CST, Post, iso, now_cst
from indexer import open_store
from indexer.base import Filters, Store
from reply_scripts.models import placeholders_in
from reply_scripts.service import ScriptService

MAX_SAME_AUTHOR = 20


def _require_filled(text: str) -> None:
    """Refuse a text for the customer that still holds a script's placeholders ({城市} …)."""
    names = placeholders_in(text)
    if names:
        raise CaseError("回复内容中还有未填写的占位符：" + "、".join(f"{{{n}}}" for n in names)
                        + "。请替换为实际内容后再提交")


def sla_key(case_id: int, kind: str) -> str:
    """The alert key of a case's overdue warning; `kind` is 'first_response' or 'closure'."""
    return f"sla:{case_id}:{kind}"


class CaseService:
    """Cases in the state DB; posts are read from (and marked in) the store."""

    def __init__(self, config: AppConfig, db: StateDB | None = None, store: Store | None = None,
                 clock: Callable[[], datetime] = now_cst):
        self.config = config
        self.db = db or StateDB(config.state_path)
        self._store = store
        self._own_store = False
        self.clock = clock
        self.db.ensure(SCHEMA)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.config)
            self._own_store = True
        return self._store

    def close(self) -> None:
        """Close the store if this service opened it."""
        if self._own_store and self._store is not None:
            self._store.close()
            self._store = None

    def _now(self, now: datetime | None) -> datetime:
        return (now or self.clock()).astimezone(CST).replace(microsecond=0)

    # --- permissions -----------------------------------------------------------------------
    @staticmethod
    def _require_reader(actor: User) -> None:
        if not actor.active:
            raise PermissionDenied(f"账号 {actor.username} 已停用")
        if actor.role == "reviewer":
            raise PermissionDenied("口径审核角色无权查看工单")

    def _load(self, actor: User, case_id: int, now: datetime | None = None) -> Case:
        self._require_reader(actor)
        rows = self.db.query("SELECT * FROM cases WHERE case_id = ?", (int(case_id),))
        if not rows or not actor.may_see_city(rows[0]["city"]):
            # The same answer for "missing" and "another branch's": ids reveal nothing.
            raise CaseNotFound(f"工单 {case_id} 不存在或不在您的管辖范围内")
        return Case.from_row(rows[0], self._now(now))

    # --- audit and notes -------------------------------------------------------------------
    def _audit(self, case_id: int, actor: User, action: str, from_status: str | None,
               to_status: str | None, detail: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO case_audit (case_id, at, actor, actor_role, action, from_status, to_status, "
            "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (case_id, iso(now), actor.username, actor.role, action, from_status, to_status, detail))

    def _note(self, case_id: int, actor: User, kind: str, body: str, now: datetime,
              script_id: int | None = None, script_version: int | None = None) -> None:
        self.db.execute(
            "INSERT INTO case_notes (case_id, at, author, kind, body, script_id, script_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (case_id, iso(now), actor.username, kind, body, script_id, script_version))

    # --- creation --------------------------------------------------------------------------
    def _insert(self, actor: User, post: Post | None, **kw: Any) -> Case:
        # Read the posts store before taking the state DB's write lock.
        same_author = self._same_author(post, kw["now"]) if post is not None else []
        with self.db.atomic():
            return self._insert_rows(actor, post, same_author=same_author, **kw)

    def _insert_rows(self, actor: User, post: Post | None, *, title: str, city: str | None,
                tier: int, level: int | None, alert_id: int | None, origin: str,
                event_post_ids: Iterable[str], now: datetime, same_author: list[str]) -> Case:
        cfg = self.config.cases
        sla = cfg.sla_for(tier)
        categories = list(post.categories) if post else []
        department = cfg.departments.get(categories[0], "") if categories else ""
        fr_due = now + timedelta(seconds=interval_seconds(sla.first_response) or 0)
        cl_due = now + timedelta(seconds=interval_seconds(sla.closure) or 0)
        cur = self.db.execute(
            "INSERT INTO cases (title, summary, post_id, url, source, author, city, branch, "
            "department, categories, tier, level, alert_id, origin, status, created_by, created_at, "
            "updated_at, status_since, first_response_due, closure_due) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (title[:200], (post.content if post else "")[:500], post.id if post else None,
             post.url if post else "", post.source if post else "", post.author if post else "",
             city, cfg.provincial_team, department, json.dumps(categories, ensure_ascii=False),
             tier, level, alert_id, origin, NEW, actor.username, iso(now), iso(now), iso(now),
             iso(fr_due), iso(cl_due)))
        case_id = int(cur.lastrowid)
        case_no = f"TS{now:%Y%m%d}{case_id:05d}"
        self.db.execute("UPDATE cases SET case_no = ? WHERE case_id = ?", (case_no, case_id))
        self._audit(case_id, actor, "create", None, NEW,
                    f"来源：{origin}；等级 {tier}；首次响应时限 {sla.first_response}，办结时限 {sla.closure}",
                    now)
        related = [(post.id, "main")] if post else []
        related += [(pid, "event") for pid in event_post_ids if not post or pid != post.id]
        related += [(pid, "same_author") for pid in same_author]
        self.db.conn.executemany("INSERT OR IGNORE INTO case_posts VALUES (?, ?, ?)",
                                 [(case_id, pid, rel) for pid, rel in related])
        if cfg.auto_dispatch and city:
            self._move(SYSTEM, case_id, "dispatch", "按派单规则自动派单", now,
                       extra={"branch": cfg.branch_of(city)})
        else:
            self._mark_posts(case_id, NEW)
        return Case.from_row(self.db.query("SELECT * FROM cases WHERE case_id = ?", (case_id,))[0], now)

    def _same_author(self, post: Post, now: datetime) -> list[str]:
        """Other posts by the same author in the last `related_author_days`."""
        author = (post.author or "").strip()
        if not author or author in ("匿名", "游客") or self.config.cases.related_author_days <= 0:
            return []
        since = iso(now - timedelta(days=self.config.cases.related_author_days))
        found = []
        for other in self.store.iter_posts(Filters(since=since, sources=[post.source])):
            if other.author == author and other.id != post.id:
                found.append(other.id)
                if len(found) >= MAX_SAME_AUTHOR:
                    break
        return found

    def create_from_post(self, actor: User, post_id: str, note: str = "",
                         now: datetime | None = None) -> Case:
        """A monitor opens a case for any stored post; an open case of the post is returned as is."""
        actor.require("monitor", "admin", action="从帖子创建工单")
        now = self._now(now)
        kept = duplicates.open_case_of(self.db, [post_id])
        if kept:  # an open case's own post: that case; one of its event's posts: a duplicate
            if not kept["main_shared"]:
                with self.db.atomic():
                    self._fold(actor, kept, f"{actor.username} 从帖子 {post_id} 建单", [post_id], now)
            return self._load(actor, kept["case_id"], now)
        post = self.store.get(post_id)
        if post is None:
            raise CaseError(f"帖子 {post_id} 不存在")
        case = self._insert(actor, post, title=post.title or post.content[:40], city=post.city,
                            tier=post.severity or 0, level=None, alert_id=None, origin="监控员建单",
                            event_post_ids=[], now=now)
        if note:
            self._note(case.case_id, actor, "comment", note, now)
        return self._load(actor, case.case_id, now)

    def create_from_alert(self, alert: dict[str, Any], now: datetime | None = None) -> Case | None:
        """The case of one warning (idempotent per alert id); None when it already exists."""
        now = self._now(now)
        if self.db.query("SELECT 1 FROM cases WHERE alert_id = ? UNION SELECT 1 FROM case_duplicates "
                         "WHERE alert_id = ?", (alert["alert_id"], alert["alert_id"])):
            return None
        post_ids = json.loads(alert["post_ids"]) if isinstance(alert["post_ids"], str) else alert["post_ids"]
        kept = duplicates.open_case_of(self.db, post_ids)
        if kept:
            with self.db.atomic():
                self._fold(SYSTEM, kept, f"预警 #{alert['alert_id']}（{alert['rule']}）", post_ids, now,
                           alert_id=alert["alert_id"])
            return None
        post = self.store.get(post_ids[0]) if post_ids else None
        tier = (post.severity or 0) if post else 0
        try:
            subject = json.loads(alert.get("data") or "{}").get("subject")
        except (TypeError, ValueError):
            subject = None
        return self._insert(SYSTEM, post, title=subject or alert["title"], city=alert.get("city") or
                            (post.city if post else None), tier=tier, level=alert["level"],
                            alert_id=alert["alert_id"], origin=f"{alert['rule']} 预警自动建单",
                            event_post_ids=post_ids, now=now)

    def _fold(self, actor: User, kept: dict[str, Any], origin: str, post_ids: list[str],
              now: datetime, **ref: int | None) -> None:
        """A duplicate dispatch merged into the open case `kept` (see cases.duplicates)."""
        duplicates.attach_posts(self.db, kept["case_id"], post_ids)
        duplicates.record(self.db, kept, actor.username, origin, post_ids, now, **ref)
        self._audit(kept["case_id"], actor, "merge_duplicate", kept["status"], kept["status"],
                    f"重复派单已合并：{origin}", now)
        self._mark_posts(kept["case_id"], kept["status"])

    # --- transitions -----------------------------------------------------------------------
    def _mark_posts(self, case_id: int, status: str) -> None:
        for row in self.db.query("SELECT post_id FROM case_posts WHERE case_id = ? AND relation "
                                 "IN ('main', 'event')", (case_id,)):
            self.store.set_case_status(row["post_id"], status)

    def _move(self, actor: User, case_id: int, action_name: str, text: str, now: datetime,
              extra: dict[str, Any] | None = None) -> None:
        """Apply an action whose permission was checked; write case, audit and notes."""
        action = ACTIONS[action_name]
        row = self.db.query("SELECT * FROM cases WHERE case_id = ?", (case_id,))[0]
        source = row["status"]
        updates: dict[str, Any] = {"status": action.target, "updated_at": iso(now),
                                   "status_since": iso(now), **(extra or {})}
        if action.target in RESPONSE_STATUSES and not row["first_response_at"]:
            updates["first_response_at"] = iso(now)
        if action.target == CLOSED:
            updates["closed_at"] = iso(now)
        elif row["closed_at"]:
            updates["closed_at"] = None
        sets = ", ".join(f"{k} = ?" for k in updates)
        # The WHERE on status makes a concurrent second move fail instead of overwriting.
        cur = self.db.execute(f"UPDATE cases SET {sets} WHERE case_id = ? AND status = ?",
                              (*updates.values(), case_id, source))
        if cur.rowcount != 1:
            raise CaseError("工单状态已被他人更新，请刷新后重试")
        detail = text
        if "branch" in (extra or {}):
            detail = f"{text}（派往 {extra['branch']}）" if text else f"派往 {extra['branch']}"
        self._audit(case_id, actor, action_name, source, action.target, detail, now)
        self._resolve_sla_alerts(case_id, action.target, now)
        self._mark_posts(case_id, action.target)

    def _resolve_sla_alerts(self, case_id: int, status: str, now: datetime) -> None:
        """An answered or closed case clears its open SLA warnings (they stay in the history)."""
        kinds = (["first_response"] if status in RESPONSE_STATUSES else []) + \
                (["first_response", "closure"] if status == CLOSED else [])
        for kind in kinds:
            resolve_quietly(self.db, sla_key(case_id, kind), now)

    def act(self, actor: User, case_id: int, action: str, text: str = "",
            now: datetime | None = None, **options: Any) -> Case:
        """Take one action (see cases.states.ACTIONS) on a case; raises on anything not allowed.

        Options: dispatch → branch=, department=; reply → script_id=, script_version=;
        close → root_cause=, root_cause_note=, scenario=, resolved=, planned_fix_date= (checked
        by cases.closing: a vague or missing one is refused, naming the field).
        """
        now = self._now(now)
        case = self._load(actor, case_id, now)
        if action not in ACTIONS or not ACTIONS[action].listed:
            raise CaseError(f"未知操作 {action!r}；可选：{'、'.join(a for a in ACTIONS if ACTIONS[a].listed)}")
        spec = ACTIONS[action]
        if actor.role not in spec.roles:
            actor.require(*spec.roles, action=spec.label)
        if case.status not in spec.sources:
            raise CaseError(f"工单状态为「{case.status}」，不能{spec.label}"
                            f"（可从 {'、'.join(spec.sources)} {spec.label}）")
        text = (text or "").strip()
        if spec.needs_text and not text:
            raise CaseError(f"{spec.label}需要填写{spec.needs_text}")
        if spec.target in RESPONSE_STATUSES:  # the text is posted in the customer's thread
            _require_filled(text)
        extra: dict[str, Any] = {}
        if action == "dispatch":
            branch = options.get("branch") or self.config.cases.branch_of(case.city)
            extra["branch"] = branch
            if options.get("department"):
                extra["department"] = options["department"]
            if options.get("city"):
                extra["city"] = options["city"]
        elif action == "return":
            extra["branch"] = self.config.cases.provincial_team
        elif action == "reply":
            extra["reply_text"] = text
        elif action == "close":
            extra.update(closure_fields(self.config.cases.quality, text, options, now.date()))
        elif action == "invalidate":
            extra.update(dict.fromkeys(CLOSURE_COLUMNS), invalid_reason=text)
        scripts = None
        if action == "reply" and options.get("script_id") is not None:
            scripts = ScriptService(self.db)
        with self.db.atomic():
            if scripts is not None:
                version = scripts.record_use(actor, int(options["script_id"]), case.case_id, now)
                extra["reply_script_id"] = int(options["script_id"])
                options["script_version"] = version
            self._move(actor, case.case_id, action, text, now, extra)
            if spec.target == CLOSED:
                checks.requeue_returned(self.db, case.case_id, now)
            kind = {"reply": "online_reply", "close": "offline_result",
                    "request_info": "info_request"}.get(action, "reason" if text else None)
            if kind:
                self._note(case.case_id, actor, kind, text, now, options.get("script_id"),
                           options.get("script_version"))
        return self._load(actor, case.case_id, now)

    def transition(self, actor: User, case_id: int, to_status: str, text: str = "",
                   now: datetime | None = None, **options: Any) -> Case:
        """Move a case to `to_status` by whichever action leads there from its current status."""
        target = normalise_status(to_status)
        case = self._load(actor, case_id, now)
        action = action_between(case.status, target)
        if action is None:
            raise CaseError(f"不允许从「{case.status}」转为「{target}」")
        return self.act(actor, case_id, action.name, text, now, **options)

    # --- notes -----------------------------------------------------------------------------
    def comment(self, actor: User, case_id: int, body: str, now: datetime | None = None) -> None:
        """Add a comment (备注) to a case the actor may read (managers included)."""
        now = self._now(now)
        case = self._load(actor, case_id, now)
        if not body.strip():
            raise CaseError("备注内容不能为空")
        with self.db.atomic():
            self._note(case.case_id, actor, "comment", body.strip(), now)
            self._audit(case.case_id, actor, "comment", case.status, case.status, body.strip()[:80], now)

    def attach(self, actor: User, case_id: int, kind: str, body: str,
               now: datetime | None = None) -> None:
        """Attach an online reply text or an offline result to an open case without moving it
        (e.g. a second reply in the thread, or progress of the on-site repair)."""
        if kind not in ("online_reply", "offline_result"):
            raise CaseError("附件类型须为 online_reply（线上回复）或 offline_result（线下处理结果）")
        now = self._now(now)
        case = self._load(actor, case_id, now)
        actor.require("handler", "monitor", "admin", action="添加处理记录")
        if not case.is_open:
            raise CaseError("工单已办结，如需补充请先重新处理")
        if not body.strip():
            raise CaseError("内容不能为空")
        if kind == "online_reply":
            _require_filled(body)
        with self.db.atomic():
            self._note(case.case_id, actor, kind, body.strip(), now)
            self._audit(case.case_id, actor, f"attach_{kind}", case.status, case.status,
                        body.strip()[:80], now)

    # --- reading ---------------------------------------------------------------------------
    def get(self, actor: User, case_id: int, now: datetime | None = None) -> Case:
        """One case the actor may see (CaseNotFound otherwise)."""
        return self._load(actor, case_id, now)

    def case_id_of(self, ref: str) -> int:
        """The id a typed reference names: the id itself or a case number (TS…); -1 if none.

        Whether the case may be seen is `get`'s decision, so an unknown number and a case of
        another city fail the same way."""
        if ref.isdigit():
            return int(ref)
        rows = self.db.query("SELECT case_id FROM cases WHERE case_no = ?", (ref,))
        return rows[0]["case_id"] if rows else -1

    @staticmethod
    def _scope(actor: User, created_by: str | None) -> tuple[list[str], list[Any]]:
        """WHERE clauses and parameters for the cases the actor may see (a handler: their
        cities), of one creator when `created_by` is given."""
        where: list[str] = []
        params: list[Any] = []
        if not actor.province_wide:
            where.append(f"city IN ({', '.join('?' * len(actor.cities))})")
            params.extend(actor.cities)
        if created_by:
            where.append("created_by = ?")
            params.append(created_by)
        return where, params

    def list_cases(self, actor: User, status: Iterable[str] | str | None = None,
                   city: str | None = None, branch: str | None = None, overdue: bool = False,
                   open_only: bool = False, limit: int = 200, offset: int = 0,
                   now: datetime | None = None, created_by: str | None = None) -> list[Case]:
        """Cases the actor may see, newest first; a handler only ever gets their cities."""
        self._require_reader(actor)
        now = self._now(now)
        if not actor.province_wide and not actor.cities:
            return []
        where, params = self._scope(actor, created_by)
        if status:
            statuses = [normalise_status(s) for s in ([status] if isinstance(status, str) else status)]
            where.append(f"status IN ({', '.join('?' * len(statuses))})")
            params.extend(statuses)
        if open_only or overdue:
            where.append("status != ?")
            params.append(CLOSED)
        if city:
            where.append("city = ?")
            params.append(city)
        if branch:
            where.append("branch = ?")
            params.append(branch)
        if overdue:
            where.append("((first_response_at IS NULL AND first_response_due < ?) OR closure_due < ?)")
            params.extend([iso(now), iso(now)])
        sql = "SELECT * FROM cases" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self.db.query(sql + " ORDER BY case_id DESC LIMIT ? OFFSET ?", (*params, limit, offset))
        return [Case.from_row(r, now) for r in rows]

    def status_counts(self, actor: User, created_by: str | None = None) -> dict[str, int]:
        """How many cases the actor may see are in each status (every status, 0 included)."""
        self._require_reader(actor)
        counts = dict.fromkeys(STATUSES, 0)
        if not actor.province_wide and not actor.cities:
            return counts
        where, params = self._scope(actor, created_by)
        sql = "SELECT status, count(*) AS n FROM cases" + (
            " WHERE " + " AND ".join(where) if where else "") + " GROUP BY status"
        for row in self.db.query(sql, params):
            counts[row["status"]] = row["n"]
        return counts

    def available_actions(self, actor: User, case_id: int) -> list[dict[str, str]]:
        """What the actor may do now: [{'action', 'label', 'target', 'needs_text'}]."""
        case = self._load(actor, case_id)
        return [{"action": a.name, "label": a.label, "target": a.target, "needs_text": a.needs_text or ""}
                for a in allowed_actions(case.status, actor.role)]

    def audit_log(self, actor: User, case_id: int) -> list[dict[str, Any]]:
        """Every change of the case, oldest first (who, when, from → to, detail)."""
        case = self._load(actor, case_id)
        return self.db.query("SELECT * FROM case_audit WHERE case_id = ? ORDER BY audit_id",
                             (case.case_id,))

    def notes(self, actor: User, case_id: int) -> list[dict[str, Any]]:
        """Comments, info requests, online replies and offline results, oldest first."""
        case = self._load(actor, case_id)
        rows = self.db.query("SELECT * FROM case_notes WHERE case_id = ? ORDER BY note_id",
                             (case.case_id,))
        for row in rows:
            row["kind_label"] = NOTE_KINDS.get(row["kind"], row["kind"])
        return rows

    def related_posts(self, actor: User, case_id: int) -> list[dict[str, Any]]:
        """The case's posts: main, the event's, the same author's — with the post when stored.

        A handler sees the case's own post and, of the others, only those of their cities: the same
        author may have posted about another city, whose posts are not theirs to read."""
        case = self._load(actor, case_id)
        out = []
        for row in self.db.query("SELECT post_id, relation FROM case_posts WHERE case_id = ? "
                                 "ORDER BY CASE relation WHEN 'main' THEN 0 WHEN 'event' THEN 1 "
                                 "ELSE 2 END", (case.case_id,)):
            post = self.store.get(row["post_id"])
            if (row["relation"] != "main" and not actor.province_wide
                    and (post is None or post.city not in actor.cities)):
                continue
            out.append({"post_id": row["post_id"], "relation": row["relation"],
                        "post": post.to_dict() if post else None})
        return out

    def time_in_states(self, actor: User, case_id: int, now: datetime | None = None) -> dict[str, float]:
        """Hours spent in each status so far, from the audit log."""
        now = self._now(now)
        case = self._load(actor, case_id, now)
        return time_in_states(self.db, case.case_id, now)


def time_in_states(db: StateDB, case_id: int, now: datetime) -> dict[str, float]:
    """Hours per status for one case (the current status counts up to `now`)."""
    db.ensure(SCHEMA)
    rows = db.query("SELECT at, to_status FROM case_audit WHERE case_id = ? AND to_status IS NOT "
                    "NULL ORDER BY audit_id", (case_id,))
    spent: dict[str, float] = {s: 0.0 for s in STATUSES}
    for current, following in zip(rows, rows[1:] + [None]):
        start = datetime.fromisoformat(current["at"])
        end = datetime.fromisoformat(following["at"]) if following else now
        if current["to_status"] == CLOSED:   # a closed case's clock stops (质检 lines follow it)
            continue
        spent[current["to_status"]] += max(0.0, (end - start).total_seconds() / 3600)
    return {k: round(v, 3) for k, v in spent.items() if v}


__all__ = ["CaseService", "Case", "CaseError", "CaseNotFound", "DISPATCHED", "time_in_states"]
