"""dashboard.probe: the whole test is capped in time however slowly a server answers; private
addresses need the allowance; nothing of the console's environment reaches the test."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from dashboard.probe import REPORT_SECONDS, ProbeError, allowed_private, probe
from tests.conftest import ROOT, write_config

SECRET = "s3cr3t-smtp-password"


class Server:
    """A local HTTP server: `slow` trickles one byte a second forever; anything else answers an
    empty feed and records the request's path and headers."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.seen.append((self.path, dict(self.headers)))
                if self.path.startswith("/slow"):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    while not server.stop.wait(1.0):  # each read arrives well within any
                        self.wfile.write(b" ")        # per-read timeout
                        self.wfile.flush()
                    return
                body = b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>'
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def source(**fields: Any) -> Any:
    from tousu.config import validate

    return validate({"name": "t", "type": "rss", "robots": False, "delay": 0, **fields}, "sources",
                    expand=False)


def test_a_slow_server_cannot_hold_the_test_past_its_cap(server):
    cap = 8.0
    started = time.monotonic()
    try:
        messages = probe(source(url=f"{server.url}/slow"), [f"127.0.0.1:{server.port}"],
                         ROOT / "keywords", seconds=cap).errors
    except ProbeError as exc:  # the child was killed at the cap (a very slow start)
        messages = [str(exc)]
    elapsed = time.monotonic() - started
    assert elapsed < cap + REPORT_SECONDS + 1.0
    assert any("超时" in m or "测试时间已到" in m or "测试超过" in m for m in messages), messages


def test_a_page_over_the_size_cap_is_not_read(server):
    result = probe(source(url=f"{server.url}/slow", max_page_kb=16), [f"127.0.0.1:{server.port}"],
                   ROOT / "keywords")
    assert result.errors == [f"{server.url}/slow 超过页面大小上限（16 KB），没有读取"]


def test_a_private_address_is_refused_and_the_message_names_the_setting(server):
    result = probe(source(url=f"{server.url}/feed"), [], ROOT / "keywords")
    assert result.fetched == [] and server.seen == []
    [message] = result.errors
    assert f"拒绝访问 127.0.0.1:{server.port}" in message
    assert "dashboard.probe_allow_private" in message


def test_env_references_stay_literal_and_no_cookie_is_read(server, monkeypatch):
    monkeypatch.setenv("TOUSU_PROBE_SECRET", SECRET)
    allow = [f"127.0.0.1:{server.port}"]
    probe(source(url=f"{server.url}/feed?key=${{TOUSU_PROBE_SECRET}}"), allow, ROOT / "keywords")
    heimao = source(type="heimao", keyword="x", base_url=server.url,
                    cookie_env="TOUSU_PROBE_SECRET")
    probe(heimao, allow, ROOT / "keywords")
    paths = [path for path, _ in server.seen]
    assert any("$%7BTOUSU_PROBE_SECRET%7D" in p or "${TOUSU_PROBE_SECRET}" in p for p in paths)
    assert all(SECRET not in path and SECRET not in str(headers) for path, headers in server.seen)
    assert not any("Cookie" in headers for _, headers in server.seen)


def test_the_demo_forum_is_allowed_when_the_demo_runs(tmp_path):
    from tousu.config import load

    on = load(write_config(tmp_path, demo={"enabled": True, "port": 8600},
                           dashboard={"probe_allow_private": ["10.1.0.0/16", "intranet:8080"]}))
    assert allowed_private(on) == ["10.1.0.0/16", "intranet:8080", "127.0.0.1:8600"]
    off = load(write_config(tmp_path, demo={"enabled": False}))
    assert allowed_private(off) == []


@pytest.mark.parametrize("entry", ["http://intranet", "10.0.0.0/33", "host:99999", "a b"])
def test_a_bad_allow_entry_is_a_config_error(tmp_path, entry):
    from core.config import ConfigInvalid
    from tousu.config import load

    with pytest.raises(ConfigInvalid, match="probe_allow_private"):
        load(write_config(tmp_path, dashboard={"probe_allow_private": [entry]}))


def test_a_weibo_search_over_a_fixed_range_is_tested_as_validated(server):
    # the child re-validates what it is sent: defaults filled in by the first validation (here
    # window: 1d beside since/until) must not read as the admin having set them
    ranged = source(type="weibo_search", query="湖南移动", base_url=server.url,
                    since="2026-11-20", until="2026-11-21")
    probe(ranged, [f"127.0.0.1:{server.port}"], ROOT / "keywords")
    [(path, _)] = server.seen
    assert "timescope=custom:2026-11-20-0:2026-11-21-0" in path
