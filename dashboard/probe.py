"""「测试此信源」: run a source's own spider once, in a child process, and show what it extracted.

The child is `python -m crawler.probe` (see its docstring: the crawl's spider, downloader and
NormalisePipeline, nothing stored, public addresses only). A child process because Scrapy's
Twisted reactor cannot be restarted inside the console. This side gives it the definition as
typed — never env-expanded — and the allow list, waits at most `seconds` (plus a moment to
report) and kills it after that whatever it is doing, so a slow or trickling server cannot hold
the page. The child gets no secrets: its environment is reduced to what Python and proxies need.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROBE_SECONDS = 20.0        # the whole test, from start to answer
REPORT_SECONDS = 3.0        # after the deadline, for the child to print what it has
ROOT = Path(__file__).resolve().parent.parent
# the child's whole environment: locale, temp dir, CA bundles and proxies; no secret survives
CHILD_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SSL_CERT_FILE",
             "SSL_CERT_DIR", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY",
             "NO_PROXY")
WILDCARD_HOSTS = ("", "0.0.0.0", "::")


class ProbeError(Exception):
    """The test could not run or did not finish (Chinese message)."""


@dataclass
class ProbeResult:
    """What one test showed (every text Chinese or as fetched)."""

    fetched: list[dict[str, Any]] = field(default_factory=list)  # url, status, bytes
    links: list[str] = field(default_factory=list)  # requests the first page led to
    next_page: str | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)  # normalised, as a crawl stores
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    followed: int = 0       # requests followed after the first
    unfollowed: int = 0     # requests the spider asked for that the test left out


def allowed_private(config: Any) -> list[str]:
    """dashboard.probe_allow_private, plus the bundled demo forum when it is enabled."""
    allow = list(config.dashboard.probe_allow_private)
    demo = config.demo
    if demo.enabled and demo.port:
        hosts = ("127.0.0.1", "localhost") if demo.host in WILDCARD_HOSTS else (demo.host,)
        allow += [f"[{h}]:{demo.port}" if ":" in h else f"{h}:{demo.port}" for h in hosts]
    return allow


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in CHILD_ENV}
    env["PYTHONPATH"] = str(ROOT)
    return env


def probe(source: Any, allow: list[str], keywords_dir: Path,
          seconds: float = PROBE_SECONDS) -> ProbeResult:
    """Test `source` (a validated, not env-expanded source model) within `seconds`."""
    deadline = time.time() + seconds
    # only what the admin set: the child validates again, and a default sent back as if set
    # can break a rule such as weibo_search's "window or since/until"
    request = {"source": source.model_dump(mode="json", exclude_unset=True), "allow": allow,
               "keywords_dir": str(keywords_dir), "deadline": deadline}
    try:
        child = subprocess.Popen([sys.executable, "-m", "crawler.probe"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 cwd=ROOT, env=_child_env())
    except OSError as exc:
        raise ProbeError(f"无法启动测试进程：{exc}") from None
    try:  # the wait is counted from `deadline`, so a slow start does not extend it
        out, err = child.communicate(json.dumps(request),
                                     timeout=max(deadline + REPORT_SECONDS - time.time(), 0.1))
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise ProbeError(f"测试超过 {seconds:.0f} 秒仍未结束，已中止") from None
    try:
        report = json.loads(out)
    except ValueError:
        last = (err.strip().splitlines() or ["（无输出）"])[-1]
        raise ProbeError(f"测试进程异常退出（代码 {child.returncode}）：{last[:300]}") from None
    if "fatal" in report:
        raise ProbeError(report["fatal"])
    return ProbeResult(**{k: report[k] for k in ProbeResult.__dataclass_fields__ if k in report})
