"""Every page for every role with Streamlit's AppTest: renders, gates, actions, safety."""

from __future__ import annotations

import pytest

from dashboard.auth import PAGES, pages_for
from tests.dashboard.conftest import PASSWORD, app_as, user

ROLE_USER = {"admin": "admin", "monitor": "monitor", "handler": "cs_handler",
             "reviewer": "reviewer", "manager": "manager"}
PAGE_TITLES = {p.key: p.title for p in PAGES}


def texts(at) -> str:
    """Everything the page shows as text (markdown, captions, alerts, html bodies, titles)."""
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error",
                 "success", "code"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    parts.extend(e.proto.body for e in at.get("html"))
    return "\n".join(parts)


def no_crash(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert "Traceback" not in texts(at)


# -- login and the role gate -----------------------------------------------------------------
def test_login_page_first(console_config):
    at = app_as(None)
    no_crash(at)
    assert "登录" in at.title[0].value
    # no page content leaks before login
    assert "监控台" not in texts(at)


def test_wrong_password_is_refused(console_config):
    at = app_as(None)
    at.text_input(key="login_user").input("monitor")
    at.text_input(key="login_password").input("wrong-password-1")
    at.button[0].click().run()
    assert any("用户名或密码错误" in e.value for e in at.error)
    assert "tousu_user" not in at.session_state


@pytest.mark.parametrize("username, home", [("monitor", "监控台"), ("cs_handler", "工单"),
                                            ("reviewer", "口径库"), ("manager", "趋势")])
def test_login_lands_on_role_home(console_config, username, home):
    at = app_as(None)
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    no_crash(at)
    assert home in at.title[0].value


@pytest.mark.parametrize("role", list(ROLE_USER))
def test_every_allowed_page_renders(console_config, role):
    for spec in pages_for(role):
        at = app_as(ROLE_USER[role], spec.key)
        no_crash(at)
        assert spec.title in at.title[0].value, spec.key
        assert not at.error, (spec.key, [e.value for e in at.error])


@pytest.mark.parametrize("role", [r for r in ROLE_USER if r != "admin"])
def test_forbidden_pages_are_not_in_the_menu(console_config, role):
    """Navigation registers only the role's pages: asking for another lands on the role's home."""
    forbidden = [p for p in PAGES if p not in pages_for(role)]
    for spec in (forbidden[0], forbidden[-1]):
        at = app_as(ROLE_USER[role], spec.key)
        no_crash(at)
        assert spec.title not in at.title[0].value, spec.key


FORBIDDEN = [(role, p.key) for role in ROLE_USER for p in PAGES if p not in pages_for(role)]


@pytest.mark.parametrize("role, page", FORBIDDEN)
def test_every_page_file_rechecks_the_role(role, page):
    """Even run on its own (not through the menu), a page refuses a role it is not for."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard" / "views" / f"{page}.py"), default_timeout=30)
    at.session_state["tousu_user"] = user(ROLE_USER[role])
    at.run()
    assert any("无权访问" in e.value for e in at.error)
    assert not at.dataframe and not at.get("html")


def test_page_file_without_login_asks_to_log_in():
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard" / "views" / "cases.py"), default_timeout=30)
    at.run()
    assert any("请先登录" in w.value for w in at.warning)
    assert not at.dataframe


def test_logout_ends_session(console_config):
    at = app_as("monitor")
    at.sidebar.button(key="logout").click().run()
    assert "登录" in at.title[0].value


# -- safety: attacker-controlled text ------------------------------------------------------
@pytest.mark.parametrize("query, bad, shown", [
    ("源码", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('"点这里领流量"', '<a href="http://evil.example/', "](http://evil.example/)"),
])
def test_script_and_markdown_posts_render_as_text(console_config, query, bad, shown):
    at = app_as("monitor", "search")
    at.text_input(key="s_query").input(query).run()
    no_crash(at)
    html = "\n".join(e.proto.body for e in at.get("html"))
    assert shown in html
    assert bad not in html
    # and in every Markdown context the text is escaped, never a link
    assert "](http://evil.example/)" not in "\n".join(str(m.value) for m in at.markdown)


@pytest.mark.parametrize("tid, city, shown", [
    (1038, "长沙", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    (1122, "衡阳", "[点这里领流量](http://evil.example/)"),
])
def test_triage_detail_shows_attack_text_as_text(console_config, tid, city, shown):
    from core.post import post_id

    pid = post_id(f"http://127.0.0.1:8600/thread-{tid}-1-1.html")
    at = app_as("monitor", "triage")
    at.selectbox(key="tri_tier").set_value(1)
    at.multiselect(key="tri_cities").set_value([city]).run()
    at.selectbox(key="tri_current").set_value(pid).run()
    no_crash(at)
    html = "\n".join(e.proto.body for e in at.get("html"))
    assert shown in html
    assert "<script>" not in html and 'href="http://evil.example/' not in html


# -- empty store and errors -------------------------------------------------------------------
@pytest.mark.parametrize("page, hint", [("triage", "还没有帖子"), ("search", "还没有帖子"),
                                        ("trends", "还没有帖子"), ("warnings", "暂无预警"),
                                        ("cases", "没有符合条件的工单")])
def test_empty_store_shows_help(empty_config, page, hint):
    at = app_as("admin", page)
    no_crash(at)
    assert hint in texts(at)


def test_unexpected_error_is_chinese_without_traceback(console_config, monkeypatch):
    from dashboard import data

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire /secret/path")

    monkeypatch.setattr(data, "search", boom)
    at = app_as("monitor", "search")
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "页面出错了" in message and "错误编号" in message
    assert "secret" not in texts(at) and "RuntimeError" not in texts(at)


def test_query_syntax_error_is_explained(console_config):
    at = app_as("monitor", "search")
    at.text_input(key="s_query").input('"未闭合').run()
    assert any("检索式有误" in e.value for e in at.error)


# -- Chinese, not English or raw values -------------------------------------------------------
def test_multiselects_ask_in_chinese_and_offer_no_select_all(console_config):
    """Streamlit's own "Choose options" and "Select all" are English; every multi-select says
    what it wants in Chinese and leaves "Select all" out (its label cannot be translated)."""
    from reply_scripts import ScriptService
    from reply_scripts.transfer import load_starter
    from tests.dashboard.test_actions import _state

    load_starter(ScriptService(_state(console_config)))  # 口径库's edit form has one too
    seen = 0
    for spec in pages_for("admin"):
        at = app_as("admin", spec.key)
        for box in at.multiselect:
            seen += 1
            assert box.proto.placeholder.strip(), (spec.key, box.label)
            assert box.proto.select_all == 0, (spec.key, box.label)
    assert seen >= 10


def test_script_library_says_no_official_version_in_words(console_config):
    from reply_scripts import ScriptService

    from tests.dashboard.test_actions import _state

    ScriptService(_state(console_config)).create(user("monitor"), "新口径", ["其他"], "场景",
                                                 "您好，{昵称}", "")
    at = app_as("monitor", "scripts")
    no_crash(at)
    column = list(at.dataframe[0].value["官方版本"])
    assert column == ["无"]


def test_warning_cards_name_the_rule_in_chinese(console_config):
    at = app_as("monitor", "warnings")
    no_crash(at)
    cards = [e.proto.body for e in at.get("html") if 'padding-left:8px"><b>' in e.proto.body]
    assert cards
    for card in cards:
        meta = card.split("<br>")[1]
        assert "单帖预警" in meta or "热点事件" in meta or "声量" in meta, meta
        assert " · post · " not in meta and " · hot-event · " not in meta
    silence = [o for r in at.radio if "此预警" in r.options for o in r.options if o != "此预警"]
    assert silence and all(o.startswith("此规则的全部预警（") for o in silence), silence


def test_held_messages_are_listed_on_the_warnings_page_with_why(console_config):
    import yaml

    from alerts.cycle import run_cycle
    from core.db import StateDB
    from tousu.config import load

    data = yaml.safe_load(console_config.read_text(encoding="utf-8"))
    data["warnings"] = {
        "rules": [{"name": "post", "type": "post"},
                  {"name": "hot-event", "type": "event", "window": "7d", "min_posts": 3}],
        "notifiers": [{"name": "duty-log", "type": "file", "path": "data/alerts.log"}],
        "quiet": {"group_wait": {3: "10m"}}}
    console_config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load(console_config)
    state = StateDB(config.state_path)
    state.execute("DELETE FROM alerts")  # the demo's warnings raised afresh under quiet alerting
    state.close()
    run_cycle(config)

    at = app_as("monitor", "warnings")
    at.radio(key="w_view").set_value("quiet").run()
    no_crash(at)
    frame = at.dataframe[0].value
    assert set(frame["类别"]) == {"分组"} and len(frame) >= 10, frame
    assert frame["原因"].str.startswith("分组：").all()
    assert frame["去向"].str.startswith("等待中，").all()
    assert {m.label: m.value for m in at.metric}["分组"] == str(len(frame))
    at.radio(key="w_view").set_value("list").run()
    no_crash(at)
    details = [d.value for d in at.dataframe if "原因" in d.value.columns]
    assert details and all(set(d["类别"]) == {"分组"} for d in details)
