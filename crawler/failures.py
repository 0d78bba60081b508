"""Why a request failed, named for the source's health (`tousu sources`, the console's 信源 page):
never an empty reason, in Chinese for the failures an operator has to tell apart."""

from __future__ import annotations

from scrapy import Request
from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError,
                               DownloadTimeoutError, IgnoreRequest, ResponseDataLossError)
from twisted.python.failure import Failure

NAMES: dict[type[Exception], str] = {
    # Scrapy raises it without a message: the server closed before the Content-Length it sent
    ResponseDataLossError: "响应不完整：正文短于 Content-Length（连接提前断开）",
    DownloadTimeoutError: "下载超时",
    DownloadConnectionRefusedError: "连接被拒绝",
    CannotResolveHostError: "域名无法解析",
}


def redirect_cycle(request: Request) -> list[str] | None:
    """The URLs a → b → … → a when this redirected request comes back to one it already passed."""
    chain = [*request.meta.get("redirect_urls", []), request.url]
    for i, url in enumerate(chain):
        if url in chain[:i]:
            return chain[chain.index(url): i + 1]
    return None


def redirect_loop(request: Request) -> str | None:
    """'<first URL>: 重定向循环：a → b → a' when the request ran into a loop, else None."""
    cycle = redirect_cycle(request)
    if cycle is None:
        return None
    return f"{request.meta['redirect_urls'][0]}: 重定向循环：{' → '.join(cycle)}"


def describe_failure(failure: Failure) -> str:
    """'<URL>: <reason>' for a request that failed."""
    request = failure.request
    exc = failure.value
    response = getattr(exc, "response", None)
    if response is not None:  # HttpError: say which status, and whether we backed off
        message = f"HTTP {response.status}"
        if response.meta.get("tousu_backoff"):
            message += f" (still refused after {response.meta['tousu_backoff']} back-offs)"
        return f"{request.url}: {message}"
    if isinstance(exc, IgnoreRequest):  # a loop with dont_filter runs into REDIRECT_MAX_TIMES
        loop = redirect_loop(request)
        if loop:
            return loop
    name = next((name for kind, name in NAMES.items() if isinstance(exc, kind)), None)
    return f"{request.url}: {name or failure.getErrorMessage() or type(exc).__name__}"
