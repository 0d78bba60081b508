"""`tousu brief daily [--date D]` and `tousu brief event ALERT_ID`: 舆情简报 as text, Markdown
(chat robots), HTML or JSON, on stdout or into a file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from accounts.models import PermissionDenied
from briefings.daily import build_daily
from briefings.event import NoSuchEvent, build_event
from briefings.model import Briefing
from briefings.render import to_html, to_json, to_markdown, to_text
from tousu.cli import common

app = typer.Typer(help="舆情简报 briefings: daily, event", no_args_is_help=True)
FORMATS = {"text": to_text, "md": to_markdown, "html": to_html}   # and json: every cited post
FORMAT = typer.Option("text", "--format", "-f", help="text | md (企业微信/钉钉/飞书) | html | json")
OUTPUT = typer.Option(None, "-o", "--output", help="write here (default stdout)")


def _emit(briefing: Briefing, fmt: str, output: Optional[Path], links: int) -> None:
    text = to_json(briefing) if fmt == "json" else FORMATS[fmt](briefing, links)
    if output is None:
        typer.echo(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(str(output))


def _format(fmt: str) -> str:
    if fmt not in (*FORMATS, "json"):
        common.fail(f"--format 须为 {'、'.join((*FORMATS, 'json'))} 之一", 2)
    return fmt


@app.command()
def daily(date: Optional[str] = typer.Option(None, "--date", "-d",
                                             help="the day (default: yesterday)"),
          fmt: str = FORMAT, output: Optional[Path] = OUTPUT,
          as_user: Optional[str] = common.AS_USER) -> None:
    """The daily briefing: what happened, where, how many, trend, top events, changes."""
    fmt = _format(fmt)
    cfg = common.config()
    day = common.day(date)
    try:
        briefing = build_daily(cfg, day, actor=common.acting_user(as_user))
    except PermissionDenied as exc:
        common.fail(str(exc))
    _emit(briefing, fmt, output, cfg.briefings.links)


@app.command()
def event(alert_id: int = typer.Argument(..., help="the event warning's number (tousu warnings list)"),
          fmt: str = FORMAT, output: Optional[Path] = OUTPUT,
          as_user: Optional[str] = common.AS_USER) -> None:
    """The briefing of one event warning: size, span, places, sources, growth, quotes."""
    fmt = _format(fmt)
    cfg = common.config()
    try:
        briefing = build_event(cfg, alert_id, actor=common.acting_user(as_user))
    except (PermissionDenied, NoSuchEvent) as exc:
        common.fail(str(exc))
    _emit(briefing, fmt, output, cfg.briefings.links)
