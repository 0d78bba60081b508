"""The `rectification:` section: deadlines, the escalation of overdue items, recurring problems."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from pydantic import Field, field_validator

from cases.config import AppConfig as CasesAppConfig
from core.config import Duration, Level, Strict, check_interval, interval_seconds


class EscalationStage(Strict):
    """How long after its deadline an open item is escalated, and at which warning level."""

    after: Duration = "0h"
    level: Level = 2


class RectificationConfig(Strict):
    default_days: int = Field(30, ge=1, le=366)        # a new item's deadline, from today
    escalate_every: str = "1h"                          # how often overdue items are looked for
    # Each stage is notified once per deadline; a later stage supersedes an earlier one.
    escalation: list[EscalationStage] = Field(
        default=[EscalationStage(after="0h", level=2), EscalationStage(after="7d", level=1)],
        min_length=1)
    candidate_days: int = Field(30, ge=1, le=366)       # recurring problems: cases of this many days
    candidate_min_cases: int = Field(3, ge=2)           # … at least this many in one category and place

    @field_validator("escalate_every")
    @classmethod
    def _interval(cls, v: str) -> str:
        return check_interval(v)

    @field_validator("escalation")
    @classmethod
    def _ordered(cls, v: list[EscalationStage]) -> list[EscalationStage]:
        afters = [interval_seconds(stage.after) for stage in v]
        if afters != sorted(set(afters)):  # type: ignore[type-var]
            raise ValueError("escalation stages must have increasing, distinct `after` durations")
        return v


class AppConfig(CasesAppConfig, Protocol):
    """What rectification/ reads of the whole config (tousu.config.Config is one)."""

    rectification: RectificationConfig

    @property
    def keywords_dir(self) -> Path: ...
