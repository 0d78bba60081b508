"""End to end in a real headless browser (Debian's chromium via Playwright): log in, triage a post,
open a case, find it under 工单; attack posts show as text; a handler cannot open another city's case;
a locked user is refused and the failure carries the browser's address."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.dashboard.browser import chromium, console, login, require_chromium, settle
from tests.dashboard.conftest import PASSWORD, build_console_data

pytestmark = pytest.mark.browser
ARTIFACTS = Path(tempfile.gettempdir()) / "tousu-browser"
ARTIFACTS.mkdir(exist_ok=True)


@pytest.fixture(scope="module")
def running_console(tmp_path_factory):
    require_chromium()
    config = build_console_data(tmp_path_factory.mktemp("browser"))
    with console(config) as url:
        yield url, config


def test_monitor_triages_opens_case_and_finds_it_under_cases(running_console):
    url, _ = running_console
    dialogs: list[str] = []
    with chromium() as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        login(page, url, "monitor", PASSWORD)
        page.get_by_role("heading", name="监控台").wait_for()
        settle(page)
        # the queue is there, most severe first: the current post's card shows its tier
        page.locator(".tousu-title").first.wait_for()
        assert page.get_by_text("4级 曝光/升级").locator("visible=true").count() > 0
        # open a case for the current post (the first of the queue) and dispatch it
        page.get_by_role("button", name="建单并派单").first.click()
        done = page.get_by_text(re.compile(r"已建工单：TS\d+"))
        done.wait_for()
        case_no = re.search(r"TS\d+", done.inner_text()).group(0)
        # find it under 工单
        page.get_by_role("link", name="工单").click()
        page.get_by_role("heading", name="工单").wait_for()
        # the case's detail (newest first) shows its number and the post it came from
        page.get_by_text(case_no).locator("visible=true").first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "browser-cases.png"))
        assert not dialogs


def test_attack_posts_render_as_text_in_the_browser(running_console):
    url, _ = running_console
    dialogs: list[str] = []
    with chromium() as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        login(page, url, "monitor", PASSWORD)
        page.get_by_role("link", name="检索").click()
        box = page.get_by_label("关键词")
        box.fill("源码")
        box.press("Enter")
        page.get_by_text("<script>alert(1)</script>", exact=False).first.wait_for()
        box.fill("领流量")
        box.press("Enter")
        page.get_by_text("[点这里领流量](http://evil.example/)", exact=False).first.wait_for()
        settle(page)
        assert page.locator('a[href^="http://evil.example"]').count() == 0
        assert page.locator("script:text('alert(1)')").count() == 0
        assert not dialogs


def test_handler_cannot_open_another_citys_case(running_console):
    from accounts import User
    from cases import CaseService
    from tousu.config import load

    url, config_path = running_console
    config = load(config_path)
    monitor = User("monitor", "monitor")
    service = CaseService(config)
    try:  # a 长沙 case, opened by the provincial monitor
        pid = next(p.id for p in service.store.iter_posts() if p.city == "长沙")
        case = service.create_from_post(monitor, pid)
    finally:
        service.close()
    with chromium() as page:
        login(page, url, "hy_handler", PASSWORD)
        page.get_by_label("按工单号或编号打开").fill(str(case.case_id))
        page.get_by_label("按工单号或编号打开").press("Enter")
        page.get_by_text("不存在或不在您的管辖范围内").first.wait_for()
        assert page.get_by_text(case.case_no).count() == 0
        assert page.get_by_text(case.title).count() == 0


def test_login_survives_a_reload_and_logout_ends_it(running_console):
    url, _ = running_console
    with chromium() as page:
        login(page, url, "manager", PASSWORD)
        page.get_by_role("heading", name="趋势").wait_for()
        settle(page)
        cookie = next(c for c in page.context.cookies() if c["name"] == "tousu_session")
        assert cookie["sameSite"] == "Strict" and cookie["expires"] > 0
        assert cookie["value"] not in page.url  # never in the URL
        page.reload()
        page.get_by_role("button", name="退出登录").wait_for()  # still logged in
        page.get_by_role("heading", name="趋势").wait_for()
        page.get_by_role("button", name="退出登录").click()
        page.get_by_role("button", name="登录").wait_for()
        settle(page)
        # the cookie is dropped by a script of the run that follows the click: wait for it
        page.wait_for_function("() => !document.cookie.includes('tousu_session=')", timeout=10_000)
        assert not [c for c in page.context.cookies() if c["name"] == "tousu_session"]
        page.reload()
        page.get_by_role("button", name="登录").wait_for()
        assert page.get_by_role("button", name="退出登录").count() == 0
        # the old token is dead on the server too, even if a browser still sends it
        page.context.add_cookies([cookie])
        page.reload()
        page.get_by_role("button", name="登录").wait_for()
        settle(page)
        assert page.get_by_role("button", name="退出登录").count() == 0


def test_locked_user_is_refused_and_the_address_comes_through_the_proxy(running_console):
    """A reverse proxy on the same host passes the browser's address in X-Forwarded-For; the
    failure is logged with it. `tousu users unlock` lets the user in again."""
    from typer.testing import CliRunner

    from accounts import SYSTEM, AccountService, LoginConfig, LoginRefusedError
    from core.db import StateDB
    from tousu.cli.main import app
    from tousu.config import load

    url, config_path = running_console
    db = StateDB(load(config_path).state_path)
    accounts = AccountService(db, login=LoginConfig(throttle_after=20, lock_after=10))
    for _ in range(10):  # lock `reviewer` (no waits in between: throttle_after > lock_after)
        try:
            accounts.authenticate("reviewer", "wrong-password-1", "10.9.9.9")
        except LoginRefusedError:
            pass
    with chromium(headers={"X-Forwarded-For": "203.0.113.50"}) as page:
        page.goto(url)
        page.get_by_label("用户名").fill("reviewer")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_text("已被暂时锁定").wait_for()
        assert page.get_by_role("button", name="退出登录").count() == 0
    [refused] = accounts.audit_log(SYSTEM, ["login_failed"], limit=1)
    assert (refused["username"], refused["client"], refused["detail"]) == (
        "reviewer", "203.0.113.50", "locked")
    db.close()
    result = CliRunner().invoke(app, ["--config", str(config_path), "users", "unlock", "reviewer"])
    assert result.exit_code == 0 and "已解锁 reviewer" in result.output
    with chromium() as page:
        login(page, url, "reviewer", PASSWORD)


def _case_for(config_path, city: str = "长沙"):
    """A new, dispatched case of `city`, opened by the monitor."""
    from accounts import User
    from cases import CaseService
    from tousu.config import load

    service = CaseService(load(config_path))
    try:
        taken = {c.post_id for c in service.list_cases(User("monitor", "monitor"), limit=1000)}
        pid = next(p.id for p in service.store.iter_posts()
                   if p.city == city and p.id not in taken)
        case = service.create_from_post(User("monitor", "monitor"), pid)
        if case.status == "新建":
            case = service.act(User("monitor", "monitor"), case.case_id, "dispatch")
        return case
    finally:
        service.close()


def _logged_in(page, url: str, username: str) -> None:
    """Log in and wait until the browser holds the session cookie (a new tab or a typed URL
    is a new Streamlit session, which finds the user by it)."""
    login(page, url, username, PASSWORD)
    page.wait_for_function("() => document.cookie.includes('tousu_session=')", timeout=10_000)


def test_every_link_the_product_sends_opens_for_the_roles_allowed(running_console):
    """A notification's cases?case=N opens the case for the handler, whose home page is 工单,
    also when the link is opened before logging in; /scripts opens for the reviewer, whose home
    it is; a page the role may not open says so in Chinese. Never Streamlit's "Page not found"."""
    url, config_path = running_console
    case = _case_for(config_path)
    with chromium() as page:
        _logged_in(page, url, "cs_handler")
        page.goto(f"{url}/cases?case={case.case_id}")
        page.get_by_text(f"{case.case_no} · {case.status}").first.wait_for()
        settle(page)
        assert page.get_by_text("Page not found").count() == 0
        page.goto(f"{url}/triage")  # not a handler's page
        page.get_by_text("无权打开「监控台」").first.wait_for()
        assert page.get_by_text("Page not found").count() == 0
        page.get_by_role("link", name="前往「工单」").click()
        page.get_by_role("heading", name="工单").wait_for()
    with chromium() as page:
        page.goto(f"{url}/cases?case={case.case_id}")  # the link in a notification, logged out
        page.get_by_label("用户名").fill("cs_handler")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_text(f"{case.case_no} · {case.status}").first.wait_for()
        settle(page)
        assert page.get_by_text("Page not found").count() == 0
        assert "/cases" in page.url
    with chromium() as page:
        _logged_in(page, url, "reviewer")
        page.goto(f"{url}/scripts")
        page.get_by_role("heading", name="口径库").wait_for()
        settle(page)
        assert page.get_by_text("Page not found").count() == 0
        page.goto(url)  # the root is the role's home page too
        page.get_by_role("heading", name="口径库").wait_for()


def _choose(page, label: str, option: str) -> None:
    """Pick the option matching `option` in the selectbox labelled `label`."""
    settle(page)
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    wanted = page.get_by_role("option", name=re.compile(option))
    page.wait_for_timeout(500)
    if not wanted.count():  # the click landed while the page was redrawn: open it again
        box.press("ArrowDown")
    wanted.click()
    settle(page)


def test_the_case_picker_shows_the_status_an_action_left(running_console):
    """After 接单 and 线上回复 the picker says 已回复, not the status the case was picked in (it did
    when the case was not the list's first: the picker kept its old option text)."""
    url, config_path = running_console
    case = _case_for(config_path, city="长沙")
    _case_for(config_path, city="长沙")  # newer, so listed first
    with chromium() as page:
        login(page, url, "cs_handler", PASSWORD)
        page.get_by_role("heading", name="工单").wait_for()
        settle(page)
        _choose(page, "查看工单", case.case_no)
        page.get_by_role("heading", name=f"{case.case_no} · 已派单").wait_for()
        for action, text, status in (("接单处理", "", "处理中"),
                                     ("线上回复", "您好，已为您处理", "已回复")):
            _choose(page, "操作", action)
            if text:
                page.get_by_label("说明 / 回复内容（回复时默认带入上方口径）").fill(text)
            page.get_by_role("button", name="执行").click()
            page.get_by_role("heading", name=f"{case.case_no} · {status}").wait_for()
            settle(page)
        shown = page.get_by_role("combobox", name="查看工单").input_value()
        assert f"{case.case_no} · 已回复" in shown, shown


def test_chart_axes_and_multiselects_speak_chinese(running_console):
    """趋势's date axis reads 2026-11-26, not "Nov 26 2026"; an empty multi-select asks in
    Chinese and offers no English "Select all"."""
    url, _ = running_console
    with chromium() as page:
        login(page, url, "manager", PASSWORD)
        page.get_by_role("heading", name="趋势").wait_for()
        volume = page.locator(".js-plotly-plot").first  # 帖子量 over time
        volume.locator(".xtick text").first.wait_for()
        settle(page)
        ticks = volume.locator(".xtick text").all_text_contents()
        assert ticks and all(re.fullmatch(r"[\d\-: ]+", t) for t in ticks), ticks
        page.get_by_role("link", name="检索").click()
        page.get_by_role("heading", name="检索").wait_for()
        settle(page)
        assert page.get_by_text("Choose options").count() == 0
        page.get_by_role("combobox", name="地市").click()
        page.get_by_role("option", name="长沙").wait_for()
        assert page.get_by_role("option", name="Select all").count() == 0


def test_a_click_on_the_map_shows_the_citys_posts(running_console):
    """趋势's map is clickable like the bars: a click on 长沙 points the drill-down at 长沙."""
    url, _ = running_console
    with chromium() as page:
        login(page, url, "manager", PASSWORD)
        page.get_by_role("heading", name="趋势").wait_for()
        chart = page.locator(".js-plotly-plot").filter(has_text="湖南各地市地图")
        first_city = chart.locator(".scatterlayer .trace").last.locator(".point").first  # 长沙
        first_city.wait_for()
        settle(page)
        first_city.click(force=True)  # plotly's drag layer lies over the points and takes the click
        # The drill-down's caption shows only once the click reached the server (during the
        # rerun the page still holds the old picker beside the new one).
        expect(page.get_by_text(re.compile(r"^地市 · 长沙：共 \d+ 条")).first).to_be_visible(
            timeout=30_000)
