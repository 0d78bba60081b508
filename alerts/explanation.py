"""Why a volume or spike warning fired: what drove the excess over the baseline, the first posts,
the new words, and how unusual the count is (alerts.unusual).

The excess is count − expected, `expected` being the baseline's count per window (volume: the
rule's base; spike: the previous window). Each dimension — source, city, category, 事件 —
splits it among its values: value v's part is its window count minus its share of `expected`
(v's part of the baseline period, scaled to `expected`), so the parts of one dimension sum to
the excess exactly and a value that is as common as usual gets a part near 0. A post with two
categories counts in both; the category counts are scaled to the window's count (and to
`expected`) so that they too add up. 事件 (event warnings whose posts are in the window) are new
by definition: their baseline is 0 and the whole expected count falls to 「不属于热点事件」. A
dimension the slice fixes (a city slice's city) would only repeat it and is left out.

New words are dictionary keywords (as the console's hot words, without hot_words_stop.txt) in
at least MIN_WORD_POSTS of the window's posts and at least WORD_LIFT times as frequent as in the
baseline. A post has many words, so words overlap: each one's part is the posts mentioning it
beyond the baseline's rate, as a share of the excess, and these shares need not sum to 1.

The first posts are where the increase began: the earliest posts of the lead — the one value,
across dimensions, with the largest share of the excess (the window's earliest when nothing
grew).

A window of more than MAX_WINDOW_POSTS posts is explained from the first ones the store yields;
its parts are still scaled to the whole count.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Any, Iterable, Mapping

from alerts.model import post_summary
from alerts.unusual import METHOD_LABELS, Unusual
from core.markup import http_url
from core.post import Post
from indexer.base import Filters, Store

DIMENSIONS = {"source": "来源", "city": "地市", "category": "分类", "event": "事件"}
UNKNOWN = {"source": "未知来源", "city": "未知地市", "category": "未分类"}
NO_EVENT = "不属于热点事件"
OTHERS = "其他"
TOP_VALUES = 5
FIRST_POSTS = 3
MIN_WORD_POSTS = 2
WORD_LIFT = 3.0
TOP_WORDS = 8
MAX_WINDOW_POSTS = 5000
# Every keyword of the baseline: the dictionary holds a few thousand (Elasticsearch caps an
# aggregation at 65,536 buckets).
BASELINE_WORDS = 10_000


def decompose(current: Mapping[str, float], baseline: Mapping[str, float], count: float,
              expected: float) -> list[dict[str, Any]]:
    """Split count − expected among the values of one dimension, largest part first; the parts
    sum to count − expected. `current` and `baseline` are raw counts per value (any scale)."""
    current = dict(current) if sum(current.values()) or not count else {OTHERS: count}
    cur_total, base_total = sum(current.values()), sum(baseline.values())
    excess = count - expected
    parts = []
    for value in set(current) | set(baseline):
        now = current.get(value, 0) * count / cur_total if cur_total else 0.0
        # With no baseline posts to go by, the expected count is spread like the window's.
        usual = (baseline.get(value, 0) * expected / base_total if base_total
                 else now * expected / count if count else 0.0)
        parts.append({"value": value, "count": now, "expected": usual, "excess": now - usual,
                      "share": (now - usual) / excess if excess else None})
    return sorted(parts, key=lambda p: (-p["excess"], str(p["value"])))


def _top(parts: list[dict[str, Any]], excess: float) -> list[dict[str, Any]]:
    """The TOP_VALUES largest parts and the rest as one 「其他」, so the shown parts still sum to
    the excess; rounded for storage."""
    shown = parts if len(parts) <= TOP_VALUES + 1 else parts[:TOP_VALUES] + [{
        "value": OTHERS, **{k: sum(p[k] for p in parts[TOP_VALUES:])
                            for k in ("count", "expected", "excess")}}]
    return [{**p, "count": round(p["count"], 3), "expected": round(p["expected"], 3),
             "excess": round(p["excess"], 3),
             "share": round(p["excess"] / excess, 4) if excess else None} for p in shown]


def window_posts(store: Store, filters: Filters) -> list[Post]:
    """The posts a slice counted in its window, oldest first. Categories are checked here, as in
    alerts.model.top_posts (a category filter is slow in the SQLite backend's time range)."""
    wanted = set(filters.categories or [])
    posts = []
    for post in store.iter_posts(replace(filters, categories=None)):
        if not wanted or wanted & set(post.categories):
            posts.append(post)
        if len(posts) >= MAX_WINDOW_POSTS:
            break
    return sorted(posts, key=lambda p: (p.published_at or "", p.id))


def _values(post: Post, dimension: str, events: Mapping[str, tuple[int, str]]) -> list[str]:
    """The post's values in a dimension: one, or its categories."""
    if dimension == "event":
        return [events[post.id][1] if post.id in events else NO_EVENT]
    if dimension == "category":
        return list(post.categories) or [UNKNOWN["category"]]
    return [getattr(post, dimension) or UNKNOWN[dimension]]


def _baseline_counts(store: Store, dimension: str, filters: Filters) -> Counter[str]:
    """Counts per value over the baseline; a counted post is in each of its categories, as in
    the window (a rule watching some categories still sees its posts' others)."""
    counts: Counter[str] = Counter()
    for row in store.slice_counts([dimension], filters):
        counts[row["slice"][dimension] or UNKNOWN[dimension]] += row["count"]
    return counts


def _events(state: Any, since: str) -> dict[str, tuple[int, str]]:
    """post id → (alert id, '#id subject') of the event warnings open now or active since
    `since`."""
    rows = state.query(
        "SELECT alert_id, post_ids, data FROM alerts WHERE "
        "json_extract(data, '$.rule_type') = 'event' AND "
        "(status IN ('open', 'acknowledged') OR updated_at >= ?) ORDER BY alert_id", (since,))
    out = {}
    for row in rows:
        label = f"#{row['alert_id']} {json.loads(row['data']).get('subject') or '热点事件'}"
        for post_id in json.loads(row["post_ids"]):
            out[post_id] = (row["alert_id"], label)
    return out


def _new_words(store: Store, posts: list[Post], baseline: Filters, windows: float, excess: float,
               exclude: Iterable[str]) -> list[dict[str, Any]]:
    excluded = set(exclude)
    now = Counter(w for p in posts for w in set(p.keywords) if w not in excluded)
    candidates = {w: n for w, n in now.items() if n >= MIN_WORD_POSTS}
    if not candidates:
        return []
    before = dict(store.hot_words(baseline, size=BASELINE_WORDS, exclude=excluded))
    words = []
    for word, n in candidates.items():
        usual = before.get(word, 0) / windows
        if n >= WORD_LIFT * usual and n > usual:
            words.append({"word": word, "posts": n, "expected": round(usual, 3),
                          "excess": round(n - usual, 3),
                          "share": round((n - usual) / excess, 4) if excess > 0 else None})
    return sorted(words, key=lambda w: (-w["excess"], w["word"]))[:TOP_WORDS]


def explain(store: Store, state: Any, *, window: Filters, baseline: Filters, windows: float,
            count: int, expected: float, fixed: Iterable[str], unusual: Unusual,
            baseline_label: str, exclude_words: Iterable[str] = ()) -> dict[str, Any]:
    """The explanation of one slice's count in `window` against `baseline` (a period holding
    `windows` windows; `expected` is its count per window as the rule judges it). `fixed` are the
    dimensions the slice is keyed by."""
    posts = window_posts(store, window)
    excess = count - expected
    events = _events(state, window.since or "")
    drivers = {}
    for dimension in DIMENSIONS:
        if dimension in fixed:
            continue
        usual = ({NO_EVENT: 1.0} if dimension == "event"
                 else _baseline_counts(store, dimension, baseline))
        current = Counter(v for p in posts for v in _values(p, dimension, events))
        drivers[dimension] = _top(decompose(current, usual, count, expected), excess)
    ids = {label: alert_id for alert_id, label in events.values()}
    for part in drivers["event"]:
        part["alert_id"] = ids.get(part["value"])
    lead = _lead(drivers, count, excess)
    first = [p for p in posts
             if lead is None or lead["value"] in _values(p, lead["dimension"], events)]
    return {"count": count, "expected": round(expected, 3), "excess": round(excess, 3),
            "baseline": baseline_label, "unusual": unusual.as_dict(), "drivers": drivers,
            "words": _new_words(store, posts, baseline, windows, excess, exclude_words),
            "lead": lead, "first_posts": [post_summary(p) for p in first[:FIRST_POSTS]]}


def _lead(drivers: Mapping[str, list[dict[str, Any]]], count: int,
          excess: float) -> dict[str, Any] | None:
    """The single value that accounts for most of the excess, across dimensions (ties: the
    order of DIMENSIONS); None when nothing grew. A value every post of the window has (the one
    category of a quiet slice) says nothing about where the increase came from."""
    if excess <= 0:
        return None
    best = None
    for dimension in DIMENSIONS:
        for part in drivers.get(dimension, []):
            if part["value"] in (OTHERS, NO_EVENT) or part["excess"] <= 0 or \
                    part["count"] >= count - 1e-6:
                continue
            if best is None or part["share"] > best["share"]:
                best = {"dimension": dimension, "value": part["value"], "share": part["share"]}
    return best


def _figure(x: float) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 0.05 else f"{x:.1f}"


def unusual_line(unusual: Mapping[str, Any]) -> str:
    """'异常程度：z = 4.20，p = 3.1e-05（负二项分布，30 个窗口，均值 2.0、方差 3.1）'."""
    if unusual.get("z") is None:
        return "异常程度：基线期没有同类帖子，无法估计"
    where = (f"{unusual['windows']} 个窗口，均值 {unusual['mean']:.1f}、方差 {unusual['variance']:.1f}"
             if unusual["method"] != "binomial" else f"两窗口合计 {_figure(unusual['mean'] * 2)} 条")
    # Past about 1e-300 a tail probability underflows to 0: say so rather than "p = 0".
    p_value = f"{unusual['p_value']:.2g}" if unusual["p_value"] > 0 else "< 1e-300"
    return (f"异常程度：z = {unusual['z']:.2f}，p = {p_value}"
            f"（{METHOD_LABELS[unusual['method']]}，{where}）")


def _driver_text(part: Mapping[str, Any]) -> str:
    share = f"，占 {part['share']:.0%}" if part.get("share") is not None else ""
    return (f"{part['value']} {part['excess']:+.1f} 条"
            f"（{_figure(part['count'])} 条，基线 {part['expected']:.1f}{share}）")


def _word_text(word: Mapping[str, Any]) -> str:
    # A post has many words: their shares overlap, hence 「超出部分的」 rather than a plain 占.
    share = f"，占超出部分的 {word['share']:.0%}" if word.get("share") is not None else ""
    return f"{word['word']}（{word['posts']} 帖，基线 {word['expected']:.1f}{share}）"


def summary_lines(explanation: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The explanation as short Chinese lines for messages: (text, url); the url is an http(s)
    link of a first post, else "". The text carries crawled words: channels escape it."""
    excess = explanation["excess"]
    word = "超出" if excess >= 0 else "低于"
    lines = [(f"{word}基线 {abs(excess):.1f} 条（{explanation['count']} 条 vs "
              f"{explanation['baseline']} {explanation['expected']:.1f} 条）", ""),
             (unusual_line(explanation["unusual"]), "")]
    for dimension in DIMENSIONS:
        lead = [p for p in explanation["drivers"].get(dimension, [])
                if p["value"] not in (OTHERS, NO_EVENT) and p["excess"] * excess > 0][:2]
        if lead:
            lines.append((f"按{DIMENSIONS[dimension]}：" + "；".join(_driver_text(p) for p in lead),
                          ""))
    if explanation["words"]:
        lines.append(("新词：" + "、".join(_word_text(w) for w in explanation["words"][:5]), ""))
    lead = explanation.get("lead")
    of = f"（{DIMENSIONS[lead['dimension']]} {lead['value']}）" if lead else ""
    for post in explanation["first_posts"]:
        when = (post.get("published_at") or "")[:16].replace("T", " ")
        lines.append((f"首发{of}：{when} {post.get('source') or ''} {post.get('title') or ''}".strip(),
                      http_url(post.get("url")) or ""))
    return lines
