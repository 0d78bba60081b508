"""口径库 (AppTest): draft, review, approve; no approving one's own draft; no official version said
in words."""

from __future__ import annotations

from tests.dashboard.conftest import app_as, no_crash, state_db, texts, user


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

    service = ScriptService(state_db(console_config))
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


def test_script_library_says_no_official_version_in_words(console_config):
    from reply_scripts import ScriptService
    from tests.dashboard.conftest import state_db

    ScriptService(state_db(console_config)).create(user("monitor"), "新口径", ["其他"], "场景",
                                                 "您好，{昵称}", "")
    at = app_as("monitor", "scripts")
    no_crash(at)
    column = list(at.dataframe[0].value["官方版本"])
    assert column == ["无"]
