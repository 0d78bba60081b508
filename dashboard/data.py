"""Every query the console makes, cached; pages only lay things out.

Aggregations run in the store (GROUP BY / FTS in SQLite, aggregations in Elasticsearch); the
console never loads all posts. Results are cached for TTL seconds per distinct argument set, so a
page of 14 widgets costs one store round trip per query at most every TTL seconds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from alerts import analysis, quiet, recipients, review
from alerts.api import get_alert, recent_alerts
from alerts.spread import Spread, event_spread
from cases.automation import OWN_RULES
from cases.reporting import categories_by_alert
from core.vocab import LEVEL_NAMES, RULE_TYPE_LABELS, TIER_LABELS
from indexer import Filters, open_store
from indexer.base import SearchResult, Store
from nlp.dictionary import get_dictionary
from nlp.labels import iter_labels
from reports import data as reports_data
from reports.complaint_rate import city_rates
from reports.geo import city_shapes
from core.config import ConfigError
from tousu import console_records
from tousu.config import DEFAULT_PATH, Config, load
from crawler.blind_spots import summary as blind_spot_summary
from crawler.health import source_health
from core.post import CST, iso, now_cst
from core.markup import http_url
from core.sheets import sheet_safe
from core.db import StateDB

TTL = 10
# Aggregations over days or months change slowly and cost the most at 1M posts: cached longer.
AGG_TTL = 120
EXPORT_LIMIT = 5000


def get_config() -> Config:
    """The config, read again whenever config.yaml changes (信源/规则 edits, or by hand)."""
    path = config_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None  # load() reports the missing file
    return _load_config(str(path), stamp)


def config_path() -> Path:
    return Path(os.environ.get("TOUSU_CONFIG") or DEFAULT_PATH)


@st.cache_resource(max_entries=2, show_spinner=False)
def _load_config(path: str, stamp: int | None) -> Config:
    return load(path)


def config_or_stop() -> Config:
    """The config, or a Chinese error on the page and stop."""
    try:
        return get_config()
    except ConfigError as exc:
        st.error("配置文件有误，请运行 `tousu check` 查看详情。")
        st.code(str(exc), language=None)
        st.stop()
        raise


@st.cache_resource
def get_store(_config: Config) -> Store:
    return open_store(_config)


def store() -> Store:
    return get_store(config_or_stop())


@st.cache_resource
def get_state(_config: Config) -> StateDB:
    return StateDB(_config.state_path)


def state() -> StateDB:
    return get_state(config_or_stop())


@st.cache_resource(ttl=60)
def dictionary_lists(_config: Config) -> dict[str, Any]:
    """Cities, categories and the hot-word stop list from the keyword dictionary."""
    d = get_dictionary(_config.keywords_dir)
    return {"cities": d.cities, "categories": list(d.categories.categories),
            "hot_words_stop": sorted(d.hot_words_stop), "shapes": city_shapes(d.regions)}


def cities() -> list[str]:
    return dictionary_lists(config_or_stop())["cities"]


def shapes() -> dict[str, Any]:
    """The cities' map shapes (reports.geo), by city; empty where no boundary is known."""
    return dictionary_lists(config_or_stop())["shapes"]


def categories() -> list[str]:
    return dictionary_lists(config_or_stop())["categories"]


def operator_names() -> list[str]:
    """Our operator and its competitors by their short names, ours first."""
    return reports_data.operator_names(config_or_stop())


def source_names() -> list[str]:
    return [s.name for s in config_or_stop().sources]


@dataclass(frozen=True)
class Slice:
    """A hashable description of a filter, so it can be a cache key and a drill-down target."""

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    severity_min: int | None = None
    severity_max: int | None = None
    relevant: bool | None = None
    case_status: tuple[str, ...] = ()
    include_duplicates: bool = True
    operators: tuple[str, ...] = ()
    intent_min: int | None = None
    intent_max: int | None = None

    def filters(self) -> Filters:
        return Filters(since=self.since, until=self.until, sources=list(self.sources) or None,
                       cities=list(self.cities) or None, categories=list(self.categories) or None,
                       severity_min=self.severity_min, severity_max=self.severity_max,
                       relevant=self.relevant, case_status=list(self.case_status) or None,
                       include_duplicates=self.include_duplicates,
                       operators=list(self.operators) or None, intent_min=self.intent_min,
                       intent_max=self.intent_max)


def since_hours(hours: float, step: int = 60) -> str:
    """The start of a window `hours` long ending now, rounded down to `step` seconds.

    Rounding keeps a window's Slice, and so its cache key, the same across reruns: unrounded,
    every rerun a second later missed the cache and ran the aggregations again.
    """
    start = now_cst() - timedelta(hours=hours)
    return iso(start - timedelta(seconds=int(start.timestamp()) % step))


def day_start(d: Any) -> str:
    """ISO start of a calendar day (date or 'YYYY-MM-DD') in China time."""
    if isinstance(d, str):
        d = datetime.fromisoformat(d[:10]).date()
    return iso(datetime(d.year, d.month, d.day, tzinfo=CST))


# -- posts ------------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False)
def search(query: str, where: Slice, sort: str = "time", page: int = 1, size: int = 20,
           highlight: bool = True) -> SearchResult:
    """One page of posts matching a query and a slice."""
    return store().search(query, where.filters(), sort=sort, page=page, size=size,  # type: ignore[arg-type]
                          highlight=highlight)


@st.cache_data(ttl=TTL, show_spinner=False)
def count(where: Slice, query: str = "") -> int:
    return store().count(where.filters(), query)


def get_post(post_id: str) -> Any:
    """One post, uncached (the detail view must show the latest grade)."""
    return store().get(post_id)


def posts_frame(hits: list[Any]) -> pd.DataFrame:
    """Posts as a table for st.dataframe (which shows text as text, never as HTML)."""
    rows = []
    for hit in hits:
        p = hit.post if hasattr(hit, "post") else hit
        rows.append({
            "等级": p.severity if p.severity is not None else -1,
            "类型": TIER_LABELS.get(p.severity or 0, "—"),
            "发布时间": (p.published_at or "")[:16].replace("T", " "),
            "地市": p.city or "—",
            "来源": p.source,
            "分类": "、".join(p.categories),
            "标题": p.title,
            "摘要": " ".join((p.content or "").split())[:80],
            "影响力": round(p.influence or 0, 2),
            "回复": p.engagement.get("replies", 0),
            "浏览": p.engagement.get("views", 0),
            "工单": p.case_status or "",
            "依据": "；".join(p.reasons[:3]),
            "链接": http_url(p.url),
            "id": p.id,
        })
    return pd.DataFrame(rows)


def export_frame(query: str, where: Slice, sort: str) -> pd.DataFrame:
    """Up to EXPORT_LIMIT matching posts as a sheet-safe table for CSV/Excel download."""
    hits = search(query, where, sort, 1, EXPORT_LIMIT, False).hits
    frame = posts_frame(hits).drop(columns=["摘要"])
    frame.insert(7, "正文", [h.post.content for h in hits] if hits else [])
    frame.insert(8, "作者", [h.post.author for h in hits] if hits else [])
    return frame.map(sheet_safe)


# -- aggregations ---------------------------------------------------------------------------
@st.cache_data(ttl=AGG_TTL, show_spinner=False)
def headline(days: int) -> dict[str, int]:
    """Counts for the header metrics."""
    s = store()
    since = since_hours(days * 24)
    return {"total": s.count(Filters()),
            "relevant": s.count(Filters(since=since, relevant=True)),
            "high": s.count(Filters(since=since, relevant=True, severity_min=3))}


@st.cache_data(ttl=AGG_TTL, show_spinner=False)
def histogram(where: Slice, interval: str, split_by: str | None) -> list[dict[str, Any]]:
    return store().date_histogram(interval, where.filters(), split_by=split_by)  # type: ignore[arg-type]


@st.cache_data(ttl=AGG_TTL, show_spinner=False)
def terms(field: str, where: Slice, size: int = 20) -> list[tuple[Any, int]]:
    return store().terms(field, where.filters(), size=size)


@st.cache_data(ttl=AGG_TTL, show_spinner=False)
def hot_words(where: Slice, size: int = 30) -> list[tuple[str, int]]:
    # Left out at query time, so an edit of keywords/hot_words_stop.txt shows without re-analysis.
    exclude = dictionary_lists(config_or_stop())["hot_words_stop"]
    return store().hot_words(where.filters(), size=size, exclude=exclude)


@st.cache_data(ttl=AGG_TTL, show_spinner=False)
def operator_mix(where: Slice) -> list[dict[str, Any]]:
    """竞品对比: posts and intent tiers per operator, ours first."""
    return reports_data.operator_mix(store(), where.filters(), operator_names())


@st.cache_data(ttl=AGG_TTL, show_spinner=False)
def complaint_rate(where: Slice) -> pd.DataFrame:
    """Per city: the slice's posts, and the complaints and 万投比 of its time window as the reports
    count them (reports.complaint_rate)."""
    posts = dict(terms("city", where, size=50))
    return pd.DataFrame([{"地市": r.city, "帖子数": posts.get(r.city, 0), "投诉量": r.complaints,
                          "用户数(万户)": r.subscribers, "万投比": r.rate}
                         for r in city_rates(store(), config_or_stop(), where.since, where.until)
                         if r.city is not None])


@st.cache_data(ttl=TTL, show_spinner=False)
def labels() -> dict[str, dict[str, Any]]:
    """The newest triage label of each labelled post (nlp.labels), by post id."""
    return {row["post_id"]: row for row in iter_labels(state())}


def grades_changed() -> None:
    """Forget every cached answer that depends on posts' grades (a monitor's correction)."""
    for cached in (search, count, headline, histogram, terms, hot_words, operator_mix,
                   complaint_rate, labels):
        cached.clear()


def label_note(post: Any, label: dict[str, Any] | None) -> str:
    """'已确认' / '已更正 3级' / '已标无关' for the queue, '' when not labelled."""
    if not label:
        return ""
    if label.get("relevant") is False:
        return "已标无关"
    if label.get("severity") is not None and label["severity"] != post.severity:
        return f"已更正 {label['severity']}级"
    return "已确认"


# -- state: warnings, sources, saved searches --------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False)
def alerts(limit: int = 300) -> list[dict[str, Any]]:
    rows = recent_alerts(state(), limit)
    for row in rows:
        row["post_ids"] = json.loads(row["post_ids"])
    return rows


def rule_label(rule: str) -> str:
    """A warning's rule as users read it: its type in Chinese (单帖预警, 声量超阈 …), whatever the
    rule is named in config.yaml."""
    types = {r.name: r.type for r in config_or_stop().warnings.rules}
    return RULE_TYPE_LABELS.get(types.get(rule, rule), "其他预警")


@st.cache_data(ttl=TTL, show_spinner=False)
def spread(post_ids: tuple[str, ...], now: str) -> Spread:
    """An event's spread as of `now` (ISO, whole minutes: a stable cache key)."""
    return event_spread(store(), post_ids, datetime.fromisoformat(now))


def alert(alert_id: int) -> dict[str, Any] | None:
    """One alert (a notification's link names it), uncached."""
    row = get_alert(state(), alert_id)
    if row is not None:
        row["post_ids"] = json.loads(row["post_ids"])
    return row


@st.cache_data(ttl=TTL, show_spinner=False)
def held_reviews() -> list[dict[str, Any]]:
    """Warnings waiting for review (alerts.review), oldest first."""
    return review.held_reviews(state())


@st.cache_data(ttl=TTL, show_spinner=False)
def quiet_messages(since: str, alert_id: int | None = None) -> pd.DataFrame:
    """Messages held since `since` (alerts.quiet: 抑制, 分组, 静默时段, 汇总) with why and what
    became of each, newest first; one warning's when `alert_id` is given."""
    rows = []
    for row in quiet.quiet_log(state(), since, alert_id):
        why, fate = quiet.explain(row)
        rows.append({"编号": row["message_id"], "预警": f"#{row['alert_id']} {row['title'] or ''}",
                     "级别": LEVEL_NAMES.get(row["level"], ""), "通知渠道": row["notifier"],
                     "类别": quiet.HOLD_LABELS[row["hold"]], "原因": why, "去向": fate,
                     "入队时间": row["created_at"][5:16].replace("T", " ")})
    return pd.DataFrame(rows, columns=["编号", "预警", "级别", "通知渠道", "类别", "原因", "去向",
                                       "入队时间"])


@st.cache_data(ttl=TTL, show_spinner=False)
def recipient_groups() -> list[dict[str, Any]]:
    """The managers' recipient groups (alerts.recipients)."""
    return recipients.groups(state())


@st.cache_data(ttl=AGG_TTL, show_spinner=False)
def warning_analysis(since: str, until: str) -> pd.DataFrame:
    """预警分析 of the warnings raised in [since, until), with their cases' categories."""
    rows = analysis.warning_rows(state(), since, until, OWN_RULES)
    return pd.DataFrame([t.as_row() for t in analysis.analyse(rows, categories_by_alert(state()))])


@st.cache_data(ttl=TTL, show_spinner=False)
def sources() -> list[dict[str, Any]]:
    cfg = config_or_stop()
    rows = source_health(state(), [s.name for s in cfg.sources])
    for row, spec in zip(rows, cfg.sources):
        row.update(type=spec.type, enabled=spec.enabled, interval=spec.interval)
    return rows


@st.cache_data(ttl=TTL, show_spinner=False)
def blind_spots(days: int) -> list[dict[str, Any]]:
    """crawler.blind_spots.summary of every configured source over the last `days` days."""
    since = iso(now_cst() - timedelta(days=days))
    return [{"source": s.name, **row} for s in config_or_stop().sources
            for row in blind_spot_summary(state(), s.name, since)]


def saved_searches(username: str) -> dict[str, dict[str, Any]]:
    """A user's saved searches: name → the search form's values."""
    return console_records.saved_searches(state(), username)


def save_search(username: str, name: str, spec: dict[str, Any]) -> None:
    console_records.save_search(state(), username, name, spec)


def delete_search(username: str, name: str) -> None:
    console_records.delete_search(state(), username, name)
