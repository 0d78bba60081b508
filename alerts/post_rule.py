"""The `post` rule: a single post whose severity and influence reach a level's threshold."""

from __future__ import annotations

import json
from datetime import timedelta

from alerts.levels import LEVEL_COLOURS, LEVEL_NAMES
from indexer.base import Filters, Store
from nlp.analyzer import TIER_LABELS
from tousu.config import PostRule
from tousu.post import Post, iso, now_cst
from tousu.state import StateDB


def level_for(post: Post, rule: PostRule) -> int | None:
    """The most urgent level whose thresholds the post reaches, or None."""
    for spec in sorted(rule.levels, key=lambda s: s.level):
        if (post.severity or 0) >= spec.severity_min and (post.influence or 0) >= spec.influence_min:
            return spec.level
    return None


def describe(post: Post, level: int) -> tuple[str, str]:
    """(title, body) of the alert in Chinese."""
    tier = post.severity or 0
    title = (f"【{LEVEL_NAMES[level]}预警·{LEVEL_COLOURS[level]}】{post.city or '未知地市'} "
             f"{TIER_LABELS[tier]}：{post.title or post.content[:30]}")
    lines = [
        f"来源：{post.source}　作者：{post.author or '匿名'}　发布时间：{post.published_at or '未知'}",
        f"等级：{tier}级（{TIER_LABELS[tier]}）　影响力：{post.influence or 0:.2f}　"
        f"分类：{'、'.join(post.categories) or '未分类'}",
        f"依据：{'；'.join(post.reasons[:4]) or '—'}",
        f"摘要：{(post.content or post.title)[:120]}",
        f"原帖：{post.url or '—'}",
    ]
    return title, "\n".join(lines)


def evaluate_post_rule(store: Store, state: StateDB, rule: PostRule) -> list[int]:
    """Open an alert for each new qualifying post; returns the new alert ids."""
    if not rule.enabled or not rule.levels:
        return []
    since = iso(now_cst() - timedelta(hours=rule.lookback_hours))
    floor = min(spec.severity_min for spec in rule.levels)
    filters = Filters(since=since, severity_min=floor, relevant=True, include_duplicates=False)
    new_ids = []
    page = 1
    while True:
        result = store.search("", filters, sort="time", page=page, size=200, highlight=False)
        for hit in result.hits:
            post = hit.post
            level = level_for(post, rule)
            if level is None:
                continue
            title, body = describe(post, level)
            now = iso(now_cst())
            cur = state.execute(
                "INSERT OR IGNORE INTO alerts (key, rule, level, title, body, city, post_ids, "
                "status, created_at, updated_at) VALUES (?, 'post', ?, ?, ?, ?, ?, 'open', ?, ?)",
                (f"post:{post.id}", level, title, body, post.city, json.dumps([post.id]), now, now))
            if cur.rowcount:
                new_ids.append(int(cur.lastrowid))
        if page * 200 >= result.total:
            break
        page += 1
    return new_ids
