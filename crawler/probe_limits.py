"""What the source tester (crawler/probe.py) may reach, and how much.

- Only allowed addresses (crawler/addresses.py: public ones, and those the config allows). The
  resolver below is the one every connection of the test resolves through, so the address
  checked is the address connected to: a redirect, robots.txt or a DNS name re-pointed after a
  check gets no further. A proxy is checked the same way; through a proxy the target must also
  resolve here to an allowed address (the proxy resolves it again: best effort).
- http and https only; the first start request and at most FOLLOW requests it leads to (paging
  is shown, not followed); MAX_REQUESTS downloads, each at most PAGE_BYTES, TOTAL_BYTES in all;
  every download ends before the deadline.

ProbeRun holds what the test saw; the resolver, the middlewares and the stats share it through
the crawler's settings (TOUSU_PROBE_RUN).
"""

from __future__ import annotations

import socket
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, AsyncIterator, Iterable, Iterator
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.statscollectors import MemoryStatsCollector
from twisted.internet import defer, error
from twisted.internet.base import ThreadedResolver
from twisted.internet.interfaces import IHostnameResolver, IResolutionReceiver, IResolverSimple
from zope.interface import implementer, provider

from crawler.addresses import Allowance

FOLLOW = 3                        # requests followed after the first one
MAX_REQUESTS = 10                 # downloads in all (robots.txt and redirects included)
PAGE_BYTES = 2 * 1024 * 1024
TOTAL_BYTES = 6 * 1024 * 1024
MAX_LINKS = 50
ALLOW_KEY = "dashboard.probe_allow_private"


@dataclass
class ProbeRun:
    """What one test saw; shared by the resolver, the middlewares and the signal handlers."""

    deadline: float
    allowance: Allowance
    fetched: list[dict[str, Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    next_page: str | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unfollowed: int = 0
    start_skipped: int = 0
    followed: int = 0
    requests: int = 0
    bytes: int = 0
    received: dict[int, int] = field(default_factory=dict)  # id(request) → its bytes so far
    refused: dict[str, str] = field(default_factory=dict)   # host → the address refused

    def remaining(self) -> float:
        """Seconds left for downloads: they end a second before the deadline, to report."""
        return self.deadline - 1.0 - time.time()

    def report(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items()
               if k not in ("deadline", "allowance", "refused", "received", "requests")}
        for key in ("errors", "warnings"):  # the same message for many items: once, counted
            counts = Counter(out[key])
            out[key] = [m if n == 1 else f"{m}（共 {n} 次）" for m, n in counts.items()]
        return out


def probe_run(settings: Any) -> ProbeRun:
    """The ProbeRun of this test."""
    return settings["TOUSU_PROBE_RUN"]


# -- where the test may connect ------------------------------------------------------------------
@provider(IResolutionReceiver)
class _Filter:
    """Passes on the resolved addresses the allowance accepts; remembers the refused ones."""

    def __init__(self, receiver: Any, host: str, port: int, run: ProbeRun):
        self.receiver, self.host, self.port, self.run = receiver, host, port, run

    def resolutionBegan(self, resolution: Any) -> None:  # noqa: N802 (Twisted's interface)
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: Any) -> None:  # noqa: N802
        if self.run.allowance.allows(self.host, self.port, address.host):
            self.receiver.addressResolved(address)
        else:
            self.run.refused[self.host.lower()] = address.host

    def resolutionComplete(self) -> None:  # noqa: N802
        self.receiver.resolutionComplete()


@implementer(IResolverSimple)
class _SimpleFilter:
    """reactor.connectTCP's resolver (proxy connections): the same check, without a port."""

    def __init__(self, resolver: Any, run: ProbeRun):
        self.resolver, self.run = resolver, run

    def getHostByName(self, name: str, timeout: Any = ()) -> defer.Deferred:  # noqa: N802
        def check(address: str) -> str:
            if not self.run.allowance.allows(name, None, address):
                self.run.refused[name.lower()] = address
                raise error.DNSLookupError(f"refused address for {name}")
            return address
        return self.resolver.getHostByName(name, timeout).addCallback(check)


@implementer(IHostnameResolver)
class PublicOnlyResolver:
    """TWISTED_DNS_RESOLVER: every connection of the test resolves here, so the address checked
    is the address connected to (redirects and robots.txt included)."""

    def __init__(self, reactor: Any, run: ProbeRun):
        self.reactor, self.run = reactor, run
        self.original = reactor.nameResolver

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> "PublicOnlyResolver":
        return cls(reactor, probe_run(crawler.settings))

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(_SimpleFilter(ThreadedResolver(self.reactor), self.run))
        self.reactor.installNameResolver(self)

    def resolveHostName(self, resolutionReceiver: Any, hostName: str,  # noqa: N802, N803
                        portNumber: int = 0, addressTypes: Any = None,  # noqa: N803
                        transportSemantics: str = "TCP") -> Any:  # noqa: N803
        return self.original.resolveHostName(
            _Filter(resolutionReceiver, hostName, portNumber, self.run), hostName, portNumber,
            addressTypes, transportSemantics)


class Refused(IgnoreRequest):
    """A request the test does not make; the message is Chinese."""


def _check_here(run: ProbeRun, host: str, port: int) -> None:
    """Resolve `host` now and refuse it unless every address is allowed (proxied requests)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise Refused(f"域名解析失败：{host}（经代理访问时，目标须能在本机解析为公网地址）") from None
    for info in infos:
        address = str(info[4][0])
        if not run.allowance.allows(host, port, address):
            run.refused[host.lower()] = address
            raise Refused(refusal(host, port, address))


def refusal(host: str, port: int | None, address: str) -> str:
    """The message for a refused private address."""
    where = f"{host}:{port}" if port else host
    return (f"拒绝访问 {where}：它指向本机或内网地址 {address}，测试只访问公网地址。"
            f"确需测试内网信源时，请在 config.yaml 的 {ALLOW_KEY} 中加入 \"{where}\"")


class ProbeGuard:
    """Downloader middleware: scheme, time, request and byte limits; proxies checked."""

    def __init__(self, crawler: Crawler):
        self.run = probe_run(crawler.settings)
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProbeGuard":
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            raise Refused(f"只能测试 http/https 地址：{request.url}")
        left = self.run.remaining()
        if left < 0.5:
            raise Refused(f"测试时间已到，未请求 {request.url}")
        self.run.requests += 1
        if self.run.requests > MAX_REQUESTS:
            raise Refused(f"测试最多发出 {MAX_REQUESTS} 个请求，未请求 {request.url}")
        request.meta["download_timeout"] = min(request.meta.get("download_timeout") or left, left)
        proxy = request.meta.get("proxy")
        if proxy:
            proxy_parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
            if not proxy_parts.hostname:
                raise Refused(f"代理地址无效：{proxy}")
            _check_ip_literal(self.run, proxy_parts.hostname, proxy_parts.port or 80)
            _check_here(self.run, parts.hostname or "", parts.port or PORTS[parts.scheme])
        return None

    def process_response(self, request: Request, response: Any, spider: Any = None) -> Any:
        self.run.fetched.append({"url": response.url, "status": response.status,
                                 "bytes": len(response.body)})
        self.run.received.pop(id(request), None)
        return response

    def bytes_received(self, data: bytes, request: Request, spider: Any = None) -> None:
        self.run.bytes += len(data)
        self.run.received[id(request)] = self.run.received.get(id(request), 0) + len(data)
        if self.run.bytes > TOTAL_BYTES:
            raise StopDownload(fail=True)


PORTS = {"http": 80, "https": 443}


def _check_ip_literal(run: ProbeRun, host: str, port: int) -> None:
    """A proxy given as an IP address is connected to without a lookup: check it here."""
    try:
        allowed = run.allowance.allows(host, port, host)
    except ValueError:  # not an address but a name: _SimpleFilter checks it when connecting
        return
    if not allowed:
        run.refused[host] = host
        raise Refused(refusal(host, port, host))


class FollowFirst:
    """Spider middleware: the first start request; then FOLLOW requests; paging only shown."""

    def __init__(self, crawler: Crawler):
        self.run = probe_run(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FollowFirst":
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        first = True
        async for item in start:
            if isinstance(item, Request):
                if not first:
                    self.run.start_skipped += 1
                    continue
                first = False
            yield item

    def process_spider_output(self, response: Any, result: Iterable[Any],
                              spider: Any = None) -> Iterator[Any]:
        first_page = response.meta.get("depth", 0) == 0
        for item in result:
            if not isinstance(item, Request):
                yield item
                continue
            if item.meta.get("tousu_next"):
                self.run.next_page = self.run.next_page or item.url
                continue
            if first_page and len(self.run.links) < MAX_LINKS:
                self.run.links.append(item.url)
            if self.run.followed < FOLLOW:
                self.run.followed += 1
                yield item
            else:
                self.run.unfollowed += 1

    async def process_spider_output_async(self, response: Any, result: Any,
                                          spider: Any = None) -> AsyncIterator[Any]:
        items = [item async for item in result]
        for item in self.process_spider_output(response, items):
            yield item


class ProbeStats(MemoryStatsCollector):
    """Stats that also keep every error a spider records (a crawl keeps only the last one)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.run = probe_run(crawler.settings)

    def set_value(self, key: str, value: Any, spider: Any = None) -> None:
        super().set_value(key, value)
        if key == "tousu/last_error":
            self.run.errors.append(f"页面没有读出帖子：{value}")
