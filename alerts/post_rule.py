"""The `post` rule: a single post whose severity and influence reach a level's threshold."""

from __future__ import annotations

from datetime import timedelta

from alerts.config import AppConfig, PostRule
from alerts.model import Context, Match, post_summary
from core.post import Post, iso
from core.vocab import TIER_LABELS
from indexer.base import Filters


def level_for(post: Post, rule: PostRule) -> int | None:
    """The most urgent level whose thresholds the post reaches, or None."""
    for spec in sorted(rule.levels, key=lambda s: s.level):
        if (post.severity or 0) >= spec.severity_min and (post.influence or 0) >= spec.influence_min:
            return spec.level
    return None


def describe(post: Post) -> tuple[str, str]:
    """(subject, body) of the alert in Chinese."""
    tier = post.severity or 0
    subject = f"{post.city or '未知地市'} {TIER_LABELS[tier]}：{post.title or post.content[:30]}"
    lines = [
        f"来源：{post.source}　作者：{post.author or '匿名'}　发布时间：{post.published_at or '未知'}",
        f"等级：{tier}级（{TIER_LABELS[tier]}）　影响力：{post.influence or 0:.2f}　"
        f"分类：{'、'.join(post.categories) or '未分类'}",
        f"依据：{'；'.join(post.reasons[:4]) or '—'}",
        f"摘要：{(post.content or post.title)[:120]}",
        f"原帖：{post.url or '—'}",
    ]
    return subject, "\n".join(lines)


class PostRuleType:
    """Every relevant, non-duplicate post of the lookback period that reaches a level is a match;
    its key is the post, so a post is warned about once and never again after it leaves."""

    reopen = False    # a post's alert, once closed, is not raised again
    reminders = False
    track_changes = False  # re-writing 1000s of open post alerts each minute buys nothing

    def __init__(self, spec: PostRule, config: AppConfig):
        self.spec = spec

    def evaluate(self, ctx: Context) -> list[Match]:
        rule = self.spec
        if not rule.levels:
            return []
        floor = min(spec.severity_min for spec in rule.levels)
        filters = Filters(since=iso(ctx.now - timedelta(hours=rule.lookback_hours)),
                          until=iso(ctx.now + timedelta(seconds=1)), severity_min=floor,
                          relevant=True, include_duplicates=False)
        matches = []
        page = 1
        while True:
            result = ctx.store.search("", filters, sort="time", page=page, size=500, highlight=False)
            for hit in result.hits:
                post = hit.post
                level = level_for(post, rule)
                if level is None:
                    continue
                subject, body = describe(post)
                matches.append(Match(key=f"post:{post.id}", level=level, subject=subject, body=body,
                                     city=post.city, categories=post.categories, source=post.source,
                                     post_ids=[post.id], posts=[post_summary(post)], size=1))
            if page * 500 >= result.total:
                return matches
            page += 1
