"""The demo forum keeps its timeline in a file, so a restarted demo continues it."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest
import yaml
from scrapy.http import HtmlResponse, Request

from demo.site import DemoSite
from tests.conftest import ROOT
from tests.crawler.replay import make_spider


class Clock:
    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


def timeline(site: DemoSite) -> list[tuple[int, int]]:
    return [(post["tid"], ts) for post, ts in site.snapshot()[1]]


def test_a_restart_continues_where_the_timeline_stopped(tmp_path):
    clock, state = Clock(), tmp_path / "data" / "demo-site.json"
    site = DemoSite(port=0, initial=5, release_every=20, clock=clock, state_path=state).start()
    clock.now += 100  # five more posts, released while the site runs
    shown = timeline(site)
    assert len(shown) == 10
    site.stop()
    clock.now += 8 * 3600  # stopped overnight

    again = DemoSite(port=0, initial=5, release_every=20, clock=clock, state_path=state).start()
    try:
        assert timeline(again) == shown  # the same posts at the same times, nothing caught up
        clock.now += 20
        newest_tid, newest_ts = timeline(again)[0]
        assert len(timeline(again)) == 11 and newest_ts == int(clock.now)
        with urllib.request.urlopen(f"{again.url}/forum-2-1.html") as page:
            assert f"thread-{newest_tid}-1-1.html" in page.read().decode("gbk")
    finally:
        again.stop()


def test_without_a_state_file_each_start_begins_at_the_initial_posts(tmp_path):
    clock = Clock()
    site = DemoSite(port=0, initial=5, release_every=20, clock=clock).start()
    site.release(3)
    site.stop()
    again = DemoSite(port=0, initial=5, release_every=20, clock=clock).start()
    assert again.visible_count == 5
    again.stop()


@pytest.mark.parametrize("text", ["", "{not json", '{"anchor": 1}',
                                  '{"anchor": 1, "published": []}'])
def test_an_unreadable_state_file_starts_the_timeline_over(tmp_path, text):
    state = tmp_path / "demo-site.json"
    state.write_text(text, encoding="utf-8")
    site = DemoSite(port=0, initial=5, release_every=0, clock=Clock(), state_path=state).start()
    assert site.visible_count == 5
    site.release(2)
    site.stop()
    assert len(json.loads(state.read_text(encoding="utf-8"))["published"]) == 7


def test_a_repost_quotes_its_original_and_the_shipped_source_reads_it_as_reply_to():
    """Demo threads that repost another (posts.jsonl `quote`) carry Discuz!'s 引用 block linking
    the original; the shipped demo-forum source turns it into reply_to, the spread's edge."""
    posts = {p["tid"]: p for p in DemoSite(port=0).posts}
    reposts = {tid: p["quote"] for tid, p in posts.items() if p.get("quote")}
    assert reposts and all(posts[q]["tid"] < tid for tid, q in reposts.items())
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    spider = make_spider(next(s for s in shipped["sources"] if s["name"] == "demo-forum"))
    with DemoSite(port=0, initial=len(posts), release_every=0) as site:
        for tid in (min(reposts), max(posts)):
            url = f"{site.url}/thread-{tid}-1-1.html"
            with urllib.request.urlopen(url) as page:
                body = page.read()
            [post] = spider.parse_detail(HtmlResponse(url, body=body, encoding="gbk",
                                                      request=Request(url)))
            if tid in reposts:
                assert post.reply_to == f"{site.url}/thread-{reposts[tid]}-1-1.html"
                assert posts[reposts[tid]]["author"] in post.content  # 「某人 发表于 …」
            else:
                assert post.reply_to is None


def test_the_forum_run_alone_serves_until_ctrl_c_then_frees_its_port():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "demo.site", "--port", str(port)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert f"127.0.0.1:{port}/forum-2-1.html" in process.stdout.readline()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/forum-2-1.html", timeout=5).close()
        process.send_signal(signal.SIGINT)
        assert process.wait(20) == 0
    finally:
        process.kill()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
