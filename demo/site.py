"""A local Discuz! X3-style forum that serves demo/posts.jsonl (and the scripted outage of
demo/outage.jsonl, whose reposts quote their originals), so the monitor works offline.

Stdlib only. Pages are GBK-encoded like many real Chinese forums; characters outside GBK
(emoji) are sent as numeric character references.

Given a `state_path`, the site keeps its timeline there (the publication time of every post
shown so far) and a restart continues it: the posts shown stay, with their times, and the next
unreleased post follows `release_every` seconds later. The time the site was stopped is not
caught up, so a demo stopped overnight still has new posts to show the next morning.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import random
import re
import sys
import threading
import time
import zlib
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlsplit

log = logging.getLogger("tousu.demo")
DEFAULT_POSTS = Path(__file__).with_name("posts.jsonl")
# A scripted 衡阳 broadband outage with reposts, written for the demo's spike, volume and event
# warnings (为何预警, the spread graph). Kept out of posts.jsonl: that file is the grader's external
# evaluation set, written independently of the grader (docs/nlp.md).
DEFAULT_OUTAGE = Path(__file__).with_name("outage.jsonl")
SHANGHAI = timezone(timedelta(hours=8))
PER_PAGE = 20
FORUM_ID = 2
FORUM_NAME = "通信生活"
SITE_NAME = "湖湘论坛（演示站）"

_LIST_RE = re.compile(r"^/forum-2-(\d+)\.html$")
_THREAD_RE = re.compile(r"^/thread-(\d+)-1-\d+\.html$")

_REPLY_AUTHORS = [
    "路过的小王", "潇湘夜雨", "吃瓜的老表", "米粉要加码", "一只湘猫", "老街坊", "下班就回家",
    "打工人阿强", "不想起床", "橘子洲的风", "辣椒炒肉", "热心网友", "剁椒鱼头", "夜班司机",
]
_REPLY_TEXTS = [
    "同问，蹲一个答案", "顶一下，希望楼主早点解决", "我也遇到过，后来去营业厅才弄好的",
    "楼主可以先打10086问问", "mark一下", "这个情况我们那边也有", "帮顶", "坐等后续",
    "建议楼主把账单截图留好", "我上个月也是这样，后来退了", "前排围观", "楼主说的是哪个营业厅？",
    "习惯就好……", "我家也是晚上卡", "可以试试重启一下光猫", "支持楼主",
]
_FLOOR_NAMES = ["楼主", "沙发", "板凳", "地板"]


def load_posts(path: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Read the demo posts (one JSON object per line) in file order."""
    with open(path or DEFAULT_POSTS, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def demo_timeline(posts_path: str | os.PathLike[str] | None = None,
                  outage_path: str | os.PathLike[str] | None = DEFAULT_OUTAGE) -> list[dict[str, Any]]:
    """The demo forum's posts in release order: those with a past (`hours_ago` > 0), then the
    outage — the first posts released live, so a running demo sees the spike within minutes —
    then the rest."""
    posts = load_posts(posts_path)
    outage = load_posts(outage_path) if outage_path is not None else []
    past = [p for p in posts if float(p.get("hours_ago", 0)) > 0]
    return past + outage + [p for p in posts if float(p.get("hours_ago", 0)) <= 0]


def discuz_date(ts: float, now: float) -> str:
    """Format a timestamp the way Discuz! shows it, in Asia/Shanghai wall time."""
    delta = now - ts
    if delta < 60:
        return "刚刚"
    if delta < 3600:
        return f"{int(delta // 60)} 分钟前"
    pub = datetime.fromtimestamp(ts, SHANGHAI)
    days = (datetime.fromtimestamp(now, SHANGHAI).date() - pub.date()).days
    if days == 0:
        return f"{int(delta // 3600)} 小时前"
    if days == 1:
        return f"昨天 {pub:%H:%M}"
    if days == 2:
        return f"前天 {pub:%H:%M}"
    return f"{pub.year}-{pub.month}-{pub.day} {pub:%H:%M}"


def full_date(ts: float) -> str:
    """Absolute Asia/Shanghai time as YYYY-MM-DD HH:MM:SS (the span's title attribute)."""
    return datetime.fromtimestamp(ts, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def uid_of(author: str) -> int:
    """Stable fake member uid for an author name."""
    return 10000 + zlib.crc32(author.encode("utf-8")) % 90000


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


class DemoSite:
    """The demo forum: initial posts visible at start, the rest released over time."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8600,
        posts_path: str | os.PathLike[str] | None = None,
        initial: int = 160,
        release_every: float = 20.0,
        clock: Callable[[], float] = time.time,
        state_path: str | os.PathLike[str] | None = None,
        outage_path: str | os.PathLike[str] | None = DEFAULT_OUTAGE,
    ) -> None:
        self.host = host
        self.port = port
        self.posts = demo_timeline(posts_path, outage_path)
        self.initial = max(0, min(initial, len(self.posts)))
        self.release_every = release_every
        self._clock = clock
        self.state_path = Path(state_path) if state_path is not None else None
        self._anchor = 0
        self._lock = threading.Lock()
        self._published: dict[int, int] = {}  # tid -> published unix time
        self._next = 0  # index of the next unreleased post
        self._next_auto: float | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> "DemoSite":
        """Bind, publish the initial posts (and those of the saved timeline) and serve in a
        daemon thread."""
        if self._server is not None:
            return self
        now = self._clock()
        anchor, saved = self._load_state()
        # Anchor on the hour so that, without a saved timeline, a restart within the same hour
        # yields identical timestamps.
        self._anchor = int(now // 3600 * 3600) if anchor is None else anchor
        with self._lock:
            self._published = {
                p["tid"]: int(self._anchor - float(p.get("hours_ago", 0)) * 3600)
                for p in self.posts[: self.initial]
            }
            self._published.update(saved)
            self._next = max((i + 1 for i, p in enumerate(self.posts)
                              if p["tid"] in self._published), default=0)
            self._next_auto = now + self.release_every if self.release_every > 0 else None
            self._save_state()
        server = ThreadingHTTPServer((self.host, self.port), _Handler)
        server.daemon_threads = True
        server.site = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="tousu-demo-site", daemon=True)
        self._thread.start()
        return self

    def serve_until_interrupted(self, announce: Callable[["DemoSite"], object]) -> None:
        """Start, `announce` the started site, serve until Ctrl-C or a stop signal turned into
        KeyboardInterrupt; stop however that ends."""
        try:
            announce(self.start())
            while True:
                # Short sleeps: a stop signal the kernel hands to the server's thread does not
                # wake the main thread, whose handler runs only when its sleep ends.
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "DemoSite":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of the running site, e.g. http://127.0.0.1:8600."""
        port = self._server.server_address[1] if self._server is not None else self.port
        return f"http://{self.host}:{port}"

    # publication

    def release(self, n: int = 1) -> None:
        """Make the next n unreleased posts visible now."""
        now = int(self._clock())
        with self._lock:
            self._tick(now)
            released = sum(1 for _ in range(n) if self._publish_next(now))
            if released:
                self._save_state()

    @property
    def visible_count(self) -> int:
        """Number of posts currently visible."""
        with self._lock:
            self._tick(self._clock())
            return len(self._published)

    def _publish_next(self, ts: float) -> bool:
        if self._next >= len(self.posts):
            return False
        self._published[self.posts[self._next]["tid"]] = int(ts)
        self._next += 1
        return True

    def _tick(self, now: float) -> None:
        # Lazy catch-up: each auto release gets its scheduled time, even if nobody asked meanwhile.
        released = False
        while self._next_auto is not None and self._next_auto <= now:
            if not self._publish_next(self._next_auto):
                self._next_auto = None
                break
            released = True
            self._next_auto += self.release_every
        if released:
            self._save_state()

    def _load_state(self) -> tuple[int | None, dict[int, int]]:
        """The saved anchor and publication times of known posts; (None, {}) without a file."""
        if self.state_path is None or not self.state_path.exists():
            return None, {}
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            known = {p["tid"] for p in self.posts}
            saved = {int(tid): int(ts) for tid, ts in data["published"].items()}
            return int(data["anchor"]), {tid: ts for tid, ts in saved.items() if tid in known}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("demo: %s unreadable (%s); the timeline starts over", self.state_path, exc)
            return None, {}

    def _save_state(self) -> None:
        """Write the timeline (called under the lock); a failed write only costs continuity."""
        if self.state_path is None:
            return
        data = {"anchor": self._anchor,
                "published": {str(tid): ts for tid, ts in self._published.items()}}
        tmp = self.state_path.with_name(self.state_path.name + ".tmp")
        try:
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.state_path)
        except OSError as exc:
            log.warning("demo: cannot save the timeline to %s: %s", self.state_path, exc)

    def snapshot(self) -> tuple[float, list[tuple[dict[str, Any], int]]]:
        """Current time and visible (post, published) pairs, newest first."""
        now = self._clock()
        with self._lock:
            self._tick(now)
            pub = dict(self._published)
        visible = [(p, pub[p["tid"]]) for p in self.posts if p["tid"] in pub]
        visible.sort(key=lambda pp: (pp[1], pp[0]["tid"]), reverse=True)
        return now, visible

    # rendering

    def render_list(self, page: int) -> str:
        """Thread list page `forum-2-{page}.html`, newest first."""
        now, visible = self.snapshot()
        chunk = visible[(page - 1) * PER_PAGE : page * PER_PAGE]
        rows = []
        for p, ts in chunk:
            tid, href = p["tid"], f"thread-{p['tid']}-1-1.html"
            last_author, last_ts = _replies(p, ts, now)[-1][:2] if p.get("replies") else (p["author"], ts)
            rows.append(
                f'<tbody id="normalthread_{tid}"><tr>'
                f'<td class="icn"><a href="{href}" title="新窗口打开" target="_blank">'
                f'<img src="static/image/common/folder_common.gif" /></a></td>'
                f'<th class="common"><a href="{href}" class="s xst">{_e(p["title"])}</a></th>'
                f'<td class="by"><cite><a href="space-uid-{uid_of(p["author"])}.html" c="1">{_e(p["author"])}</a></cite>'
                f"<em><span>{_e(discuz_date(ts, now))}</span></em></td>"
                f'<td class="num"><a href="{href}" class="xi2">{int(p.get("replies", 0))}</a>'
                f'<em>{int(p.get("views", 0))}</em></td>'
                f'<td class="by"><cite><a href="space-username-{quote(last_author)}.html" c="1">{_e(last_author)}</a></cite>'
                f'<em><a href="forum.php?mod=redirect&amp;tid={tid}&amp;goto=lastpost#lastpost">'
                f"{_e(discuz_date(last_ts, now))}</a></em></td>"
                "</tr></tbody>"
            )
        last_page = max(1, -(-len(visible) // PER_PAGE))
        pager = []
        if page > 1:
            pager.append(f'<a href="forum-2-{page - 1}.html" class="prev">上一页</a>')
        pager.append(f"<strong>{page}</strong>")
        if page < last_page:
            pager.append(f'<a href="forum-2-{page + 1}.html" class="nxt">下一页</a>')
        body = (
            f'<div id="pt" class="bm cl"><div class="z"><a href="./" class="nvhm">{SITE_NAME}</a> <em>&rsaquo;</em> '
            f'<a href="forum-2-1.html">{FORUM_NAME}</a></div></div>'
            f'<div id="ct" class="wp cl"><div class="mn">'
            f'<div class="bm bml pbn"><div class="bm_h cl"><h1 class="xs2"><a href="forum-2-1.html">{FORUM_NAME}</a> '
            f'<span class="xs1 xw0 i">今日: <strong class="xi1">{_today_count(visible, now)}</strong>'
            f'<span class="pipe">|</span>主题: <strong class="xi1">{len(visible)}</strong></span></h1></div></div>'
            f'<div id="threadlist" class="tl bm bmw"><div class="bm_c"><form method="post" name="moderate" id="moderate">'
            f'<table summary="forum_{FORUM_ID}" cellspacing="0" cellpadding="0" id="threadlisttableid">'
            '<tbody><tr class="th"><td colspan="2">主题</td><td class="by">作者</td>'
            '<td class="num">回复/查看</td><td class="by">最后发表</td></tr></tbody>'
            '<tbody id="separatorline" class="emptb"><tr class="ts"><td></td><th>版块主题</th>'
            '<td></td><td></td><td></td></tr></tbody>'
            + "".join(rows)
            + "</table></form></div></div>"
            f'<div id="pgt" class="bm bw0 pgs cl"><div class="pg">{"".join(pager)}</div></div>'
            "</div></div>"
        )
        title = FORUM_NAME if page == 1 else f"{FORUM_NAME} - 第{page}页"
        return _page(title, "pg_forumdisplay", body)

    def render_thread(self, tid: int) -> str | None:
        """Thread page `thread-{tid}-1-1.html`; None when unknown or not yet released."""
        now, visible = self.snapshot()
        found = next(((p, ts) for p, ts in visible if p["tid"] == tid), None)
        if found is None:
            return None
        p, ts = found
        floors = [(p["author"], ts, p["content"], p["city"])] + _replies(p, ts, now)
        quoted = next(((q, qts) for q, qts in visible if q["tid"] == p.get("quote")), None)
        posts_html = "".join(
            _floor(tid * 10 + i, i, author, pts, text, city, now, quoted if i == 0 else None)
            for i, (author, pts, text, city) in enumerate(floors)
        )
        body = (
            f'<div id="pt" class="bm cl"><div class="z"><a href="./" class="nvhm">{SITE_NAME}</a> <em>&rsaquo;</em> '
            f'<a href="forum-2-1.html">{FORUM_NAME}</a> <em>&rsaquo;</em> '
            f'<a href="thread-{tid}-1-1.html">{_e(p["title"])}</a></div></div>'
            f'<div id="ct" class="wp cl"><div id="postlist" class="pl bm">'
            '<table cellspacing="0" cellpadding="0"><tr><td class="pls ptn pbn">'
            f'<div class="hm ptn"><span class="xg1">查看:</span> <span class="xi1">{int(p.get("views", 0))}</span>'
            f'<span class="pipe">|</span><span class="xg1">回复:</span> <span class="xi1">{int(p.get("replies", 0))}</span></div>'
            '</td><td class="plc ptm pbn vwthd"><h1 class="ts">'
            f'<a href="forum-2-1.html">[{FORUM_NAME}]</a> <span id="thread_subject">{_e(p["title"])}</span></h1>'
            "</td></tr></table>"
            f"{posts_html}</div></div>"
        )
        return _page(f"{p['title']} - {FORUM_NAME}", "pg_viewthread", body)


def _replies(p: dict[str, Any], ts: int, now: float) -> list[tuple[str, int, str, str]]:
    """1-3 short, deterministic reply floors (author, time, text, city) for a thread."""
    rng = random.Random(p["tid"])
    count = max(1, min(int(p.get("replies", 1)), rng.randint(1, 3)))
    authors = [a for a in _REPLY_AUTHORS if a != p["author"]]
    out, t = [], ts
    for _ in range(count):
        t = min(int(now), t + rng.randint(3, 240) * 60)
        out.append((rng.choice(authors), t, rng.choice(_REPLY_TEXTS), rng.choice(["长沙", p["city"], p["city"]])))
    return out


def _quote(quoted: tuple[dict[str, Any], int]) -> str:
    """Discuz!'s 引用 block for a thread that reposts another (posts.jsonl `quote`: its tid). A
    real board links the quoted post through forum.php?mod=redirect; the demo links its thread."""
    q, ts = quoted
    return (f'<div class="quote"><blockquote><font size="2"><a href="thread-{q["tid"]}-1-1.html" '
            f'target="_blank"><font color="#999999">{_e(q["author"])} 发表于 {full_date(ts)[:16]}'
            f'</font></a></font><br />{_e(q["content"][:60])}</blockquote></div><br />\n')


def _floor(pid: int, n: int, author: str, ts: int, text: str, city: str, now: float,
           quoted: tuple[dict[str, Any], int] | None = None) -> str:
    message = (_quote(quoted) if quoted else "") + "<br />\n".join(_e(line) for line in text.split("\n"))
    label = _FLOOR_NAMES[n] if n < len(_FLOOR_NAMES) else f"{n + 1}<sup>#</sup>"
    return (
        f'<div id="post_{pid}"><table id="pid{pid}" class="plhin" summary="pid{pid}" cellspacing="0" cellpadding="0"><tr>'
        f'<td class="pls" rowspan="2"><div class="pi"><div class="authi">'
        f'<a href="space-uid-{uid_of(author)}.html" target="_blank" class="xw1">{_e(author)}</a></div></div></td>'
        f'<td class="plc"><div class="pi"><strong><a href="forum.php?mod=redirect&amp;goto=findpost&amp;pid={pid}" '
        f'id="postnum{pid}">{label}</a></strong><div class="pti"><div class="authi">'
        f'<em id="authorposton{pid}">发表于 <span title="{full_date(ts)}">{_e(discuz_date(ts, now))}</span></em> '
        f'<span class="xg1 iploc">IP属地：湖南{_e(city)}</span></div></div></div>'
        f'<div class="pct"><div class="pcb"><div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr>'
        f'<td class="t_f" id="postmessage_{pid}">\n{message}</td></tr></table></div></div></div>'
        "</td></tr></table></div>"
    )


def _today_count(visible: list[tuple[dict[str, Any], int]], now: float) -> int:
    today = datetime.fromtimestamp(now, SHANGHAI).date()
    return sum(1 for _, ts in visible if datetime.fromtimestamp(ts, SHANGHAI).date() == today)


def _page(title: str, body_class: str, body: str) -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n<meta charset="gbk" />\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=gbk" />\n'
        f"<title>{_e(title)} - {SITE_NAME} - Powered by Discuz!</title>\n"
        '<meta name="generator" content="Discuz! X3.4" />\n</head>\n'
        f'<body id="nv_forum" class="{body_class}">\n'
        f'<div id="hd"><div class="wp"><div class="hdc cl"><h2><a href="./" title="{SITE_NAME}">{SITE_NAME}</a></h2></div></div></div>\n'
        f'<div id="wp" class="wp">\n{body}\n</div>\n'
        '<div id="ft" class="wp cl"><p class="xs0">Powered by <strong>Discuz!</strong> X3.4 · Tousu Radar demo</p></div>\n'
        "</body>\n</html>\n"
    )


_NOT_FOUND = _page(
    "提示信息",
    "pg_404",
    '<div id="ct" class="wp cm cl"><div class="alert_error"><p>抱歉，指定的主题不存在或已被删除或正在被审核</p></div></div>',
)


class _Handler(BaseHTTPRequestHandler):
    server_version = "TousuDemo/1.0"

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        site: DemoSite = self.server.site  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        if path in ("/", "/index.php", "/forum.php"):
            self.send_response(302)
            self.send_header("Location", "/forum-2-1.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/robots.txt":
            self._send(200, "User-agent: *\nAllow: /\n", "text/plain; charset=utf-8", "utf-8", head)
            return
        page: str | None = None
        if m := _LIST_RE.match(path):
            if int(m.group(1)) >= 1:
                page = site.render_list(int(m.group(1)))
        elif m := _THREAD_RE.match(path):
            page = site.render_thread(int(m.group(1)))
        if page is None:
            self._send(404, _NOT_FOUND, "text/html; charset=gbk", "gbk", head)
        else:
            self._send(200, page, "text/html; charset=gbk", "gbk", head)

    def _send(self, status: int, text: str, ctype: str, encoding: str, head: bool) -> None:
        data = text.encode(encoding, errors="xmlcharrefreplace")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        if os.environ.get("TOUSU_DEMO_VERBOSE") == "1":
            super().log_message(format, *args)


def main(argv: list[str] | None = None) -> int:
    """Run the demo forum in the foreground until Ctrl-C."""
    ap = argparse.ArgumentParser(prog="python -m demo.site", description="Tousu Radar offline demo forum")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8600)
    ap.add_argument("--initial", type=int, default=160)
    ap.add_argument("--release-every", type=float, default=20.0, help="seconds between new posts; <=0 disables")
    ap.add_argument("--posts", default=None, help="posts.jsonl path (default: bundled)")
    args = ap.parse_args(argv)
    site = DemoSite(args.host, args.port, args.posts, args.initial, args.release_every)
    site.serve_until_interrupted(lambda started: print(
        f"Tousu Radar demo forum on {started.url}/forum-2-1.html ({started.visible_count} posts "
        "visible)", flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
