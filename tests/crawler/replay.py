"""Test helpers: saved platform responses as Scrapy responses, a real local HTTP server that
replays them under the platforms' own paths, and `tousu crawl` run against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scrapy.http import HtmlResponse, Request, TextResponse

from tests.conftest import ROOT, sample

TYPES = {".html": "text/html", ".json": "application/json;charset=UTF-8", ".xml": "text/xml"}


def saved_response(site: str, name: str, url: str, *, headers: dict[str, str] | None = None,
                   **meta: Any) -> TextResponse:
    """A saved page from tests/sample_data/<site>/ as the response to `url` (with request meta)."""
    body = sample(site, name).read_bytes()
    cls = HtmlResponse if name.endswith(".html") else TextResponse
    return cls(url=url, body=body, headers=headers or {}, request=Request(url, meta=meta))


@dataclass
class Route:
    """Answer requests for `path` whose query contains `params` with the saved file(s)."""

    path: str
    file: str | None = None             # "<site>/<name>"
    params: dict[str, str] = field(default_factory=dict)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    then: list["Route"] = field(default_factory=list)   # later answers, one per hit, last repeats
    missing: int = 0                    # Content-Length claims this many bytes more than are sent
    hits: int = 0

    def matches(self, path: str, query: dict[str, str]) -> bool:
        return path == self.path and all(query.get(k) == v for k, v in self.params.items())

    def answer(self) -> "Route":
        self.hits += 1
        sequence = [self, *self.then]
        return sequence[min(self.hits, len(sequence)) - 1]


class ReplayServer:
    """A threaded HTTP server on 127.0.0.1 answering from routes; 404 for anything else."""

    def __init__(self, routes: list[Route]):
        self.routes = routes
        self.requests: list[str] = []
        self.times: list[tuple[float, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query, keep_blank_values=True))
                server.requests.append(self.path)
                server.times.append((time.monotonic(), parts.path))
                route = next((r for r in server.routes if r.matches(parts.path, query)), None)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                answer = route.answer()
                body = sample(*answer.file.split("/")).read_bytes() if answer.file else b""
                suffix = "." + (answer.file or ".html").rsplit(".", 1)[-1]
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type or TYPES.get(suffix, "text/html"))
                self.send_header("Content-Length", str(len(body) + answer.missing))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "ReplayServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


HTML = "text/html; charset=utf-8"


def walled_forum() -> list[Route]:
    """A forum behind walls (tests/sample_data/blindspots): three list pages, two readable
    threads, a login redirect, a captcha page, a 418 refusal and a thread robots.txt forbids."""
    return [Route("/forum.html", "blindspots/list1.html", content_type=HTML),
            Route("/forum-2.html", "blindspots/list2.html", content_type=HTML),
            Route("/forum-3.html", "blindspots/list2.html", content_type=HTML),
            Route("/thread/good1.html", "blindspots/good1.html", content_type=HTML),
            Route("/thread/good2.html", "blindspots/good2.html", content_type=HTML),
            Route("/thread/members.html", status=302,
                  headers={"Location": "/member/login?from=/thread/members.html"}),
            Route("/member/login", "blindspots/login.html", content_type=HTML),
            Route("/thread/verify.html", "blindspots/verify.html", content_type=HTML),
            Route("/thread/refused.html", status=418),
            Route("/thread/private.html", "blindspots/good1.html", content_type=HTML),
            Route("/robots.txt", "blindspots/robots.txt", content_type="text/plain")]


def walled_source(name: str, url: str) -> dict[str, Any]:
    """An html source for the walled forum at `url`, its list capped at 2 pages of the 3."""
    return {"name": name, "type": "html", "start_urls": [f"{url}/forum.html"],
            "list": {"links": "a.t::attr(href)", "next": "a.next::attr(href)", "max_pages": 2},
            "detail": {"title": "h1::text", "content": "div.post"}, "delay": 0}


def crawl(config: Any) -> dict[str, dict[str, Any]]:
    """Run `tousu crawl --json` on a config file in a subprocess; each source's health by name."""
    result = subprocess.run([sys.executable, "-m", "tousu.cli", "--config", str(config), "crawl",
                             "--json"], capture_output=True, text=True, cwd=ROOT,
                            env=dict(os.environ), timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ScrapyDeprecationWarning" not in result.stderr, result.stderr[-3000:]
    return {row["source"]: row for row in json.loads(result.stdout)}


def make_spider(source: dict[str, Any], config: Any = None) -> Any:
    """A spider for one source dict (validated like config.yaml), bound to a test crawler."""
    from scrapy.utils.test import get_crawler

    from crawler.spiders import SPIDERS
    from tousu.config import parse

    parsed = parse({"sources": [source]}).sources[0]
    cls = SPIDERS[parsed.type]
    crawler = get_crawler(cls, {"TOUSU_CONFIG": config} if config is not None else {})
    spider = cls.from_crawler(crawler, source=parsed)
    crawler.spider = spider
    return spider
