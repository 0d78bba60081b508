"""The briefing of one event warning (事件, the `event` rule's connected component of similar
posts): what it is about in its first post's words, how big and since when, where and from which
sources, how it grew (the last 24 hours against before), and representative quotes. Its claims
cite the warning's member posts; they are not a store query, so their `query` is None."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from accounts.models import SYSTEM, User
from alerts.api import get_alert
from briefings.config import AppConfig, BriefingsConfig
from briefings.model import INSUFFICIENT, Briefing, Claim, Section, Sentence, most_common
from briefings.quotes import event_sentences
from briefings.slices import Fetcher
from core.db import StateDB
from core.post import CST, Post, iso, now_cst
from core.vocab import ALERT_STATUS_NAMES, LEVEL_NAMES
from indexer import open_store
from indexer.base import Store


class NoSuchEvent(LookupError):
    """No warning with that id, or one without posts."""


def build_event(config: AppConfig, alert_id: int, *, actor: User = SYSTEM,
                store: Store | None = None, db: StateDB | None = None,
                now: datetime | None = None) -> Briefing:
    """The briefing of warning `alert_id` (an event; any warning with posts works, a
    single-post one mostly says 「数据不足」)."""
    actor.require("manager", "monitor", "admin", action="生成舆情简报")
    now = (now or now_cst()).astimezone(CST)
    own_db, own_store = db is None, store is None
    db = db or StateDB(config.state_path)
    store = store or open_store(config)
    try:
        alert = get_alert(db, alert_id)
        if alert is None:
            raise NoSuchEvent(f"没有编号为 {alert_id} 的预警")
        fetch = Fetcher(store)
        members = fetch.keep(sorted((p for p in (store.get(i) for i in json.loads(alert["post_ids"]))
                                     if p is not None), key=lambda p: (p.published_at or "", p.id)))
        if not members:
            raise NoSuchEvent(f"预警 {alert_id} 的帖子都已不在库中")
        briefing = Briefing("event", f"事件简报：{alert['title']}", members[0].published_at or "",
                            iso(now), iso(now))
        briefing.sections = _sections(config.briefings, alert, members, now)
        briefing.posts = fetch.refs
        return briefing
    finally:
        if own_store:
            store.close()
        if own_db:
            db.close()


def _sections(cfg: BriefingsConfig, alert: dict, members: list[Post], now: datetime) -> list[Section]:
    ids = tuple(p.id for p in members)
    size = Claim("count", len(members), ids)
    status = ALERT_STATUS_NAMES.get(alert["status"], alert["status"])
    head = [Sentence(f"预警 #{alert['alert_id']}（{LEVEL_NAMES.get(alert['level'], '')}，{status}）"
                     f"涉及帖子 {size.shown} 条。", [size])]
    out = [Section("overview", "概况", head + _about(cfg, members))]
    if len(members) < cfg.min_posts:
        out += [_insufficient(cfg, key, title, size) for key, title in
                (("places", "地域与来源"), ("growth", "发展（近24小时）"))]
        return out
    out.append(Section("places", "地域与来源", _places(members)))
    out.append(Section("growth", "发展（近24小时）", _growth(members, now)))
    return out


def _about(cfg: BriefingsConfig, members: list[Post]) -> list[Sentence]:
    out = event_sentences(cfg, members, "事件")
    exposure = Claim("count", sum(1 for p in members if (p.severity or 0) >= 4),
                     tuple(p.id for p in members if (p.severity or 0) >= 4))
    if exposure.value:
        out.append(Sentence(f"其中曝光/升级（4级）帖子 {exposure.shown} 条。", [exposure]))
    return out


def _insufficient(cfg: BriefingsConfig, key: str, title: str, size: Claim) -> Section:
    return Section(key, title, [Sentence(
        f"{INSUFFICIENT}：事件只有 {size.shown} 条帖子，少于 {cfg.min_posts} 条，不作概括。",
        [size])], insufficient=True)


def _places(members: list[Post]) -> list[Sentence]:
    ids = tuple(p.id for p in members)
    out = []
    for name, label in (("city", "地市"), ("source", "来源")):
        top = most_common(members, name)
        if top is None:
            continue
        most = Claim("most", top[0], ids, params={"field": name})
        count = Claim("count", top[1], tuple(p.id for p in members if getattr(p, name) == top[0]))
        out.append(Sentence(f"最多的{label}是{most.shown}，{count.shown} 条。", [most, count]))
    return out


def _growth(members: list[Post], now: datetime) -> list[Sentence]:
    cut = iso(now - timedelta(hours=24))
    recent = Claim("count", sum(1 for p in members if (p.published_at or "") >= cut),
                   tuple(p.id for p in members if (p.published_at or "") >= cut))
    before = Claim("count", len(members) - recent.value,
                   tuple(p.id for p in members if (p.published_at or "") < cut))
    if not recent.value:
        return [Sentence(f"近24小时新增 {recent.shown} 条，此前共 {before.shown} 条，事件已无新帖。",
                         [recent, before])]
    return [Sentence(f"近24小时新增 {recent.shown} 条，此前 {before.shown} 条。", [recent, before])]
