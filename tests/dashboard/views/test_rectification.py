"""督办 through the console (AppTest): a manager opens an item, its owner reports progress, the
manager closes it and picks 一月一事; other cities' handlers see nothing of it; text stays text."""

from __future__ import annotations

from tests.dashboard.conftest import app_as, no_crash, texts, user


def _service(config):
    from rectification import RectificationService
    from tousu.config import load

    return RectificationService(load(config))


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_manager_opens_owner_reports_manager_closes(console_config):
    at = app_as("manager", "rectification")
    no_crash(at)
    at.radio(key="rx_source").set_value("手工").run()
    at.selectbox(key="rx_city").set_value("衡阳").run()
    at.selectbox(key="rx_district").set_value("珠晖区")
    at.selectbox(key="rx_category").set_value("网络覆盖/信号").run()
    assert at.text_input(key="rx_new_dept_manual_网络覆盖/信号").value == "网络部"      # cases.departments
    at.text_input(key="rx_new_problem_manual_网络覆盖/信号").input("珠晖区弱覆盖反复投诉")
    at.text_area(key="rx_new_measure_manual_网络覆盖/信号").input("新建基站两座")
    _button(at, "立项督办").click().run()
    no_crash(at)
    service = _service(console_config)
    item = service.list_items(user("manager"))[0]
    assert (item.place, item.problem, item.owner_department) == ("衡阳 珠晖区", "珠晖区弱覆盖反复投诉", "网络部")
    assert item.item_no in texts(at)                                      # its detail is open

    at = app_as("hy_handler", "rectification", item=str(item.item_id))
    no_crash(at)
    assert not [b for b in at.button if b.label == "办结"]               # owners do not close
    at.text_area(key=f"rp_body_{item.item_id}").input("已完成选址")
    at.slider(key=f"rp_percent_{item.item_id}").set_value(40)
    _button(at, "提交进展").click().run()
    no_crash(at)
    assert service.get(user("manager"), item.item_id).progress == 40

    at = app_as("manager", "rectification", item=str(item.item_id))
    assert "已完成选址" in texts(at)
    at.button(key=f"rx_worst_{item.item_id}").click().run()
    no_crash(at)
    at.text_area(key=f"rx_evidence_{item.item_id}").input("两座基站已开通，复测达标")
    _button(at, "办结").click().run()
    no_crash(at)
    done = service.get(user("manager"), item.item_id)
    assert done.status == "已办结" and done.evidence == "两座基站已开通，复测达标" and done.worst_months
    assert [a["actor"] for a in service.audit_log(user("manager"), item.item_id)] == [
        "manager", "hy_handler", "manager", "manager"]
    service.close()


def test_other_city_handler_sees_nothing_and_monitor_only_reads(console_config):
    service = _service(console_config)
    item = service.open(user("manager"), problem="衡阳珠晖区弱覆盖", owner_department="网络部",
                        measure="新建基站", city="衡阳")
    service.close()
    at = app_as("cs_handler", "rectification", item=str(item.item_id))
    no_crash(at)
    assert any("不存在或不在您的管辖范围内" in e.value for e in at.error)
    assert "衡阳珠晖区弱覆盖" not in texts(at) and not at.dataframe
    at = app_as("monitor", "rectification", item=str(item.item_id))
    no_crash(at)
    assert "衡阳珠晖区弱覆盖" in texts(at)
    assert not [b for b in at.button if b.label in ("办结", "提交进展", "设为一月一事")]
    assert "立项督办" not in [t.label for t in at.tabs]


def test_item_from_a_warning_shows_crawled_text_as_text(console_config):
    from alerts.api import raise_alert
    from core.db import StateDB
    from tousu.config import load

    config = load(console_config)
    state = StateDB(config.state_path)
    raise_alert(state, config, key="event:attack", rule="event", level=2, rule_type="event",
                title="<script>alert(1)</script>[点我](http://evil.example/)", body="正文",
                city="衡阳")
    state.close()
    at = app_as("manager", "rectification")
    at.radio(key="rx_source").set_value("事件/量预警").run()
    at.text_input(key="rx_new_dept_alert").input("网络部")
    at.text_area(key="rx_new_measure_alert").input("核查")
    _button(at, "立项督办").click().run()
    no_crash(at)
    html = "".join(e.proto.body for e in at.get("html"))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    shown = [str(e.value) for kind in ("markdown", "caption", "subheader") for e in getattr(at, kind)]
    assert not any("[点我](http://evil.example/)" in value for value in shown)   # no live link


def test_recurring_problems_tab_lists_candidates(console_config):
    from cases import CaseService
    from tousu.config import load

    cases = CaseService(load(console_config))
    by_slice: dict = {}
    for post in cases.store.iter_posts():
        for category in post.categories if post.city else ():
            by_slice.setdefault((post.city, category), []).append(post)
    city, category = max(by_slice, key=lambda k: len(by_slice[k]))
    assert len(by_slice[(city, category)]) >= 3
    for post in by_slice[(city, category)][:3]:
        cases.create_from_post(user("monitor"), post.id)
    cases.close()
    at = app_as("monitor", "rectification")
    no_crash(at)
    frames = [d.value for d in at.dataframe if "工单数" in d.value.columns]
    assert frames and (frames[0]["地市"] == city).any()


def test_monthly_report_in_the_console_has_four_parts(console_config):
    at = app_as("manager", "reports")
    at.radio(key="rp_kind").set_value("monthly")
    at.button(key="rp_go").click().run()
    no_crash(at)
    assert [s.value for s in at.subheader][1:] == [
        "一、整体情况", "二、督办问题整改落实情况", "三、存在的主要问题", "四、下一步重点工作"]
    assert any(m.value.startswith("1\\. 本月督办事项") for m in at.markdown)
