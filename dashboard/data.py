"""Every query the console makes, cached; pages only lay things out."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st

from indexer import Filters, open_store
from indexer.base import Store
from nlp.analyzer import TIER_LABELS
from tousu.config import Config, ConfigError, load
from tousu.health import source_health
from tousu.post import iso, now_cst
from tousu.state import StateDB

TTL = 10


@st.cache_resource
def get_config() -> Config:
    return load()


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


def _store() -> Store:
    return get_store(config_or_stop())


def _state() -> StateDB:
    return StateDB(config_or_stop().state_path)


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
            "摘要": (p.content or "")[:80],
            "影响力": round(p.influence or 0, 2),
            "回复": p.engagement.get("replies", 0),
            "浏览": p.engagement.get("views", 0),
            "依据": "；".join(p.reasons[:3]),
            "链接": p.url,
            "id": p.id,
        })
    return pd.DataFrame(rows)


@st.cache_data(ttl=TTL, show_spinner=False)
def triage(hours: int, severity_min: int, cities: tuple[str, ...], relevant_only: bool,
           limit: int = 200) -> tuple[int, list[Any]]:
    """The flagged-post queue: most severe, then newest."""
    filters = Filters(since=iso(now_cst() - timedelta(hours=hours)), severity_min=severity_min,
                      cities=list(cities) or None, relevant=True if relevant_only else None,
                      include_duplicates=False)
    result = _store().search("", filters, sort="severity", size=limit, highlight=False)
    return result.total, result.hits


@st.cache_data(ttl=TTL, show_spinner=False)
def search(query: str, severity_min: int, cities: tuple[str, ...], sort: str, page: int,
           size: int = 20) -> tuple[int, list[Any]]:
    filters = Filters(severity_min=severity_min or None, cities=list(cities) or None)
    result = _store().search(query, filters, sort=sort, page=page, size=size)  # type: ignore[arg-type]
    return result.total, result.hits


@st.cache_data(ttl=TTL, show_spinner=False)
def overview(days: int) -> dict[str, Any]:
    """Counts for the header metrics and the trend chart."""
    store = _store()
    since = iso(now_cst() - timedelta(days=days))
    filters = Filters(since=since, relevant=True)
    return {
        "total": store.count(Filters()),
        "relevant": store.count(filters),
        "high": store.count(Filters(since=since, relevant=True, severity_min=3)),
        "by_severity": store.terms("severity", filters, size=5),
        "by_city": store.terms("city", filters, size=20),
        "by_day": store.date_histogram("day", filters, split_by="severity"),
    }


@st.cache_data(ttl=TTL, show_spinner=False)
def alerts(limit: int = 100) -> list[dict[str, Any]]:
    rows = _state().query("SELECT alert_id, level, title, body, city, post_ids, status, created_at "
                          "FROM alerts ORDER BY created_at DESC LIMIT ?", (limit,))
    for row in rows:
        row["post_ids"] = json.loads(row["post_ids"])
    return rows


@st.cache_data(ttl=TTL, show_spinner=False)
def sources() -> list[dict[str, Any]]:
    cfg = config_or_stop()
    rows = source_health(_state(), [s.name for s in cfg.sources])
    for row, spec in zip(rows, cfg.sources):
        row.update(type=spec.type, enabled=spec.enabled, interval=spec.interval)
    return rows
