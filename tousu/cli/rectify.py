"""`tousu rectify …`: 督办 items — list, show, candidates, open, progress, close, reopen, worst,
link, update, cycle."""

from __future__ import annotations

from typing import Any, Optional

import typer

from accounts.models import PermissionDenied
from cases.models import CaseError
from rectification.escalation import rectification_cycle
from rectification.models import Item, RectificationError
from rectification.service import RectificationService
from tousu.cli import common

app = typer.Typer(help="督办 rectification items: list (default), show, candidates, open, progress, "
                       "close, reopen, worst, link, update, cycle", invoke_without_command=True)
JSON = typer.Option(False, "--json")
ERRORS = (RectificationError, CaseError, PermissionDenied)


def _service() -> RectificationService:
    return RectificationService(common.config())


def _line(item: Item) -> str:
    flags = ["⚠逾期"] if item.overdue else []
    flags += [f"一月一事 {m}" for m in item.worst_months]
    progress = "—" if item.progress is None else f"{item.progress}%"
    return (f"{item.item_no} [{item.status}] {item.place} {item.owner_department} 时限 {item.deadline} "
            f"进度 {progress} {item.problem[:40]}" + (f"  {'，'.join(flags)}" if flags else ""))


def _run(as_user: Optional[str], work: Any) -> Any:
    """Run `work(service, user)`; a refused operation exits 1 with its Chinese message."""
    svc = _service()
    try:
        return work(svc, common.acting_user(as_user))
    except ERRORS as exc:
        common.fail(str(exc), 1)
    finally:
        svc.close()


def _case_ids(svc: RectificationService, refs: Optional[list[str]]) -> list[int]:
    """Case ids or numbers → ids; an unknown one is refused by its reference."""
    ids = []
    for ref in refs or []:
        case_id = svc.cases.case_id_of(ref)
        if case_id < 0:
            raise RectificationError(f"工单 {ref} 不存在")
        ids.append(case_id)
    return ids


@app.callback()
def list_items(ctx: typer.Context,
               status: Optional[str] = typer.Option(None, "--status", "-s", help="整改中 | 已办结"),
               city: Optional[str] = typer.Option(None, "--city"),
               overdue: bool = typer.Option(False, "--overdue", help="only overdue open items"),
               as_user: Optional[str] = common.AS_USER, as_json: bool = JSON) -> None:
    """List 督办 items: open ones by deadline, then closed ones."""
    if ctx.invoked_subcommand is not None:
        return
    items = _run(as_user, lambda svc, user: svc.list_items(user, status, city, overdue))
    common.listing(items, as_json, _line, "没有符合条件的督办事项")


@app.command("show")
def show(ref: str = typer.Argument(..., help="item id or number (DB…)"),
         as_user: Optional[str] = common.AS_USER, as_json: bool = JSON) -> None:
    """One item with its notes, audit log and linked cases."""
    def detail(svc: RectificationService, user: Any) -> dict[str, Any]:
        item_id = svc.item_id_of(ref)
        return {"item": svc.get(user, item_id).to_dict(), "notes": svc.notes(user, item_id),
                "audit": svc.audit_log(user, item_id),
                "cases": [c.case_no for c in svc.linked_cases(user, item_id)],
                "posts": [p["post_id"] for p in svc.linked_posts(user, item_id)]}

    found = _run(as_user, detail)
    if as_json:
        common.emit(found)
        return
    item = found["item"]
    typer.echo(f"{item['item_no']} [{item['status']}] {item['problem']}")
    typer.echo(f"  地点 {' '.join(p for p in (item['city'], item['district']) if p) or '全省'}　"
               f"责任部门 {item['owner_department']}　整改时限 {item['deadline']}　"
               f"来源 {item['origin']}")
    typer.echo(f"  预期措施 {item['measure']}")
    if item["evidence"]:
        typer.echo(f"  办结证据 {item['evidence']}" + (f"（附件 {item['evidence_ref']}）"
                                                   if item["evidence_ref"] else ""))
    typer.echo(f"  关联工单 {'、'.join(found['cases']) or '—'}　关联帖子 {len(found['posts'])} 条")
    for note in found["notes"]:
        percent = f" {note['percent']}%" if note["percent"] is not None else ""
        typer.echo(f"  [{note['kind_label']}{percent}] {note['at'][:16]} {note['author']}: "
                   f"{note['body']}")
    for row in found["audit"]:
        typer.echo(f"  {row['at'][:16]} {row['actor']} {row['action']} {row['detail']}")


@app.command("candidates")
def candidates(days: Optional[int] = typer.Option(None, "--days", help="cases of the last N days"),
               min_cases: Optional[int] = typer.Option(None, "--min", help="at least N cases"),
               as_user: Optional[str] = common.AS_USER, as_json: bool = JSON) -> None:
    """Recurring problems: one category with many cases in one district or city."""
    found = _run(as_user, lambda svc, user: svc.candidates(user, days, min_cases))
    common.listing(found, as_json, lambda c: f"{c.label}：{'、'.join(c.case_nos[:10])}"
                   + (f"  已督办 {'、'.join(c.open_items)}" if c.open_items else ""),
                   "没有达到条件的重复问题")


@app.command("open")
def open_item(problem: Optional[str] = typer.Option(None, "--problem", help="问题描述"),
              department: Optional[str] = typer.Option(None, "--department", help="责任部门"),
              measure: str = typer.Option(..., "--measure", help="预期整改措施"),
              deadline: Optional[str] = typer.Option(None, "--deadline", help="YYYY-MM-DD"),
              city: Optional[str] = typer.Option(None, "--city"),
              district: str = typer.Option("", "--district"),
              category: Optional[str] = typer.Option(None, "--category"),
              owner: Optional[list[str]] = typer.Option(None, "--owner", help="named handler"),
              case: Optional[list[str]] = typer.Option(None, "--case", help="case id or number"),
              post: Optional[list[str]] = typer.Option(None, "--post", help="post id"),
              alert: Optional[int] = typer.Option(None, "--alert", help="an event or volume warning"),
              as_user: Optional[str] = common.AS_USER) -> None:
    """Open an item: from a warning (--alert), from cases (--case …) or by hand."""
    def work(svc: RectificationService, user: Any) -> Item:
        case_ids = _case_ids(svc, case)
        fields = {"problem": problem, "owner_department": department, "measure": measure,
                  "deadline": deadline, "city": city, "district": district, "category": category,
                  "owners": owner or []}
        if alert is not None:
            return svc.open_from_alert(user, alert, case_ids=case_ids, **fields)
        if case_ids and not post:
            return svc.open_from_cases(user, case_ids, **fields)
        return svc.open(user, **{**fields, "problem": problem or "",
                                 "owner_department": department or ""},
                        case_ids=case_ids, post_ids=post or [])

    typer.echo(_line(_run(as_user, work)))


@app.command("progress")
def progress(ref: str, text: str = typer.Argument(..., help="整改进展"),
             percent: Optional[int] = typer.Option(None, "--percent", help="0–100"),
             attachment: Optional[str] = typer.Option(None, "--attachment", help="附件编号或路径"),
             as_user: Optional[str] = common.AS_USER) -> None:
    """Post a progress note (the item's owners)."""
    typer.echo(_line(_run(as_user, lambda svc, user: svc.progress(
        user, svc.item_id_of(ref), text, percent, attachment))))


@app.command("remark")
def remark(ref: str, text: str = typer.Argument(..., help="督办意见"),
           as_user: Optional[str] = common.AS_USER) -> None:
    """Add a supervision remark (managers)."""
    _run(as_user, lambda svc, user: svc.remark(user, svc.item_id_of(ref), text))
    typer.echo("已添加督办意见")


@app.command("close")
def close(ref: str, evidence: str = typer.Argument(..., help="办结证据"),
          attachment: Optional[str] = typer.Option(None, "--attachment", help="附件编号或路径"),
          as_user: Optional[str] = common.AS_USER) -> None:
    """Close an item with its evidence (managers)."""
    typer.echo(_line(_run(as_user, lambda svc, user: svc.close_item(
        user, svc.item_id_of(ref), evidence, attachment))))


@app.command("reopen")
def reopen(ref: str, reason: str = typer.Argument(..., help="重新督办原因"),
           deadline: Optional[str] = typer.Option(None, "--deadline", help="YYYY-MM-DD"),
           as_user: Optional[str] = common.AS_USER) -> None:
    """Reopen a closed item (managers)."""
    typer.echo(_line(_run(as_user, lambda svc, user: svc.reopen(
        user, svc.item_id_of(ref), reason, deadline))))


@app.command("worst")
def worst(ref: str, month: Optional[str] = typer.Option(None, "--month", help="YYYY-MM (default: "
                                                                             "this month)"),
          as_user: Optional[str] = common.AS_USER) -> None:
    """Make an item the month's 一月一事 (managers)."""
    typer.echo(_line(_run(as_user, lambda svc, user: svc.mark_worst(user, svc.item_id_of(ref), month))))


@app.command("link")
def link(ref: str, case: Optional[list[str]] = typer.Option(None, "--case"),
         post: Optional[list[str]] = typer.Option(None, "--post"),
         as_user: Optional[str] = common.AS_USER) -> None:
    """Attach cases (with their posts) and posts to an item (managers)."""
    added = _run(as_user, lambda svc, user: svc.link(
        user, svc.item_id_of(ref), _case_ids(svc, case), post or []))
    typer.echo(f"新增关联 {added} 条")


@app.command("update")
def update(ref: str, reason: str = typer.Option(..., "--reason", help="调整原因"),
           deadline: Optional[str] = typer.Option(None, "--deadline"),
           department: Optional[str] = typer.Option(None, "--department"),
           measure: Optional[str] = typer.Option(None, "--measure"),
           problem: Optional[str] = typer.Option(None, "--problem"),
           owner: Optional[list[str]] = typer.Option(None, "--owner"),
           as_user: Optional[str] = common.AS_USER) -> None:
    """Change an item's deadline, department, measure, problem or owners (managers)."""
    typer.echo(_line(_run(as_user, lambda svc, user: svc.update(
        user, svc.item_id_of(ref), reason, deadline=deadline, owner_department=department,
        measure=measure, problem=problem, owners=owner))))


@app.command("cycle")
def cycle(as_json: bool = JSON) -> None:
    """Escalate overdue items and deliver their notices, now."""
    counts = rectification_cycle(common.config())
    if as_json:
        common.emit(counts)
    else:
        typer.echo(f"逾期督办提醒 {counts['escalations']}，发送 {counts['sent']}，失败 {counts['failed']}")
