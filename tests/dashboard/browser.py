"""Helpers for real-browser tests: the console as a subprocess, Debian's chromium via Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def require_chromium() -> None:
    """Skip (locally) or fail (CI=true) when Debian's chromium is not installed."""
    if CHROMIUM.exists():
        return
    message = (f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium); "
               ".ci/run does this in CI")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def console(config: Path, port: int | None = None) -> Iterator[str]:
    """Run `streamlit run dashboard/app.py` against `config`; yields its URL."""
    port = port or free_port()
    env = dict(os.environ, TOUSU_CONFIG=str(config))
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--client.showErrorDetails", "none", "--client.toolbarMode", "viewer",
           "--server.fileWatcherType", "none"]
    process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("console did not start: "
                                   + (process.stderr.read().decode()[-2000:] if process.stderr else ""))
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def chromium(width: int = 1440, height: int = 1000,
             headers: dict[str, str] | None = None) -> Iterator[object]:
    """A fresh headless chromium page (its own profile directory), sending `headers` too."""
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True,
            args=[a for a in CHROMIUM_ARGS if a != "--headless"],
            viewport={"width": width, "height": height}, locale="zh-CN",
            extra_http_headers=headers)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(20000)
            yield page
        finally:
            context.close()


def login(page, url: str, username: str, password: str) -> None:
    """Log in through the form."""
    page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for()


def settle(page, timeout: float = 20) -> None:
    """Wait until Streamlit finished the current run (no 'running' indicator)."""
    page.wait_for_timeout(300)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not page.locator('[data-testid="stStatusWidget"]').is_visible():
            return
        page.wait_for_timeout(200)
