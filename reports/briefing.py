"""The report's 舆情简报 section: the briefing of the report's period (briefings.daily.compose),
one row per sentence with what it rests on — how many posts, the first one's link, the queries."""

from __future__ import annotations

from datetime import datetime

from briefings.daily import compose
from briefings.model import Briefing
from briefings.render import queries
from core.markup import http_url
from indexer.base import Store
from reports.config import AppConfig
from reports.model import Section
from reports.period import Period


def briefing_rows(briefing: Briefing) -> list[list[object]]:
    """[段落, 内容, 依据帖子数, 首条原帖, 查询] per sentence."""
    rows = []
    for section in briefing.sections:
        for sentence in section.sentences:
            cited = sentence.cited()
            first = http_url(briefing.posts[cited[0]].url) if cited else None
            rows.append([section.title, sentence.text, len(cited), first or "—",
                         "；".join(queries(sentence)) or "见所引帖子"])
    return rows


def briefing_section(config: AppConfig, store: Store, period: Period, now: datetime) -> Section:
    """The period's briefing as a table section of the report."""
    briefing = compose(store, config.briefings, period.start, period.end,
                       f"舆情简报（{period.label}）", now)
    return Section("brief", "舆情简报（每句附依据）", ["段落", "内容", "依据帖子数", "首条原帖", "查询"],
                   briefing_rows(briefing),
                   note="由数据直接摘取生成，不含推测；依据帖子少于 "
                        f"{config.briefings.min_posts} 条的段落写「数据不足」。完整引用见 tousu brief。")
