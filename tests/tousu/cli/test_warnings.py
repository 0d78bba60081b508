"""`tousu warnings review / approve / reject / publish / recover / groups / analysis` end to end:
a config file, SQLite files, stored users and a local webhook receiver."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from accounts import SYSTEM, AccountService
from core.db import StateDB
from core.post import now_cst
from tests.alerts.conftest import make_post, received, receiver, store_posts  # noqa: F401 (a fixture)
from tests.conftest import write_config
from tousu.cli.main import app
from tousu.config import load


def warnings_cli(config_path):
    """`tousu warnings ARGS --config PATH` as a function: its output, asserting the exit code."""
    def call(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(app, ["warnings", *args, "--config", str(config_path)])
        assert result.exit_code == code, result.output
        return result.output

    return call


@pytest.fixture
def cli(tmp_path, receiver):  # noqa: F811
    def hook(name: str, **routing) -> dict:
        return {"name": name, "type": "webhook", "url": f"{receiver.url}?to={name}", **routing}

    path = write_config(tmp_path, warnings={
        "rules": [{"name": "post", "type": "post"}],
        "notifiers": [hook("branch"), hook("managers", kinds=["review"]),
                      hook("admins", kinds=["review"])],
        "review": {1: "hold", 2: "hold"},
        "reviewers": [{"role": "manager", "notifiers": ["managers"]},
                      {"role": "admin", "notifiers": ["admins"]}]})
    config = load(path)
    now = now_cst()
    posts = [make_post(3, now=now, severity=4, influence=0.9, city="衡阳"),
             make_post(5, now=now, severity=2, city="衡阳", title="宽带断网")]
    store_posts(config, posts)
    state = StateDB(config.state_path)
    accounts = AccountService(state)
    accounts.add_user(SYSTEM, "mon", "Radar-2026!", "monitor", [])
    accounts.add_user(SYSTEM, "mgr", "Radar-2026!", "manager", [])
    state.close()
    call = warnings_cli(path)
    return call, [p.id for p in posts]


def test_review_publish_approve_reject_recover_from_the_command_line(cli, receiver):  # noqa: F811
    call, post_ids = cli
    call("--evaluate")
    held = json.loads(call("review", "--json"))
    assert [h["origin"] for h in held] == ["auto"]
    auto_id = held[0]["alert_id"]
    assert "待管理者审核" in call("review")
    assert "[未处理·待审]" in call()
    assert received(receiver, "branch") == [] and len(received(receiver, "managers")) == 1

    call("groups", "--set", "衡阳分公司", "--to", "branch", "--as", "mon", code=1)
    assert "已保存收件组：衡阳分公司" in call("groups", "--set", "衡阳分公司", "--to", "branch",
                                         "--as", "mgr")
    assert "衡阳分公司: branch" in call("groups")

    done = json.loads(call("publish", "--post", post_ids[1], "--type", "投诉量异常", "--department",
                           "省客服中心", "--level", "1", "--group", "衡阳分公司", "--body",
                           "片区宽带故障", "--as", "mon", "--json"))
    manual_id = done["alert_id"]
    assert done["state"] == "held" and done["sent"] == 1  # the managers' review request
    assert "无权审核预警" in call("approve", str(manual_id), "--as", "mon", code=1)
    out = call("approve", str(manual_id), "--title", "衡阳 宽带片区故障", "--as", "mgr")
    assert "已发出 1 条" in out
    assert "已审核" in call("approve", str(manual_id), "--as", "mgr", code=1)
    assert "原因" in call("reject", str(auto_id), "--reason", " ", "--as", "mgr", code=1)
    call("reject", str(auto_id), "--reason", "误报", "--as", "mgr")
    call("--evaluate")
    sent = received(receiver, "branch")
    assert [m["title"] for m in sent] == ["【一级预警·红色】衡阳 宽带片区故障"]

    outbox = {r["notifier"]: r for r in json.loads(call("--outbox", "--json"))}
    assert outbox["branch"]["review"] == 0 and outbox["branch"]["sent"] == 1
    assert "审核通过" in call("review", str(manual_id))

    call("recover", str(manual_id), "--note", "已修复", "--as", "mon")
    assert [m["kind"] for m in received(receiver, "branch")] == ["new", "resolved"]
    tallies = {(t["维度"], t["分项"]): t for t in json.loads(call("analysis", "--json"))}
    assert tallies[("审核结果", "通过")]["预警数"] == 1
    assert tallies[("审核结果", "未通过")]["预警数"] == 1
    assert tallies[("发布方式", "人工发布")]["已恢复"] == 1
    assert tallies[("工单类型", "未建单")]["预警数"] == 2


def test_warnings_command_silence_outbox_and_list(tmp_path, monkeypatch):
    config = write_config(tmp_path, warnings={"notifiers": [
        {"name": "log", "type": "file", "path": str(tmp_path / "a.jsonl")}]})
    call = warnings_cli(config)
    assert "silenced post" in call("--silence", "post", "--for", "30m", "--reason", "演练")
    state = StateDB(tmp_path / "data" / "state.db")
    assert state.query("SELECT target, reason FROM silences") == [{"target": "post", "reason": "演练"}]
    assert "unsilenced post" in call("--unsilence", "post")
    assert "not silenced" in call("--unsilence", "post")
    assert json.loads(call("--outbox", "--json")) == []
    assert json.loads(call("--json")) == []
    assert "use a duration like 30m" in call("--silence", "x", "--for", "soon", code=2)


def test_why_prints_what_drove_a_volume_warning(tmp_path):
    from alerts.api import raise_alert
    from alerts.cycle import run_cycle
    from tests.alerts.conftest import NOW

    path = write_config(tmp_path, warnings={
        "rules": [{"name": "city-volume", "type": "volume", "group_by": ["city"],
                   "protection": 5, "severity_min": 1}],
        "notifiers": [{"name": "log", "type": "file", "path": str(tmp_path / "alerts.jsonl")}]})
    config = load(path)
    store_posts(config, [make_post(5 + 10 * i, severity=1, city="衡阳",
                                   source=("weibo", "forum")[i % 4 == 0],
                                   text=f"衡阳的第{i}条投诉，和别的不一样{i * 31}")
                         for i in range(8)])
    run_cycle(config, now=NOW)  # on the fixtures' clock: the CLI's --evaluate reads the real one
    state = StateDB(config.state_path)
    volume = state.query("SELECT alert_id FROM alerts WHERE rule = 'city-volume'")[0]["alert_id"]
    sla = raise_alert(state, config, key="sla:1:closure", rule="sla", level=2, title="工单超时",
                      body="b", now=NOW)
    state.close()
    call = warnings_cli(path)
    out = call("why", str(volume))
    assert "衡阳 投诉量超出预警线" in out and "超出基线 8.0 条" in out
    assert "按来源：weibo +6.0 条" in out and "无法估计" in out  # no history: no statistic
    assert "首发（来源 weibo）" in out  # not the category every post has
    explanation = json.loads(call("why", str(volume), "--json"))
    assert explanation["count"] == 8 and explanation["drivers"]["source"][0]["value"] == "weibo"
    assert "没有解释" in call("why", str(sla))
    assert "不存在" in call("why", "999", code=1)


def test_crawled_text_in_a_warning_cannot_drive_the_terminal(tmp_path):
    from alerts.cycle import run_cycle
    from tests.alerts.conftest import NOW

    path = write_config(tmp_path, warnings={
        "rules": [{"name": "post", "type": "post"}],
        "notifiers": [{"name": "log", "type": "file", "path": str(tmp_path / "a.jsonl")}]})
    config = load(path)
    hostile = "\x1b]0;已处理\x07宽带断网\x1b[2J\r全部正常"  # retitle the window, clear the screen
    store_posts(config, [make_post(5, severity=4, city="衡阳", title=hostile)])
    run_cycle(config, now=NOW)
    out = warnings_cli(path)()
    assert "宽带断网" in out and "\x1b" not in out and "\x07" not in out and "\r" not in out
