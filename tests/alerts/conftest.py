"""Fixtures for warnings: a store with posts on a fixed clock, a local HTTP receiver that can be
switched off and on, and a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import itertools
import json
import socket
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tousu.config import parse
from core.post import CST, Post, iso

NOW = datetime(2026, 11, 20, 10, 0, 0, tzinfo=CST)
_serial = itertools.count(1)


def make_post(minutes_ago: float = 5, *, now: datetime = NOW, city: str | None = "长沙",
              severity: int = 2, influence: float = 0.1, categories: tuple[str, ...] = ("网络覆盖/信号",),
              source: str = "forum", text: str | None = None, title: str = "",
              dup_of: str | None = None) -> Post:
    """An analysed post published `minutes_ago` before `now`, with a unique URL."""
    n = next(_serial)
    published = now - timedelta(minutes=minutes_ago)
    return Post(source=source, url=f"http://forum.test/thread-{n}.html", title=title or f"帖子{n}",
                content=text or f"第{n}号帖子，{city or ''}移动的服务问题编号{n * 7919 % 10007}",
                author=f"网友{n}", published_at=iso(published), crawled_at=iso(published),
                severity=severity, relevant=severity > 0, city=city, categories=list(categories),
                influence=influence, negative=0.5, reasons=["测试"], dup_of=dup_of)


class Receiver:
    """A local HTTP receiver that records JSON bodies; stop() refuses connections, start() resumes
    on the same port."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.reply: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    receiver.bodies.append(json.loads(raw))
                except ValueError:
                    receiver.bodies.append({"raw": raw.decode("utf-8", "replace")})
                receiver.headers.append(dict(self.headers))
                receiver.paths.append(self.path)
                data = json.dumps(receiver.reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self) -> None:
            self.messages: list[tuple[str, list[str], bytes]] = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def make_config(tmp_path: Path, rules: list[dict[str, Any]] | None = None,
                notifiers: list[dict[str, Any]] | None = None, **warnings: Any):
    """A validated config with store and state under tmp_path."""
    data = {"data_dir": str(tmp_path / "data"),
            "store": {"backend": "sqlite", "path": str(tmp_path / "data" / "tousu.db")},
            "dashboard": {"host": "console.test", "port": 8501},
            "warnings": {"rules": rules or [], "notifiers": notifiers if notifiers is not None else
                         [{"name": "log", "type": "file", "path": str(tmp_path / "alerts.jsonl")}],
                         **warnings}}
    return parse(data)


def store_posts(config, posts: list[Post]) -> None:
    from indexer import open_store

    with open_store(config) as store:
        result = store.upsert_many(posts)
        assert not result.failed, result.failed


def log_lines(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "alerts.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
