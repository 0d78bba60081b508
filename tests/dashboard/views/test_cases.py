"""工单 (AppTest): a handler sees only their city, accepts and replies with an approved script;
closing asks first; a script whose placeholders the case cannot fill is not sent as written, the
handler is told which placeholders to fill (#17.12)."""

from __future__ import annotations

from cases import CaseService
from core.db import StateDB
from reply_scripts import ScriptService
from reply_scripts.transfer import load_starter
from tests.dashboard.conftest import app_as, no_crash, state_db, texts, user
from tousu.config import load


def test_an_empty_reply_box_does_not_send_a_script_with_unfilled_placeholders(console_config):
    config = load(console_config)
    load_starter(ScriptService(StateDB(config.state_path)))
    service = CaseService(config)
    post = next(p for p in service.store.iter_posts() if p.relevant and p.categories)
    post.city = None                                                 # so {城市} has no value
    service.store.upsert_many([post])
    case = service.create_from_post(user("monitor"), post.id)       # no city: stays 新建
    case = service.act(user("monitor"), case.case_id, "dispatch")
    case = service.act(user("monitor"), case.case_id, "accept")
    service.close()
    at = app_as("monitor", "cases", case=str(case.case_id))
    no_crash(at)
    assert "{城市}" in texts(at), "the suggested script shows the placeholder to fill"
    at.selectbox(key=f"act_pick_{case.case_id}").set_value("reply")
    next(b for b in at.button if b.label == "执行").click().run()
    no_crash(at)
    assert any("未填写的占位符" in e.value and "{城市}" in e.value for e in at.error)
    service = CaseService(config)
    assert service.get(user("monitor"), case.case_id).status == "处理中"
    service.close()


def test_handler_sees_only_own_city_and_cannot_open_another(console_config):
    from cases import CaseService
    from tousu.config import load

    service = CaseService(load(console_config))
    posts = {p.city: p for p in service.store.iter_posts() if p.city in ("长沙", "衡阳")}
    cs = service.create_from_post(user("monitor"), posts["长沙"].id)
    hy = service.create_from_post(user("monitor"), posts["衡阳"].id)
    service.close()

    at = app_as("hy_handler", "cases")
    no_crash(at)
    listed = "".join(str(v) for v in at.dataframe[0].value["工单号"])
    assert hy.case_no in listed and cs.case_no not in listed
    # by id, by case number and by URL: the same "not found", and nothing of the case shows
    for attempt in (str(cs.case_id), cs.case_no):
        at.text_input(key="c_goto").input(attempt).run()
        no_crash(at)
        assert any("不存在或不在您的管辖范围内" in e.value for e in at.error), attempt
        assert not any("页面出错了" in e.value for e in at.error), attempt
        assert cs.title not in texts(at)
    at = app_as("hy_handler", "cases", case=str(cs.case_id))
    assert any("不存在或不在您的管辖范围内" in e.value for e in at.error)
    assert cs.title not in texts(at)
    # the 长沙 handler does see it
    at = app_as("cs_handler", "cases", case=str(cs.case_id))
    no_crash(at)
    assert cs.case_no in texts(at)


def test_handler_accepts_and_replies_with_an_approved_script(console_config):
    from cases import CaseService
    from reply_scripts import ScriptService
    from reply_scripts.transfer import load_starter
    from tousu.config import load

    config = load(console_config)
    load_starter(ScriptService(state_db(console_config)))
    service = CaseService(config)
    post = next(p for p in service.store.iter_posts() if p.city == "长沙" and p.categories)
    case = service.create_from_post(user("monitor"), post.id)
    service.close()
    at = app_as("cs_handler", "cases", case=str(case.case_id))
    at.selectbox(key=f"act_pick_{case.case_id}").set_value("accept")
    next(b for b in at.button if b.label == "执行").click().run()
    no_crash(at)
    assert "处理中" in texts(at)
    assert at.code, "a suggested, filled-in reply is shown for copying"
    at.selectbox(key=f"act_pick_{case.case_id}").set_value("reply")
    next(b for b in at.button if b.label == "执行").click().run()
    no_crash(at)
    service = CaseService(config)
    done = service.get(user("cs_handler"), case.case_id)
    service.close()
    assert done.status == "已回复" and done.reply_script_id is not None


def _replied_case(console_config):
    """A 长沙 case the 长沙 handler has answered online (ready for 办结)."""
    from cases import CaseService
    from tousu.config import load

    service = CaseService(load(console_config))
    post = next(p for p in service.store.iter_posts() if p.city == "长沙")
    case = service.create_from_post(user("monitor"), post.id)
    if case.status == "新建":
        service.act(user("monitor"), case.case_id, "dispatch")
    service.act(user("cs_handler"), case.case_id, "accept")
    case = service.act(user("cs_handler"), case.case_id, "reply", "您好，已为您处理")
    service.close()
    return case


def _fill_closing(at, case, result):
    """The 办结 form filled as 工单质检 asks: root cause, 处理场景, solved."""
    key = case.case_id
    at.selectbox(key=f"close_cause_{key}").set_value("维护不及时")
    at.text_area(key=f"close_scenario_{key}").input("上门更换故障光猫，复测网速正常")
    at.radio(key=f"close_solved_{key}").set_value("已解决")
    at.text_area(key=f"close_result_{key}").input(result)


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_closing_a_case_asks_first_then_keeps_it_open_and_counted(console_config):
    case = _replied_case(console_config)
    at = app_as("cs_handler", "cases")
    assert at.selectbox(key="c_pick").value == case.case_id
    assert _metric(at, "已办结") == "0"
    _fill_closing(at, case, "已上门调整，客户满意")
    next(b for b in at.button if b.label == "办结").click().run()
    no_crash(at)
    assert any("确认办结工单" in w.value for w in at.warning)  # asked, not done yet
    assert case.case_no in texts(at) and "已回复" in at.subheader[0].value
    at.button(key=f"act_yes_{case.case_id}").click().run()
    no_crash(at)
    # done: the case stays on the page with its new status, counted, and the page says so
    assert f"{case.case_no} · 已办结" in at.subheader[0].value
    assert at.selectbox(key="c_pick").value == case.case_id
    assert "已办结" in at.selectbox(key="c_pick").format_func(case.case_id)
    assert _metric(at, "已办结") == "1" and _metric(at, "已回复") == "0"
    assert any(f"工单 {case.case_no} 已办结" in t.value for t in at.toast)
    # the handler who closed it opens it by its number, 仅未办结 still on
    fresh = app_as("cs_handler", "cases")
    assert fresh.toggle(key="c_open").value is True
    fresh.text_input(key="c_goto").input(case.case_no).run()
    no_crash(fresh)
    assert not fresh.error and f"{case.case_no} · 已办结" in fresh.subheader[0].value
    assert f"{case.case_no} · 已办结" in app_as("cs_handler", "cases",
                                                 case=str(case.case_id)).subheader[0].value


def test_cancelling_the_confirmation_leaves_the_case_as_it_was(console_config):
    from cases import CaseService
    from tousu.config import load

    case = _replied_case(console_config)
    at = app_as("cs_handler", "cases")
    _fill_closing(at, case, "已处理")
    next(b for b in at.button if b.label == "办结").click().run()
    at.button(key=f"act_no_{case.case_id}").click().run()
    no_crash(at)
    assert not any("确认办结工单" in w.value for w in at.warning)
    service = CaseService(load(console_config))
    assert service.get(user("cs_handler"), case.case_id).status == "已回复"
    service.close()
