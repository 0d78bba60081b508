"""The source tester's limits, on its downloader middleware: http(s) only, a request budget, a
deadline, proxies given as private addresses refused unless allowed; the report counts repeats.
(Whole probes against a local server, redirects and names included, are in test_probe.py.)"""

from __future__ import annotations

import time

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.addresses import Allowance
from crawler.probe_limits import ALLOW_KEY, MAX_REQUESTS, ProbeGuard, ProbeRun, Refused, refusal


def _guard(allow: list[str] = (), seconds: float = 60) -> ProbeGuard:
    run = ProbeRun(deadline=time.time() + seconds, allowance=Allowance(list(allow)))
    return ProbeGuard(get_crawler(settings_dict={"TOUSU_PROBE_RUN": run}))


def test_only_http_and_https_within_the_request_budget():
    guard = _guard()
    with pytest.raises(Refused, match="只能测试 http/https 地址"):
        guard.process_request(Request("ftp://files.example/x"))
    for _ in range(MAX_REQUESTS - 1):
        guard.process_request(Request("https://93.184.215.14/feed.xml"))
    request = Request("https://93.184.215.14/feed.xml")
    guard.process_request(request)
    assert 0 < request.meta["download_timeout"] <= 60
    with pytest.raises(Refused, match=f"测试最多发出 {MAX_REQUESTS} 个请求"):
        guard.process_request(Request("https://93.184.215.14/more"))


def test_nothing_is_requested_after_the_deadline():
    with pytest.raises(Refused, match="测试时间已到"):
        _guard(seconds=1).process_request(Request("https://93.184.215.14/"))


def test_a_private_proxy_is_refused_unless_allowed():
    guard = _guard()
    with pytest.raises(Refused, match="拒绝访问 10.0.0.8:3128") as refused:
        guard.process_request(Request("http://93.184.215.14/feed.xml", meta={"proxy": "http://10.0.0.8:3128"}))
    assert ALLOW_KEY in str(refused.value) and guard.run.refused == {"10.0.0.8": "10.0.0.8"}
    _guard(["10.0.0.8:3128"]).process_request(
        Request("http://93.184.215.14/feed.xml", meta={"proxy": "http://10.0.0.8:3128"}))


def test_refusal_names_host_port_and_address_and_the_report_counts_repeats():
    assert refusal("intranet", None, "192.168.1.5").startswith("拒绝访问 intranet：它指向本机或内网地址 192.168.1.5")
    run = ProbeRun(deadline=0, allowance=Allowance([]), errors=["超时", "超时", "404"])
    report = run.report()
    assert report["errors"] == ["超时（共 2 次）", "404"] and "allowance" not in report
