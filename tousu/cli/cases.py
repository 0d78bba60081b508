"""`tousu cases …`: list, show, create from a post, act on a case, run the case cycle."""

from __future__ import annotations

from typing import Any, Optional

import typer

from accounts.models import PermissionDenied
from cases.automation import cases_cycle
from cases.models import CaseError
from cases.service import CaseService
from reply_scripts.models import ScriptError
from tousu.cli import common

app = typer.Typer(help="工单 cases: list (default), show, create, act, cycle",
                  invoke_without_command=True)
AS_USER = typer.Option(None, "--as", help="act as this stored user (default: administrator)")


def _service() -> CaseService:
    return CaseService(common.config())


def _line(case: Any) -> str:
    flags = []
    if case.flags.get("first_response_overdue") and not case.first_response_at:
        flags.append("响应超期")
    if case.flags.get("closure_overdue") and case.is_open:
        flags.append("办结超期")
    return (f"{case.case_no} [{case.status}] {case.tier}级 {case.city or '—'} → {case.branch} "
            f"{case.title[:40]}" + (f"  ⚠{'、'.join(flags)}" if flags else ""))


@app.callback()
def list_cases(ctx: typer.Context,
               status: Optional[list[str]] = typer.Option(None, "--status", "-s", help="新建/已派单/… or new/…"),
               city: Optional[str] = typer.Option(None, "--city"),
               overdue: bool = typer.Option(False, "--overdue", help="only overdue open cases"),
               limit: int = typer.Option(100, "--limit", "-n"),
               as_user: Optional[str] = AS_USER,
               as_json: bool = typer.Option(False, "--json")) -> None:
    """List cases, newest first."""
    if ctx.invoked_subcommand is not None:
        return

    svc = _service()
    try:
        cases = svc.list_cases(common.acting_user(as_user), status=status or None, city=city, overdue=overdue,
                               limit=limit)
    except (ValueError, PermissionDenied) as exc:
        common.fail(str(exc), 2)
    finally:
        svc.close()
    if as_json:
        common.emit([c.to_dict() for c in cases])
        return
    for case in cases:
        typer.echo(_line(case))
    if not cases:
        typer.echo("没有符合条件的工单")


@app.command("show")
def show(ref: str = typer.Argument(..., help="case id or case number"), as_user: Optional[str] = AS_USER,
         as_json: bool = typer.Option(False, "--json")) -> None:
    """One case with its notes, audit log, related posts and time per state."""
    svc = _service()
    user = common.acting_user(as_user)
    try:
        case_id = svc.case_id_of(ref)
        case = svc.get(user, case_id)
        detail = {"case": case.to_dict(), "notes": svc.notes(user, case_id),
                  "audit": svc.audit_log(user, case_id), "time_in_states": svc.time_in_states(user, case_id),
                  "related_posts": [{k: v for k, v in r.items() if k != "post"} | {
                      "title": (r["post"] or {}).get("title", "")} for r in svc.related_posts(user, case_id)],
                  "actions": svc.available_actions(user, case_id)}
    except (CaseError, PermissionDenied) as exc:
        common.fail(str(exc), 1)
    finally:
        svc.close()
    if as_json:
        common.emit(detail)
        return
    typer.echo(_line(case))
    typer.echo(f"  部门 {case.department or '—'}　首次响应时限 {case.first_response_due[:16]}　"
               f"办结时限 {case.closure_due[:16]}　原帖 {case.url or '—'}")
    for row in detail["audit"]:
        typer.echo(f"  {row['at'][:16]} {row['actor']} {row['action']} "
                   f"{row['from_status'] or ''}→{row['to_status'] or ''} {row['detail']}")
    for note in detail["notes"]:
        typer.echo(f"  [{note['kind_label']}] {note['at'][:16]} {note['author']}: {note['body']}")
    typer.echo("  各状态用时（小时）: " + "，".join(f"{k} {v}" for k, v in detail["time_in_states"].items()))
    typer.echo("  可执行: " + "、".join(f"{a['action']}({a['label']})" for a in detail["actions"]))


@app.command("create")
def create(post_id: str = typer.Option(..., "--post", help="post id"), note: str = typer.Option(""),
           as_user: Optional[str] = AS_USER) -> None:
    """Open a case for a stored post (as a monitor would)."""
    svc = _service()
    try:
        case = svc.create_from_post(common.acting_user(as_user), post_id, note)
    except (CaseError, PermissionDenied) as exc:
        common.fail(str(exc), 1)
    finally:
        svc.close()
    typer.echo(_line(case))


@app.command("act")
def act(ref: str, action: str = typer.Argument(..., help="dispatch accept request_info info_received "
                                                          "reply close return escalate reopen comment "
                                                          "attach_reply attach_result"),
        text: str = typer.Argument("", help="reply text, result, reason or comment"),
        script: Optional[int] = typer.Option(None, "--script", help="approved script id used (reply)"),
        branch: Optional[str] = typer.Option(None, "--branch", help="dispatch to this branch"),
        as_user: Optional[str] = AS_USER) -> None:
    """Take one action on a case."""
    svc = _service()
    user = common.acting_user(as_user)
    try:
        case_id = svc.case_id_of(ref)
        if action == "comment":
            svc.comment(user, case_id, text)
            case = svc.get(user, case_id)
        elif action in ("attach_reply", "attach_result"):
            svc.attach(user, case_id, "online_reply" if action == "attach_reply" else "offline_result", text)
            case = svc.get(user, case_id)
        else:
            options = {k: v for k, v in {"script_id": script, "branch": branch}.items() if v is not None}
            case = svc.act(user, case_id, action, text, **options)
    except (CaseError, ScriptError, PermissionDenied) as exc:
        common.fail(str(exc), 1)
    finally:
        svc.close()
    typer.echo(_line(case))


@app.command("cycle")
def cycle(as_json: bool = typer.Option(False, "--json")) -> None:
    """Create cases from new warnings and escalate overdue ones, now."""
    counts = cases_cycle(common.config())
    if as_json:
        common.emit(counts)
    else:
        typer.echo(f"新建工单 {counts['cases_created']}，超时升级 {counts['escalations']}")
