"""What a crawl could not see is named per run: a list cut at its page cap while new posts were
still coming, a login wall, a captcha page, a refusal, a page robots.txt forbids. A real local
forum serves each; `tousu crawl` runs against it twice."""

from __future__ import annotations

import pytest

from core.db import StateDB
from crawler.blind_spots import KINDS, classify, describe, summary
from tests.conftest import write_config
from tests.crawler.replay import ReplayServer, crawl, walled_forum, walled_source
from tousu.config import load


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The forum crawled twice with max_pages 2: health after each run, and the state file."""
    tmp = tmp_path_factory.mktemp("blind")
    with ReplayServer(walled_forum()) as server:
        config = write_config(tmp, sources=[walled_source("walls", server.url)])
        first = crawl(config)["walls"]
        second = crawl(config)["walls"]
    return first, second, load(config).state_path, server.url


def test_each_wall_is_named_in_the_runs_health(runs):
    first, _, _, _ = runs
    assert first["last_blind_spots"] == {"page_cap": 1, "login_wall": 1, "captcha": 1,
                                         "blocked": 1, "robots": 1}
    assert first["last_items"] == 2  # the two readable threads were still stored


def test_a_cap_counts_only_while_new_posts_were_coming(runs):
    """The second crawl finds the list's readable posts known: paging stops on page 1 by itself
    (the walls are asked again and named again), and nothing was cut by the cap."""
    _, second, _, _ = runs
    assert "page_cap" not in second["last_blind_spots"]
    assert second["last_blind_spots"]["login_wall"] == 1


def test_summary_keeps_an_example_of_each_kind(runs):
    _, _, state_path, url = runs
    rows = {r["kind"]: r for r in summary(StateDB(state_path), "walls", "2000-01-01")}
    assert set(rows) == set(KINDS)
    assert rows["login_wall"]["runs"] == 2 and rows["page_cap"]["runs"] == 1
    assert rows["login_wall"]["example"].startswith(f"{url}/member/login")
    assert rows["page_cap"]["example"] == f"{url}/forum-2.html 已到 max_pages=2，之后仍有新帖未采集"
    assert rows["captcha"]["label"] == "验证码/风控页"


@pytest.mark.parametrize("status, url, body, kind", [
    (200, "https://passport.weibo.com/visitor/visitor?entry=miniblog", b"", "login_wall"),
    (200, "https://wappass.baidu.com/static/captcha/tuxing.html", b"", "captcha"),
    (429, "https://m.weibo.cn/api/container/getIndex", b"", "blocked"),
    (401, "https://example.com/api", b"", "login_wall"),
    (200, "https://bbs.example.com/t/1.html", "<title>安全验证</title>".encode(), "captcha"),
    (200, "https://bbs.example.com/t/2.html", "<title>登录移动APP老闪退</title>".encode(), None),
    (404, "https://bbs.example.com/t/3.html", b"", None),
])
def test_classify(status, url, body, kind):
    """A thread *about* logging in is a readable page; a login or captcha page is a wall."""
    assert classify(status, url, body) == kind


def test_describe():
    assert describe({"page_cap": 2, "blocked": 5, "robots": 0}) == "翻页上限截断 2 次；被拒绝访问 5 次"
