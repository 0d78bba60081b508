"""The 信源 page (AppTest): 「测试此信源」 for the site adapters, its failures and ${ENV} in a typed
definition, with 校验 and 保存 always left on the page; the first source of an empty list."""

from __future__ import annotations

import yaml

from core.markup import md
from tests.conftest import ROOT
from tests.crawler.replay import ReplayServer, Route
from tests.dashboard.conftest import app_as, no_crash, texts

SECRET = "s3cr3t-smtp-password"


def _edit(config, *, sources=None, allow=None) -> None:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    if sources is not None:
        data["sources"] = sources
    if allow is not None:
        data["dashboard"] = {"probe_allow_private": allow}
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _test(name: str):
    at = app_as("admin", "sources")
    at.selectbox(key="src_pick").set_value(name).run()
    at.button(key="src_test").click().run()
    no_crash(at)
    # 校验 and 保存 are still there, whatever the test showed
    assert at.button(key=f"src_{name}_check") and at.button(key=f"src_{name}_save")
    return at


def test_a_discuz_source_runs_its_spider_and_shows_the_posts(console_config):
    routes = [Route("/forum-12-1.html", "discuz/forum-12-1.html", content_type="text/html"),
              Route("/thread-3456-1-1.html", "discuz/thread-3456-1-1.html",
                    content_type="text/html")]
    with ReplayServer(routes) as server:
        _edit(console_config, allow=[f"127.0.0.1:{server.httpd.server_address[1]}"],
              sources=[{"name": "dz", "type": "discuz", "delay": 0,
                        "forum_url": f"{server.url}/forum-12-1.html"}])
        at = _test("dz")
    assert any("已抓取" in s.value for s in at.success)
    assert "第一条帖子抽取结果" in texts(at) and not at.error


def test_the_shipped_discuz_example_fails_in_chinese_and_keeps_the_editor(console_config):
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    example = next(s for s in shipped["sources"] if s["name"] == "example-discuz-forum")
    _edit(console_config, sources=[example])
    at = _test("example-discuz-forum")
    assert at.error or at.success  # bbs.example.com: no such host here; anything, never a crash


def test_a_private_address_is_refused_on_the_page(console_config, demo_site):
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    forum = next(s for s in shipped["sources"] if s["name"] == "demo-forum")
    _edit(console_config, sources=[{**forum, "start_urls": [f"{demo_site.url}/forum-2-1.html"]}])
    at = _test("demo-forum")
    setting = md("dashboard.probe_allow_private")  # messages are shown inert (escaped Markdown)
    assert any("拒绝访问" in e.value and setting in e.value for e in at.error)


def test_env_references_typed_into_the_tester_are_not_expanded(console_config, monkeypatch):
    monkeypatch.setenv("TOUSU_PROBE_SECRET", SECRET)
    at = app_as("admin", "sources")
    at.selectbox(key="src_pick").set_value("＋ 新增信源").run()
    at.text_area(key="src_new_text").input(
        "name: leak\ntype: rss\nurl: http://127.0.0.1:9/feed?key=${TOUSU_PROBE_SECRET}\n").run()
    at.button(key="src_test").click().run()
    no_crash(at)
    assert any("不展开环境变量" in i.value for i in at.info)
    assert SECRET not in texts(at)


def test_the_first_source_can_be_added_to_an_empty_list(console_config):
    from tousu.config import load

    _edit(console_config, sources=[])
    assert "sources: []" in console_config.read_text(encoding="utf-8")
    at = app_as("admin", "sources")
    no_crash(at)
    assert "尚未配置信源" in texts(at)
    assert at.selectbox(key="src_pick").options == ["＋ 新增信源"]
    at.text_area(key="src_new_text").input(
        "name: hn-feed\ntype: rss\nenabled: false\nurl: https://a.example/f\n").run()
    at.button(key="src_new_save").click().run()
    no_crash(at)
    assert [s.name for s in load(console_config).sources] == ["hn-feed"]
    assert "hn-feed" in list(at.dataframe[0].value["信源"])


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


def test_blind_spots_of_the_last_runs_are_shown_per_source(console_config):
    """What the crawls could not see: the last run's in the table, the week's with an example."""
    from core.db import StateDB
    from crawler.blind_spots import record
    from crawler.health import finish_run, start_run
    from tousu.config import load

    cfg = load(console_config)
    name = cfg.sources[0].name
    state = StateDB(cfg.state_path)
    run = start_run(state, name)
    finish_run(state, run, pages=3, items=5, new=5, errors=0, last_error=None, status="ok")
    capped = ("https://s.weibo.com/weibo?q=x&timescope=custom:2026-11-20-12:2026-11-20-13&page=10 "
              "时间窗 2026-11-20 12:00–2026-11-20 13:00 已是最小窗口（min_window=1h）仍然满页，"
              "已到 max_pages=10，之后仍有新帖未采集")
    record(state, run, name, {"tousu/blind/page_cap": 1, "tousu/blind/login_wall": 2,
                              "tousu/blind_example/login_wall": "https://bbs.example.com/login <b>x</b>",
                              "tousu/blind_example/page_cap": capped, "robotstxt/forbidden": 3})
    state.close()
    at = app_as("admin", "sources")
    no_crash(at)
    table = next(d.value for d in at.dataframe if "盲区（最近一次）" in d.value.columns)
    row = table[table["信源"] == name].iloc[0]
    assert row["盲区（最近一次）"] == "翻页上限截断 1 次；登录墙/Cookie 失效 2 次；robots.txt 禁止 3 次"
    week = next(d.value for d in at.dataframe if "示例" in d.value.columns)
    assert set(week["盲区"]) == {"翻页上限截断", "登录墙/Cookie 失效", "robots.txt 禁止"}
    assert "https://bbs.example.com/login <b>x</b>" in set(week["示例"])  # shown as text in a table
    assert capped in set(week["示例"])  # a capped Weibo search names its smallest window
    assert "采集盲区（近 7 天，3 项）" in [e.label for e in at.expander]
