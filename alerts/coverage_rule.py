"""The `coverage` rule: a source whose recent crawls keep running into walls (a page cap cut the
results, a login wall, a captcha, a refusal, robots.txt), so that part of what it should see is
missing even though posts still arrive (the `flatline` rule only sees a source gone silent)."""

from __future__ import annotations

from datetime import timedelta

from alerts.config import AppConfig, CoverageRule
from alerts.model import Context, Match, seconds
from core.post import iso
from crawler.blind_spots import summary

ADVICE = {"page_cap": "调高该信源的 max_pages 或缩短采集周期",
          "login_wall": "检查登录 Cookie 是否过期（cookie_env 指向的环境变量）",
          "captcha": "放慢采集频率（delay）或更换时段，必要时人工过验证",
          "blocked": "放慢采集频率（delay）或减少并发（concurrency）",
          "robots": "确认可以抓取后设置 robots: false，或移除这些地址"}


class CoverageRuleType:
    """Blind spots of `kinds` in at least `min_runs` runs of a source within `timeframe`."""

    reopen = True
    reminders = True

    def __init__(self, spec: CoverageRule, config: AppConfig):
        self.spec = spec
        self.sources = spec.sources or [s.name for s in config.sources if s.enabled]

    def evaluate(self, ctx: Context) -> list[Match]:
        spec = self.spec
        since = iso(ctx.now - timedelta(seconds=seconds(spec.timeframe)))
        matches = []
        for source in self.sources:
            rows = [r for r in summary(ctx.state, source, since) if r["kind"] in spec.kinds]
            runs = max((r["runs"] for r in rows), default=0)
            if runs < spec.min_runs:
                continue
            lines = [f"来源 {source} 近 {spec.timeframe} 的采集有内容没有采集到（采集盲区）："]
            for r in rows:
                lines.append(f"· {r['label']}：{r['runs']} 次采集中出现，共 {r['count']} 次"
                             + (f"，例：{r['example'][:160]}" if r["example"] else "")
                             + f"。建议：{ADVICE[r['kind']]}")
            lines.append(f"详见控制台「信源」页的采集盲区；tousu sources；tousu crawl --source {source}")
            matches.append(Match(
                key=f"coverage:{spec.name}:{source}", level=spec.level,
                subject=f"采集源 {source} 存在采集盲区：" + "、".join(r["label"] for r in rows),
                body="\n".join(lines), source=source,
                data={"kinds": {r["kind"]: r["count"] for r in rows}, "runs": runs}))
        return matches

