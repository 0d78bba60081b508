"""预警审核 and 人工发布 through the console (AppTest) against real SQLite files and a local webhook
receiver: a monitor publishes from 监控台 and 检索, a manager edits and approves or rejects, keeps
the recipient groups, and reads the 预警分析."""

from __future__ import annotations

import pytest
import yaml

from tests.alerts.conftest import receiver  # noqa: F401 (a fixture)
from tests.alerts.conftest import received
from tests.dashboard.conftest import app_as, no_crash, state_db, texts


@pytest.fixture
def review_console(console_config, receiver):  # noqa: F811
    """The console's data with 一级 and 二级 held for review, a branch channel, and one channel
    per reviewer role."""
    def hook(name: str, **routing) -> dict:
        return {"name": name, "type": "webhook", "url": f"{receiver.url}?to={name}", **routing}

    config = yaml.safe_load(console_config.read_text(encoding="utf-8"))
    config["warnings"] = {"review": {1: "hold", 2: "hold", 3: "publish"},
                          "reviewers": [{"role": "manager", "notifiers": ["managers"]},
                                        {"role": "admin", "notifiers": ["admins"]}],
                          "notifiers": [hook("branch", rules=["manual"]), hook("managers", kinds=["review"]),
                                        hook("admins", kinds=["review"])]}
    console_config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return console_config


def _publish_from_triage(title: str, level: int):
    at = app_as("monitor", "triage")
    at.multiselect(key="tri_bulk").set_value([at.selectbox(key="tri_current").value]).run()
    at.selectbox(key="tri_warn_wtype").set_value("投诉量异常")
    at.selectbox(key="tri_warn_level").set_value(level)
    at.text_input(key="tri_warn_title").input(title)
    at.text_area(key="tri_warn_body").input("多名用户反映宽带断网，请核实。")
    at.button(key="tri_warn_publish_go").click().run()
    no_crash(at)
    return at


def _manual(config, title: str) -> dict:
    rows = state_db(config).query(
        "SELECT a.alert_id, a.title, a.status, r.state, r.created_by FROM alerts a "
        "JOIN alert_reviews r USING (alert_id) WHERE a.title LIKE ?", (f"%{title}",))
    assert len(rows) == 1, rows
    return rows[0]


def test_monitor_publishes_from_triage_and_manager_edits_and_approves(review_console, receiver):  # noqa: F811
    at = _publish_from_triage("衡阳宽带片区断网", 1)
    assert any("已提交审核" in s.value for s in at.success), [e.value for e in at.error]
    warning = _manual(review_console, "衡阳宽带片区断网")
    assert warning["state"] == "held" and warning["created_by"] == "monitor"
    assert received(receiver, "branch") == [] and len(received(receiver, "managers")) == 1

    # the monitor sees it waiting but cannot review it
    at = app_as("monitor", "warnings")
    at.radio(key="w_view").set_value("review").run()
    no_crash(at)
    assert "衡阳宽带片区断网" in texts(at) and "由管理者、管理员审核" in texts(at)
    assert not [b for b in at.button if (b.key or "").startswith("rv_ok_")]

    at = app_as("manager", "warnings", review=str(warning["alert_id"]))
    assert at.radio(key="w_view").value == "review"
    aid = warning["alert_id"]
    at.text_input(key=f"rv_title_{aid}").input("衡阳宽带片区断网（已核实）")
    at.text_input(key=f"rv_note_{aid}").input("已电话核实")
    at.button(key=f"rv_ok_{aid}").click().run()
    no_crash(at)
    assert not at.error, [e.value for e in at.error]
    sent = received(receiver, "branch")
    assert [m["title"] for m in sent] == ["【一级预警·红色】衡阳宽带片区断网（已核实）"]
    assert _manual(review_console, "衡阳宽带片区断网（已核实）")["state"] == "approved"
    assert "没有待审核的预警" in texts(at)

    # 恢复 from the list, by the monitor
    at = app_as("monitor", "warnings")
    at.button(key=f"recover_{aid}").click().run()
    no_crash(at)
    assert [m["kind"] for m in received(receiver, "branch")] == ["new", "resolved"]

    # the analysis reads it back
    at = app_as("manager", "warnings")
    at.radio(key="w_view").set_value("analysis").run()
    no_crash(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["审核通过"] == "1" and metrics["人工发布"] == "1"


def test_manager_rejects_with_a_reason_and_nothing_is_sent(review_console, receiver):  # noqa: F811
    _publish_from_triage("疑似误报的预警", 2)
    aid = _manual(review_console, "疑似误报的预警")["alert_id"]
    at = app_as("manager", "warnings")
    at.radio(key="w_view").set_value("review").run()
    at.button(key=f"rv_no_{aid}").click().run()
    assert any("原因" in e.value for e in at.error)
    at.text_input(key=f"rv_note_{aid}").input("帖子讲的是友商")
    at.button(key=f"rv_no_{aid}").click().run()
    no_crash(at)
    assert _manual(review_console, "疑似误报的预警")["state"] == "rejected"
    assert received(receiver, "branch") == []


def test_publish_from_search_at_a_level_published_at_once(review_console, receiver):  # noqa: F811
    at = app_as("monitor", "search")
    picked = at.multiselect(key="s_pick").options[:1]
    at.multiselect(key="s_pick").set_value(picked).run()
    at.selectbox(key="s_warn_level").set_value(3)
    at.multiselect(key="s_warn_notifiers").set_value(["branch"])
    at.text_input(key="s_warn_title").input("检索发现的单帖曝光")
    at.button(key="s_warn_publish_go").click().run()
    no_crash(at)
    assert any("已发布" in s.value for s in at.success), [e.value for e in at.error]
    assert [m["title"][:9] for m in received(receiver, "branch")] == ["【三级预警·黄色】"]
    warning = _manual(review_console, "检索发现的单帖曝光")
    assert warning["state"] == "published"
    sent = received(receiver, "branch")[0]
    assert len(sent["post_ids"]) == 1 and sent["posts"][0]["title"][:20] in picked[0]
    # a reviewer (口径审核) may search but not publish warnings
    reviewer = app_as("reviewer", "search")
    assert "s_pick" not in [w.key for w in reviewer.multiselect]


def test_recipient_groups_are_kept_by_managers_on_the_console(review_console):
    at = app_as("monitor", "warnings")
    at.radio(key="w_view").set_value("groups").run()
    no_crash(at)
    assert "收件组由管理者维护" in texts(at) and not [b for b in at.button if b.key == "grp_save"]
    at = app_as("manager", "warnings")
    at.radio(key="w_view").set_value("groups").run()
    at.text_input(key="grp_name").input("衡阳分公司")
    at.multiselect(key="grp_notifiers").set_value(["branch"])
    at.text_input(key="grp_note").input("衡阳值班群")
    at.button(key="grp_save").click().run()
    no_crash(at)
    rows = state_db(review_console).query("SELECT name, notifiers, updated_by FROM recipient_groups")
    assert rows == [{"name": "衡阳分公司", "notifiers": '["branch"]', "updated_by": "manager"}]
    at.button(key="grp_delete").click().run()
    no_crash(at)
    assert not state_db(review_console).query("SELECT name FROM recipient_groups")
