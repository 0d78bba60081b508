"""A failed request's reason is never empty, and names the failures an operator tells apart."""

import pytest
from scrapy import Request
from scrapy.exceptions import (CannotResolveHostError, DownloadTimeoutError, IgnoreRequest,
                               ResponseDataLossError)
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure

from crawler.failures import describe_failure, redirect_cycle

A, B, C = "http://x.example/a", "http://x.example/b", "http://x.example/c"


def failed(exc, request):
    failure = Failure(exc)
    failure.request = request     # as Scrapy hands it to an errback
    return failure


@pytest.mark.parametrize("exc, reason", [
    (ResponseDataLossError(), "响应不完整：正文短于 Content-Length（连接提前断开）"),
    (DownloadTimeoutError("Getting http://x.example/a took longer than 30.0 seconds."), "下载超时"),
    (CannotResolveHostError("x.example"), "域名无法解析"),
    (ConnectionLost(), "Connection to the other side was lost in a non-clean fashion."),
    (IgnoreRequest(), "IgnoreRequest"),
])
def test_each_failure_has_a_reason(exc, reason):
    assert describe_failure(failed(exc, Request(A))) == f"{A}: {reason}"


@pytest.mark.parametrize("chain, cycle", [
    ([A], None),
    ([A, B, C], None),
    ([A, B, A], [A, B, A]),
    ([C, A, B, A, B], [A, B, A]),
    ([A, A], [A, A]),
])
def test_redirect_cycle(chain, cycle):
    request = Request(chain[-1], meta={"redirect_urls": chain[:-1]} if len(chain) > 1 else {})
    assert redirect_cycle(request) == cycle


def test_loop_that_ran_out_of_redirects_is_named_a_loop():
    # a request with dont_filter (a retry) is not stopped by the duplicate filter: it loops until
    # REDIRECT_MAX_TIMES and fails with "max redirections reached"
    request = Request(B, meta={"redirect_urls": [A, B, A, B, A]}, dont_filter=True)
    message = describe_failure(failed(IgnoreRequest("max redirections reached"), request))
    assert message == f"{A}: 重定向循环：{A} → {B} → {A}"
