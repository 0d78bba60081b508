"""The `briefings:` section: how much data a briefing section needs, the baseline it compares
against, and how many events, quotes and links it shows."""

from __future__ import annotations

from typing import Protocol

from pydantic import Field

from alerts.config import AppConfig as AlertsAppConfig
from core.config import Strict
from indexer.config import AppConfig as StoreAppConfig


class BriefingsConfig(Strict):
    min_posts: int = Field(5, ge=1)          # fewer posts in a section's data: 「数据不足」
    baseline_days: int = Field(7, ge=1, le=180)   # the days before the period the trend compares with
    min_tier: int = Field(2, ge=0, le=4)     # what counts as a complaint in a briefing
    top_events: int = Field(3, ge=0, le=20)
    event_min_posts: int = Field(3, ge=2)    # similar posts that make an event in the daily briefing
    similarity: float = Field(0.4, gt=0, le=1)   # the event rule's default (alerts/similarity.py)
    quotes: int = Field(2, ge=1, le=5)       # representative quotes per event
    quote_chars: int = Field(60, ge=20, le=300)
    links: int = Field(5, ge=1, le=20)       # cited posts shown as links per sentence (all are kept)


class AppConfig(AlertsAppConfig, StoreAppConfig, Protocol):
    """What briefings/ reads of the whole config (tousu.config.Config is one): its section, the
    store, the state DB (events are warnings) and the console's address (links in messages)."""

    briefings: BriefingsConfig
