"""`python -m crawler.probe`: every source type's own spider run against recorded pages served by
a real local HTTP server, nothing stored; private addresses refused unless allowed, also after a
redirect; odd pages give Chinese messages, never a traceback."""

import json
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from tests.crawler.replay import ReplayServer, Route

KW = "湖南移动"
WEIBO_SEARCH = "100103type=1&q=" + KW
FEED = "application/rss+xml"
PUBLIC = "93.184.215.14"  # never contacted: the proxy answers


def routes():
    return [
        Route("/f", "tieba/forum_pn0.html", {"kw": KW, "pn": "0"}),
        Route("/p/9001234561", "tieba/thread_9001234561.html"),
        Route("/p/9001234562", "tieba/thread_9001234562.html"),
        Route("/p/totalComment", "tieba/totalComment_9001234561.json", {"tid": "9001234561"}),
        Route("/api/container/getIndex", "weibo/search_p1.json",
              {"containerid": WEIBO_SEARCH, "page": "1"}),
        Route("/statuses/extend", "weibo/extend_5231234567890123.json", {"id": "5231234567890123"}),
        Route("/comments/hotflow", "weibo/hotflow_5231234567890123.json", {"id": "5231234567890123"}),
        Route("/comments/hotflow", "weibo/hotflow_5231234567890456.json", {"id": "5231234567890456"}),
        Route("/api/index/s", "heimao/search_p1.json", {"keywords": KW, "page": "1"}),
        *(Route("/weibo", f"weibo_search/w{start:02d}-{end:02d}_p1.html",
                {"timescope": f"custom:2026-11-20-{start}:2026-11-{20 + end // 24}-{end % 24}"})
          for start, end in ((0, 24), (0, 12), (12, 24), (12, 18), (18, 24))),
        Route("/forum-12-1.html", "discuz/forum-12-1.html", content_type="text/html"),
        Route("/thread-3456-1-1.html", "discuz/thread-3456-1-1.html", content_type="text/html"),
        Route("/feed.xml", "feed/telecom.xml", content_type=FEED),
        Route("/odd-charset.xml", "feed/telecom.xml", content_type=f"{FEED}; charset=x-no-such"),
        Route("/jump", None, status=302, headers={"Location": "http://localhost:9/secret"}),
    ]


def sources(url):
    """One source of each type (and the odd cases), all on the replay server."""
    common = {"base_url": url, "delay": 0}
    heimao_fields = {"title": "main.title", "content": "main.summary", "url": "main.url"}
    return {
        "tieba": {"name": "tb", "type": "tieba", "forum": KW, **common},
        "weibo": {"name": "wb", "type": "weibo", "query": KW, **common},
        "heimao": {"name": "hm", "type": "heimao", "keyword": KW, **common},
        "weibo_search": {"name": "ws", "type": "weibo_search", "query": KW, "since": "2026-11-20",
                         "until": "2026-11-21", "max_pages": 2, **common},
        "discuz": {"name": "dz", "type": "discuz", "forum_url": f"{url}/forum-12-1.html",
                   "delay": 0},
        "rss": {"name": "feed", "type": "rss", "url": f"{url}/feed.xml", "delay": 0},
        "json": {"name": "api", "type": "json", "delay": 0,
                 "url": f"{url}/api/index/s?keywords={KW}&page_size=10&page={{page}}",
                 "items": "result.data.lists", "fields": heimao_fields, "max_pages": 3},
        "html": {"name": "forum", "type": "html", "start_urls": [f"{url}/forum-12-1.html"],
                 "delay": 0, "list": {"links": "tbody[id^=normalthread_] a.s.xst::attr(href)"},
                 "detail": {"title": "#thread_subject::text", "content": "td.t_f",
                            "views": "span.no-such-thing::text"}},
        "odd-charset": {"name": "odd", "type": "rss", "url": f"{url}/odd-charset.xml", "delay": 0},
        "dict-items": {"name": "dict", "type": "json", "delay": 0,
                       "url": f"{url}/api/index/s?keywords={KW}&page=1",
                       "items": "result.data", "fields": heimao_fields},
        "redirect": {"name": "jump", "type": "rss", "url": f"{url}/jump", "delay": 0,
                     "robots": False},
        # the replay server doubles as an HTTP proxy (it answers "GET http://host/path" by path)
        "proxied": {"name": "px", "type": "rss", "url": f"http://{PUBLIC}/feed.xml", "delay": 0,
                    "robots": False, "proxy": url},
        "proxied-private": {"name": "pp", "type": "rss", "url": "http://10.20.30.40/feed.xml",
                            "delay": 0, "robots": False, "proxy": url},
    }


def start(source, allow, seconds=600):
    request = {"source": source, "allow": allow, "keywords_dir": str(ROOT / "keywords"),
               "deadline": time.time() + seconds}
    process = subprocess.Popen([sys.executable, "-m", "crawler.probe"], cwd=ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdin.write(json.dumps(request))
    process.stdin.close()
    return process


def answer(process):
    out = process.stdout.read()
    err = process.stderr.read()
    assert process.wait(600) == 0, err[-3000:]
    assert "ScrapyDeprecationWarning" not in err, err[-3000:]
    return json.loads(out)


@pytest.fixture(scope="module")
def reports():
    """Each case probed once, all at the same time (each probe is its own process)."""
    with ReplayServer(routes()) as server:
        allow = [f"127.0.0.1:{server.httpd.server_address[1]}"]
        cases = sources(server.url)
        running = {name: start(source, allow) for name, source in cases.items()}
        running["refused"] = start(cases["rss"], [])
        running["proxy-refused"] = start(cases["proxied"], [])
        by_name = {**cases["proxied"], "proxy": server.url.replace("127.0.0.1", "localhost")}
        running["proxy-name-refused"] = start(by_name, [])
        out = {name: answer(process) for name, process in running.items()}
        yield out, server


@pytest.mark.parametrize("kind, title", [
    ("tieba", "长沙移动宽带天天晚上断网，报修三次没人来"),
    ("weibo", None),
    ("heimao", "湖南移动未经同意开通增值业务乱扣费"),
    ("weibo_search", None),
    ("discuz", None),
    ("rss", "湖南移动宽带提速降费新举措"),
    ("json", "湖南移动未经同意开通增值业务乱扣费"),
    ("html", None),
])
def test_every_type_runs_its_spider_and_shows_normalised_posts(reports, kind, title):
    report = reports[0][kind]
    assert report["errors"] == [], report["errors"]
    assert report["fetched"] and all(f["status"] == 200 for f in report["fetched"]
                                     if not f["url"].endswith("/robots.txt"))
    assert report["posts"], report
    assert all(p["title"] or p["content"] for p in report["posts"])
    if title:
        assert title in [p["title"] for p in report["posts"]]
    assert all(p["url"].startswith("http") for p in report["posts"] if p["url"])


def test_only_the_first_requests_are_followed_and_paging_is_shown(reports):
    tieba = reports[0]["tieba"]
    pages = [f["url"] for f in tieba["fetched"] if not f["url"].endswith("/robots.txt")]
    assert len(pages) <= 4 and "/f?kw=" in pages[0]
    assert tieba["next_page"] and tieba["next_page"].endswith("pn=50")  # shown, not fetched
    assert not any("pn=50" in p for p in pages)
    assert any(link.endswith("/p/9001234561") for link in tieba["links"])


def test_a_full_search_window_shows_its_halves_as_the_requests_it_leads_to(reports):
    report = reports[0]["weibo_search"]
    assert [link.split("timescope=")[1] for link in report["links"]] == [
        "custom:2026-11-20-0:2026-11-20-12&page=1", "custom:2026-11-20-12:2026-11-21-0&page=1"]
    assert "同样的问题，我家也断了两天了" in "".join(p["content"] for p in report["posts"])


def test_empty_selector_fields_are_named(reports):
    assert any("views" in w for w in reports[0]["html"]["warnings"])


def test_a_private_address_is_refused_without_the_allowance(reports):
    report, server = reports
    refused = report["refused"]
    assert refused["fetched"] == [] and refused["posts"] == []
    assert any("拒绝访问" in e and "dashboard.probe_allow_private" in e for e in refused["errors"])


def test_a_redirect_to_a_private_address_is_refused(reports):
    report = reports[0]["redirect"]
    assert [f["status"] for f in report["fetched"]] == [302]
    assert any("拒绝访问 localhost:9" in e for e in report["errors"]), report["errors"]


def test_an_unknown_charset_is_read_not_a_crash(reports):
    report = reports[0]["odd-charset"]
    assert report["posts"] and report["posts"][0]["title"] == "湖南移动宽带提速降费新举措"


def test_items_path_giving_a_dict_is_explained_not_a_crash(reports):
    report = reports[0]["dict-items"]
    assert report["posts"] == []
    assert report["errors"] or report["warnings"]


def test_a_proxy_is_checked_like_a_host_and_the_target_behind_it_too(reports):
    report, server = reports
    port = server.httpd.server_address[1]
    assert [p["title"] for p in report["proxied"]["posts"]][0] == "湖南移动宽带提速降费新举措"
    assert any(f"拒绝访问 127.0.0.1:{port}" in e for e in report["proxy-refused"]["errors"])
    assert report["proxy-refused"]["fetched"] == []
    assert any("拒绝访问 localhost" in e for e in report["proxy-name-refused"]["errors"]), \
        report["proxy-name-refused"]
    assert any("拒绝访问 10.20.30.40" in e for e in report["proxied-private"]["errors"])
    assert report["proxied-private"]["fetched"] == []
