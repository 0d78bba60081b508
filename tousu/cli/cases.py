"""`tousu cases …`: list, show, create from a post, act on a case, close (with root cause and
处理场景), mark invalid, merge a duplicate, 质检 (qc sample | pass | return), run the case cycle."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable, Optional

import typer

from accounts.models import PermissionDenied
from cases.automation import cases_cycle
from cases.closing import causes_text
from cases.models import CaseError
from cases.quality import CaseQuality
from cases.service import CaseService
from core.post import now_cst
from reply_scripts.models import ScriptError
from tousu.cli import common

app = typer.Typer(help="工单 cases: list (default), show, create, act, close, invalid, merge, "
                       "duplicates, qc, cycle", invoke_without_command=True)
qc_app = typer.Typer(help="工单质检: list the cases waiting (default), sample, pass, return",
                     invoke_without_command=True)
app.add_typer(qc_app, name="qc")
JSON = typer.Option(False, "--json")
ERRORS = (CaseError, ScriptError, PermissionDenied)


def _service() -> CaseService:
    return CaseService(common.config())


def _run(as_user: Optional[str], work: Callable[[CaseQuality, Any], Any]) -> Any:
    """Run `work(quality, user)` (quality.cases is the case service); a refused operation exits 1
    with its Chinese message."""
    svc = _service()
    try:
        return work(CaseQuality(svc), common.acting_user(as_user))
    except ERRORS as exc:
        common.fail(str(exc), 1)
    finally:
        svc.close()


def _ref(quality: CaseQuality, ref: str) -> int:
    return quality.cases.case_id_of(ref)


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
               as_user: Optional[str] = common.AS_USER,
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
    common.listing(cases, as_json, _line, "没有符合条件的工单")


@app.command("show")
def show(ref: str = typer.Argument(..., help="case id or case number"),
         as_user: Optional[str] = common.AS_USER, as_json: bool = typer.Option(False, "--json")) -> None:
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
    if case.root_cause:
        typer.echo(f"  根本原因 {case.root_cause_group}/{case.root_cause}"
                   + (f"（{case.root_cause_note}）" if case.root_cause_note else "")
                   + f"　处理场景 {case.scenario}　"
                   + ("已解决" if case.resolved else f"未解决，计划解决时间 {case.planned_fix_date}"))
    if case.invalid_reason:
        typer.echo(f"  无效工单：{case.invalid_reason}")
    typer.echo("  各状态用时（小时）: " + "，".join(f"{k} {v}" for k, v in detail["time_in_states"].items()))
    typer.echo("  可执行: " + "、".join(f"{a['action']}({a['label']})" for a in detail["actions"]))


@app.command("create")
def create(post_id: str = typer.Option(..., "--post", help="post id"), note: str = typer.Option(""),
           as_user: Optional[str] = common.AS_USER) -> None:
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
                                                          "reply return escalate reopen invalidate comment "
                                                          "attach_reply attach_result (close: see "
                                                          "`tousu cases close`)"),
        text: str = typer.Argument("", help="reply text, result, reason or comment"),
        script: Optional[int] = typer.Option(None, "--script", help="approved script id used (reply)"),
        branch: Optional[str] = typer.Option(None, "--branch", help="dispatch to this branch"),
        as_user: Optional[str] = common.AS_USER) -> None:
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


@app.command("close")
def close(ref: str, result: str = typer.Argument(..., help="线下处理结果"),
          cause: str = typer.Option(..., "--cause", help="根本原因 (cases.quality.root_causes, or 其他)"),
          cause_note: str = typer.Option("", "--cause-note", help="原因说明 (required for 其他)"),
          scenario: str = typer.Option(..., "--scenario", help="处理场景: what was done, where, the outcome"),
          resolved: Optional[bool] = typer.Option(None, "--resolved/--unresolved",
                                                  help="whether the problem is solved now"),
          plan_date: Optional[str] = typer.Option(None, "--plan-date",
                                                  help="计划解决时间 YYYY-MM-DD (when --unresolved)"),
          as_user: Optional[str] = common.AS_USER) -> None:
    """Close (办结) a replied case with its root cause, 处理场景 and, unresolved, 计划解决时间."""
    case = _run(as_user, lambda q, user: q.cases.act(
        user, _ref(q, ref), "close", result, root_cause=cause, root_cause_note=cause_note,
        scenario=scenario, resolved=resolved, planned_fix_date=plan_date))
    typer.echo(_line(case))


@app.command("causes")
def causes() -> None:
    """The root causes a case may be closed with."""
    typer.echo(causes_text(common.config().cases.quality))


@app.command("invalid")
def invalid(ref: str, reason: str = typer.Argument(..., help="无效原因"),
            as_user: Optional[str] = common.AS_USER) -> None:
    """Close a case as 无效工单 (not a complaint, not ours …) with the reason."""
    typer.echo(_line(_run(as_user, lambda q, user: q.cases.act(user, _ref(q, ref), "invalidate", reason))))


@app.command("merge")
def merge(ref: str = typer.Argument(..., help="the duplicate case"),
          into: str = typer.Option(..., "--into", help="the open case it repeats"),
          as_user: Optional[str] = common.AS_USER) -> None:
    """Fold a duplicate case into the case it repeats (重复派单; the duplicate closes as 无效工单)."""
    typer.echo(_line(_run(as_user, lambda q, user: q.merge(user, _ref(q, ref), _ref(q, into)))))


@app.command("duplicates")
def duplicates(as_user: Optional[str] = common.AS_USER, as_json: bool = JSON) -> None:
    """Posts that are in more than one open case (to merge)."""
    rows = _run(as_user, lambda q, user: q.open_duplicates(user))
    if as_json:
        common.emit(rows)
        return
    for row in rows:
        typer.echo(f"帖子 {row['post_id']}：工单 {'、'.join(str(i) for i in row['case_ids'])}")
    if not rows:
        typer.echo("没有重复派单")


@qc_app.callback()
def qc_pending(ctx: typer.Context, as_user: Optional[str] = common.AS_USER, as_json: bool = JSON) -> None:
    """The closed cases waiting for 质检, oldest closure first."""
    if ctx.invoked_subcommand is not None:
        return
    rows = _run(as_user, lambda q, user: q.pending(user))
    if as_json:
        common.emit(rows)
        return
    for r in rows:
        typer.echo(f"{r['case_no']} [{r['basis_label']}] {r['branch']} 办结 {r['closed_at'][:16]} "
                   f"{r['closed_by']}：" + (f"无效 {r['invalid_reason']}" if r["invalid_reason"] else
                                           f"{r['root_cause_group']}/{r['root_cause']} {r['scenario']}"))
    if not rows:
        typer.echo("没有待质检的工单")


@qc_app.command("sample")
def qc_sample(since: Optional[str] = typer.Option(None, "--since", help="first day closed, YYYY-MM-DD "
                                                                         "(default: 7 days ago)"),
              until: Optional[str] = typer.Option(None, "--until", help="last day closed (default: today)"),
              as_user: Optional[str] = common.AS_USER, as_json: bool = JSON) -> None:
    """Sample the cases closed in a window into 质检 (every tier-4 one, the configured share of
    the rest; the same window always gives the same cases)."""
    today = now_cst().date()
    try:
        first = date.fromisoformat(since) if since else today - timedelta(days=6)
        last = date.fromisoformat(until) if until else today
    except ValueError as exc:
        common.fail(f"日期格式应为 YYYY-MM-DD：{exc}", 2)
    result = _run(as_user, lambda q, user: q.sample(user, first, last))
    if as_json:
        common.emit(result)
        return
    typer.echo(f"{first} 至 {last} 办结 {result['closed']} 张，抽检 {result['sampled']} 张"
               f"（4级 {result['tier4']} 张），新加入质检 {result['added']} 张："
               + ("、".join(result["case_nos"]) or "—"))


@qc_app.command("pass")
def qc_pass(ref: str, comment: str = typer.Argument("", help="质检意见 (optional)"),
            as_user: Optional[str] = common.AS_USER) -> None:
    """质检合格: the case stays closed."""
    case = _run(as_user, lambda q, user: q.pass_case(user, _ref(q, ref), comment))
    typer.echo(f"{case.case_no} 质检合格")


@qc_app.command("return")
def qc_return(ref: str, reason: str = typer.Argument(..., help="退回原因"),
              as_user: Optional[str] = common.AS_USER) -> None:
    """质检退回: the case reopens to 处理中 at its branch."""
    typer.echo(_line(_run(as_user, lambda q, user: q.return_case(user, _ref(q, ref), reason))))


@app.command("cycle")
def cycle(as_json: bool = typer.Option(False, "--json")) -> None:
    """Create cases from new warnings and escalate overdue ones, now."""
    counts = cases_cycle(common.config())
    if as_json:
        common.emit(counts)
    else:
        typer.echo(f"新建工单 {counts['cases_created']}，超时升级 {counts['escalations']}")
