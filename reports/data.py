"""The numbers of a report (分析通报), computed from the store (posts) and the state DB (cases)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from accounts.models import SYSTEM, User
from alerts.api import count_raised
from cases.automation import OWN_RULES
from cases.reporting import created_between, overdue_at
from cases.service import time_in_states
from cases.states import CLOSED, STATUSES
from core.db import StateDB
from core.post import CST, iso, now_cst
from indexer import open_store
from indexer.base import Filters, Store
from nlp.dictionary import get_dictionary
from nlp.dictionary_schema import operator_label
from core.vocab import TIER_LABELS
from reports.briefing import briefing_section
from reports.complaint_rate import city_rates, complaint_filters, definition
from reports.config import AppConfig
from reports.geo import city_shapes
from reports.model import Month, Part, Report, Section
from reports.monthly import four_parts
from reports.period import KIND_LABELS, Period, period_for
from reports.quality import quality_section
from reports.warning_analysis import warning_section


def change(current: float, previous: float) -> float | None:
    """Relative change in percent (环比), None when the previous value is 0."""
    if not previous:
        return None
    return round((current - previous) / previous * 100, 1)


def rate(numerator: int, denominator: int) -> float | None:
    """A percentage with one decimal, None when there is nothing to measure."""
    return round(numerator / denominator * 100, 1) if denominator else None


def operator_mix(store: Store, filters: Filters, operators: list[str]) -> list[dict[str, Any]]:
    """竞品对比: per operator (in the order given), its posts and their authors' intent tiers
    ({'operator', 'posts', 'tiers': {tier: n}}), from one aggregation over the slice."""
    mix: dict[str, dict[int, int]] = {name: {} for name in operators}
    for row in store.slice_counts(["operator", "intent"], filters):
        tiers = mix.setdefault(row["slice"]["operator"], {})
        intent = row["slice"]["intent"]
        if intent is not None:
            tiers[intent] = tiers.get(intent, 0) + row["count"]
    return [{"operator": name, "posts": sum(tiers.values()), "tiers": tiers}
            for name, tiers in mix.items()]


def operator_names(config: AppConfig) -> list[str]:
    """Our operator and its competitors by their short names, ours first (keywords/brand.yaml)."""
    return [operator_label(n) for n in get_dictionary(config.keywords_dir).operator_names]


def _filters(since: str, until: str, **kw: Any) -> Filters:
    return Filters(since=since, until=until, include_duplicates=False, **kw)


def _terms(store: Store, field_name: str, filters: Filters) -> dict[Any, int]:
    return dict(store.terms(field_name, filters, size=1000))


def _compare_rows(current: dict[Any, int], previous: dict[Any, int], order: list[Any] | None = None,
                  label: Any = str) -> list[list[Any]]:
    keys = order or sorted(set(current) | set(previous), key=lambda k: (-current.get(k, 0), str(k)))
    return [[label(k), current.get(k, 0), previous.get(k, 0), change(current.get(k, 0), previous.get(k, 0))]
            for k in keys if current.get(k, 0) or previous.get(k, 0) or order]


def _case_rows(db: StateDB, period: Period, end: datetime, now: datetime) -> tuple[list, list, dict]:
    """(per-branch handling rows, overdue list, province totals)."""
    created = created_between(db, *period.iso_range())
    at = iso(end)
    per: dict[str, dict[str, int]] = {}
    for c in created:
        s = per.setdefault(c["branch"], dict(created=0, measured=0, on_time=0, closed=0, closed_on_time=0))
        s["created"] += 1
        responded = c["first_response_at"] if c["first_response_at"] and c["first_response_at"] < at else None
        if responded or c["first_response_due"] < at:   # due already, or answered: measurable
            s["measured"] += 1
            s["on_time"] += int(bool(responded) and responded <= c["first_response_due"])
        if c["closed_at"] and c["closed_at"] < at:
            s["closed"] += 1
            s["closed_on_time"] += int(c["closed_at"] <= c["closure_due"])
    overdue = overdue_at(db, at)
    overdue_by_branch: dict[str, int] = {}
    overdue_rows = []
    for c in overdue:
        overdue_by_branch[c["branch"]] = overdue_by_branch.get(c["branch"], 0) + 1
        late_due = c["closure_due"] if c["closure_due"] < at else c["first_response_due"]
        hours = (end - datetime.fromisoformat(late_due)).total_seconds() / 3600
        overdue_rows.append([c["branch"], c["case_no"], c["city"] or "—", c["tier"], c["status"],
                             c["title"], "办结" if c["closure_due"] < at else "首次响应",
                             late_due[:16].replace("T", " "), round(hours, 1)])
    rows, totals = [], dict(created=0, measured=0, on_time=0, closed=0, closed_on_time=0, overdue=0)
    for branch in sorted(set(per) | set(overdue_by_branch)):
        s = per.get(branch, dict(created=0, measured=0, on_time=0, closed=0, closed_on_time=0))
        od = overdue_by_branch.get(branch, 0)
        rows.append([branch, s["created"], s["measured"], s["on_time"], rate(s["on_time"], s["measured"]),
                     s["closed"], rate(s["closed"], s["created"]), rate(s["closed_on_time"], s["closed"]), od])
        for k in s:
            totals[k] += s[k]
        totals["overdue"] += od
    rows.append(["全省合计", totals["created"], totals["measured"], totals["on_time"],
                 rate(totals["on_time"], totals["measured"]), totals["closed"],
                 rate(totals["closed"], totals["created"]), rate(totals["closed_on_time"], totals["closed"]),
                 totals["overdue"]])
    return rows, overdue_rows, totals


def build_report(config: AppConfig, kind: str, day: date | None = None, actor: User = SYSTEM,
                 store: Store | None = None, db: StateDB | None = None,
                 now: datetime | None = None) -> Report:
    """Compute every section of a daily/weekly/monthly report (managers, monitors, admins)."""
    actor.require("manager", "monitor", "admin", action="生成分析通报")
    now = (now or now_cst()).astimezone(CST)
    period = period_for(kind, day, today=now.date())
    own_store = store is None
    if store is None:
        store = open_store(config)
    db = db or StateDB(config.state_path)
    try:
        return _build(config, period, store, db, now)
    finally:
        if own_store:
            store.close()


def _build(config: AppConfig, period: Period, store: Store, db: StateDB, now: datetime) -> Report:
    cur, prev = period.iso_range(), period.iso_previous()
    min_tier = config.reports.complaint_min_tier
    rel_c, rel_p = _filters(*cur, relevant=True), _filters(*prev, relevant=True)
    cmp_c, cmp_p = complaint_filters(config, *cur), complaint_filters(config, *prev)
    report = Report(period.kind, f"互联网投诉分析通报（{KIND_LABELS[period.kind]}）", period,
                    iso(now))
    sections: list[Section] = []

    def both(filters_c: Filters, filters_p: Filters) -> tuple[int, int]:
        return store.count(filters_c), store.count(filters_p)

    totals = {
        "采集帖子": both(_filters(*cur), _filters(*prev)),
        "相关帖子": both(rel_c, rel_p),
        f"有效投诉（{min_tier}级及以上）": both(cmp_c, cmp_p),
        "明确投诉（3级及以上）": both(_filters(*cur, relevant=True, severity_min=3),
                              _filters(*prev, relevant=True, severity_min=3)),
        "曝光/升级（4级）": both(_filters(*cur, relevant=True, severity_min=4),
                            _filters(*prev, relevant=True, severity_min=4)),
    }
    totals["预警"] = (count_raised(db, *cur, exclude_rules=OWN_RULES),
                    count_raised(db, *prev, exclude_rules=OWN_RULES))
    end = min(period.end, now)
    case_rows, overdue_rows, case_totals = _case_rows(db, period, end, now)
    prev_period = period_for(period.kind, period.previous_start.date())
    _, _, prev_case_totals = _case_rows(db, prev_period, prev_period.end, now)
    totals["新建工单"] = (case_totals["created"], prev_case_totals["created"])
    report.headline = [{"指标": k, "本期": c, "上期": p, "环比%": change(c, p)} for k, (c, p) in totals.items()]
    timely = rate(case_totals["on_time"], case_totals["measured"])
    prev_timely = rate(prev_case_totals["on_time"], prev_case_totals["measured"])
    solved = rate(case_totals["closed"], case_totals["created"])
    prev_solved = rate(prev_case_totals["closed"], prev_case_totals["created"])
    report.headline += [
        {"指标": "及时率%（首次响应在时限内）", "本期": timely, "上期": prev_timely,
         "环比%": None if timely is None or prev_timely is None else round(timely - prev_timely, 1)},
        {"指标": "解决率%（办结/新建）", "本期": solved, "上期": prev_solved,
         "环比%": None if solved is None or prev_solved is None else round(solved - prev_solved, 1)},
    ]
    sections.append(Section(
        "overview", "总体情况", ["指标", "本期", "上期", "环比%"],
        [[h["指标"], h["本期"], h["上期"], h["环比%"]] for h in report.headline],
        note="及时率、解决率的“环比”为百分点差。"))
    sections.append(briefing_section(config, store, period, now))

    # trend
    hist = store.date_histogram(period.bucket, rel_c, split_by="severity")
    buckets = sorted({h["bucket"] for h in hist})
    series: dict[str, list[int]] = {}
    for tier in range(4, -1, -1):
        counts = {h["bucket"]: h["count"] for h in hist if h["key"] == tier}
        if counts:
            series[f"{tier}级 {TIER_LABELS[tier]}"] = [counts.get(b, 0) for b in buckets]
    fmt = (lambda b: b[11:16]) if period.bucket == "hour" else (lambda b: b[5:10])
    trend_rows = [[fmt(b)] + [series[s][i] for s in series] for i, b in enumerate(buckets)]
    sections.append(Section("trend", "趋势（相关帖子，按等级）", ["时间", *series], trend_rows,
                                   chart={"type": "line", "labels": [fmt(b) for b in buckets],
                                          "series": series}))

    def compared(key: str, title: str, field_name: str, fc: Filters, fp: Filters, label: Any = str,
                 order: list[Any] | None = None, head: str = "") -> None:
        rows = _compare_rows(_terms(store, field_name, fc), _terms(store, field_name, fp), order, label)
        sections.append(Section(key, title, [head, "本期", "上期", "环比%"], rows, chart={
            "type": "bar", "labels": [r[0] for r in rows], "series": {"本期": [r[1] for r in rows],
                                                                      "上期": [r[2] for r in rows]}}))

    compared("source", "来源分布（相关帖子）", "source", rel_c, rel_p, head="来源")
    compared("category", f"投诉分类（{min_tier}级及以上）", "category", cmp_c, cmp_p, head="分类")
    compared("tier", "等级分布（相关帖子）", "severity", rel_c, rel_p,
             label=lambda t: f"{t}级 {TIER_LABELS.get(t, '')}", order=[4, 3, 2, 1, 0], head="等级")

    sections.append(_rivals_section(store, config, cur, prev, min_tier))

    # cities and 万投比
    current = {r.city: r for r in city_rates(store, config, *cur)}
    previous = {r.city: r for r in city_rates(store, config, *prev)}
    city_rows = []
    for city in dict.fromkeys([*current, *previous]):
        this, last = current.get(city), previous.get(city)
        n, n_last = (this.complaints if this else 0), (last.complaints if last else 0)
        city_rows.append([city or "未识别", n, n_last, change(n, n_last), (this or last).subscribers,
                          this and this.rate, last and last.rate])
    sections.append(Section(
        "city", "地市投诉与万投比", ["地市", "投诉量", "上期", "环比%", "用户数（万户）", "万投比", "上期万投比"],
        city_rows, chart=_city_chart(config, city_rows), note=definition(config)))

    # top events
    result = store.search("", cmp_c, sort="influence", size=config.reports.top_events,
                          highlight=False)
    top_rows = [[i + 1, h.post.title or h.post.content[:40], h.post.city or "—", h.post.source,
                 h.post.severity, round(h.post.influence or 0, 3), (h.post.published_at or "")[:16].replace("T", " "),
                 h.post.case_status or "未建单", h.post.url] for i, h in enumerate(result.hits)]
    sections.append(Section("events", "热点事件（影响力前列）",
                                   ["序号", "标题", "地市", "来源", "等级", "影响力", "发布时间", "工单状态", "链接"],
                                   top_rows))

    sections.append(Section(
        "handling", "处置时效（按责任单位）",
        ["责任单位", "新建工单", "应响应", "及时响应", "及时率%", "已办结", "解决率%", "办结及时率%", "当前超期"],
        case_rows, chart={"type": "bar", "labels": [r[0] for r in case_rows[:-1]],
                          "series": {"及时率%": [r[4] or 0 for r in case_rows[:-1]],
                                     "解决率%": [r[6] or 0 for r in case_rows[:-1]]}},
        note="及时率 = 首次响应在时限内的工单 ÷ 应响应工单（已响应或已到响应时限的本期新建工单）；"
             "解决率 = 已办结 ÷ 本期新建；当前超期按报告截止时点统计所有未办结工单。"))
    sections.append(_stage_section(db, period, end))
    sections.append(quality_section(db, period))
    sections.append(warning_section(db, period, exclude_rules=OWN_RULES))
    sections.append(Section(
        "overdue", "超期工单清单（按责任单位）",
        ["责任单位", "工单号", "地市", "等级", "状态", "标题", "超期环节", "时限", "超时（小时）"], overdue_rows))
    if period.kind == "monthly":
        report.parts = four_parts(sections, Month(config, db, store, period, end,
                                                  {s.key: s for s in sections}))
    else:
        report.parts = [Part("main", "", sections)]
    return report


def _city_chart(config: AppConfig, city_rows: list[list[Any]]) -> dict[str, Any]:
    """The cities' 万投比 as a filled map; as bars where no boundary of the province is known."""
    shapes = city_shapes(get_dictionary(config.keywords_dir).regions)
    rated = [r for r in city_rows if r[5] is not None]
    if shapes:
        return {"type": "map", "values": {r[0]: r[5] for r in rated}, "shapes": shapes, "unit": "万投比"}
    return {"type": "bar", "labels": [r[0] for r in rated], "series": {"万投比": [r[5] for r in rated]}}


def _rivals_section(store: Store, config: AppConfig, cur: tuple[str, str], prev: tuple[str, str],
                    min_tier: int) -> Section:
    """竞品对比: each operator's complaint volume and tier mix beside ours."""
    names = operator_names(config)
    previous = {m["operator"]: m["tiers"] for m in operator_mix(store, _filters(*prev), names)}
    rows = []
    for m in operator_mix(store, _filters(*cur), names):
        tiers = m["tiers"]
        high = sum(n for tier, n in tiers.items() if tier >= min_tier)
        prev_high = sum(n for tier, n in previous.get(m["operator"], {}).items() if tier >= min_tier)
        rows.append([m["operator"], m["posts"], high, prev_high, change(high, prev_high),
                     rate(high, m["posts"]), *(tiers.get(t, 0) for t in range(4, -1, -1))])
    return Section(
        "rivals", "竞品对比（各运营商投诉量与等级构成）",
        ["运营商", "帖子数", f"投诉量（{min_tier}级及以上）", "上期投诉量", "环比%", "投诉占比%",
         *(f"{t}级 {TIER_LABELS[t]}" for t in range(4, -1, -1))],
        rows, chart={"type": "bar", "labels": [r[0] for r in rows],
                     "series": {"本期投诉量": [r[2] for r in rows], "上期投诉量": [r[3] for r in rows]}},
        note="等级为帖子作者的投诉意图，不论对象；一帖涉及多家运营商时各计一次。"
             "预警与工单只针对本方运营商，友商帖子只用于对比。")


def _stage_section(db: StateDB, period: Period, end: datetime) -> Section:
    """Average hours per state of the period's new cases, per branch: where cases wait."""
    per: dict[str, list[dict[str, float]]] = {}
    for c in created_between(db, *period.iso_range()):
        per.setdefault(c["branch"], []).append(time_in_states(db, c["case_id"], end))
    shown = [s for s in STATUSES if s != CLOSED and any(s in t for ts in per.values() for t in ts)]
    rows = [[branch, len(spent)] + [round(sum(t.get(s, 0.0) for t in spent) / len(spent), 2) for s in shown]
            for branch, spent in sorted(per.items())]
    return Section("stages", "各环节平均用时（小时，按责任单位）", ["责任单位", "工单数", *shown], rows,
                   note="本期新建工单在各状态停留的平均小时数（截至报告截止时点，来自审计日志）。")
