"""人工发布, recipient groups, 恢复 and 预警分析 against real SQLite files and a webhook receiver."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.models import PermissionDenied
from alerts import audit
from alerts.analysis import analyse, warning_rows
from alerts.cycle import run_cycle
from alerts.manual import publish_manual, recover
from alerts.recipients import delete_group, expand, groups, save_group
from alerts.review import ReviewError, approve, deliver, held_reviews, reject
from core.db import StateDB
from core.post import iso
from indexer import open_store
from tests.alerts.conftest import NOW, make_post, store_posts
from tests.alerts.test_review import ADMIN, MANAGER, MONITOR, one_level1_warning, received, review_config


@pytest.fixture
def desk(tmp_path, receiver):
    """Config, state and store with two grumbles from 衡阳 and one from 长沙 (below the post
    rule's levels: only what a test adds raises warnings by itself)."""
    config = review_config(tmp_path, receiver)
    posts = [make_post(20, severity=2, city="衡阳", categories=("宽带/家宽",), title="宽带断了三天"),
             make_post(15, severity=2, city="衡阳", categories=("宽带/家宽",), title="宽带又断"),
             make_post(10, severity=2, city="长沙", title="信号差")]
    store_posts(config, posts)
    state = StateDB(config.state_path)
    with open_store(config) as store:
        yield config, state, store, [p.id for p in posts]
    state.close()


def test_recipient_groups_are_kept_by_managers(desk):
    config, state, _, _ = desk
    with pytest.raises(PermissionDenied):
        save_group(state, config, MONITOR, "衡阳分公司", ["branch"])
    with pytest.raises(ReviewError, match="没有名为「wechat」"):
        save_group(state, config, MANAGER, "衡阳分公司", ["branch", "wechat"])
    save_group(state, config, MANAGER, "衡阳分公司", ["branch"], note="衡阳分公司值班群", now=NOW)
    save_group(state, config, MANAGER, "全省", ["province", "branch"], now=NOW)
    assert [(g["name"], g["notifiers"]) for g in groups(state)] == [
        ("全省", ["province", "branch"]), ("衡阳分公司", ["branch"])]
    assert expand(state, config, ["衡阳分公司", "全省"], ["province"]) == ["branch", "province"]
    assert expand(state, config) is None
    with pytest.raises(ReviewError, match="收件组"):
        expand(state, config, ["没有这个组"])
    assert delete_group(state, MANAGER, "全省", NOW) and not delete_group(state, MANAGER, "全省", NOW)
    assert [e["action"] for e in audit.entries(state)] == ["group_delete", "group_save", "group_save"]


def test_manual_warning_at_a_held_level_waits_for_another_reviewer(desk, receiver):
    config, state, store, ids = desk
    save_group(state, config, MANAGER, "衡阳分公司", ["branch"], now=NOW)
    with pytest.raises(PermissionDenied):
        publish_manual(state, config, store, MANAGER.__class__(username="r", role="reviewer"),
                       post_ids=ids[:2], warning_type="单帖曝光", department="省客服中心", level=1)
    with pytest.raises(ReviewError, match="预警类型"):
        publish_manual(state, config, store, MANAGER, post_ids=ids[:2], warning_type="随便",
                       department="省客服中心", level=1)
    with pytest.raises(ReviewError, match="不存在"):
        publish_manual(state, config, store, MANAGER, post_ids=["nope"], warning_type="单帖曝光",
                       department="省客服中心", level=1)
    done = publish_manual(state, config, store, MANAGER, post_ids=ids[:2], warning_type="投诉量异常",
                          department="省客服中心", level=1, recipients=expand(state, config, ["衡阳分公司"]),
                          body="衡阳宽带多人报障，疑似片区故障。", now=NOW)
    assert done["state"] == "held"
    deliver(state, config, NOW)
    assert received(receiver, "branch") == [] and len(received(receiver, "managers")) == 1
    held = held_reviews(state)[0]
    assert held["origin"] == "manual" and held["cities"] == ["衡阳"]
    assert held["warning_type"] == "投诉量异常" and held["recipients"] == ["branch"]
    with pytest.raises(ReviewError, match="不能审核自己"):
        approve(state, config, MANAGER, done["alert_id"], now=NOW)
    approve(state, config, ADMIN, done["alert_id"], now=NOW + timedelta(minutes=5))
    deliver(state, config, NOW + timedelta(minutes=5))
    run_cycle(config, now=NOW + timedelta(minutes=6))
    sent = received(receiver, "branch")
    assert len(sent) == 1 and received(receiver, "province") == []
    assert sent[0]["title"].startswith("【一级预警·红色】衡阳 投诉量异常：")
    assert "发布部门：省客服中心" in sent[0]["body"] and "片区故障" in sent[0]["body"]
    assert sent[0]["rule"] == "manual" and len(sent[0]["post_ids"]) == 2
    # 恢复: the 解除 notice goes to the same recipients
    assert recover(state, config, MONITOR, done["alert_id"], "故障已修复", NOW + timedelta(hours=3))
    assert not recover(state, config, MONITOR, done["alert_id"], now=NOW + timedelta(hours=4))
    deliver(state, config, NOW + timedelta(hours=3))
    assert [m["kind"] for m in received(receiver, "branch")] == ["new", "resolved"]
    assert [e["action"] for e in reversed(audit.entries(state, done["alert_id"]))] == [
        "publish", "hold", "request", "approve", "recover"]


def test_manual_warning_at_a_published_level_goes_out_at_once(desk, receiver):
    config, state, store, ids = desk
    done = publish_manual(state, config, store, MONITOR, post_ids=[ids[2]], warning_type="单帖曝光",
                          department="长沙分公司", level=3, now=NOW)
    assert done["state"] == "published"
    deliver(state, config, NOW)
    assert [m["title"][:9] for m in received(receiver, "province")] == ["【三级预警·黄色】"]
    with pytest.raises(ReviewError, match="同样的预警已发布"):
        publish_manual(state, config, store, MONITOR, post_ids=[ids[2]], warning_type="单帖曝光",
                       department="长沙分公司", level=3, now=NOW)
    with pytest.raises(ReviewError, match="无需审核"):
        reject(state, config, MANAGER, done["alert_id"], "x")
    store_posts(config, [make_post(5, severity=3, city="长沙")])
    run_cycle(config, now=NOW)
    by_rule = state.query("SELECT alert_id FROM alerts WHERE rule = 'post'")[0]["alert_id"]
    with pytest.raises(ReviewError, match="自动恢复"):
        recover(state, config, MONITOR, by_rule)


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
