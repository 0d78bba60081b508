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


def test_volume_warning_shows_why_it_fired_inert(console_config):
    """为何预警 on the warning a notification links to: the parts of the excess per dimension,
    the statistic, the new words and the first post; crawled text stays text."""
    from alerts.config import VolumeRule
    from alerts.engine import apply_matches
    from alerts.model import Match
    from core.markup import esc
    from core.post import now_cst
    from indexer import open_store
    from tousu.config import load

    from tests.dashboard.test_actions import _state

    config = load(console_config)
    with open_store(config) as store:
        first = next(iter(store.iter_posts()))
    hostile = "<img src=x onerror=alert(1)>[领流量](http://phish.example)"
    explanation = {
        "count": 24, "expected": 4.0, "excess": 20.0, "baseline": "近30天每日平均",
        "unusual": {"method": "negbin", "count": 24, "mean": 4.0, "variance": 9.0,
                    "windows": 30, "z": 6.67, "p_value": 0.00012},
        "drivers": {"city": [{"value": "衡阳", "count": 17.0, "expected": 2.0, "excess": 15.0,
                              "share": 0.75},
                             {"value": "株洲", "count": 7.0, "expected": 2.0, "excess": 5.0,
                              "share": 0.25}],
                    "event": [{"value": hostile, "count": 15.0, "expected": 0.0,
                               "excess": 15.0, "share": 0.75, "alert_id": None}]},
        "words": [{"word": "断网", "posts": 15, "expected": 0.0, "excess": 15.0, "share": 0.75}],
        "first_posts": [{"id": first.id, "title": first.title, "url": first.url}]}
    spec = VolumeRule(name="test-volume", type="volume")
    state = _state(console_config)
    apply_matches(state, config, spec, type("Rule", (), {"reopen": True, "reminders": True})(),
                  [Match(key="volume:test:all", level=2, subject="全省 投诉量超出预警线",
                         body="近24小时：24 条", explanation=explanation)], now_cst(), set())
    alert_id = state.query("SELECT alert_id FROM alerts WHERE key = 'volume:test:all'")[0]["alert_id"]
    state.close()

    at = app_as("monitor", "warnings", alert=str(alert_id))
    no_crash(at)
    assert any("为何预警" in m.value for m in at.markdown)
    texts = " ".join(e.proto.body for e in at.get("html"))
    assert "z = 6.67" in texts and "负二项分布" in texts and "超出基线 20.0 条" in texts
    frames = {tuple(f.value.columns): f.value for f in at.dataframe}
    city = frames[("地市", "本窗口", "基线", "超出", "占比")]
    assert list(city["地市"]) == ["衡阳", "株洲"] and list(city["占比"]) == ["75%", "25%"]
    assert list(frames[("事件", "本窗口", "基线", "超出", "占比")]["事件"]) == [hostile]
    assert list(frames[("词", "帖子数", "基线", "占超出量")]["词"]) == ["断网"]
    # The event's crawled title is a dataframe cell (text); no HTML of the page carries it.
    assert "<img" not in texts and "phish.example" not in texts
    assert esc(first.title) in texts  # the first post, as its card
