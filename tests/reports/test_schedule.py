"""Scheduled reports: written and announced once, and the jobs fire on the right days."""

from __future__ import annotations

from tests.cases.helpers import make_config
from tests.reports.conftest import DAY, NOW


def test_scheduled_report_is_written_and_announced(report_world, tmp_path):
    import json

    from reports.schedule import generate

    cfg, store, db, _ = report_world
    result = generate(cfg, "weekly", DAY, now=NOW)
    assert result["html"].endswith("weekly-2026-W47.html") and result["alert_id"]
    sent = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sent[-1]["title"].startswith("【周报】") and "weekly-2026-W47.xlsx" in sent[-1]["body"]
    assert generate(cfg, "weekly", DAY, now=NOW)["alert_id"] is None       # announced once


def test_scheduled_jobs_fire_on_the_right_days(tmp_path):
    from apscheduler.schedulers.background import BackgroundScheduler

    from tousu.monitor import add_case_and_report_jobs

    cfg = make_config(tmp_path)
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    add_case_and_report_jobs(scheduler, cfg)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown()
    assert set(jobs) == {"cases", "rectification", "report:daily", "report:weekly", "report:monthly"}
    assert jobs["report:weekly"].weekday() == 0 and jobs["report:weekly"].hour == 8   # Monday
    assert jobs["report:monthly"].day == 1
