"""Splitting a capped keyword search by time: windows halve at hour boundaries, and whole crawls
of recorded Weibo search pages, served by a real local server under the site's own paths, read a
day too big for the page cap window by window — each post once — name the window still full at
min_window as a blind spot, and find nothing new when run again."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from core.db import StateDB
from core.post import CST
from crawler.blind_spots import summary
from crawler.windows import Window, covered
from indexer import open_store
from tests.conftest import write_config
from tests.crawler.replay import ReplayServer, Route, crawl
from tousu.config import load

KW = "湖南移动"
DAY = Window(datetime(2026, 11, 20, tzinfo=CST), datetime(2026, 11, 21, tzinfo=CST))


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=CST)


def test_halves_split_at_an_hour_boundary():
    assert DAY.halves() == (Window(at(20), at(20, 12)), Window(at(20, 12), at(21)))
    assert Window(at(20, 12), at(20, 15)).halves() == (Window(at(20, 12), at(20, 13)),
                                                      Window(at(20, 13), at(20, 15)))
    assert DAY.hours == 24 and DAY.label() == "2026-11-20 00:00–2026-11-21 00:00"


@pytest.mark.parametrize("since, until, window, now, expected", [
    (None, None, "1d", at(20, 9, 41), Window(at(19, 10), at(20, 10))),  # to the hour's end
    (None, None, "6h", at(20, 0, 0), Window(at(19, 19), at(20, 1))),
    (at(18), at(20, 6), "1d", at(25), Window(at(18), at(20, 6))),
    (at(18), None, "1d", at(20, 9, 41), Window(at(18), at(20, 10))),
])
def test_covered_window(since, until, window, now, expected):
    source = SimpleNamespace(since=since, until=until, window=window)
    assert covered(source, now) == expected


def window_route(window: str, page: int, name: str) -> Route:
    return Route("/weibo", f"weibo_search/{name}", {"q": KW, "timescope": f"custom:{window}",
                                                    "page": str(page)},
                 content_type="text/html; charset=utf-8")


def weibo_search() -> list[Route]:
    """A day of 13 posts (12 found, 1 an original a repost carries), 3 to a page: the day has 4
    pages, its afternoon 3, its morning and the afternoon's two halves 2 or 1."""
    return [window_route("2026-11-20-0:2026-11-21-0", 1, "w00-24_p1.html"),
            window_route("2026-11-20-0:2026-11-20-12", 1, "w00-12_p1.html"),
            window_route("2026-11-20-0:2026-11-20-12", 2, "w00-12_p2.html"),
            window_route("2026-11-20-12:2026-11-21-0", 1, "w12-24_p1.html"),
            window_route("2026-11-20-12:2026-11-21-0", 2, "w12-24_p2.html"),
            window_route("2026-11-20-12:2026-11-20-18", 1, "w12-18_p1.html"),
            window_route("2026-11-20-12:2026-11-20-18", 2, "w12-18_p2.html"),
            window_route("2026-11-20-18:2026-11-21-0", 1, "w18-24_p1.html")]


def requested(server: ReplayServer, since: int = 0, until: int | None = None) -> list[str]:
    """'<timescope> p<page>' of each search request, in order (robots.txt is asked too)."""
    out = []
    for path in server.requests[since:until]:
        if not path.startswith("/weibo?"):
            continue
        query = dict(part.split("=", 1) for part in path.split("?", 1)[1].split("&"))
        out.append(f"{query['timescope'].removeprefix('custom:')} p{query['page']}")
    return out


def source(url: str, min_window: str) -> dict:
    return {"name": "wb-search", "type": "weibo_search", "base_url": url, "query": KW,
            "since": "2026-11-20", "until": "2026-11-21", "max_pages": 2,
            "min_window": min_window, "delay": 0, "about_operator": True}


@pytest.fixture(scope="module")
def split_runs(tmp_path_factory):
    """The day crawled twice with min_window 1h: each run's health and requests, the config."""
    tmp = tmp_path_factory.mktemp("split")
    with ReplayServer(weibo_search()) as server:
        config = write_config(tmp, sources=[source(server.url, "1h")])
        first = crawl(config)["wb-search"]
        between = len(server.requests)
        second = crawl(config)["wb-search"]
    return first, second, requested(server, 0, between), requested(server, between), config


def test_a_day_over_the_cap_is_read_window_by_window(split_runs):
    first, _, asked, _, _ = split_runs
    assert asked[0] == "2026-11-20-0:2026-11-21-0 p1"           # 4 pages listed: split
    assert sorted(asked[1:]) == sorted([
        "2026-11-20-0:2026-11-20-12 p1", "2026-11-20-0:2026-11-20-12 p2",    # 2 pages: read
        "2026-11-20-12:2026-11-21-0 p1",                                     # 3 pages: split
        "2026-11-20-12:2026-11-20-18 p1", "2026-11-20-12:2026-11-20-18 p2",
        "2026-11-20-18:2026-11-21-0 p1"])
    assert (first["last_status"], first["last_new"], first["last_blind_spots"]) == ("ok", 13, {})


def test_every_post_is_collected_once(split_runs):
    first, _, _, _, config = split_runs
    with open_store(load(config)) as store:
        urls = [p.url for p in store.iter_posts()]
    assert len(urls) == len(set(urls)) == 13 == first["last_items"]
    assert {u.rsplit("/", 1)[1] for u in urls} == {
        "5233300000000001", *(f"52334000000000{n:02d}" for n in (1, 2, 3, 4, 5)),
        *(f"52334000000000{n}" for n in range(11, 18))}


def test_a_second_run_walks_the_windows_again_and_finds_nothing_new(split_runs):
    _, second, _, again, _ = split_runs
    assert (second["last_status"], second["last_new"], second["last_blind_spots"]) == ("ok", 0, {})
    # each window's first page is asked again (the split is decided there); its known posts stop
    # the paging, so no second page is
    assert sorted(again) == sorted(["2026-11-20-0:2026-11-21-0 p1", "2026-11-20-0:2026-11-20-12 p1",
                                    "2026-11-20-12:2026-11-21-0 p1",
                                    "2026-11-20-12:2026-11-20-18 p1",
                                    "2026-11-20-18:2026-11-21-0 p1"])


def test_a_window_still_full_at_min_window_is_a_named_blind_spot(tmp_path):
    with ReplayServer(weibo_search()) as server:
        config = write_config(tmp_path, sources=[source(server.url, "12h")])
        row = crawl(config)["wb-search"]
    assert sorted(requested(server)) == sorted([
        "2026-11-20-0:2026-11-21-0 p1", "2026-11-20-0:2026-11-20-12 p1",
        "2026-11-20-0:2026-11-20-12 p2", "2026-11-20-12:2026-11-21-0 p1",
        "2026-11-20-12:2026-11-21-0 p2"])
    # the afternoon's third page (one post) is what the cap hid
    assert (row["last_new"], row["last_blind_spots"]) == (12, {"page_cap": 1})
    [spot] = summary(StateDB(load(config).state_path), "wb-search", "2000-01-01")
    assert spot["label"] == "翻页上限截断" and spot["example"] == (
        f"{server.url}/weibo?q=%E6%B9%96%E5%8D%97%E7%A7%BB%E5%8A%A8&typeall=1&suball=1"
        "&timescope=custom:2026-11-20-12:2026-11-21-0&page=2 时间窗 2026-11-20 12:00–2026-11-21 "
        "00:00 已是最小窗口（min_window=12h）仍然满页，已到 max_pages=2，之后仍有新帖未采集")
