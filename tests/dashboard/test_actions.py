"""Actions through the console (AppTest): labels, cases and the branch boundary, export, saved
searches, drill-down, 'test this source', users, reply scripts, reports."""

from __future__ import annotations

from datetime import timedelta

import yaml

from core.post import now_cst
from tests.dashboard.conftest import app_as, user
from tests.dashboard.test_pages import no_crash, texts


def _state(config):
    from tousu.config import load
    from core.db import StateDB

    return StateDB(load(config).state_path)


# -- 监控台 -----------------------------------------------------------------------------------
def test_correction_is_stored_as_label_and_post_leaves_queue(console_config):
    at = app_as("monitor", "triage")
    pid = at.selectbox(key="tri_current").value
    at.selectbox(key=f"fix_tier_{pid}").set_value(2)
    at.checkbox(key=f"fix_rel_{pid}").uncheck()
    next(b for b in at.button if b.label == "💾 保存更正").click().run()
    no_crash(at)
    from nlp.labels import iter_labels

    rows = [r for r in iter_labels(_state(console_config)) if r["post_id"] == pid]
    assert rows and rows[0]["severity"] == 2 and rows[0]["relevant"] is False
    assert rows[0]["user"] == "monitor"
    assert at.selectbox(key="tri_current").value != pid  # done: it left the queue


def test_a_correction_is_the_grade_everywhere_at_once(console_config):
    """Corrected from its tier to 0: the stored post says 0 at once (检索 shows it, marked 人工修正,
    though 检索 had the old grade cached), re-analysis keeps it, and the model gets the label."""
    from indexer import open_store
    from indexer.reanalyse import reanalyse
    from nlp.analyzer import Analyzer
    from nlp.labels import CORRECTED, human_graded, iter_labels
    from tousu.config import load

    config = load(console_config)
    at = app_as("monitor", "triage")
    pid = at.selectbox(key="tri_current").value
    with open_store(config) as store:
        before = store.get(pid)
    assert before.severity >= 2
    query = f'"{before.title[:8]}"'
    search = app_as("monitor", "search")
    search.text_input(key="s_query").input(query).run()  # 检索 caches the old grade
    assert any(before.title in e.proto.body for e in search.get("html"))

    at.selectbox(key=f"fix_tier_{pid}").set_value(0)
    at.checkbox(key=f"fix_rel_{pid}").uncheck()
    next(b for b in at.button if b.label == "💾 保存更正").click().run()
    no_crash(at)
    with open_store(config) as store:
        after = store.get(pid)
    assert (after.severity, after.relevant, human_graded(after)) == (0, False, CORRECTED)

    search.text_input(key="s_query").input(query).run()
    card = next(e.proto.body for e in search.get("html") if before.title in e.proto.body)
    assert "0级" in card and "人工修正" in card

    with open_store(config) as store:
        reanalyse(store, Analyzer(config.keywords_dir, config.model_dir))
        assert store.get(pid).severity == 0
    assert [r["severity"] for r in iter_labels(_state(console_config)) if r["post_id"] == pid] == [0]


def test_bulk_mark_irrelevant(console_config):
    at = app_as("monitor", "triage")
    values = [at.selectbox(key="tri_current").value]
    at.multiselect(key="tri_bulk").set_value(values).run()
    at.button(key="bulk_irrelevant").click().run()
    no_crash(at)
    from nlp.labels import iter_labels

    labelled = {r["post_id"]: r for r in iter_labels(_state(console_config))}
    assert values[0] in labelled and labelled[values[0]]["relevant"] is False


def _open_case_from_triage(console_config) -> tuple[str, object]:
    from cases import CaseService
    from tousu.config import load

    at = app_as("monitor", "triage")
    pid = at.selectbox(key="tri_current").value
    at.button(key="dispatch_one").click().run()
    no_crash(at)
    assert any("已建工单" in s.value for s in at.success), [e.value for e in at.error]
    service = CaseService(load(console_config))
    case = service.list_cases(user("monitor"))[0]
    service.close()
    assert case.post_id == pid
    return pid, case


def test_monitor_opens_case_and_finds_it_under_cases(console_config):
    _, case = _open_case_from_triage(console_config)
    assert case.status == "已派单"
    at = app_as("monitor", "cases")
    no_crash(at)
    assert case.case_no in "".join(str(v) for v in at.dataframe[0].value["工单号"])
    assert case.case_no in texts(at)  # the detail of the newest case is open


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
    load_starter(ScriptService(_state(console_config)))
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


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_closing_a_case_asks_first_then_keeps_it_open_and_counted(console_config):
    case = _replied_case(console_config)
    at = app_as("cs_handler", "cases")
    assert at.selectbox(key="c_pick").value == case.case_id
    assert _metric(at, "已办结") == "0"
    at.selectbox(key=f"act_pick_{case.case_id}").set_value("close")
    at.text_area(key=f"act_text_{case.case_id}").input("已上门调整，客户满意")
    next(b for b in at.button if b.label == "执行").click().run()
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
    at.selectbox(key=f"act_pick_{case.case_id}").set_value("close")
    at.text_area(key=f"act_text_{case.case_id}").input("已处理")
    next(b for b in at.button if b.label == "执行").click().run()
    at.button(key=f"act_no_{case.case_id}").click().run()
    no_crash(at)
    assert not any("确认办结工单" in w.value for w in at.warning)
    service = CaseService(load(console_config))
    assert service.get(user("cs_handler"), case.case_id).status == "已回复"
    service.close()


# -- 检索 --------------------------------------------------------------------------------------
def test_search_by_operator_and_intent(console_config):
    """检索 finds posts by the operators they are about and their authors' intent."""
    from dashboard import data

    at = app_as("monitor", "search")
    assert at.multiselect(key="s_operators").options == ["移动", "联通", "电信", "广电"]
    at.multiselect(key="s_operators").set_value(["移动"])
    at.selectbox(key="s_intent").set_value(3).run()
    no_crash(at)
    expected = data.count(data.Slice(since=data.day_start(now_cst().date() - timedelta(days=30)),
                                     operators=("移动",), intent_min=3))
    assert expected > 0 and f"共 {expected:,} 条" in texts(at)


def test_export_and_saved_search(console_config):
    at = app_as("monitor", "search")
    at.text_input(key="s_query").input("宽带").run()
    at.button(key="s_export").click().run()
    no_crash(at)
    labels = [b.label for b in at.get("download_button")] if at.get("download_button") else []
    assert not labels or {"下载 CSV", "下载 Excel"} <= set(labels)
    assert at.expander[0].label == "已保存的检索（0）"
    at.text_input(key="s_save_name").input("宽带问题").run()
    at.button(key="s_save").click().run()
    no_crash(at)
    assert at.expander[0].label == "已保存的检索（1）"  # at once, not after a reload
    assert "宽带问题" in at.selectbox(key="s_saved_pick").options
    at = app_as("monitor", "search")
    assert "宽带问题" in at.selectbox(key="s_saved_pick").options
    at.button(key="s_load").click().run()
    assert at.text_input(key="s_query").value == "宽带"


def test_export_frame_is_sheet_safe(console_config):
    from dashboard import data

    frame = data.export_frame("宽带", data.Slice(), "time")
    assert len(frame) > 0 and {"正文", "作者", "链接"} <= set(frame.columns)
    assert not any(str(v).startswith(("=", "+", "@")) for v in frame.to_numpy().ravel())


# -- 趋势 --------------------------------------------------------------------------------------
def test_trends_drill_down_shows_the_posts(console_config):
    at = app_as("manager", "trends")
    at.selectbox(key="t_split").set_value("city").run()
    options = at.selectbox(key="t_pick").options
    target = next(i for i, o in enumerate(options) if "衡阳" in o and "地市" in o)
    at.selectbox(key="t_pick").select_index(target).run()
    no_crash(at)
    html = "\n".join(e.proto.body for e in at.get("html"))
    assert "衡阳" in html and "共 " in texts(at)


def test_trends_rivals_show_each_operator_and_drill_down(console_config):
    """竞品对比 counts every operator's posts, ours first, whatever 仅相关 says."""
    from dashboard import data

    at = app_as("manager", "trends")
    no_crash(at)
    assert "竞品对比" in texts(at)
    table = next(d.value for d in at.dataframe if "运营商" in d.value.columns)
    assert list(table["运营商"]) == ["移动", "联通", "电信", "广电"]
    everyone = data.Slice(since=data.since_hours(30 * 24, step=3600))
    mix = {m["operator"]: m for m in data.operator_mix(everyone)}
    assert int(table.iloc[0]["帖子数"]) == mix["移动"]["posts"] > 0
    options = at.selectbox(key="t_pick").options
    target = next(i for i, o in enumerate(options) if o.startswith("竞品对比 · 移动 · 2级"))
    at.selectbox(key="t_pick").select_index(target).run()
    no_crash(at)
    shown = mix["移动"]["tiers"].get(2, 0)
    assert f"共 {shown} 条" in texts(at)
    html = "\n".join(e.proto.body for e in at.get("html"))
    assert "涉及 移动" in html


# -- 信源 --------------------------------------------------------------------------------------
def test_test_this_source_shows_what_selectors_extract(console_config, demo_site):
    data = yaml.safe_load(console_config.read_text(encoding="utf-8"))
    data["sources"][0]["start_urls"] = [f"{demo_site.url}/forum-2-1.html"]
    data["dashboard"] = {"probe_allow_private": [demo_site.url.removeprefix("http://")]}
    console_config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    at = app_as("admin", "sources")
    at.button(key="src_test").click().run()
    no_crash(at)
    assert any("已抓取" in s.value for s in at.success)
    assert "第一页引出的请求" in texts(at) and "第一条帖子抽取结果" in texts(at)


def test_edited_source_with_bad_selector_is_explained(console_config):
    at = app_as("admin", "sources")
    name = at.selectbox(key="src_pick").value
    text = at.text_area(key=f"src_{name}_text").value.replace("a.s.xst", "a[[[")
    at.text_area(key=f"src_{name}_text").input(text).run()
    at.button(key=f"src_{name}_check").click().run()
    no_crash(at)
    assert any("信源定义有误" in e.value and "links" in e.value for e in at.error)


# -- 信源 / 规则: edits are saved into config.yaml -------------------------------------------------
def _with_rule(config):
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["warnings"] = {"rules": [{"name": "post", "type": "post"},
                                  {"name": "city-daily-volume", "type": "volume",
                                   "coefficient": 3, "protection": 10}]}
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_rule_edit_is_saved_and_used(console_config):
    from tousu.config import load

    _with_rule(console_config)
    at = app_as("admin", "rules")
    at.selectbox(key="r_pick").set_value("city-daily-volume").run()
    box = at.text_area(key="r_city-daily-volume_text")
    box.input(box.value.replace("protection: 10", "protection: 30")).run()
    at.button(key="r_city-daily-volume_save").click().run()
    no_crash(at)
    assert not at.error
    rule = next(r for r in load(console_config).warnings.rules if r.name == "city-daily-volume")
    assert rule.protection == 30
    again = app_as("admin", "rules")  # a new session reads the saved file
    assert "protection: 30" in " ".join(again.dataframe[0].value["阈值"])


def test_invalid_rule_edit_names_the_field_and_changes_nothing(console_config):
    _with_rule(console_config)
    before = console_config.read_text(encoding="utf-8")
    at = app_as("admin", "rules")
    at.selectbox(key="r_pick").set_value("city-daily-volume").run()
    box = at.text_area(key="r_city-daily-volume_text")
    box.input(box.value.replace("coefficient: 3", "coefficient: 0")).run()
    at.button(key="r_city-daily-volume_save").click().run()
    no_crash(at)
    assert any("未保存" in e.value and "coefficient" in e.value and "必须大于 0" in e.value
               for e in at.error)
    assert console_config.read_text(encoding="utf-8") == before


def test_new_source_is_saved(console_config):
    from tousu.config import load

    at = app_as("admin", "sources")
    at.selectbox(key="src_pick").set_value("＋ 新增信源").run()
    at.text_area(key="src_new_text").input(
        "name: hn-feed\ntype: rss\nenabled: false\ninterval: 2h\nurl: https://a.example/f\n").run()
    at.button(key="src_new_save").click().run()
    no_crash(at)
    assert load(console_config).source("hn-feed").interval == "2h"
    assert "hn-feed" in list(at.dataframe[0].value["信源"])  # the health table lists it at once


# -- 用户 / 口径库 / 报表 ---------------------------------------------------------------------------
def test_admin_adds_a_handler(console_config):
    at = app_as("admin", "users")
    at.text_input(key="u_new_name").input("zz_handler")
    at.selectbox(key="u_new_role").set_value("handler")
    at.multiselect(key="u_new_cities").set_value(["株洲"])
    at.text_input(key="u_new_password").input("Zhuzhou-2026")
    next(b for b in at.button if b.label == "添加").click().run()
    no_crash(at)
    assert "zz_handler" in "".join(at.dataframe[0].value["用户名"])


def test_script_draft_review_approve(console_config):
    at = app_as("monitor", "scripts")
    at.text_input(key="n_title").input("信号差安抚口径")
    at.multiselect(key="n_cats").set_value(["网络覆盖/信号"])
    at.text_area(key="n_scenario").input("用户反映家中信号差")
    at.text_area(key="n_body").input("{昵称}您好，已将您反映的{城市}信号问题转交网络部门。")
    next(b for b in at.button if b.label == "保存草稿").click().run()
    no_crash(at)
    script_id = at.selectbox(key="k_pick").value
    at.button(key=f"sub_{script_id}").click().run()
    no_crash(at)
    at = app_as("reviewer", "scripts")
    at.selectbox(key="k_pick").set_value(script_id).run()
    at.button(key=f"ok_{script_id}").click().run()
    no_crash(at)
    assert "已批准" in "".join(at.dataframe[0].value["最新状态"])


def test_a_reviewer_is_not_offered_to_approve_their_own_draft(console_config):
    """The page offers what the library accepts: the author of a draft in review gets 退回 but
    no 批准 (and is told why); another reviewer gets both."""
    from reply_scripts import ScriptService

    service = ScriptService(_state(console_config))
    sid = service.create(user("reviewer"), "宽带断网致歉", ["宽带/家宽"], "断网", "{昵称}您好", "").script_id
    service.submit(user("reviewer"), sid)
    at = app_as("reviewer", "scripts")
    at.selectbox(key="k_pick").set_value(sid).run()
    no_crash(at)
    keys = {b.key for b in at.button}
    assert f"rej_{sid}" in keys and f"ok_{sid}" not in keys
    assert "不能审批自己起草的口径" in texts(at)
    at = app_as("admin", "scripts")
    at.selectbox(key="k_pick").set_value(sid).run()
    assert {f"ok_{sid}", f"rej_{sid}"} <= {b.key for b in at.button}
    at = app_as("cs_handler", "scripts")  # neither review nor edit someone else's draft
    at.selectbox(key="k_pick").set_value(sid).run()
    assert not {b.key for b in at.button} & {f"ok_{sid}", f"rej_{sid}", f"sub_{sid}"}
    assert "修改（生成新版本草稿）" not in [e.label for e in at.expander]


def test_manager_generates_a_report(console_config):
    at = app_as("manager", "reports")
    at.radio(key="rp_kind").set_value("weekly")
    at.button(key="rp_go").click().run()
    no_crash(at)
    assert not at.error, [e.value for e in at.error]
    assert at.subheader and "周" in at.subheader[0].value


def test_reanalyse_shows_progress_and_finishes(console_config):
    at = app_as("admin", "keywords")
    at.button(key="kw_reanalyse").click().run()
    no_crash(at)
    bars = at.get("progress")
    assert bars and "完成" in bars[-1].proto.text


def test_keyword_edit_is_validated_before_saving(console_config, keywords_copy):
    data = yaml.safe_load(console_config.read_text(encoding="utf-8"))
    data["nlp"]["keywords_dir"] = str(keywords_copy)
    console_config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = (keywords_copy / "categories.yaml").read_text(encoding="utf-8")
    at = app_as("admin", "keywords")
    at.selectbox(key="kw_file").set_value("categories.yaml").run()
    at.text_area(key="kw_text_categories.yaml").input("categories: [这不是映射").run()
    at.button(key="kw_save").click().run()
    no_crash(at)
    assert any("未保存" in e.value for e in at.error)
    assert (keywords_copy / "categories.yaml").read_text(encoding="utf-8") == before
    # the reason in Chinese: which file, which line, what is wrong
    assert at.code[0].value == "keywords/categories.yaml 第 2 行：不是有效的 YAML：方括号 [ ] 没有闭合，或列表项之间缺少逗号"
    at.text_area(key="kw_text_categories.yaml").input("categories: {不存在的分类: [a]}").run()
    at.button(key="kw_check").click().run()
    assert at.code[0].value.startswith("keywords/categories.yaml：categories：没有这个分类：不存在的分类；可选：")


# -- 预警 --------------------------------------------------------------------------------------
def test_warning_acknowledge_and_silence(console_config):
    at = app_as("monitor", "warnings")
    no_crash(at)
    buttons = [b for b in at.button if (b.key or "").startswith("ack_")]
    assert buttons, "open warnings are listed with an acknowledge button"
    alert_id = int(buttons[0].key.split("_")[1])
    buttons[0].click().run()
    no_crash(at)
    rows = _state(console_config).query("SELECT status, key FROM alerts WHERE alert_id = ?",
                                        (alert_id,))
    assert rows[0]["status"] == "acknowledged"
    at.multiselect(key="w_status").set_value(["acknowledged"]).run()
    submit = next(b for b in at.button if "静默" in b.label)
    submit.click().run()
    no_crash(at)
    silenced = _state(console_config).query("SELECT target FROM silences")
    assert silenced


def test_a_notifications_link_opens_its_warning(console_config):
    """warnings?alert=N — the link in every warning notice — shows that warning first, open,
    whatever the status filter; an unknown id says so."""
    state = _state(console_config)
    row = state.query("SELECT alert_id, title FROM alerts ORDER BY alert_id LIMIT 1")[0]
    state.execute("UPDATE alerts SET status = 'resolved' WHERE alert_id = ?", (row["alert_id"],))
    at = app_as("monitor", "warnings", alert=str(row["alert_id"]))
    no_crash(at)
    assert at.subheader[0].value == "通知中的预警"
    assert row["title"] in at.get("html")[0].proto.body
    assert at.expander[0].proto.expanded
    at = app_as("manager", "warnings", alert="999999")
    no_crash(at)
    assert any("预警 999999 不存在" in w.value for w in at.warning)


def test_monitor_builds_the_daily_briefing_with_citations(console_config):
    at = app_as("monitor", "reports")
    at.button(key="bf_go").click().run()
    no_crash(at)
    assert not at.error, [e.value for e in at.error]
    [page] = [h.proto.body for h in at.get("html")]
    assert "<h1>舆情简报（" in page and "<h2>概况</h2>" in page and "查询：" in page
    assert 'href="http://127.0.0.1:8600/thread-' in page          # sentences link their posts
    assert {b.key for b in at.get("download_button")} >= {"bf_html", "bf_md", "bf_json"}
    at.radio(key="bf_kind").set_value("event").run()
    assert "还没有事件预警。" in texts(at)        # the demo forum has no wave of similar posts
