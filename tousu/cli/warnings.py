"""`tousu warnings`: list, evaluate, silence, acknowledge; the outbox per notifier."""

from __future__ import annotations

import getpass
from datetime import timedelta
from typing import Optional

import typer

from alerts.cycle import list_alerts, run_cycle
from alerts.engine import acknowledge
from alerts.engine import silence as add_silence
from alerts.engine import unsilence as lift_silence
from alerts.outbox import pending_summary
from core.config import interval_seconds
from core.db import StateDB
from core.post import now_cst
from tousu.cli.common import config, emit, fail


def warnings(evaluate: bool = typer.Option(False, "--evaluate", help="run one cycle now"),
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


    cfg = config()
    if silence or unsilence or outbox or ack is not None:
        state = StateDB(cfg.state_path)
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
                           f"{row['sent']} sent" + (f", last error: {row['last_error']}"
                                                    if row["last_error"] else ""))
        state.close()
        if not evaluate:
            return
    counts = run_cycle(cfg) if evaluate else None
    alerts = list_alerts(cfg, limit)
    if as_json:
        emit({"cycle": counts, "alerts": alerts} if evaluate else alerts)
        return
    if counts:
        typer.echo(f"cycle: {counts}")
    for a in alerts:
        state_label = {"open": "未处理", "acknowledged": "已确认"}.get(a["status"], "已解除")
        typer.echo(f"#{a['alert_id']} [{state_label}] {a['created_at'][:16]} {a['title']}  ({a['key']})")
