"""督办 service: every call takes the acting User and checks it before touching data.

Managers (and admins) open, adjust, close and reopen items and pick the month's 一月一事; the
owners post progress: the handlers of the item's city and the handlers named on it; monitors
read. A handler asking for an item that is not theirs gets the same "not found" as for an id
that does not exist.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable

from accounts.models import PermissionDenied, User
from alerts.api import get_alert, recent_of_types, resolve_quietly
from cases.models import Case, CaseNotFound
from cases.reporting import of_alert
from cases.service import CaseService
from core.db import StateDB
from core.post import CST, iso, now_cst
from nlp.dictionary import get_dictionary
from rectification import checks
from rectification.candidates import Candidate, districts, find
from rectification.config import AppConfig
from rectification.models import (ALERT_ORIGINS, CLOSED, OPEN, ORIGINS, STATUSES, Item,
                                   ItemNotFoundError, RectificationError)
from rectification.schema import NOTE_KINDS, SCHEMA

MANAGING = ("manager", "admin")
READING = ("monitor", "handler", "manager", "admin")
EDITABLE = {"problem": "问题", "owner_department": "责任部门", "measure": "预期整改措施",
            "deadline": "整改时限", "owners": "责任人", "district": "区县"}


class RectificationService:
    """督办事项 in the state DB; linked cases are read through the case service."""

    def __init__(self, config: AppConfig, db: StateDB | None = None,
                 cases: CaseService | None = None, clock: Callable[[], datetime] = now_cst):
        self.config = config
        self.db = db or StateDB(config.state_path)
        self._own_cases = cases is None
        self.cases = cases or CaseService(config, self.db, clock=clock)
        self.clock = clock
        self.db.ensure(SCHEMA)

    def close(self) -> None:
        """Close what this service opened (the case service's store)."""
        if self._own_cases:
            self.cases.close()

    def _now(self, now: datetime | None = None) -> datetime:
        return (now or self.clock()).astimezone(CST).replace(microsecond=0)

    # --- permissions and loading -----------------------------------------------------------
    @staticmethod
    def _require_reader(actor: User) -> None:
        if not actor.active:
            raise PermissionDenied(f"账号 {actor.username} 已停用")
        if actor.role not in READING:
            raise PermissionDenied("口径审核角色无权查看督办事项")

    @staticmethod
    def _may_see(actor: User, row: dict[str, Any]) -> bool:
        if actor.province_wide:
            return True
        return actor.role == "handler" and (
            (row["city"] is not None and row["city"] in actor.cities)
            or actor.username in json.loads(row["owners"]))

    def _worst_months(self, item_id: int) -> list[str]:
        return [r["month"] for r in self.db.query(
            "SELECT month FROM rectify_worst WHERE item_id = ? ORDER BY month", (item_id,))]

    def _item(self, row: dict[str, Any], now: datetime | None = None) -> Item:
        return Item.from_row(row, self._now(now), self._worst_months(row["item_id"]))

    def _row(self, actor: User, item_id: int) -> dict[str, Any]:
        self._require_reader(actor)
        rows = self.db.query("SELECT * FROM rectify_items WHERE item_id = ?", (int(item_id),))
        if not rows or not self._may_see(actor, rows[0]):
            raise ItemNotFoundError(f"督办事项 {item_id} 不存在或不在您的管辖范围内")
        return rows[0]

    def may_progress(self, actor: User, item: Item) -> bool:
        """Whether the actor may post progress on the item: its owners (the handlers of its city
        and those named on it) and admins, while it is open."""
        if not item.is_open or not actor.active:
            return False
        if actor.role == "admin":
            return True
        return actor.role == "handler" and (item.city in actor.cities
                                            or actor.username in item.owners)

    # --- audit and notes -------------------------------------------------------------------
    def _audit(self, item_id: int, actor: User, action: str, detail: str, now: datetime) -> None:
        self.db.execute("INSERT INTO rectify_audit (item_id, at, actor, actor_role, action, detail) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (item_id, iso(now), actor.username, actor.role, action, detail))

    def _note(self, item_id: int, actor: User, kind: str, body: str, now: datetime,
              percent: int | None = None, attachment: str | None = None) -> None:
        self.db.execute("INSERT INTO rectify_notes (item_id, at, author, author_role, kind, body, "
                        "percent, attachment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (item_id, iso(now), actor.username, actor.role, kind, body, percent,
                         attachment))

    # --- checks ----------------------------------------------------------------------------
    def _cases(self, actor: User, case_ids: Iterable[int]) -> list[Case]:
        out = []
        for case_id in dict.fromkeys(int(c) for c in case_ids):
            try:
                out.append(self.cases.get(actor, case_id))
            except CaseNotFound:
                raise RectificationError(f"工单 {case_id} 不存在") from None
        return out

    # --- opening ---------------------------------------------------------------------------
    def open(self, actor: User, *, problem: str, owner_department: str, measure: str,
             deadline: date | str | None = None, city: str | None = None, district: str = "",
             category: str | None = None, owners: Iterable[str] = (), case_ids: Iterable[int] = (),
             post_ids: Iterable[str] = (), origin: str = "manual", alert_id: int | None = None,
             now: datetime | None = None) -> Item:
        """Open an item (managers); linked cases must exist, named owners must be handlers."""
        actor.require(*MANAGING, action="立项督办")
        now = self._now(now)
        if origin not in ORIGINS:
            raise RectificationError(f"未知来源 {origin!r}")
        fields = {"problem": checks.text(problem, "问题描述"),
                  "owner_department": checks.text(owner_department, "责任部门", 60),
                  "measure": checks.text(measure, "预期整改措施"), "deadline": checks.deadline(self.config, deadline, now),
                  "city": checks.city(self.config, city), "district": (district or "").strip()[:30],
                  "category": (category or "").strip() or None, "owners": checks.owners(self.db, owners)}
        cases = self._cases(actor, case_ids)
        posts = list(dict.fromkeys([*post_ids, *(c.post_id for c in cases if c.post_id)]))
        via = {"event": "alert", "volume": "alert"}.get(origin, origin)
        with self.db.atomic():
            cur = self.db.execute(
                "INSERT INTO rectify_items (problem, category, city, district, owner_department, "
                "owners, deadline, measure, origin, alert_id, status, created_by, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (fields["problem"], fields["category"], fields["city"], fields["district"],
                 fields["owner_department"], json.dumps(fields["owners"], ensure_ascii=False),
                 fields["deadline"], fields["measure"], origin, alert_id, OPEN, actor.username,
                 iso(now), iso(now)))
            item_id = int(cur.lastrowid)
            self.db.execute("UPDATE rectify_items SET item_no = ? WHERE item_id = ?",
                            (f"DB{now:%Y%m}{item_id:03d}", item_id))
            self._link_rows(item_id, actor, [c.case_id for c in cases], posts, via, now)
            self._audit(item_id, actor, "open",
                        f"来源：{ORIGINS[origin]}；责任部门 {fields['owner_department']}；"
                        f"整改时限 {fields['deadline']}；关联工单 {len(cases)} 张、帖子 {len(posts)} 条",
                        now)
        return self.get(actor, item_id, now)

    def open_from_alert(self, actor: User, alert_id: int, **fields: Any) -> Item:
        """Open an item from an event or volume warning: its subject, city, category, posts and
        the cases about them are the defaults; one open item per warning."""
        actor.require(*MANAGING, action="立项督办")
        alert = get_alert(self.db, alert_id)
        if alert is None:
            raise RectificationError(f"预警 {alert_id} 不存在")
        data = json.loads(alert["data"] or "{}")
        rule_type = data.get("rule_type") or alert["rule"]
        if rule_type not in ALERT_ORIGINS:
            raise RectificationError("只能从事件预警或量预警立项督办")
        taken = self.db.query("SELECT item_no FROM rectify_items WHERE alert_id = ? AND status = ?",
                              (int(alert_id), OPEN))
        if taken:
            raise RectificationError(f"该预警已立项督办：{taken[0]['item_no']}")
        more_cases = fields.pop("case_ids", ())
        post_ids = json.loads(alert["post_ids"] or "[]")
        categories = json.loads(alert["categories"] or "[]")
        category = fields.pop("category", None) or (categories[0] if categories else None)
        defaults = {"problem": data.get("subject") or alert["title"], "city": alert["city"],
                    "owner_department": self.config.cases.departments.get(category or "", "")}
        case_ids = [r["case_id"] for r in of_alert(self.db, alert["alert_id"], post_ids)]
        return self.open(actor, **{**defaults, **{k: v for k, v in fields.items() if v}},
                         category=category, case_ids=[*case_ids, *more_cases],
                         post_ids=post_ids, origin=ALERT_ORIGINS[rule_type],
                         alert_id=alert["alert_id"])

    def open_from_cases(self, actor: User, case_ids: Iterable[int], origin: str = "cases",
                        **fields: Any) -> Item:
        """Open an item from a set of cases: their common city, most frequent category and the
        department that category goes to are the defaults."""
        actor.require(*MANAGING, action="立项督办")
        cases = self._cases(actor, case_ids)
        if not cases:
            raise RectificationError("请选择至少一张工单")
        cities = {c.city for c in cases}
        counted = Counter(cat for c in cases for cat in c.categories)
        category = fields.pop("category", None) or (counted.most_common(1)[0][0] if counted else None)
        city = cities.pop() if len(cities) == 1 else None
        place = " ".join(p for p in (city, fields.get("district")) if p) or "多地市"
        defaults = {"problem": f"{place}「{category or '投诉'}」问题反复出现（{len(cases)} 张工单）",
                    "city": city,
                    "owner_department": self.config.cases.departments.get(category or "", "")}
        return self.open(actor, **{**defaults, **{k: v for k, v in fields.items() if v}},
                         category=category, case_ids=[c.case_id for c in cases], origin=origin)

    def open_from_candidate(self, actor: User, candidate: Candidate, **fields: Any) -> Item:
        """Open an item for a recurring problem (see `candidates`) with its cases."""
        fields = {"category": candidate.category, "district": candidate.district, **fields}
        return self.open_from_cases(actor, candidate.case_ids, origin="candidate", **fields)

    def candidates(self, actor: User, days: int | None = None, min_cases: int | None = None,
                   until: datetime | None = None, now: datetime | None = None) -> list[Candidate]:
        """Recurring problems among the cases of the last `days` (rectification.candidate_days):
        a category with at least `min_cases` cases in one district or city."""
        actor.require("monitor", *MANAGING, action="查看重复问题")
        cfg = self.config.rectification
        end = until or self._now(now) + timedelta(seconds=1)   # up to and including now
        start = end - timedelta(days=days or cfg.candidate_days)
        return find(self.db, get_dictionary(self.config.keywords_dir), iso(start), iso(end),
                    min_cases or cfg.candidate_min_cases)

    def districts(self, city: str | None) -> list[str]:
        """The districts and counties of a city, for picking an item's place."""
        return districts(get_dictionary(self.config.keywords_dir), city)

    def openable_alerts(self, actor: User, limit: int = 100) -> list[dict[str, Any]]:
        """The newest event and volume warnings, to open an item from (managers)."""
        actor.require(*MANAGING, action="立项督办")
        return recent_of_types(self.db, list(ALERT_ORIGINS), limit)

    # --- changing --------------------------------------------------------------------------
    def _link_rows(self, item_id: int, actor: User, case_ids: list[int], post_ids: list[str],
                   via: str, now: datetime) -> int:
        rows = [(item_id, "case", str(c), via, actor.username, iso(now)) for c in case_ids]
        rows += [(item_id, "post", p, via, actor.username, iso(now)) for p in post_ids]
        before = self.db.conn.total_changes
        self.db.conn.executemany("INSERT OR IGNORE INTO rectify_links VALUES (?, ?, ?, ?, ?, ?)",
                                 rows)
        return self.db.conn.total_changes - before

    def link(self, actor: User, item_id: int, case_ids: Iterable[int] = (),
             post_ids: Iterable[str] = (), now: datetime | None = None) -> int:
        """Attach more cases (with their posts) and posts; returns how many links are new."""
        actor.require(*MANAGING, action="关联工单和帖子")
        now = self._now(now)
        row = self._row(actor, item_id)
        cases = self._cases(actor, case_ids)
        posts = list(dict.fromkeys([*post_ids, *(c.post_id for c in cases if c.post_id)]))
        for post_id in post_ids:
            if self.cases.store.get(post_id) is None:
                raise RectificationError(f"帖子 {post_id} 不存在")
        with self.db.atomic():
            added = self._link_rows(row["item_id"], actor, [c.case_id for c in cases], posts,
                                    "manual", now)
            if added:
                self._audit(row["item_id"], actor, "link",
                            f"关联工单 {len(cases)} 张、帖子 {len(posts)} 条", now)
        return added

    def update(self, actor: User, item_id: int, reason: str, now: datetime | None = None,
               **changes: Any) -> Item:
        """Change the problem, department, measure, deadline, owners or district (managers),
        with a reason; a new deadline clears the old deadline's escalation warnings."""
        actor.require(*MANAGING, action="调整督办事项")
        now = self._now(now)
        row = self._row(actor, item_id)
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise RectificationError(f"不能调整 {'、'.join(sorted(unknown))}")
        reason = checks.text(reason, "调整原因")
        valid: dict[str, Callable[[Any], Any]] = {
            "problem": lambda v: checks.text(v, "问题描述"),
            "owner_department": lambda v: checks.text(v, "责任部门", 60),
            "measure": lambda v: checks.text(v, "预期整改措施"),
            "deadline": lambda v: checks.deadline(self.config, v, now),
            "owners": lambda v: json.dumps(checks.owners(self.db, v), ensure_ascii=False),
            "district": lambda v: (v or "").strip()[:30]}
        new = {k: valid[k](v) for k, v in changes.items() if v is not None}
        new = {k: v for k, v in new.items() if v != row[k]}
        if not new:
            raise RectificationError("没有要调整的内容")
        shown = {k: "、".join(json.loads(v)) if k == "owners" else v for k, v in new.items()}
        was = {k: "、".join(json.loads(row[k])) if k == "owners" else row[k] for k in new}
        detail = "；".join(f"{EDITABLE[k]}：{was[k] or '—'} → {v or '—'}" for k, v in shown.items())
        with self.db.atomic():
            sets = ", ".join(f"{k} = ?" for k in new)
            self.db.execute(f"UPDATE rectify_items SET {sets}, updated_at = ? WHERE item_id = ?",
                            (*new.values(), iso(now), row["item_id"]))
            self._note(row["item_id"], actor, "reason", reason, now)
            self._audit(row["item_id"], actor, "update", f"{detail}（{reason}）", now)
            if "deadline" in new:
                self._resolve_escalations(row["item_id"], now)
        return self.get(actor, item_id, now)

    def progress(self, actor: User, item_id: int, body: str, percent: int | None = None,
                 attachment: str | None = None, now: datetime | None = None) -> Item:
        """An owner's progress note (整改进展), with an optional percentage and attachment reference."""
        now = self._now(now)
        item = self._item(self._row(actor, item_id), now)
        if not item.is_open:
            raise RectificationError("督办事项已办结，不能再填报进展")
        if not self.may_progress(actor, item):
            raise PermissionDenied("只有责任地市的处理员、指定责任人或管理员可以填报整改进展")
        body = checks.text(body, "整改进展", 2000)
        if percent is not None and not 0 <= int(percent) <= 100:
            raise RectificationError("整改进度须在 0–100 之间")
        with self.db.atomic():
            self._note(item.item_id, actor, "progress", body, now,
                       None if percent is None else int(percent), (attachment or "").strip() or None)
            self.db.execute("UPDATE rectify_items SET progress = coalesce(?, progress), "
                            "last_progress_at = ?, updated_at = ? WHERE item_id = ?",
                            (percent, iso(now), iso(now), item.item_id))
            self._audit(item.item_id, actor, "progress",
                        (f"{percent}%：" if percent is not None else "") + body[:80], now)
        return self.get(actor, item_id, now)

    def remark(self, actor: User, item_id: int, body: str, now: datetime | None = None) -> None:
        """A manager's supervision remark (督办意见) on an item."""
        actor.require(*MANAGING, action="填写督办意见")
        now = self._now(now)
        row = self._row(actor, item_id)
        body = checks.text(body, "督办意见", 2000)
        with self.db.atomic():
            self._note(row["item_id"], actor, "remark", body, now)
            self._audit(row["item_id"], actor, "remark", body[:80], now)

    def close_item(self, actor: User, item_id: int, evidence: str, attachment: str | None = None,
              now: datetime | None = None) -> Item:
        """Close an item with its evidence (text, and a reference to an attachment if any)."""
        actor.require(*MANAGING, action="办结督办事项")
        now = self._now(now)
        row = self._row(actor, item_id)
        if row["status"] != OPEN:
            raise RectificationError(f"督办事项状态为「{row['status']}」，不能办结")
        evidence = checks.text(evidence, "办结证据", 2000)
        attachment = (attachment or "").strip() or None
        with self.db.atomic():
            # The WHERE on status makes a concurrent second close fail instead of overwriting.
            done = self.db.execute(
                "UPDATE rectify_items SET status = ?, closed_at = ?, closed_by = ?, evidence = ?, "
                "evidence_ref = ?, progress = 100, updated_at = ? WHERE item_id = ? AND status = ?",
                (CLOSED, iso(now), actor.username, evidence, attachment, iso(now), row["item_id"],
                 OPEN)).rowcount
            if not done:
                raise RectificationError("督办事项已被他人更新，请刷新后重试")
            self._note(row["item_id"], actor, "evidence", evidence, now, 100, attachment)
            self._audit(row["item_id"], actor, "close", evidence[:80]
                        + (f"（附件：{attachment}）" if attachment else ""), now)
            self._resolve_escalations(row["item_id"], now)
        return self.get(actor, item_id, now)

    def reopen(self, actor: User, item_id: int, reason: str, deadline: date | str | None = None,
               now: datetime | None = None) -> Item:
        """Reopen a closed item (the evidence did not hold), optionally with a new deadline."""
        actor.require(*MANAGING, action="重新督办")
        now = self._now(now)
        row = self._row(actor, item_id)
        if row["status"] != CLOSED:
            raise RectificationError("只有已办结的督办事项可以重新督办")
        reason = checks.text(reason, "重新督办原因")
        new_deadline = checks.deadline(self.config, deadline, now) if deadline else row["deadline"]
        with self.db.atomic():
            self.db.execute("UPDATE rectify_items SET status = ?, closed_at = NULL, closed_by = NULL, "
                            "evidence = NULL, evidence_ref = NULL, deadline = ?, updated_at = ? "
                            "WHERE item_id = ?", (OPEN, new_deadline, iso(now), row["item_id"]))
            self._note(row["item_id"], actor, "reason", reason, now)
            self._audit(row["item_id"], actor, "reopen", f"{reason}；整改时限 {new_deadline}", now)
        return self.get(actor, item_id, now)

    def mark_worst(self, actor: User, item_id: int, month: str | None = None,
                   now: datetime | None = None) -> Item:
        """Make the item the month's 一月一事 (default: this month); it replaces the one marked
        before, if any."""
        actor.require(*MANAGING, action="设定一月一事")
        now = self._now(now)
        month = checks.month(month or f"{now:%Y-%m}")
        row = self._row(actor, item_id)
        with self.db.atomic():
            before = self.db.query("SELECT item_id FROM rectify_worst WHERE month = ?", (month,))
            if before and before[0]["item_id"] == row["item_id"]:
                return self.get(actor, item_id, now)
            if before:
                self._audit(before[0]["item_id"], actor, "unmark_worst",
                            f"{month} 一月一事改为 {row['item_no']}", now)
            self.db.execute("INSERT INTO rectify_worst (month, item_id, marked_by, marked_at) "
                            "VALUES (?, ?, ?, ?) ON CONFLICT (month) DO UPDATE SET "
                            "item_id = excluded.item_id, marked_by = excluded.marked_by, "
                            "marked_at = excluded.marked_at",
                            (month, row["item_id"], actor.username, iso(now)))
            self._audit(row["item_id"], actor, "mark_worst", f"设为 {month} 一月一事", now)
        return self.get(actor, item_id, now)

    def _resolve_escalations(self, item_id: int, now: datetime) -> None:
        """Its overdue warnings are dealt with (closed, or a new deadline): resolve them quietly."""
        for row in self.db.query("SELECT alert_key FROM rectify_escalations WHERE item_id = ?",
                                 (item_id,)):
            resolve_quietly(self.db, row["alert_key"], now)

    # --- reading ---------------------------------------------------------------------------
    def get(self, actor: User, item_id: int, now: datetime | None = None) -> Item:
        """One item the actor may see (ItemNotFoundError otherwise)."""
        return self._item(self._row(actor, item_id), now)

    def item_id_of(self, ref: str) -> int:
        """The id a typed reference names: the id itself or an item number (DB…); -1 if none."""
        ref = ref.strip()
        if ref.isdigit():
            return int(ref)
        rows = self.db.query("SELECT item_id FROM rectify_items WHERE item_no = ?", (ref.upper(),))
        return rows[0]["item_id"] if rows else -1

    def list_items(self, actor: User, status: str | None = None, city: str | None = None,
                   overdue: bool = False, limit: int = 500, now: datetime | None = None) -> list[Item]:
        """Items the actor may see, open ones by deadline first, then closed ones newest first."""
        self._require_reader(actor)
        now = self._now(now)
        if status is not None and status not in STATUSES:
            raise RectificationError(f"未知状态「{status}」；可选：{'、'.join(STATUSES)}")
        where, params = [], []
        if status or overdue:
            where.append("status = ?")
            params.append(OPEN if overdue else status)
        if city:
            where.append("city = ?")
            params.append(city)
        sql = "SELECT * FROM rectify_items" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self.db.query(sql + " ORDER BY status = ? DESC, CASE WHEN status = ? THEN deadline "
                             "END, item_id DESC", (*params, OPEN, OPEN))
        items = [self._item(r, now) for r in rows if self._may_see(actor, r)]
        return [i for i in items if i.overdue or not overdue][:limit]

    def worst_of(self, actor: User, month: str) -> Item | None:
        """The month's 一月一事, if one is marked and the actor may see it."""
        self._require_reader(actor)
        rows = self.db.query("SELECT i.* FROM rectify_worst w JOIN rectify_items i USING (item_id) "
                             "WHERE w.month = ?", (month,))
        return self._item(rows[0]) if rows and self._may_see(actor, rows[0]) else None

    def notes(self, actor: User, item_id: int) -> list[dict[str, Any]]:
        """Progress notes, remarks, evidence and reasons, oldest first."""
        row = self._row(actor, item_id)
        notes = self.db.query("SELECT * FROM rectify_notes WHERE item_id = ? ORDER BY note_id",
                              (row["item_id"],))
        for note in notes:
            note["kind_label"] = NOTE_KINDS.get(note["kind"], note["kind"])
        return notes

    def audit_log(self, actor: User, item_id: int) -> list[dict[str, Any]]:
        """Every change of the item, oldest first (who, when, what)."""
        row = self._row(actor, item_id)
        return self.db.query("SELECT * FROM rectify_audit WHERE item_id = ? ORDER BY audit_id",
                             (row["item_id"],))

    def linked_cases(self, actor: User, item_id: int) -> list[Case]:
        """The item's cases that the actor may see (a handler: their cities' only)."""
        row = self._row(actor, item_id)
        out = []
        for link in self.db.query("SELECT ref FROM rectify_links WHERE item_id = ? AND kind = 'case' "
                                  "ORDER BY CAST(ref AS INTEGER)", (row["item_id"],)):
            try:
                out.append(self.cases.get(actor, int(link["ref"])))
            except CaseNotFound:
                continue
        return out

    def linked_posts(self, actor: User, item_id: int) -> list[dict[str, Any]]:
        """The item's posts as {'post_id', 'via', 'post'}; a handler sees their cities' posts only."""
        row = self._row(actor, item_id)
        out = []
        for link in self.db.query("SELECT ref, via FROM rectify_links WHERE item_id = ? AND "
                                  "kind = 'post' ORDER BY added_at, ref", (row["item_id"],)):
            post = self.cases.store.get(link["ref"])
            if not actor.province_wide and (post is None or post.city not in actor.cities):
                continue
            out.append({"post_id": link["ref"], "via": link["via"],
                        "post": post.to_dict() if post else None})
        return out
