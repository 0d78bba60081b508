"""`tousu warnings`: list, evaluate, silence, acknowledge; the outbox per notifier (the group's own
options); why a volume or spike warning fired; review, approve, reject, publish by hand, recover,
recipient groups and the analysis."""

from __future__ import annotations

import getpass
import json
from contextlib import contextmanager
from datetime import timedelta
from typing import Callable, Iterator, Optional

import typer

from accounts.models import PermissionDenied, User
from alerts import audit
from alerts.analysis import analyse, warning_rows
from alerts.api import get_alert
from alerts.cycle import list_alerts, run_cycle
from alerts.engine import acknowledge
from alerts.engine import silence as add_silence
from alerts.engine import unsilence as lift_silence
from alerts.explanation import summary_lines
from alerts.manual import publish_manual, recover as mark_recovered
from alerts.model import AlertsError
from alerts.outbox import pending_summary
from alerts.recipients import delete_group, expand, groups as list_groups, save_group
from alerts.review import (ORIGIN_LABELS, STATE_LABELS, approve as approve_warning, deliver,
                           held_reviews, reject as reject_warning, review_of, stage_label)
from cases.automation import OWN_RULES
from cases.reporting import categories_by_alert
from core.config import interval_seconds
from core.db import StateDB
from core.markup import terminal
from core.post import iso, now_cst
from indexer import open_store
from tousu.cli.common import AS_USER, acting_user, config, emit, fail
from tousu.config import Config

app = typer.Typer(help="预警 warnings: list (default), why, review, approve, reject, publish, "
                       "recover, groups, analysis", invoke_without_command=True)
TO = typer.Option(None, "--to", metavar="NOTIFIER", help="a notifier to send to (repeatable)")
GROUP = typer.Option(None, "--group", metavar="NAME", help="a recipient group (repeatable)")


@app.callback()
def warnings(ctx: typer.Context,
             evaluate: bool = typer.Option(False, "--evaluate", help="run one cycle now"),
             limit: int = typer.Option(50, "--limit", "-n"),
             silence: Optional[str] = typer.Option(
                 None, "--silence", metavar="RULE|KEY", help="mute a rule or an alert key"),
             duration: str = typer.Option("2h", "--for", help="how long --silence lasts (30m, 2h, 1d)"),
             reason: str = typer.Option("", "--reason"),
             unsilence: Optional[str] = typer.Option(None, "--unsilence", metavar="RULE|KEY"),
             outbox: bool = typer.Option(False, "--outbox", help="show messages waiting per notifier"),
             ack: Optional[int] = typer.Option(None, "--ack", metavar="ALERT_ID",
                                               help="acknowledge: someone handles it, no reminders"),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """List open and recent warnings; --evaluate runs one evaluation cycle first."""
    if ctx.invoked_subcommand is not None:
        return
    if silence or unsilence or outbox or ack is not None:
        with _state() as (_, state):
            if ack is not None:
                found = acknowledge(state, ack, getpass.getuser())
                typer.echo(f"已确认 acknowledged #{ack}" if found else f"#{ack} 不是未处理的预警 not open")
            if silence:
                seconds = interval_seconds(duration)
                if seconds is None:
                    fail(f"--for {duration!r}: use a duration like 30m, 2h or 1d", 2)
                now = now_cst()
                add_silence(state, silence, now + timedelta(seconds=seconds), reason, now)
                typer.echo(f"已静默 silenced {silence} for {duration}")
            if unsilence:
                found = lift_silence(state, unsilence)
                typer.echo(f"{'已解除静默 unsilenced' if found else '未静默 not silenced:'} {unsilence}")
            if outbox:
                rows = pending_summary(state)
                if as_json:
                    emit(rows)
                for row in rows if not as_json else []:
                    typer.echo(f"{row['notifier']}: {row['waiting']} waiting, {row['held']} held, "
                               f"{row['review']} awaiting review, {row['sent']} sent"
                               + (f", last error: {row['last_error']}" if row["last_error"] else ""))
        if not evaluate:
            return
    cfg = config()
    counts = run_cycle(cfg) if evaluate else None
    alerts = list_alerts(cfg, limit)
    if as_json:
        emit({"cycle": counts, "alerts": alerts} if evaluate else alerts)
        return
    if counts:
        typer.echo(f"cycle: {counts}")
    for a in alerts:
        state_label = {"open": "未处理", "acknowledged": "已确认"}.get(a["status"], "已解除")
        if a["review"] in ("held", "rejected"):
            state_label += f"·{STATE_LABELS[a['review']]}"
        typer.echo(f"#{a['alert_id']} [{state_label}] {a['created_at'][:16]} {terminal(a['title'])}  ({a['key']})")


@contextmanager
def _state() -> Iterator[tuple[Config, StateDB]]:
    """The config and the state DB, closed again however the command ends."""
    cfg = config()
    state = StateDB(cfg.state_path)
    try:
        yield cfg, state
    finally:
        state.close()


def _recipients(state: StateDB, cfg: Config, group: Optional[list[str]],
                to: Optional[list[str]]) -> Optional[list[str]]:
    return expand(state, cfg, group or [], to or [])


@app.command()
def why(alert_id: int = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """为何预警: what drove a volume or spike warning — the parts of the excess over the baseline
    per source, city, category and event, new words, first posts, z-score and p-value."""
    with _state() as (_, state):
        row = get_alert(state, alert_id)
    if row is None:
        fail(f"#{alert_id} 不存在 no such warning")
    if not row["explanation"]:
        typer.echo(f"#{alert_id} 不是声量或激增预警，没有解释 (only volume and spike warnings)")
        return
    explanation = json.loads(row["explanation"])
    if as_json:
        emit(explanation)
        return
    typer.echo(terminal(row["title"]))
    for text, url in summary_lines(explanation):
        typer.echo(terminal(f"  {text}" + (f" {url}" if url else "")))


@app.command()
def review(alert_id: Optional[int] = typer.Argument(None, help="show this warning's review"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """Warnings waiting for review (待审), oldest first; with an id, one warning and its audit log."""
    with _state() as (cfg, state):
        if alert_id is not None:
            detail = {"review": review_of(state, alert_id), "audit": audit.entries(state, alert_id)}
            if as_json:
                emit(detail)
                return
            if detail["review"] is None:
                typer.echo(f"#{alert_id} 无需审核（已直接发布）或不存在")
            for entry in reversed(detail["audit"]):
                typer.echo(f"{entry['at'][:16]} {entry['label']} {entry['actor']} "
                           f"{terminal(entry['detail'])}")
            return
        rows = held_reviews(state)
    if as_json:
        emit(rows)
        return
    for row in rows:
        typer.echo(f"#{row['alert_id']} [{stage_label(cfg, row['stage'], row['stage_due_ts'])}] "
                   f"{ORIGIN_LABELS[row['origin']]} {row['created_at'][:16]} {terminal(row['title'])}")
    if not rows:
        typer.echo("没有待审核的预警")


def _act(action: str, as_user: Optional[str], run: Callable[[Config, StateDB, User], str]) -> None:
    """Run one step as the acting user on the state DB and print its result after `action`; a
    refusal is printed in Chinese with exit code 1."""
    user = acting_user(as_user)
    with _state() as (cfg, state):
        try:
            result = run(cfg, state, user)
        except (AlertsError, PermissionDenied) as exc:
            fail(str(exc), 1)
    typer.echo(f"{action}：{result}")


@app.command()
def approve(alert_id: int = typer.Argument(...),
            title: Optional[str] = typer.Option(None, "--title", help="采编: the new title"),
            body: Optional[str] = typer.Option(None, "--body", help="采编: the new body"),
            level: Optional[int] = typer.Option(None, "--level", min=1, max=3),
            to: Optional[list[str]] = TO, group: Optional[list[str]] = GROUP,
            note: str = typer.Option("", "--note"), as_user: Optional[str] = AS_USER) -> None:
    """Approve a held warning (with edits); its messages are sent once."""

    def run(cfg: Config, state: StateDB, user: User) -> str:
        approve_warning(state, cfg, user, alert_id, title=title, body=body, level=level,
                        recipients=_recipients(state, cfg, group, to), note=note)
        sent = deliver(state, cfg)
        return f"#{alert_id} 已发出 {sent['sent']} 条，失败 {sent['failed']} 条（失败的由监控稍后重试）"

    _act("审核通过", as_user, run)


@app.command()
def reject(alert_id: int = typer.Argument(...),
           reason: str = typer.Option(..., "--reason", help="why it is not published"),
           as_user: Optional[str] = AS_USER) -> None:
    """Reject a held warning with a reason: nothing of it is sent."""
    _act("审核不通过", as_user, lambda cfg, state, user:
         f"#{reject_warning(state, cfg, user, alert_id, reason)['alert_id']} 不会发出")


@app.command()
def publish(post: list[str] = typer.Option(..., "--post", help="a post id (repeatable)"),
            warning_type: str = typer.Option(..., "--type", help="预警类型"),
            department: str = typer.Option(..., "--department", help="发布部门"),
            level: int = typer.Option(..., "--level", min=1, max=3, help="1 一级 … 3 三级"),
            city: Optional[list[str]] = typer.Option(None, "--city", help="涉及地市 (repeatable)"),
            to: Optional[list[str]] = TO, group: Optional[list[str]] = GROUP,
            title: str = typer.Option("", "--title"), body: str = typer.Option("", "--body"),
            as_user: Optional[str] = AS_USER, as_json: bool = typer.Option(False, "--json")) -> None:
    """人工发布: publish a warning from posts; a held level waits for review."""
    user = acting_user(as_user)
    with _state() as (cfg, state):
        try:
            with open_store(cfg) as store:
                done = publish_manual(state, cfg, store, user, post_ids=post,
                                      warning_type=warning_type, department=department, level=level,
                                      cities=city or [], recipients=_recipients(state, cfg, group, to),
                                      title=title, body=body)
            sent = deliver(state, cfg)
        except (AlertsError, PermissionDenied) as exc:
            fail(str(exc), 1)
    if as_json:
        emit(done | {"sent": sent["sent"]})
        return
    typer.echo(f"#{done['alert_id']} " + ("已提交审核，审核通过后发出" if done["state"] == "held"
                                          else f"已发布，已发出 {sent['sent']} 条"))


@app.command()
def recover(alert_id: int = typer.Argument(...), note: str = typer.Option("", "--note"),
            as_user: Optional[str] = AS_USER) -> None:
    """Mark a warning published by hand 恢复: its 解除 notice goes to its recipients."""

    def run(cfg: Config, state: StateDB, user: User) -> str:
        if not mark_recovered(state, cfg, user, alert_id, note):
            return f"#{alert_id} 已不是未恢复的预警"
        deliver(state, cfg)
        return f"#{alert_id} 已恢复，解除通知已发出"

    _act("预警恢复", as_user, run)


@app.command()
def groups(set_name: Optional[str] = typer.Option(None, "--set", metavar="NAME",
                                                  help="create or replace a group with --to"),
           to: Optional[list[str]] = TO, note: str = typer.Option("", "--note"),
           delete: Optional[str] = typer.Option(None, "--delete", metavar="NAME"),
           as_user: Optional[str] = AS_USER, as_json: bool = typer.Option(False, "--json")) -> None:
    """Recipient groups (收件组): list; --set NAME --to A --to B; --delete NAME."""
    if set_name:
        _act("已保存收件组", as_user, lambda cfg, state, user:
             save_group(state, cfg, user, set_name, to or [], note)["name"])
    if delete:
        _act("删除收件组", as_user, lambda cfg, state, user:
             "已删除" if delete_group(state, user, delete) else "没有这个组")
    with _state() as (_, state):
        rows = list_groups(state)
    if as_json:
        emit(rows)
        return
    for row in rows:
        typer.echo(f"{row['name']}: {'、'.join(row['notifiers'])}" + (f"（{row['note']}）" if row["note"] else ""))


@app.command()
def analysis(days: int = typer.Option(30, "--days", min=1, help="the last N days"),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """预警分析: warnings by review result, publishing, level, city, case type; time to 恢复."""
    now = now_cst()
    with _state() as (_, state):
        # the window is half-open and times have whole seconds: end it after this second
        rows = warning_rows(state, iso(now - timedelta(days=days)), iso(now + timedelta(seconds=1)),
                            OWN_RULES)
        tallies = [t.as_row() for t in analyse(rows, categories_by_alert(state))]
    if as_json:
        emit(tallies)
        return
    for t in tallies:
        hours = t["平均恢复用时（小时）"]
        typer.echo(f"{t['维度']} {t['分项']}: {t['预警数']}（已恢复 {t['已恢复']}"
                   + (f"，平均 {hours} 小时" if hours is not None else "") + "）")
