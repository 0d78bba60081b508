"""A newcomer's first hour, scripted in real headless Chromium (#17): the five roles each do their
daily job end to end on one console started over a fresh data folder with the demo posts.

The tests run in order and share one console: the admin adds the 长沙 handler who later closes
the case the monitor opens; the reviewer approves a script submitted through the CLI; the manager
reads 趋势 and generates a report. Every step asserts what the user sees, in Chinese.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import expect

from tests.dashboard.browser import chromium, console, login, require_chromium, settle
from tests.dashboard.conftest import PASSWORD, build_console_data

pytestmark = pytest.mark.browser
ARTIFACTS = Path(tempfile.gettempdir()) / "tousu-browser"
ARTIFACTS.mkdir(exist_ok=True)
STEP = 60_000  # ms: a loaded machine may take a while for one Streamlit run
NEW_HANDLER = "cs_newcomer"
DRAFT_TITLE = "宽带自动续费争议（待审核）"


@dataclass
class Walk:
    url: str
    config: Path
    other_city_case: str
    draft_id: int
    shared: dict = field(default_factory=dict)  # what one role leaves for the next


def cli(config: Path, *args: str) -> str:
    from typer.testing import CliRunner

    from tousu.cli.main import app

    result = CliRunner().invoke(app, ["--config", str(config), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    from accounts import User
    from cases import CaseService
    from core.db import StateDB
    from reply_scripts import ScriptService
    from tousu.config import load

    require_chromium()
    config = build_console_data(tmp_path_factory.mktemp("walk"))
    assert "已载入入门口径" in cli(config, "scripts", "load-starter")
    # a draft a handler wrote and submitted for review (through the CLI, acting as that handler)
    scripts = ScriptService(StateDB(load(config).state_path))
    draft = scripts.create(User("cs_handler", "handler", ("长沙",)), DRAFT_TITLE, ["宽带/家宽", "资费计费/乱扣费"],
                           "用户反映宽带到期被自动续费扣款，要求退费。",
                           "{昵称}您好，已为您核查宽带续费记录，工作人员将联系您处理退费事宜。")
    assert "v1 待审核" in cli(config, "scripts", "submit", str(draft.script_id), "--as", "cs_handler")
    # a 衡阳 case, which the 长沙 handler must not see
    service = CaseService(load(config))
    try:
        pid = next(p.id for p in service.store.iter_posts() if p.city == "衡阳" and p.relevant)
        other = service.create_from_post(User("monitor", "monitor"), pid)
    finally:
        service.close()
    with console(config) as url:
        yield Walk(url, config, other.case_no, draft.script_id)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"walk-{name}.png"), full_page=True)


def open_page(page, title: str) -> None:
    """Click a sidebar menu entry and wait for its page heading."""
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).wait_for(timeout=STEP)
    settle(page, 60)


def choose(page, label: str, option: str | re.Pattern) -> None:
    """Pick `option` in the selectbox labelled `label` (type to filter, click the option)."""
    box = labelled(page, label)
    box.click()
    if box.get_attribute("aria-expanded") != "true":  # a click during a rerun may not open it
        page.keyboard.press("ArrowDown")
    page.get_by_role("option", name=option).first.click()
    settle(page, 60)


def add_to(page, label: str, option: str) -> None:
    """Add `option` to the visible multiselect labelled `label`."""
    box = page.locator('[data-testid="stMultiSelect"]').locator("visible=true").filter(
        has=page.get_by_text(label, exact=True))
    box.first.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    settle(page, 60)


def labelled(page, label: str | re.Pattern):
    """The visible input labelled `label` (other tabs keep theirs in the page, hidden)."""
    exact = isinstance(label, str)
    return page.get_by_label(label, exact=exact).locator("visible=true").first


def visible(page, text: str | re.Pattern):
    return page.get_by_text(text).locator("visible=true").first


def see(page, text: str | re.Pattern):
    """Wait until `text` shows."""
    found = visible(page, text)
    found.wait_for(timeout=STEP)
    return found


@contextlib.contextmanager
def browser_as(walk: Walk, username: str) -> Iterator[object]:
    """A fresh browser logged in as `username`; a failing step leaves a screenshot behind."""
    with chromium(1440, 1100) as page:
        page.set_default_timeout(STEP)
        try:
            login(page, walk.url, username, PASSWORD)
            yield page
        except BaseException:
            shot(page, f"{username}-failed")
            raise


# --- admin ----------------------------------------------------------------------------------------

def test_admin_adds_a_changsha_handler_and_reads_sources_and_rules(walk):
    with browser_as(walk, "admin") as page:
        page.get_by_role("heading", name="监控台").wait_for(timeout=STEP)  # the admin's home
        open_page(page, "用户")
        see(page, "新增用户")
        labelled(page, "用户名").fill(NEW_HANDLER)
        labelled(page, "姓名").fill("新来的长沙处理员")
        choose(page, "角色", "分公司处理员")
        add_to(page, "负责地市（处理员必填）", "长沙")
        labelled(page, re.compile("^初始密码")).fill(PASSWORD)
        page.get_by_role("button", name="添加").click()
        settle(page, 60)
        page.get_by_role("tab", name=re.compile("修改")).click()
        labelled(page, "用户").click()
        page.get_by_role("option", name=NEW_HANDLER, exact=True).wait_for()
        page.keyboard.press("Escape")
        shot(page, "admin-users")

        open_page(page, "信源")
        see(page, "demo-forum")
        open_page(page, "规则")
        see(page, "规则定义（YAML，即 config.yaml 中的原文）")
        assert visible(page, "预警阈值过低会淹没监控员").is_visible()
        shot(page, "admin-rules")
    from accounts import AccountService
    from core.db import StateDB
    from tousu.config import load

    db = StateDB(load(walk.config).state_path)
    try:
        added = AccountService(db).load_user(NEW_HANDLER)
    finally:
        db.close()
    assert (added.role, added.cities) == ("handler", ("长沙",))


# --- monitor --------------------------------------------------------------------------------------

def test_monitor_corrects_a_grade_and_opens_a_changsha_case(walk):
    with browser_as(walk, "monitor") as page:
        page.get_by_role("heading", name="监控台").wait_for(timeout=STEP)
        settle(page, 60)
        see(page, re.compile(r"共 \d+ 条，显示 \d+ 条"))
        assert visible(page, re.compile(r"\d级 ")).is_visible()  # graded posts
        picked = labelled(page, re.compile("^当前帖子"))
        before = picked.input_value()
        assert re.match(r"\[\d级\]", before), before
        card = page.locator("div:has(> .tousu-title)").locator("visible=true").first
        title = card.locator(".tousu-title").inner_text()
        assert title in before  # the card shows the post the selector names
        # correct the current post's grade to 0 (no complaint): it leaves the queue
        choose(page, "等级", re.compile(r"^0级"))
        page.get_by_role("button", name="保存更正").click()
        see(page, "已保存更正")
        settle(page, 60)
        expect(card.locator(".tousu-title")).not_to_have_text(title, timeout=STEP)
        stale = []  # the selector must name the post the card and the buttons act on
        if card.locator(".tousu-title").inner_text() not in picked.input_value():
            stale.append(("after 保存更正", picked.input_value(),
                          card.locator(".tousu-title").inner_text()))

        # open a case from a 长沙 post, dispatched to the 长沙 branch
        add_to(page, "地市", "长沙")
        expect(card).to_contain_text(" · 长沙 · ", timeout=STEP)
        changsha = card.locator(".tousu-title").inner_text()
        if changsha not in picked.input_value():
            stale.append(("after 地市=长沙", picked.input_value(), changsha))
        page.get_by_role("button", name="建单并派单").first.click()
        done = visible(page, re.compile(r"已建工单：TS\d+（已派单）"))
        done.wait_for(timeout=STEP)
        case_no = re.search(r"TS\d+", done.inner_text()).group(0)
        walk.shared["case_no"] = case_no

        open_page(page, "工单")
        box = page.get_by_label("按工单号或编号打开")
        box.fill(case_no)
        box.press("Enter")
        page.get_by_role("heading", name=re.compile(f"{case_no} · 已派单")).wait_for(timeout=STEP)
        visible(page, changsha).wait_for(timeout=STEP)  # the case holds the post it came from
        shot(page, "monitor-case")

        # Checked last so that the handler's steps still run while it fails.
        assert not stale, f"「当前帖子」 names another post than the card below it: {stale}"


# --- handler --------------------------------------------------------------------------------------

def _act(page, case_no: str, action: str, status: str, text: str = "") -> None:
    """Run a case action through the 处置 form (confirming it if the page asks to) and wait
    until the case's heading shows its new status."""
    choose(page, "操作", re.compile(f"^{action} →"))
    if text:
        labelled(page, re.compile("^说明 / 回复内容")).fill(text)
    page.get_by_role("button", name="执行").click()
    settle(page, 60)
    confirm = page.get_by_role("button", name=re.compile(f"^确认{action}"))
    if confirm.count():
        confirm.first.click()
        settle(page, 60)
    page.get_by_role("heading", name=re.compile(f"{case_no} · {status}")).wait_for()


def test_changsha_handler_accepts_replies_with_a_script_and_closes(walk):
    case_no = walk.shared["case_no"]
    with browser_as(walk, NEW_HANDLER) as page:
        page.get_by_role("heading", name="工单").wait_for(timeout=STEP)  # the handler's home
        settle(page, 60)
        see(page, "负责地市：长沙")
        picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="查看工单")
        picker.wait_for(timeout=STEP)
        labelled(page, "查看工单").click()
        options = page.get_by_role("option").all_inner_texts()
        page.keyboard.press("Escape")
        assert any(case_no in o for o in options), options
        assert not any(walk.other_city_case in o for o in options), options  # 衡阳's case
        choose(page, "查看工单", re.compile(case_no))
        page.get_by_role("heading", name=re.compile(f"{case_no} · 已派单")).wait_for(timeout=STEP)
        assert visible(page, "长沙").is_visible()

        _act(page, case_no, "接单处理", "处理中")
        # the suggested approved script, its placeholders filled in by hand where still open
        see(page, "推荐口径（仅已批准版本）")
        reply = page.locator('[data-testid="stCode"]').last.inner_text().strip()
        assert reply
        reply = re.sub(r"\{[^}]+\}", "长沙", reply)
        _act(page, case_no, "线上回复", "已回复", reply)
        see(page, reply[:20])  # the reply is on the case's record
        # 办结 has its own form: what 工单质检 asks (root cause, 处理场景, solved), then a confirmation
        choose(page, "根本原因", re.compile("维护不及时"))
        labelled(page, re.compile("^处理场景")).fill("上门更换入户光猫，复测网速正常")
        page.locator('[data-testid="stRadio"]').filter(has_text="问题是否已解决").get_by_text(
            "已解决", exact=True).click()
        labelled(page, "线下处理结果").fill("已电话联系用户，问题已解决，用户表示满意。")
        page.get_by_role("button", name="办结", exact=True).click()
        settle(page, 60)
        page.get_by_role("button", name=re.compile("^确认办结")).first.click()
        settle(page, 60)
        page.get_by_role("heading", name=re.compile(f"{case_no} · 已办结")).wait_for()
        shot(page, "handler-closed")


# --- reviewer -------------------------------------------------------------------------------------

def test_reviewer_approves_the_submitted_script(walk):
    with browser_as(walk, "reviewer") as page:
        page.get_by_role("heading", name="口径库").wait_for(timeout=STEP)  # the reviewer's home
        settle(page, 60)
        choose(page, "状态", "待审核")
        choose(page, "查看口径", re.compile(DRAFT_TITLE))
        see(page, re.compile(r"最新：第 1 版（待审核）"))
        labelled(page, "审核意见（退回时必填）").fill("措辞妥当，同意。")
        page.get_by_role("button", name="批准").click()
        settle(page, 60)
        choose(page, "状态", "已批准")
        choose(page, "查看口径", re.compile(DRAFT_TITLE))
        see(page, re.compile(r"官方版本：第 1 版 · 最新：第 1 版（已批准）"))
        shot(page, "reviewer-approved")


# --- manager --------------------------------------------------------------------------------------

def test_manager_reads_trends_and_downloads_a_report(walk):
    with browser_as(walk, "manager") as page:
        page.get_by_role("heading", name="趋势").wait_for(timeout=STEP)  # the manager's home
        settle(page, 60)
        see(page, re.compile("^帖子量"))
        see(page, re.compile("^湖南各地市"))
        expect(page.locator('[data-testid="stPlotlyChart"]')).not_to_have_count(0)
        see(page, "长沙")  # the city axis
        shot(page, "manager-trends")

        open_page(page, "报表")
        page.get_by_text("周报", exact=True).click()
        page.get_by_role("button", name="生成报表").click()
        see(page, "周报已生成")
        page.get_by_role("heading", name=re.compile("周报")).wait_for(timeout=STEP)
        complaints = page.locator('[data-testid="stMetric"]').filter(has_text="有效投诉（2级及以上）")
        expect(complaints.locator('[data-testid="stMetricValue"]')).to_have_text(
            re.compile(r"^[1-9]\d*$"))  # the demo week's complaints, counted
        see(page, "总体情况")
        with page.expect_download(timeout=STEP) as download:
            page.get_by_role("button", name="下载 Excel").click()
        saved = ARTIFACTS / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.suffix == ".xlsx" and saved.stat().st_size > 1000
        shot(page, "manager-report")
