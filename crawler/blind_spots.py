"""What a crawl could not see: result lists cut at the page cap, refusals (403/418/429), captcha
and risk-control pages, login walls (an expired cookie among them), pages robots.txt forbade.

Weibo search stops at a page cap, risk control blocks after a few hundred posts, a signature or a
cookie expires: the crawl then "succeeds" with fewer posts and nobody knows what was missed. Each
such thing is counted per run (`blind_spots`, owned here with the rest of the crawler's tables),
shown on `tousu sources` and 信源, and a `coverage` warning rule reads it."""

from __future__ import annotations

import re
from typing import Any

from core.db import StateDB
from core.secrets import redact
from crawler.presets import load_preset
from crawler.schema import SCHEMA

KINDS = {
    "page_cap": "翻页上限截断",
    "blocked": "被拒绝访问",
    "captcha": "验证码/风控页",
    "login_wall": "登录墙/Cookie 失效",
    "robots": "robots.txt 禁止",
}
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


def note(stats: Any, kind: str, url: str, detail: str = "") -> None:
    """Count one blind spot of this run; the first URL and detail of each kind are kept."""
    if kind not in KINDS:
        raise ValueError(f"unknown blind-spot kind {kind!r}")
    stats.inc_value(f"tousu/blind/{kind}")
    if stats.get_value(f"tousu/blind_example/{kind}") is None:
        stats.set_value(f"tousu/blind_example/{kind}", redact(f"{url} {detail}".strip())[:300])


def classify(status: int, url: str, body: bytes) -> str | None:
    """The kind of wall a response is, or None for a page we can read."""
    walls = load_preset("walls")
    lowered = url.lower()
    for kind, spec in walls.items():
        if status in spec["status"] or any(part in lowered for part in spec["url"]):
            return kind
    match = _TITLE.search(body[:4096]) if status < 400 else None
    if match:
        title = match.group(1).decode("utf-8", "replace").strip()
        for kind, spec in walls.items():
            if any(marker in title for marker in spec["title"]):
                return kind
    return None


def record(state: StateDB, run_id: int, source: str, stats: dict[str, Any]) -> dict[str, int]:
    """Store this run's blind spots from its stats; returns {kind: count}."""
    counts = {kind: int(stats.get(f"tousu/blind/{kind}", 0)) for kind in KINDS}
    counts["robots"] += int(stats.get("robotstxt/forbidden", 0))
    counts = {k: n for k, n in counts.items() if n}
    state.ensure(SCHEMA)
    with state.atomic() as conn:
        conn.executemany(
            "INSERT INTO blind_spots (run_id, source, kind, count, example) VALUES (?, ?, ?, ?, ?)",
            [(run_id, source, kind, n, stats.get(f"tousu/blind_example/{kind}"))
             for kind, n in counts.items()])
    return counts


def summary(state: StateDB, source: str, since: str) -> list[dict[str, Any]]:
    """Per kind, the runs of `source` started at `since` (ISO) or later that had it: how many runs,
    how many times in all, and the latest example."""
    state.ensure(SCHEMA)
    rows = state.query(
        "SELECT b.kind, count(DISTINCT b.run_id) AS runs, sum(b.count) AS count, "
        "max(r.started_at) AS last_at, "
        "(SELECT b2.example FROM blind_spots b2 WHERE b2.source = b.source AND b2.kind = b.kind "
        "AND b2.example IS NOT NULL "
        " ORDER BY b2.run_id DESC LIMIT 1) AS example "
        "FROM blind_spots b JOIN source_runs r USING (run_id) "
        "WHERE b.source = ? AND r.started_at >= ? GROUP BY b.kind ORDER BY count DESC",
        (source, since))
    for row in rows:
        row["label"] = KINDS.get(row["kind"], row["kind"])
        row["example"] = redact(row["example"]) if row["example"] else None
    return rows


def describe(counts: dict[str, int]) -> str:
    """'翻页上限截断 2 次；被拒绝访问 5 次', in the order of KINDS ('' for none)."""
    return "；".join(f"{label} {counts[kind]} 次" for kind, label in KINDS.items() if counts.get(kind))
