"""`tousu report daily|weekly|monthly [--date D] [-o FILE]`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from reports.data import build_report
from reports.render import write
from reports.schedule import generate, notify_report
from tousu.cli import common


def report(kind: str = typer.Argument(..., help="daily | weekly | monthly"),
           date: Optional[str] = typer.Option(None, "--date", "-d",
                                              help="a day in the period (default: yesterday)"),
           output: Optional[Path] = typer.Option(None, "-o", "--output",
                                                 help=".html or .xlsx (default: both into reports.output_dir)"),
           notify: bool = typer.Option(False, "--notify", help="also send through the notifiers")) -> None:
    """Generate a daily, weekly or monthly analysis report (分析通报)."""
    cfg = common.config()
    if kind not in ("daily", "weekly", "monthly"):
        common.fail("报告类型须为 daily、weekly 或 monthly", 2)
    day = common.day(date)
    if output is None:
        result = generate(cfg, kind, day, notify=notify)
        typer.echo(f"{result['html']}\n{result['xlsx']}")
        return
    if output.suffix.lower() not in (".html", ".htm", ".xlsx"):
        common.fail("-o 文件须为 .html 或 .xlsx", 2)
    built = build_report(cfg, kind, day)
    write(built, output)
    if notify:
        notify_report(cfg, built, [output])
    typer.echo(str(output))
