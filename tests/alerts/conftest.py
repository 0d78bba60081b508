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

from accounts.models import User
from core.db import StateDB
from core.post import CST, Post, iso
from indexer import open_store
from tousu.config import parse

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


MANAGER = User(username="mgr", role="manager", display_name="王经理")
ADMIN = User(username="adm", role="admin")
MONITOR = User(username="mon", role="monitor")
POST_RULE = [{"name": "post", "type": "post"}]


def review_config(tmp_path, receiver, **warnings):
    """Branch and province channels for warnings, one channel per reviewer role (review requests
    only); 一级 and 二级 held for review, 三级 published at once."""
    def hook(name: str, **routing) -> dict:
        return {"name": name, "type": "webhook", "url": f"{receiver.url}?to={name}", **routing}

    options = {"review": {1: "hold", 2: "hold", 3: "publish"}, "review_timeout": "30m",
               "reviewers": [{"role": "manager", "notifiers": ["managers"]},
                             {"role": "admin", "notifiers": ["admins"]}], **warnings}
    return make_config(tmp_path, rules=POST_RULE, notifiers=[
        hook("branch", kinds=["new", "escalated", "resolved"]), hook("province"),
        hook("managers", kinds=["review"]), hook("admins", kinds=["review"])], **options)


def received(receiver, to: str) -> list[dict]:
    return [body for body, path in zip(receiver.bodies, receiver.paths) if path.endswith(f"to={to}")]


def one_level1_warning(config) -> None:
    store_posts(config, [make_post(3, severity=4, influence=0.9, city="衡阳", title="集体投诉要曝光")])


BURST = {"name": "burst", "type": "volume", "group_by": ["city"], "window": "hour",
         "reference_days": 7, "coefficient": 3, "protection": 4, "severity_min": 1,
         "realert": "1h", "realert_backoff": 2, "realert_max": "3h"}


def burst_forever(config, hours: int) -> None:
    """A quiet week (a post every 3 hours), then six posts an hour in 株洲 for `hours` hours."""
    store_posts(config, [make_post(180 * i, city="株洲") for i in range(1, 56)] + [make_post(60 * h + 10 * i, now=NOW + timedelta(hours=hours), city="株洲")
                         for h in range(hours + 1) for i in range(6)])


@pytest.fixture
def desk(tmp_path, receiver):
    """Config, state and store with two grumbles from 衡阳 and one from 长沙 (below the post
    rule's levels: only what a test adds raises warnings by itself)."""
    config = review_config(tmp_path, receiver)
    posts = [make_post(20, severity=2, city="衡阳", categories=("宽带/家宽",), title="宽带断了三天"),
             make_post(15, severity=2, city="衡阳", categories=("宽带/家宽",), title="宽带又断"),
             make_post(10, severity=2, city="长沙", title="信号差")]
    store_posts(config, posts)
    state = StateDB(config.state_path)
    with open_store(config) as store:
        yield config, state, store, [p.id for p in posts]
    state.close()


# One notice as every channel gets it (alerts.messages.payload's shape).
MESSAGE = {
    "message_id": "7:new:1:hook", "kind": "new", "alert_id": 7, "key": "post:abc", "rule": "post",
    "level": 1, "level_name": "一级", "title": "【一级预警·红色】衡阳 曝光/升级：乱扣费要找媒体曝光",
    "body": "来源：forum\n依据：媒体；曝光", "city": "衡阳", "categories": ["资费计费/乱扣费"],
    "post_ids": ["abc"], "console": "http://console.test:8501/warnings?alert=7",
    "posts": [{"id": "abc", "title": "乱扣费要找媒体曝光", "url": "http://forum.test/t-1.html",
               "city": "衡阳", "severity": 4, "source": "forum", "excerpt": "……",
               "published_at": "2026-11-20T09:00:00+08:00"}],
    "created_at": "2026-11-20T10:00:00+08:00",
}
