"""The daily briefing (and the briefing of any period, for the reports): what happened, where,
how many, the trend against the baseline, the top events with quotes, and what changed since the
previous period's briefing. Every sentence is made from claims (briefings/model.py); a section
whose data has fewer than `briefings.min_posts` posts says 「数据不足」 instead."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from accounts.models import SYSTEM, User
from briefings.config import AppConfig, BriefingsConfig
from briefings.model import INSUFFICIENT, Briefing, Claim, Section, Sentence, groups
from briefings.quotes import event_sentences
from briefings.slices import Fetcher, Slice, changed, direction, share
from core.post import CST, iso, now_cst
from indexer import open_store
from indexer.base import Filters, Store

TOP_PLACES = 3


def build_daily(config: AppConfig, day: date | None = None, *, actor: User = SYSTEM,
                store: Store | None = None, now: datetime | None = None) -> Briefing:
    """The briefing of one day (default: yesterday, the last complete day; managers, monitors,
    admins)."""
    actor.require("manager", "monitor", "admin", action="生成舆情简报")
    now = (now or now_cst()).astimezone(CST)
    day = day or now.date() - timedelta(days=1)
    start = datetime.combine(day, time(0), CST)
    own = store is None
    store = store or open_store(config)
    try:
        return compose(store, config.briefings, start, start + timedelta(days=1),
                       f"舆情简报（{day:%Y年%m月%d日}）", now)
    finally:
        if own:
            store.close()


def compose(store: Store, cfg: BriefingsConfig, start: datetime, end: datetime, title: str,
            now: datetime) -> Briefing:
    """The briefing of [start, end), compared with the same-length period before it and with
    the `baseline_days` days before it."""
    fetch = Fetcher(store)
    days = max(1, round((end - start).total_seconds() / 86400))
    base_start = start - timedelta(days=cfg.baseline_days)
    current = fetch.slice(_relevant(start, end))
    previous = fetch.slice(_relevant(start - (end - start), start))
    baseline = fetch.slice(_relevant(base_start, start))
    complaints = current.above(cfg.min_tier)
    briefing = Briefing("daily", title, iso(start), iso(end), iso(now))
    briefing.sections = [
        _enough(cfg, "overview", "概况", current, lambda: _overview(cfg, current, complaints)),
        _enough(cfg, "places", "地域分布", complaints, lambda: _places(complaints)),
        _enough(cfg, "trend", f"趋势（对比前{cfg.baseline_days}日）", baseline,
                lambda: _trend(cfg, current, baseline, days)),
        _enough(cfg, "events", "热点事件", complaints, lambda: _events(cfg, complaints)),
        _enough(cfg, "changes", "较上期简报的变化", previous,
                lambda: _changes(cfg, current, previous)),
    ]
    briefing.posts = fetch.refs
    return briefing


def _relevant(since: datetime, until: datetime) -> Filters:
    return Filters(since=iso(since), until=iso(until), relevant=True, include_duplicates=False)


def _enough(cfg: BriefingsConfig, key: str, title: str, data: Slice, write) -> Section:
    """The section written by `write`, or 「数据不足」 when `data` has too few posts."""
    if len(data) < cfg.min_posts:
        count = data.count()
        return Section(key, title, [Sentence(
            f"{INSUFFICIENT}：本段依据的帖子 {count.shown} 条，少于 {cfg.min_posts} 条，不作概括。",
            [count])], insufficient=True)
    return Section(key, title, write())


def _overview(cfg: BriefingsConfig, current: Slice, complaints: Slice) -> list[Sentence]:
    total, counted = current.count(), complaints.count()
    ratio = share(counted, total)
    out = [Sentence(f"本期相关帖子 {total.shown} 条，其中{cfg.min_tier}级及以上投诉 {counted.shown} 条，"
                    f"占 {ratio.shown}%。", [total, counted, ratio])]
    exposure = current.above(4).count()
    out.append(Sentence(f"曝光/升级（4级）帖子 {exposure.shown} 条"
                        f"{'，需优先处置' if exposure.value else ''}。", [exposure]))
    top = complaints.most("category")
    if top:
        of_top = complaints.where("category", top.value).count()
        out.append(Sentence(f"投诉最集中的分类是「{top.shown}」，{of_top.shown} 条。", [top, of_top]))
    return out


def _places(complaints: Slice) -> list[Sentence]:
    top = complaints.most("city")
    if top is None:
        unknown = complaints.count()
        return [Sentence(f"{unknown.shown} 条投诉都未识别出地市。", [unknown])]
    counts: dict[str, int] = {}
    for p in complaints.posts:
        if p.city:
            counts[p.city] = counts.get(p.city, 0) + 1
    first = complaints.where("city", top.value).count()
    out = [Sentence(f"投诉最多的地市是{top.shown}，{first.shown} 条。", [top, first])]
    ranked = sorted((c for c in counts if c != top.value), key=lambda c: (-counts[c], c))
    rest = [(city, complaints.where("city", city).count()) for city in ranked[:TOP_PLACES - 1]]
    if rest:
        out.append(Sentence("其次是" + "、".join(f"{city} {c.shown} 条" for city, c in rest) + "。",
                            [c for _, c in rest]))
    unknown = [p.id for p in complaints.posts if not p.city]
    if unknown:
        # No store filter selects "no city": these posts are cited by id, without a query.
        claim = Claim("count", len(unknown), tuple(unknown))
        out.append(Sentence(f"另有 {claim.shown} 条投诉未识别出地市。", [claim]))
    return out


def _trend(cfg: BriefingsConfig, current: Slice, baseline: Slice, days: int) -> list[Sentence]:
    now_mean, base_mean = current.daily_mean(days), baseline.daily_mean(cfg.baseline_days)
    move = changed(now_mean, base_mean)
    out = [Sentence(f"本期相关帖子日均 {now_mean.shown} 条，前{cfg.baseline_days}日日均 "
                    f"{base_mean.shown} 条，{direction(move)} {move.shown}%。", [now_mean, base_mean, move])]
    risers = []
    complaints, base_complaints = current.above(cfg.min_tier), baseline.above(cfg.min_tier)
    for name in {c for p in complaints.posts for c in p.categories}:
        now_c = complaints.where("category", name).daily_mean(days)
        base_c = base_complaints.where("category", name).daily_mean(cfg.baseline_days)
        risers.append((now_c.value - base_c.value, name, now_c, base_c))
    risers = sorted((r for r in risers if r[0] > 0), key=lambda r: (-r[0], r[1]))
    if risers:
        _, name, now_c, base_c = risers[0]
        out.append(Sentence(f"增加最多的投诉分类是「{name}」：日均 {now_c.shown} 条，"
                            f"前{cfg.baseline_days}日日均 {base_c.shown} 条。", [now_c, base_c]))
    return out


def _events(cfg: BriefingsConfig, complaints: Slice) -> list[Sentence]:
    found = [g for g in groups(complaints.posts, cfg.similarity) if len(g) >= cfg.event_min_posts]
    if not found:
        largest = Claim("largest_group", max((len(g) for g in groups(complaints.posts, cfg.similarity)),
                                             default=0),
                        complaints.ids, complaints.query, {"similarity": cfg.similarity})
        return [Sentence(f"本期没有形成热点事件：最大的一组相似投诉只有 {largest.shown} 条"
                         f"（至少 {cfg.event_min_posts} 条算一个事件）。", [largest])]
    out = []
    for n, members in enumerate(found[:cfg.top_events], 1):
        out.extend(event_sentences(cfg, members, f"事件{n}"))
    if len(found) > cfg.top_events:
        rest = [p for g in found[cfg.top_events:] for p in g]
        posts = Claim("count", len(rest), tuple(p.id for p in rest))
        out.append(Sentence(f"其余较小的事件共 {posts.shown} 条帖子。", [posts]))
    return out


def _changes(cfg: BriefingsConfig, current: Slice, previous: Slice) -> list[Sentence]:
    now_count, before = current.count(), previous.count()
    move = changed(now_count, before)
    out = [Sentence(f"相关帖子由上期 {before.shown} 条变为 {now_count.shown} 条，{direction(move)} "
                    f"{move.shown}%。", [before, now_count, move])]
    high_now, high_before = current.above(4).count(), previous.above(4).count()
    if high_now.value != high_before.value:
        out.append(Sentence(f"曝光/升级（4级）帖子由上期 {high_before.shown} 条变为 "
                            f"{high_now.shown} 条。", [high_before, high_now]))
    complaints, earlier = current.above(cfg.min_tier), previous.above(cfg.min_tier)
    fresh = sorted({p.city for p in complaints.posts if p.city}
                   - {p.city for p in earlier.posts if p.city})
    for city in fresh[:TOP_PLACES]:
        now_c, before_c = complaints.where("city", city).count(), earlier.where("city", city).count()
        out.append(Sentence(f"{city}本期新出现投诉 {now_c.shown} 条（上期 {before_c.shown} 条）。",
                            [now_c, before_c]))
    return out
