"""The `reports:` section: when reports are made, where they go and what they count."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

from pydantic import Field, field_validator

from briefings.config import AppConfig as BriefingsAppConfig
from core.config import Strict, check_interval
from rectification.config import AppConfig as RectificationAppConfig


class ReportSchedule(Strict):
    daily: str | None = "0 8 * * *"        # cron (Asia/Shanghai); null switches it off
    weekly: str | None = "30 8 * * mon"   # APScheduler counts weekdays from Monday = 0: use names
    monthly: str | None = "0 9 1 * *"

    @field_validator("daily", "weekly", "monthly")
    @classmethod
    def _cron(cls, v: str | None) -> str | None:
        return None if v is None else check_interval(v)


class ReportsConfig(Strict):
    output_dir: Path = Path("data/reports")
    schedule: ReportSchedule = ReportSchedule()
    notify_level: Literal[1, 2, 3] = 3     # sent to notifiers whose min_level admits this level
    complaint_min_tier: int = Field(2, ge=0, le=4)   # what counts as a complaint for 万投比
    subscribers: dict[str, float] = {}    # city → subscribers in 10,000s, overrides keywords/regions.yaml
    top_events: int = Field(10, ge=1, le=100)


class AppConfig(RectificationAppConfig, BriefingsAppConfig, Protocol):
    """What reports/ reads of the whole config (tousu.config.Config is one)."""

    reports: ReportsConfig
    @property
    def keywords_dir(self) -> Path: ...
