"""The source tester's crawl: `python -m crawler.probe` reads one source definition as JSON on
stdin, runs that source's own spider over its first request and a few of the requests it leads
to, and prints what was fetched and extracted as JSON on stdout. Nothing is stored.

Why a process of its own: Twisted's reactor cannot be restarted, so the console (Streamlit, one
long-lived process) cannot run Scrapy itself, and driving the callbacks with pages fetched some
other way would test a different downloader (no robots.txt, encoding detection, redirects or
size limits as a crawl has them). Here the spider class from `crawler.spiders.SPIDERS`, its
callbacks, Scrapy's downloader and the NormalisePipeline are exactly a crawl's; the crawl's
storage (DeltaFetch, the other pipelines, SourceHealth) is left out and retries and back-off are
off, so a test is quick and leaves no trace. What it may reach and how much: crawler/probe_limits.py.
The console kills this process at its deadline whatever happens inside (dashboard/probe.py).

No environment: `${VAR}` in the definition stays literal (the console never expands it) and
cookie_env is not read, so a typed definition cannot send a secret anywhere. Failures come back
as Chinese messages, one per failed request or unreadable page.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError,
                               DownloadConnectionRefusedError, DownloadFailedError,
                               DownloadTimeoutError, IgnoreRequest, ResponseDataLossError,
                               StopDownload, UnsupportedURLSchemeError)
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error
from twisted.python.failure import Failure

from crawler import settings as crawl_settings
from crawler.addresses import Allowance
from crawler.config import Source
from crawler.probe_limits import (PAGE_BYTES, PORTS, TOTAL_BYTES, ProbeRun, Refused, probe_run,
                                  refusal)
from crawler.spiders import SPIDERS

MAX_POSTS = 20
TEXT_CHARS = 500                  # of each text field shown
LIMITS = "crawler.probe_limits"


# -- the spider, and what it yields ------------------------------------------------------------
class _ProbeSpider:
    """Mixed into the source's spider class: failures explained in Chinese; no cookie from the
    environment (cookie_env) — a typed definition could name any variable."""

    def headers(self) -> dict[str, str]:
        return {}

    def on_error(self, failure: Failure) -> None:
        settings = self.crawler.settings  # type: ignore[attr-defined]
        run = probe_run(settings)
        run.errors.append(describe(failure, run, settings.getint("DOWNLOAD_MAXSIZE")))


def spider_class(source: Any) -> type:
    """The source's crawl spider class with the test's own limits."""
    base = SPIDERS[source.type].for_source(source)
    settings = {**base.custom_settings,
                "DOWNLOAD_DELAY": min(source.delay, 1.0),
                "DOWNLOAD_MAXSIZE": min(source.max_page_kb * 1024, PAGE_BYTES)}
    return type(f"{base.__name__}_probe", (_ProbeSpider, base), {"custom_settings": settings})


def describe(failure: Failure, run: ProbeRun, page_bytes: int = PAGE_BYTES) -> str:
    """A failed request in Chinese (`page_bytes`: the size cap of a page)."""
    exc = failure.value
    request = getattr(failure, "request", None)
    url = request.url if request is not None else ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or PORTS.get(parts.scheme)
    if isinstance(exc, Refused):
        return str(exc)
    if isinstance(exc, HttpError):
        return f"{url} 返回 HTTP {exc.response.status}"
    proxy = urlsplit(str(request.meta.get("proxy") or "")).hostname if request is not None else None
    for name in (host, proxy):
        if name and name.lower() in run.refused:
            return refusal(name, port if name == host else None, run.refused[name.lower()])
    if isinstance(exc, IgnoreRequest) and "robots.txt" in str(exc):
        return (f"robots.txt 不允许抓取 {url}（采集同样会跳过；确认可以抓取时，"
                "可在信源中设置 robots: false）")
    if isinstance(exc, (CannotResolveHostError, error.DNSLookupError)):
        return f"域名解析失败：{host}"
    if isinstance(exc, (DownloadConnectionRefusedError, error.ConnectionRefusedError)):
        return f"连接被拒绝：{host}:{port}（服务没有在这个端口上运行？）"
    if isinstance(exc, (DownloadTimeoutError, error.TimeoutError, error.TCPTimedOutError)):
        return f"{url} 超时：在 {request.meta.get('download_timeout', 0):.0f} 秒内没有下载完"
    if isinstance(exc, StopDownload):
        return f"测试共下载超过 {TOTAL_BYTES // 1024 // 1024} MB，{url} 没有下载完"
    if isinstance(exc, DownloadCancelledError):
        limit = request.meta.get("download_maxsize") or page_bytes
        if run.received.get(id(request), 0) > limit or "max size" in str(exc):
            return f"{url} 超过页面大小上限（{limit // 1024} KB），没有读取"
        return f"{url} 的下载被中止（测试时间已到？）"
    if isinstance(exc, UnsupportedURLSchemeError):
        return f"只能测试 http/https 地址：{url}"
    if isinstance(exc, ResponseDataLossError):
        return f"{url} 的内容不完整（连接在声明的长度之前断开）"
    if isinstance(exc, (DownloadFailedError, error.ConnectionLost, error.ConnectionDone)):
        return f"{url} 连接中断：{failure.getErrorMessage()}"
    if "SSL" in type(exc).__name__ or "ssl" in failure.getErrorMessage().lower():
        return f"{url} 的 HTTPS 证书或加密握手失败：{failure.getErrorMessage()}"
    return f"无法访问 {url}（{type(exc).__name__}：{failure.getErrorMessage()}）"


def _post_row(post: Any) -> dict[str, Any]:
    def cut(value: Any) -> Any:
        return value[:TEXT_CHARS] + "…" if isinstance(value, str) and len(value) > TEXT_CHARS \
            else value
    return {"title": cut(post.title), "content": cut(post.content), "author": cut(post.author),
            "published_at": post.published_at, "url": cut(post.url),
            "location": cut(post.location), "engagement": dict(post.engagement)}


def _empty_fields(source: Any, posts: list[dict[str, Any]]) -> list[str]:
    """Configured selector fields that gave no value in any post (html and discuz sources)."""
    spec = getattr(source, "detail", None) or getattr(getattr(source, "list", None), "fields", None)
    if not posts or not isinstance(spec, dict):
        return []
    def value(post: dict[str, Any], key: str) -> Any:
        return post.get(key) if key in post else post["engagement"].get(key)
    return [key for key in spec if not any(value(p, key) for p in posts)]


@dataclass
class ProbeConfig:
    """What a spider reads of the whole config during a test (search terms' dictionary)."""

    keywords_dir: Path


def settings_for(run: ProbeRun, keywords_dir: Path) -> Settings:
    """A crawl's settings, minus storage, retries and back-off, plus the test's guards."""
    settings = Settings()
    settings.setmodule(crawl_settings, priority="project")
    settings.setdict({
        "TOUSU_CONFIG": ProbeConfig(keywords_dir), "TOUSU_PROBE_RUN": run,
        "TWISTED_DNS_RESOLVER": f"{LIMITS}.PublicOnlyResolver",
        "STATS_CLASS": f"{LIMITS}.ProbeStats",
        "DOWNLOAD_HANDLERS": {"file": None, "data": None, "s3": None, "ftp": None},
        "RETRY_ENABLED": False, "AUTOTHROTTLE_ENABLED": False,
        "CLOSESPIDER_TIMEOUT": max(run.remaining(), 1.0),
        "SPIDER_MIDDLEWARES": {"crawler.middlewares.DeltaFetchMiddleware": None,
                               f"{LIMITS}.FollowFirst": 100},
        "DOWNLOADER_MIDDLEWARES": {**crawl_settings.DOWNLOADER_MIDDLEWARES,
                                   "crawler.backoff.BackoffMiddleware": None,
                                   f"{LIMITS}.ProbeGuard": 760},  # after HttpProxyMiddleware
        "ITEM_PIPELINES": {"crawler.pipelines.NormalisePipeline": 100},
        "EXTENSIONS": {"crawler.extensions.SourceHealth": None},
        "LOG_LEVEL": "ERROR",
    }, priority="cmdline")
    return settings


def probe(definition: dict[str, Any], allow: list[str], keywords_dir: Path,
          deadline: float) -> dict[str, Any]:
    """Test one source definition (not env-expanded) until `deadline` (time.time()); the report
    as a JSON-able dict."""
    try:
        source = TypeAdapter(Source).validate_python(definition)
    except ValidationError as exc:
        return {"fatal": f"信源定义有误：{exc.errors()[0]['msg']}"}
    run = ProbeRun(deadline=deadline, allowance=Allowance(allow))
    process = CrawlerProcess(settings_for(run, keywords_dir))
    crawler = process.create_crawler(spider_class(source))

    def scraped(item: Any, response: Any = None, spider: Any = None) -> None:
        if len(run.posts) < MAX_POSTS:
            run.posts.append(_post_row(item))

    def dropped(item: Any, response: Any = None, exception: Any = None, spider: Any = None) -> None:
        why = "没有取到标题或正文（检查路径或选择器）" if "empty post" in str(exception) \
            else str(exception)
        run.warnings.append(f"丢弃了一条帖子（{getattr(item, 'url', '') or '无链接'}）：{why}")

    def failed(failure: Failure, response: Any = None, spider: Any = None) -> None:
        run.errors.append(f"解析 {getattr(response, 'url', '')} 时出错："
                          f"{type(failure.value).__name__}: {failure.getErrorMessage()}")

    def closed(spider: Any = None, reason: str = "") -> None:
        if reason == "closespider_timeout":
            run.warnings.append("测试时间已到，只显示已取到的部分")

    for handler, signal in ((scraped, signals.item_scraped), (dropped, signals.item_dropped),
                            (failed, signals.spider_error), (failed, signals.item_error),
                            (closed, signals.spider_closed)):
        crawler.signals.connect(handler, signal=signal)
    process.crawl(crawler, source=source)
    process.start()
    report = run.report()
    if run.start_skipped:
        report["warnings"].append(f"只测试了第一个起始地址（另有 {run.start_skipped} 个）")
    empty = _empty_fields(crawler.spider.source, run.posts)
    if empty:
        report["warnings"].append("这些字段在取到的帖子中都没有值：" + "、".join(empty))
    return report


def main() -> None:
    """stdin: {"source", "allow", "keywords_dir", "deadline"} → stdout: the report (JSON)."""
    out = sys.stdout
    sys.stdout = sys.stderr  # anything a library prints must not spoil the JSON answer
    try:
        request = json.load(sys.stdin)
        report = probe(request["source"], request.get("allow") or [],
                       Path(request["keywords_dir"]), float(request["deadline"]))
    except Exception as exc:  # the console shows this instead of a traceback
        report = {"fatal": f"测试进程出错：{type(exc).__name__}: {exc}"}
    json.dump(report, out, ensure_ascii=False)
    out.flush()
    os._exit(0)  # the answer is out: skip joining Twisted's threads (a second or more at exit)


if __name__ == "__main__":
    main()
