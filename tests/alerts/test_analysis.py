"""预警分析: warnings counted by review result, origin, level, city, case type and recovery."""

from __future__ import annotations

from datetime import timedelta

from alerts.analysis import analyse, warning_rows
from alerts.cycle import run_cycle
from alerts.manual import publish_manual, recover
from alerts.review import approve, held_reviews, reject
from core.post import iso
from tests.alerts.conftest import MANAGER, MONITOR, NOW, make_post, one_level1_warning, store_posts


def test_analysis_counts_review_results_origins_levels_cities_case_types_and_recovery(desk):
    config, state, store, ids = desk
    one_level1_warning(config)
    store_posts(config, [make_post(5, severity=3, city="长沙")])
    run_cycle(config, now=NOW)  # a rule's 一级 (held) and 三级 (published at once)
    auto_held = held_reviews(state)[0]["alert_id"]
    reject(state, config, MANAGER, auto_held, "误报", now=NOW + timedelta(minutes=1))
    manual = publish_manual(state, config, store, MONITOR, post_ids=ids[:2], warning_type="热点事件",
                            department="省客服中心", level=2, cities=["衡阳", "岳阳"], now=NOW)
    approve(state, config, MANAGER, manual["alert_id"], now=NOW + timedelta(hours=1))
    recover(state, config, MONITOR, manual["alert_id"], now=NOW + timedelta(hours=4))
    waiting = publish_manual(state, config, store, MONITOR, post_ids=[ids[2]], warning_type="单帖曝光",
                             department="省客服中心", level=1, now=NOW)
    rows = warning_rows(state, iso(NOW - timedelta(days=1)), iso(NOW + timedelta(days=1)))
    assert len(rows) == 4
    table = {(t.dimension, t.value): t for t in analyse(rows, {manual["alert_id"]: ["宽带/家宽"]})}
    assert table[("审核结果", "通过")].count == 1 and table[("审核结果", "未通过")].count == 1
    assert table[("审核结果", "待审")].count == 1 and table[("审核结果", "免审")].count == 1
    assert table[("发布方式", "人工发布")].count == 2 and table[("发布方式", "自动监控")].count == 2
    assert table[("级别", "一级预警")].count == 2 and table[("级别", "二级预警")].count == 1
    assert table[("级别", "三级预警")].count == 1
    assert table[("地市", "岳阳")].count == 1 and table[("地市", "衡阳")].count == 2
    assert table[("地市", "长沙")].count == 2
    assert table[("工单类型", "宽带/家宽")].count == 1
    assert table[("工单类型", "未建单")].count == 3
    # published by approval at +1h, recovered at +4h: three hours
    assert table[("发布方式", "人工发布")].recovered == 1
    assert table[("发布方式", "人工发布")].mean_hours == 3.0
    assert table[("合计", "全部预警")].count == len(rows)
    assert waiting["state"] == "held"
    assert ("工单类型", "未建单") not in {(t.dimension, t.value) for t in analyse(rows)}
