"""人工发布 and 恢复 against real SQLite files and a webhook receiver."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.models import PermissionDenied
from alerts import audit
from alerts.cycle import run_cycle
from alerts.manual import publish_manual, recover
from alerts.recipients import expand, save_group
from alerts.review import ReviewError, approve, deliver, held_reviews, reject
from tests.alerts.conftest import ADMIN, MANAGER, MONITOR, NOW, make_post, received, store_posts


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
