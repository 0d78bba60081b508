"""Crawl benchmark: pages/s of the html spider against a local forum next to `scrapy bench` run
in the same session, and posts/s of a crawl through the full pipeline (normalise → dedup →
near-dup → analyse → store).

    python -m bench crawl [--quick] [--pipeline]

The local forum is a Twisted web server in its own process (as `scrapy bench` runs its own),
serving Discuz!-style GBK list and thread pages generated from demo/posts.jsonl.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PER_PAGE = 20


# --- the local forum (runs in a child process) --------------------------------------------------

def serve(threads: int) -> None:
    """Serve `threads` thread pages and their list pages on a free port; print the port."""
    from twisted.internet import reactor
    from twisted.web import resource, server

    posts = [json.loads(line) for line in (ROOT / "demo" / "posts.jsonl").open(encoding="utf-8")]
    pages = (threads + PER_PAGE - 1) // PER_PAGE

    def list_page(n: int) -> bytes:
        rows = "".join(
            f'<tbody id="normalthread_{t}"><tr><th class="common"><a href="thread-{t}-1-1.html" '
            f'class="s xst">{posts[t % len(posts)]["title"]}</a></th></tr></tbody>'
            for t in range((n - 1) * PER_PAGE, min(n * PER_PAGE, threads)))
        nxt = f'<a href="forum-2-{n + 1}.html" class="nxt">下一页</a>' if n < pages else ""
        return (f'<html><head><meta charset="gbk"></head><body><table>{rows}</table>'
                f'<div class="pg">{nxt}</div></body></html>').encode("gbk", "xmlcharrefreplace")

    def thread_page(t: int) -> bytes:
        post = posts[t % len(posts)]
        body = "".join(f"<p>{line}</p>" for line in post["content"].splitlines())
        # a distinct tail per thread: the same demo text reused would be a duplicate
        return (f'<html><head><meta charset="gbk"></head><body><h1 id="thread_subject">'
                f'{post["title"]}</h1><div class="authi"><a class="xw1">{post["author"]}</a>'
                f'<em id="authorposton{t}">发表于 <span title="2026-11-20 14:32:05">昨天 14:32'
                f'</span></em></div><table><tr><td class="t_f">{body}<p>（帖子编号 {t}）</p>'
                f'</td></tr></table></body></html>').encode("gbk", "xmlcharrefreplace")

    class Forum(resource.Resource):
        isLeaf = True

        def render_GET(self, request: Any) -> bytes:  # noqa: N802 (twisted's name)
            path = request.path.decode()
            request.setHeader(b"Content-Type", b"text/html; charset=gbk")
            if m := re.fullmatch(r"/forum-2-(\d+)\.html", path):
                return list_page(int(m.group(1)))
            if m := re.fullmatch(r"/thread-(\d+)-1-1\.html", path):
                return thread_page(int(m.group(1)))
            request.setResponseCode(404)
            return b""

    port = reactor.listenTCP(0, server.Site(Forum()), interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    reactor.run()


# --- one crawl (runs in a child process: one Twisted reactor per process) -------------------------

def crawl(url: str, data_dir: str, full: bool) -> None:
    """Crawl the local forum once; print {pages, items, seconds} as JSON."""
    from scrapy.crawler import CrawlerProcess

    from crawler.run import crawl_settings
    from crawler.spiders import SPIDERS
    from tousu.config import parse

    config = parse({
        "data_dir": data_dir, "store": {"path": f"{data_dir}/tousu.db"},
        "nlp": {"keywords_dir": str(ROOT / "keywords"), "model_dir": str(ROOT / "models")},
        "sources": [{"name": "bench", "type": "html", "start_urls": [f"{url}/forum-2-1.html"],
                     "delay": 0, "robots": False, "concurrency": 16, "about_operator": True,
                     "list": {"links": "tbody[id^=normalthread_] a.s.xst::attr(href)",
                              "next": "a.nxt::attr(href)", "max_pages": 1000},
                     "detail": {"title": "#thread_subject::text", "content": "td.t_f",
                                "author": "div.authi a.xw1::text",
                                "published_at": "em[id^=authorposton] span::attr(title)"}}]},
        Path(data_dir) / "config.yaml")
    settings = crawl_settings(config, "WARNING")
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    settings.set("CONCURRENT_REQUESTS", 16, priority="cmdline")
    if not full:  # crawl only: download, parse, extract — what `scrapy bench` measures
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
        settings.set("SPIDER_MIDDLEWARES", {}, priority="cmdline")
        settings.set("EXTENSIONS", {}, priority="cmdline")
    source = config.sources[0]
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SPIDERS["html"].for_source(source))
    process.crawl(crawler, source=source)
    cpu = time.process_time()
    process.start()
    cpu = time.process_time() - cpu
    stats = crawler.stats.get_stats()
    # spider open → close, as `scrapy bench` reports it (imports and start-up excluded)
    print(json.dumps({"pages": stats.get("tousu/pages", 0), "seconds": stats["elapsed_time_seconds"],
                      "cpu": cpu,
                      "items": stats.get("tousu/items", stats.get("item_scraped_count", 0))}))


# --- the item pipelines alone -------------------------------------------------------------------

class _Timed:
    """Awaits `stage.process_item(item)`, adding the time the stage itself runs (not the time it
    waits for its batch) to `spent[stage's class name]`."""

    def __init__(self, stage: Any, item: Any, spent: dict[str, float]):
        self.stage, self.item, self.spent = stage, item, spent
        self.name = type(stage).__name__

    def __await__(self) -> Any:
        began = time.perf_counter()
        result = self.stage.process_item(self.item)
        self.spent[self.name] += time.perf_counter() - began
        if not inspect.isawaitable(result):
            return result
        steps = result.__await__()
        value = None
        while True:
            began = time.perf_counter()
            try:
                yielded = steps.send(value)
            except StopIteration as done:
                self.spent[self.name] += time.perf_counter() - began
                return done.value
            self.spent[self.name] += time.perf_counter() - began
            value = yield yielded


def pipeline(data_dir: str, count: int, in_flight: int = 200) -> dict[str, Any]:
    """Push `count` extracted posts through the configured item pipelines in an asyncio loop,
    `in_flight` at a time as the scraper does (after a warm-up that loads the dictionary, jieba,
    the model and the store); posts/s and CPU time of the pipeline chain alone."""
    import asyncio

    from scrapy.utils.misc import build_from_crawler, load_object
    from scrapy.utils.test import get_crawler

    from crawler import settings as crawl_defaults
    from crawler.items import RawPost
    from tousu.config import parse

    config = parse({"data_dir": data_dir, "store": {"path": f"{data_dir}/tousu.db"},
                    "nlp": {"keywords_dir": str(ROOT / "keywords"), "model_dir": str(ROOT / "models")}}, Path(data_dir) / "c.yaml")
    crawler = get_crawler(settings_dict={"TOUSU_CONFIG": config})
    posts = [json.loads(line) for line in (ROOT / "demo" / "posts.jsonl").open(encoding="utf-8")]

    def raw(i: int) -> RawPost:
        post = posts[i % len(posts)]
        return RawPost(source="bench", url=f"https://bbs.example.com/thread-{i}-1-1.html",
                       title=post["title"], content=f"{post['content']}\n（帖子编号 {i}）",
                       author=post["author"], published_at="昨天 14:32", engagement={"views": "1.2万"})

    async def run() -> dict[str, Any]:
        stages = [build_from_crawler(load_object(path), crawler) if hasattr(load_object(path),
                  "from_crawler") else load_object(path)()
                  for path, _ in sorted(crawl_defaults.ITEM_PIPELINES.items(), key=lambda kv: kv[1])]
        spent = dict.fromkeys((type(stage).__name__ for stage in stages), 0.0)
        slots = asyncio.Semaphore(in_flight)

        async def through(i: int) -> None:
            async with slots:
                item: Any = raw(i)
                for stage in stages:
                    item = await _Timed(stage, item, spent)

        async def feed(start: int, stop: int) -> None:
            await asyncio.gather(*(through(i) for i in range(start, stop)))

        await feed(0, 100)
        spent.update(dict.fromkeys(spent, 0.0))
        wall, cpu = time.perf_counter(), time.process_time()
        await feed(100, 100 + count)
        for stage in stages:
            if hasattr(stage, "close_spider"):
                began = time.perf_counter()
                stage.close_spider()
                spent[type(stage).__name__] += time.perf_counter() - began
        return {"items": count, "seconds": time.perf_counter() - wall,
                "cpu": time.process_time() - cpu,
                "ms_per_post": {k: round(v * 1000 / count, 2) for k, v in spent.items()}}

    return asyncio.run(run())


# --- the runner ----------------------------------------------------------------------------------

def _python(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bench.crawl", *args], cwd=ROOT,
                          capture_output=True, text=True, check=True, **kwargs)


def scrapy_bench(seconds: int) -> float:
    """pages/s of `scrapy bench` (its own local server and link-following spider)."""
    result = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "bench", "-s",
                             f"CLOSESPIDER_TIMEOUT={seconds}", "-s", "LOG_LEVEL=INFO"],
                            cwd=tempfile.gettempdir(), capture_output=True, text=True, check=True)
    out = result.stderr + result.stdout
    pages = int(re.search(r"'response_received_count': (\d+)", out).group(1))
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", out).group(1))
    return pages / elapsed


def _print_pipeline(chain: dict[str, Any]) -> None:
    print(f"full pipeline alone (no network):   {chain['items'] / chain['seconds']:8.1f} posts/s "
          f"({chain['items']} posts in {chain['seconds']:.1f} s wall, {chain['cpu']:.1f} s CPU = "
          f"{chain['items'] / chain['cpu']:.1f} posts per CPU-second; goal ≥ 300)")
    print("  ms per post by stage: " + ", ".join(f"{k} {v}" for k, v in chain["ms_per_post"].items()))


def main(argv: list[str]) -> None:
    """Print crawl-only pages/s next to scrapy bench, and full-pipeline posts/s
    (`--pipeline`: only the pipeline alone)."""
    quick = "--quick" in argv
    threads = 600 if quick else 3000
    print(f"# load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if "--pipeline" in argv:
        with tempfile.TemporaryDirectory() as tmp:
            _print_pipeline(pipeline(tmp, threads))
        return
    server = subprocess.Popen([sys.executable, "-m", "bench.crawl", "--serve", str(threads)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        reference = scrapy_bench(5 if quick else 20)
        with tempfile.TemporaryDirectory() as tmp:
            only = json.loads(_python("--crawl", url, f"{tmp}/a", "crawl").stdout)
            full = json.loads(_python("--crawl", url, f"{tmp}/b", "full").stdout)
            chain = pipeline(f"{tmp}/c", threads)
    finally:
        server.terminate()
        server.wait(10)
    crawl_rate = only["pages"] / only["seconds"]
    print(f"scrapy bench (same session):        {reference:8.1f} pages/s")
    print(f"tousu html spider, crawl only:      {crawl_rate:8.1f} pages/s "
          f"({only['pages']} pages in {only['seconds']:.1f} s, {only['cpu']:.1f} s CPU) = "
          f"{crawl_rate / reference:.0%} of scrapy bench (goal ≥ 70 %)")
    print(f"tousu crawl + full pipeline:        {full['items'] / full['seconds']:8.1f} posts/s "
          f"({full['items']} posts stored in {full['seconds']:.1f} s, {full['cpu']:.1f} s CPU; "
          f"one post per page)")
    _print_pipeline(chain)
    print(f"# load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
    elif sys.argv[1] == "--crawl":
        crawl(sys.argv[2], sys.argv[3], sys.argv[4] == "full")
    else:
        main(sys.argv[1:])
