"""The `flatline` rule: a source that yields (almost) nothing for longer than expected."""

from __future__ import annotations

from datetime import datetime, timedelta

from alerts.model import Context, Match, seconds
from crawler.health import runs_since
from indexer.base import Filters
from alerts.config import FlatlineRule, AppConfig
from core.post import iso


def _span(value: float) -> str:
    hours = value / 3600
    return f"{hours:g}小时" if hours >= 1 else f"{value / 60:g}分钟"


class FlatlineRuleType:
    """Fewer than `threshold` posts published from a source within `timeframe`. A source that has
    not been crawled for a whole timeframe yet (just added, scheduler just started) is not judged."""

    reopen = True
    reminders = True

    def __init__(self, spec: FlatlineRule, config: AppConfig):
        self.spec = spec
        self.sources = spec.sources or [s.name for s in config.sources if s.enabled]

    def evaluate(self, ctx: Context) -> list[Match]:
        spec = self.spec
        span = seconds(spec.timeframe)
        since = ctx.now - timedelta(seconds=span)
        counts = {row["slice"]["source"]: row["count"] for row in ctx.store.slice_counts(
            ["source"], Filters(since=iso(since), until=iso(ctx.now + timedelta(seconds=1)),
                                sources=self.sources))}
        matches = []
        for source in self.sources:
            count = counts.get(source, 0)
            if count >= spec.threshold:
                continue
            runs = runs_since(ctx.state, source, iso(since))
            if runs is None or datetime.fromisoformat(runs["first"]) > since:
                continue
            last = runs["last"]
            body = "\n".join([
                f"来源 {source} 近{_span(span)}仅产出 {count} 条帖子（预期至少 {spec.threshold} 条），"
                "采集可能已失效或被屏蔽。",
                f"期间采集 {runs['recent']} 次，失败 {runs['failed']} 次；最近一次："
                f"{last['status']}，{last['items']} 条" +
                (f"，错误：{last['last_error'][:200]}" if last["last_error"] else ""),
                f"请管理员检查：tousu sources；tousu crawl --source {source}",
            ])
            matches.append(Match(key=f"flatline:{spec.name}:{source}", level=spec.level,
                                 subject=f"采集源 {source} 近{_span(span)}无数据", body=body,
                                 source=source, data={"count": count, "runs": runs["recent"]}))
        return matches
