"""Scheduled reports: write HTML + Excel into reports.output_dir, then notify through the outbox."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alerts.api import raise_alert
from alerts.notifiers import build_notifiers
from alerts.outbox import deliver_due
from reports.data import build_report
from reports.period import KIND_LABELS
from reports.render import write
from reports.config import AppConfig
from core.db import StateDB

log = logging.getLogger("tousu.reports")


def generate(config: AppConfig, kind: str, day: date | None = None, now: datetime | None = None,
             notify: bool = True) -> dict[str, Any]:
    """Build one report, write both files, queue a notice naming them; returns paths and counts."""
    report = build_report(config, kind, day, now=now)
    out_dir = config.resolve(config.reports.output_dir)
    html_path = write(report, out_dir / f"{report.period.slug}.html")
    xlsx_path = write(report, out_dir / f"{report.period.slug}.xlsx")
    result: dict[str, Any] = {"html": str(html_path), "xlsx": str(xlsx_path), "alert_id": None}
    if notify:
        result["alert_id"] = notify_report(config, report, [html_path, xlsx_path])
    log.info("report %s written to %s", report.period.slug, out_dir)
    return result


def notify_report(config: AppConfig, report: Any, files: list[Path]) -> int | None:
    """Queue the report's headline and file locations to the notifiers (once per period)."""
    lines = [f"{h['指标']}：{'—' if h['本期'] is None else h['本期']}"
             f"（上期 {'—' if h['上期'] is None else h['上期']}）" for h in report.headline]
    body = "\n".join(lines + ["报告文件：" + "；".join(str(f) for f in files)])
    db = StateDB(config.state_path)
    try:
        alert_id = raise_alert(db, config, key=f"report:{report.period.slug}", rule="report",
                               level=config.reports.notify_level,
                               title=f"【{KIND_LABELS[report.kind]}】{report.title} {report.period.label}",
                               body=body, status="resolved", plain_title=True,
                               console_path="reports")
        if alert_id is not None:
            deliver_due(db, build_notifiers(config))
        return alert_id
    finally:
        db.close()
