"""The console's 办结 form (工单质检's fields, refused before the confirmation when missing or
vague) and the 质检 page: sample, return with a reason, merge a duplicate."""

from __future__ import annotations

from datetime import timedelta

from core.post import now_cst
from tests.cases.helpers import CLOSING
from tests.dashboard.conftest import app_as, no_crash, texts, user


def _service(console_config):
    from cases import CaseService
    from tousu.config import load

    return CaseService(load(console_config))


def _replied(service, n=0):
    """The n-th 长沙 post's case, answered online by the 长沙 handler."""
    post = [p for p in service.store.iter_posts() if p.city == "长沙"][n]
    case = service.create_from_post(user("monitor"), post.id)
    if case.status == "新建":
        service.act(user("monitor"), case.case_id, "dispatch")
    service.act(user("cs_handler"), case.case_id, "accept")
    return service.act(user("cs_handler"), case.case_id, "reply", "您好，已为您处理")


def _submit_close(at):
    next(b for b in at.button if b.label == "办结").click().run()
    no_crash(at)


def test_the_closing_form_asks_what_quality_checks_need(console_config):
    service = _service(console_config)
    case = _replied(service)
    key = case.case_id
    at = app_as("cs_handler", "cases")
    _submit_close(at)
    assert any("办结需要填写线下处理结果" in e.value for e in at.error)
    at.text_area(key=f"close_result_{key}").input("已现场测试")
    at.selectbox(key=f"close_cause_{key}").set_value("其他")
    _submit_close(at)
    assert any("根本原因为「其他」时须填写「原因说明」" in e.value for e in at.error)
    at.selectbox(key=f"close_cause_{key}").set_value("弱覆盖")
    at.text_area(key=f"close_scenario_{key}").input("近期新建基站解决")
    at.radio(key=f"close_solved_{key}").set_value("未解决")
    _submit_close(at)
    assert any("「处理场景」含模糊表述「近期」" in e.value for e in at.error)
    at.text_area(key=f"close_scenario_{key}").input("小区北侧新建宏站一座，站址已获批")
    _submit_close(at)
    assert any("问题未解决时须填写「计划解决时间」" in e.value for e in at.error)
    assert not any("确认办结工单" in w.value for w in at.warning)        # nothing asked yet
    plan = (now_cst() + timedelta(days=20)).date()
    at.date_input(key=f"close_plan_{key}").set_value(plan)
    _submit_close(at)
    assert any("确认办结工单" in w.value for w in at.warning)
    at.button(key=f"act_yes_{key}").click().run()
    no_crash(at)
    closed = service.get(user("cs_handler"), key)
    assert (closed.status, closed.root_cause, closed.resolved, closed.planned_fix_date) == (
        "已办结", "弱覆盖", 0, str(plan))
    shown = [i.value for i in at.info]      # the date shows Markdown-escaped: 2026\-12\-24
    assert any("根本原因：可控 · 弱覆盖" in v and "未解决，计划解决时间" in v for v in shown)
    service.close()


def test_a_monitor_samples_and_returns_a_case(console_config):
    service = _service(console_config)
    case = _replied(service)
    service.act(user("cs_handler"), case.case_id, "close", "已上门处理", **CLOSING)
    at = app_as("monitor", "quality")
    assert "重复派单" in [t.label for t in at.tabs]
    next(b for b in at.button if b.label == "抽样").click().run()
    no_crash(at)
    assert any("抽检 1 张" in s.value and "新加入质检 1 张" in s.value for s in at.success)
    assert at.selectbox(key="qc_pick").value == case.case_id
    assert "维护不及时" in texts(at) and "上门更换故障光猫，复测网速正常" in texts(at)
    assert any(m.value.startswith("**根本原因**：") for m in at.markdown)  # bold, not escaped
    next(b for b in at.button if b.label == "退回重办").click().run()
    no_crash(at)
    assert any("质检退回需要填写退回原因" in e.value for e in at.error)
    at.text_area(key=f"qc_comment_{case.case_id}").input("处理场景未写明复测速率")
    next(b for b in at.button if b.label == "退回重办").click().run()
    no_crash(at)
    assert any(f"工单 {case.case_no} 已退回" in t.value for t in at.toast)
    assert service.get(user("monitor"), case.case_id).status == "处理中"
    assert "没有待质检的工单" in texts(at)
    handler_view = app_as("cs_handler", "cases", case=str(case.case_id))
    assert "退回（monitor：处理场景未写明复测速率）" in texts(handler_view)
    service.close()


def test_managers_check_but_do_not_merge_and_monitors_merge(console_config):
    service = _service(console_config)
    first, second = _replied(service, 0), _replied(service, 1)
    shared = service.related_posts(user("monitor"), first.case_id)[0]["post_id"]
    service.db.execute("INSERT OR REPLACE INTO case_posts VALUES (?, ?, 'event')", (second.case_id, shared))
    assert "重复派单" not in [t.label for t in app_as("manager", "quality").tabs]
    at = app_as("monitor", "quality")
    at.selectbox(key="qc_merge_dup").set_value(second.case_id)
    at.selectbox(key="qc_merge_into").set_value(first.case_id)
    next(b for b in at.button if b.label == "合并").click().run()
    no_crash(at)
    assert any(f"工单 {second.case_no} 已并入 {first.case_no}" in t.value for t in at.toast)
    merged = service.get(user("monitor"), second.case_id)
    assert merged.status == "已办结" and merged.invalid_reason == f"重复派单，已并入 {first.case_no}"
    service.close()
