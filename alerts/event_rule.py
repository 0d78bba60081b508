"""The `event` rule: many near-duplicate or similar posts in a window form one hot event (事件)."""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from alerts.model import Context, Match, post_summary, seconds
from alerts.similarity import bands, cluster_sets
from alerts.spread import event_spread
from indexer.base import Filters
from alerts.config import EventRule, AppConfig
from core.post import Post, iso
from core.textsim import ngrams

MAX_WINDOW_POSTS = 5000   # the most recent posts of the window that are clustered
MAX_MEMBERS_KEPT = 200    # members of an open event carried into the next cycle
# An open event whose posts are the same as last cycle keeps the spread it was given, for at most
# this long: a new repost of its posts that is not itself a member shows within it.
SPREAD_REFRESH = timedelta(minutes=10)


# n-grams and band keys of recently seen posts: in the long-running monitor each cycle only
# hashes the posts that are new since the last one.
_CACHE: OrderedDict[tuple[str, str, int], tuple[np.ndarray, list[int]]] = OrderedDict()
_CACHE_SIZE = 50_000


def _grams_and_bands(posts: list[Post], ngram: int) -> tuple[list[np.ndarray], list[list[int]]]:
    ids = [(p.id, p.fingerprint, ngram) for p in posts]
    missing = [i for i, key in enumerate(ids) if key not in _CACHE]
    if missing:
        fresh = [ngrams(posts[i].text, ngram) for i in missing]
        for i, grams, keys in zip(missing, fresh, bands(fresh)):
            _CACHE[ids[i]] = (grams, keys)
    for key in ids:
        _CACHE.move_to_end(key)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    rows = [_CACHE[key] for key in ids]
    return [g for g, _ in rows], [k for _, k in rows]


def _ts(post: Post) -> float:
    try:
        return datetime.fromisoformat(post.published_at or post.crawled_at or "").timestamp()
    except ValueError:
        return 0.0


def _spread(ctx: Context, post_ids: list[str],
            previous: tuple[list[str], dict[str, Any]] | None) -> dict[str, Any]:
    """The event's spread summary and when it was computed (`spread_at`), for the alert's data:
    the open alert's own when its posts are unchanged and it is younger than SPREAD_REFRESH
    (computing it reads every post of the spread), else computed now."""
    if previous is not None and previous[0] == post_ids and previous[1].get("spread_at"):
        age = ctx.now - datetime.fromisoformat(previous[1]["spread_at"])
        if timedelta(0) <= age < SPREAD_REFRESH:
            return {k: previous[1][k] for k in ("spread", "spread_at") if k in previous[1]}
    spread = event_spread(ctx.store, post_ids, ctx.now).notice()
    return {"spread_at": iso(ctx.now), **({"spread": spread} if spread is not None else {})}


class EventRuleType:
    """Posts of the window are clustered together with the members of this rule's open events, so
    a new post joins its open event (the alert is updated, not raised again) even after the
    event's first posts have left the window. A cluster of at least `min_posts` is an event; it
    stays open until no post has joined for `quiet_for` (default: the window)."""

    reopen = True
    reminders = False  # an open event is notified again when it grows, not on a timer

    def __init__(self, spec: EventRule, config: AppConfig):
        self.spec = spec

    def _window_posts(self, ctx: Context) -> list[Post]:
        spec = self.spec
        filters = Filters(since=iso(ctx.now - timedelta(seconds=seconds(spec.window))),
                          until=iso(ctx.now + timedelta(seconds=1)), severity_min=spec.severity_min,
                          relevant=spec.relevant, cities=spec.cities or None,
                          categories=spec.categories or None, sources=spec.sources or None)
        posts: list[Post] = []
        page = 1
        while len(posts) < MAX_WINDOW_POSTS:
            result = ctx.store.search("", filters, sort="time", page=page, size=500, highlight=False)
            posts.extend(h.post for h in result.hits)
            if page * 500 >= result.total:
                break
            page += 1
        return posts

    def evaluate(self, ctx: Context) -> list[Match]:
        spec = self.spec
        posts = {p.id: p for p in self._window_posts(ctx)}
        open_events = ctx.state.query("SELECT key, post_ids, data FROM alerts WHERE rule = ? AND "
                                      "status IN ('open', 'acknowledged')", (spec.name,))
        owner: dict[str, str] = {}
        known = {e["key"]: (json.loads(e["post_ids"]), json.loads(e["data"] or "{}"))
                 for e in open_events}
        for event in open_events:
            for post_id in json.loads(event["post_ids"])[-MAX_MEMBERS_KEPT:]:
                owner[post_id] = event["key"]
                if post_id not in posts:
                    post = ctx.store.get(post_id)
                    if post is not None:
                        posts[post_id] = post
        if not posts:
            return []
        items = sorted(posts.values(), key=lambda p: (_ts(p), p.id))
        index = {p.id: i for i, p in enumerate(items)}
        links = [(i, index[p.dup_of]) for i, p in enumerate(items) if p.dup_of in index]
        grams, band_lists = _grams_and_bands(items, spec.ngram)
        groups = cluster_sets(grams, band_lists, spec.similarity, links)
        quiet = seconds(spec.quiet_for or spec.window)
        now_ts = ctx.now.timestamp()
        matches = []
        for group in groups:
            if len(group) < spec.min_posts:
                continue
            members = [items[i] for i in group]  # oldest first
            if now_ts - _ts(members[-1]) > quiet:
                continue
            keys = Counter(owner[p.id] for p in members if p.id in owner)
            key = keys.most_common(1)[0][0] if keys else f"event:{spec.name}:{members[0].id}"
            match = self._describe(key, members, ctx.now)
            # The spread rides with the alert so every notice, however late, can say it.
            match.data.update(_spread(ctx, match.post_ids, known.get(key)))
            matches.append(match)
        return matches

    def _describe(self, key: str, members: list[Post], now: datetime) -> Match:
        spec = self.spec
        size = len(members)
        level = spec.level
        for lv in sorted(spec.levels, key=lambda x: x.min_posts):
            if size >= lv.min_posts:
                level = min(level, lv.level)
        if any((p.severity or 0) >= 4 for p in members):
            level = min(level, 2)  # an exposure threat inside a wave is at least 二级
        first = members[0]
        cities = Counter(p.city for p in members if p.city)
        categories = Counter(c for p in members for c in p.categories)
        sources = Counter(p.source for p in members)
        last_hour = sum(1 for p in members if now.timestamp() - _ts(p) <= 3600)
        span_h = max((_ts(members[-1]) - _ts(first)) / 3600, 0.0)
        city = cities.most_common(1)[0][0] if cities else None
        top = sorted(members, key=lambda p: (-(p.severity or 0), -(p.influence or 0), _ts(p)))[:8]
        body = "\n".join([
            f"相似帖子 {size} 条，{span_h:.1f} 小时内；近1小时新增 {last_hour} 条（规则 {spec.name}）",
            f"首发：{first.author or '匿名'}（{first.source}，{first.published_at or '未知'}）"
            f"{first.url or ''}",
            f"地市：{'、'.join(f'{c}{n}' for c, n in cities.most_common(5)) or '未知'}　"
            f"分类：{'、'.join(c for c, _ in categories.most_common(3)) or '未分类'}　"
            f"来源：{'、'.join(s for s, _ in sources.most_common(3))}",
            f"代表帖：{(first.title or first.content)[:80]}",
        ])
        return Match(
            key=key, level=level,
            subject=f"{city or '多地'} 热点事件：{(first.title or first.content)[:30]}（{size} 帖）",
            body=body, city=city, categories=[c for c, _ in categories.most_common(3)],
            source=first.source, post_ids=[p.id for p in members],
            posts=[post_summary(p) for p in top], size=size,
            data={"size": size, "first_post": first.id, "first_author": first.author,
                  "last_hour": last_hour, "cities": dict(cities)})
