"""Volume rules over slices (category × city × source): `volume` against a long-run base and
`spike` against the previous window."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

from alerts.explanation import explain
from alerts.model import (Context, Match, seconds, slice_filters, slice_key, slice_label,
                          top_posts)
from alerts.unusual import against_previous, against_windows
from indexer.base import Filters
from alerts.config import AppConfig, SliceFilters, SpikeRule, VolumeRule
from core.post import CST, iso
from nlp.dictionary import get_dictionary

WINDOW_SECONDS = {"hour": 3600, "day": 86400}
WINDOW_LABELS = {"hour": "1小时", "day": "24小时"}
# Hourly counts are not kept per day (rule_days): the fit of an hourly rule's baseline reads the
# last four weeks of hours from the store, enough windows (672) for two moments.
HOURLY_FIT_DAYS = 28


def rule_filters(spec: SliceFilters, since: datetime, until: datetime) -> Filters:
    """The posts a rule counts, between two instants."""
    return Filters(since=iso(since), until=iso(until), severity_min=spec.severity_min,
                   relevant=spec.relevant, cities=spec.cities or None,
                   categories=spec.categories or None, sources=spec.sources or None,
                   include_duplicates=spec.include_duplicates)


def _slices(spec: Any, rows: list[dict[str, Any]]) -> dict[str, tuple[dict, int]]:
    """slice key → (slice values, count); slices with an unknown value (no city…) are left out."""
    out = {}
    for row in rows:
        values = row["slice"]
        if any(v is None or v == "" for v in values.values()):
            continue
        # A category filter on a category slice: only the watched categories are slices.
        if spec.categories and "category" in values and values["category"] not in spec.categories:
            continue
        out[slice_key(values)] = (values, row["count"])
    return out


def _counts(ctx: Context, spec: Any, since: datetime, until: datetime) -> dict[str, tuple[dict, int]]:
    return _slices(spec, ctx.store.slice_counts(spec.group_by, rule_filters(spec, since, until)))


def _day(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=CST)


def _not_hot(ctx: Context) -> frozenset[str]:
    return get_dictionary(ctx.config.keywords_dir).hot_words_stop


def _span(minutes: float) -> str:
    if minutes >= 1440 and minutes % 1440 == 0:
        return f"{int(minutes // 1440)}天"
    if minutes >= 60 and minutes % 60 == 0:
        return f"{int(minutes // 60)}小时"
    return f"{int(minutes)}分钟"


class VolumeRuleType:
    """count > max(base × coefficient, protection) for the rolling window ending now.

    base is the mean count of the same slice per window over the reference period: the last
    `reference_days` complete days (China time), or fewer when the store is younger. Counts per
    slice per day are kept in state.db (rule_days): a new rule counts the most recent
    BACKFILL_DAYS in its first cycle and BACKFILL_DAYS further back in each following one (its base
    meanwhile covers the days counted so far); after that, each refresh (every `base_refresh`)
    recounts only the last two days, which also picks up late posts. Changing what a rule counts
    starts its counts afresh."""

    reopen = True
    reminders = True
    RECOUNT_DAYS = 2
    BACKFILL_DAYS = 15

    def __init__(self, spec: VolumeRule, config: AppConfig):
        self.spec = spec

    def _fingerprint(self) -> str:
        fields = self.spec.model_dump(include={"group_by", "severity_min", "relevant", "cities",
                                               "categories", "sources", "include_duplicates"})
        return hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]

    def refresh_days(self, ctx: Context) -> None:
        """Keep the per-day slice counts current: recount the last days every `base_refresh`,
        and extend the counted period back towards `reference_days`, BACKFILL_DAYS per cycle —
        so no cycle scans half a year of posts, and the base covers the last days counted so far
        (a shorter reference period) until the backfill is done."""
        spec, state = self.spec, ctx.state
        now_ts = int(ctx.now.timestamp())
        today = ctx.now.astimezone(CST).replace(hour=0, minute=0, second=0, microsecond=0)
        first = today - timedelta(days=spec.reference_days)
        fingerprint = self._fingerprint()
        meta = state.query("SELECT * FROM rule_days_meta WHERE rule = ?", (spec.name,))
        meta = meta[0] if meta and meta[0]["fingerprint"] == fingerprint else None
        ranges = []
        computed_ts = now_ts
        if meta is None:
            covered_from = today
        else:
            covered_from = max(first, _day(meta["covered_from"]))
            covered_until = _day(meta["covered_until"])
            if covered_until < today or not 0 <= now_ts - meta["computed_ts"] < seconds(spec.base_refresh):
                ranges.append((max(first, min(covered_until, today) -
                                   timedelta(days=self.RECOUNT_DAYS)), today))
            else:
                computed_ts = meta["computed_ts"]
        if covered_from > first:
            back = max(first, covered_from - timedelta(days=self.BACKFILL_DAYS))
            ranges.append((back, covered_from))
            covered_from = back
        if not ranges:
            return
        counted = [(since, until, ctx.store.slice_counts(spec.group_by,
                                                         rule_filters(spec, since, until),
                                                         interval="day"))
                   for since, until in ranges]
        with state.atomic() as conn:
            if meta is None:
                conn.execute("DELETE FROM rule_days WHERE rule = ?", (spec.name,))
            conn.execute("DELETE FROM rule_days WHERE rule = ? AND day < ?",
                         (spec.name, first.date().isoformat()))
            for since, until, rows in counted:
                conn.execute("DELETE FROM rule_days WHERE rule = ? AND day >= ? AND day < ?",
                             (spec.name, since.date().isoformat(), until.date().isoformat()))
                per_day: dict[str, list[dict[str, Any]]] = {}
                for row in rows:
                    per_day.setdefault(row["bucket"][:10], []).append(row)
                for day, day_rows in per_day.items():
                    slices = _slices(spec, day_rows)
                    conn.executemany(
                        "INSERT INTO rule_days (rule, day, slice, count) VALUES (?, ?, ?, ?)",
                        [(spec.name, day, key, count) for key, (_, count) in slices.items()]
                        + [(spec.name, day, "*", sum(r["count"] for r in day_rows))])
            conn.execute("INSERT OR REPLACE INTO rule_days_meta (rule, fingerprint, covered_from, "
                         "covered_until, computed_ts) VALUES (?, ?, ?, ?, ?)",
                         (spec.name, fingerprint, covered_from.date().isoformat(),
                          today.date().isoformat(), computed_ts))

    def bases(self, ctx: Context) -> tuple[dict[str, float], int]:
        """Mean count per window for each slice over the reference period, and its days."""
        spec = self.spec
        self.refresh_days(ctx)
        today = ctx.now.astimezone(CST).replace(hour=0, minute=0, second=0, microsecond=0)
        first = (today - timedelta(days=spec.reference_days)).date().isoformat()
        rows = ctx.state.query("SELECT slice, sum(count) AS total, min(day) AS first FROM rule_days "
                               "WHERE rule = ? AND day >= ? GROUP BY slice", (spec.name, first))
        start = next((r["first"] for r in rows if r["slice"] == "*"), None)
        if start is None:
            return {}, 0
        days = (today.date() - date.fromisoformat(start)).days
        windows = max(1, days * 86400 // WINDOW_SECONDS[spec.window])
        return {r["slice"]: r["total"] / windows for r in rows if r["slice"] != "*"}, days

    def evaluate(self, ctx: Context) -> list[Match]:
        spec = self.spec
        since = ctx.now - timedelta(seconds=WINDOW_SECONDS[spec.window])
        current = _counts(ctx, spec, since, ctx.now)
        if not current:
            return []
        bases, days = self.bases(ctx)
        matches = []
        for key, (values, count) in current.items():
            base = bases.get(key, 0.0)
            threshold = max(base * spec.coefficient, spec.protection)
            if count <= threshold:
                continue
            label = slice_label(values)
            window = WINDOW_LABELS[spec.window]
            body = "\n".join([
                f"近{window}：{count} 条（规则 {spec.name}）",
                f"基线：近{days}天同长窗口平均 {base:.1f} 条 × 系数 {spec.coefficient:g} "
                f"= {base * spec.coefficient:.1f}；保护值 {spec.protection}；预警线 {threshold:.1f}",
                f"超出预警线 {count / threshold:.1f} 倍" if threshold else "预警线为 0",
            ])
            in_window = slice_filters(rule_filters(spec, since, ctx.now), values)
            posts = top_posts(ctx.store, in_window)
            explanation = self.explain(ctx, values, in_window, count, base, days)
            matches.append(Match(
                key=f"volume:{spec.name}:{key}", level=spec.level,
                subject=f"{label} 投诉量超出预警线：近{window} {count} 条", body=body,
                city=values.get("city"), source=values.get("source"),
                categories=[values["category"]] if "category" in values else [],
                post_ids=[p["id"] for p in posts], posts=posts,
                data={"slice": values, "count": count, "base": round(base, 3),
                      "threshold": round(threshold, 3)}, explanation=explanation))
        return matches

    def explain(self, ctx: Context, values: dict[str, Any], window: Filters, count: int,
                base: float, days: int) -> dict[str, Any]:
        """Why the slice is over its line: its window against the reference period, the count
        against the per-window counts of that period (hourly: its last HOURLY_FIT_DAYS)."""
        spec = self.spec
        width = WINDOW_SECONDS[spec.window]
        today = ctx.now.astimezone(CST).replace(hour=0, minute=0, second=0, microsecond=0)
        reference = slice_filters(rule_filters(spec, today - timedelta(days=days), today), values)
        fit_days = days if spec.window == "day" else min(days, HOURLY_FIT_DAYS)
        fitted = slice_filters(rule_filters(spec, today - timedelta(days=fit_days), today), values)
        series = [r["count"] for r in ctx.store.slice_counts([], fitted, interval=spec.window)]
        series += [0] * (fit_days * 86400 // width - len(series))
        label = f"近{days}天{'每日' if spec.window == 'day' else '每小时'}平均"
        return explain(ctx.store, ctx.state, window=window, baseline=reference,
                       windows=max(1, days * 86400 // width), count=count, expected=base,
                       fixed=values, unusual=against_windows(count, series),
                       baseline_label=label, exclude_words=_not_hot(ctx))


class SpikeRuleType:
    """The rolling window ending now against the one before it, up and/or down."""

    reopen = True
    reminders = True

    def __init__(self, spec: SpikeRule, config: AppConfig):
        self.spec = spec

    def evaluate(self, ctx: Context) -> list[Match]:
        spec = self.spec
        width = timedelta(seconds=seconds(spec.window))
        current = _counts(ctx, spec, ctx.now - width, ctx.now)
        previous = _counts(ctx, spec, ctx.now - 2 * width, ctx.now - width)
        span = _span(width.total_seconds() / 60)
        matches = []
        for key in set(current) | set(previous):
            values = (current.get(key) or previous[key])[0]
            now_n = current.get(key, (values, 0))[1]
            before = previous.get(key, (values, 0))[1]
            direction = None
            if spec.direction in ("up", "both") and now_n >= spec.min_current and \
                    now_n >= before * spec.ratio:
                direction = "up"
            elif spec.direction in ("down", "both") and before >= spec.min_previous and \
                    now_n <= before / spec.ratio:
                direction = "down"
            if direction is None:
                continue
            label = slice_label(values)
            word = "激增" if direction == "up" else "骤降"
            change = f"{now_n / before:.1f} 倍" if before else "前一窗口为 0"
            body = (f"近{span} {now_n} 条，前{span} {before} 条（{change}；规则 {spec.name}，"
                    f"阈值 ×{spec.ratio:g}）")
            window = slice_filters(rule_filters(spec, ctx.now - width, ctx.now), values)
            posts = top_posts(ctx.store, window) if now_n else []
            explanation = explain(
                ctx.store, ctx.state, window=window,
                baseline=slice_filters(rule_filters(spec, ctx.now - 2 * width, ctx.now - width),
                                       values),
                windows=1, count=now_n, expected=before, fixed=values,
                unusual=against_previous(now_n, before, direction),
                baseline_label=f"前{span}", exclude_words=_not_hot(ctx))
            matches.append(Match(
                key=f"spike:{spec.name}:{key}:{direction}", level=spec.level,
                subject=f"{label} 投诉量{word}：近{span} {now_n} 条（前{span} {before} 条）",
                body=body, city=values.get("city"), source=values.get("source"),
                categories=[values["category"]] if "category" in values else [],
                post_ids=[p["id"] for p in posts], posts=posts,
                data={"slice": values, "current": now_n, "previous": before,
                      "direction": direction}, explanation=explanation))
        return matches
