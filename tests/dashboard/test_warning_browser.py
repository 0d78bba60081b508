"""人工发布 and 预警审核 in a real headless browser: a monitor publishes a warning from 检索, a manager
opens the reviewers' link, edits the title and approves it; the webhook receiver gets it once."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.alerts.conftest import Receiver, received
from tests.dashboard.browser import chromium, console, login, require_chromium, settle
from tests.dashboard.conftest import PASSWORD, build_console_data
from tests.dashboard.test_browser import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def review_console(tmp_path_factory):
    require_chromium()
    receiver = Receiver()
    config = build_console_data(tmp_path_factory.mktemp("review-browser"))
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["warnings"] = {
        "review": {1: "hold", 2: "hold", 3: "hold"},
        "reviewers": [{"role": "manager", "notifiers": ["managers"]}],
        "notifiers": [{"name": "branch", "type": "webhook", "url": f"{receiver.url}?to=branch",
                       "rules": ["manual"]},
                      {"name": "managers", "type": "webhook", "url": f"{receiver.url}?to=managers",
                       "kinds": ["review"]}]}
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        with console(config) as url:
            yield url, config, receiver
    finally:
        receiver.stop()


def test_monitor_publishes_from_search_and_manager_approves(review_console):
    from core.db import StateDB
    from tousu.config import load

    url, config, receiver = review_console
    with chromium(1440, 1100) as page:
        login(page, url, "monitor", PASSWORD)
        page.get_by_role("link", name="检索").click()
        box = page.get_by_label("关键词")
        box.fill("宽带")
        box.press("Enter")
        settle(page)
        picker = page.locator('[data-testid="stMultiSelect"]').filter(has_text="选择帖子发布预警")
        picker.click()
        page.get_by_role("option", name=re.compile(r"^\[\d级\]")).first.click()  # not 'select all'
        page.keyboard.press("Escape")
        settle(page)
        page.get_by_text("发布预警（人工发布，1 条帖子）").click()
        page.get_by_label("标题").fill("宽带投诉集中，请核实")
        page.get_by_role("button", name="发布预警").click()
        page.get_by_text("已提交审核").wait_for(timeout=30000)
    state = StateDB(load(config).state_path)
    alert_id = state.query("SELECT alert_id FROM alerts WHERE rule = 'manual'")[0]["alert_id"]
    request = received(receiver, "managers")
    assert len(request) == 1 and request[0]["console"].endswith(f"/warnings?review={alert_id}")
    assert received(receiver, "branch") == []

    with chromium(1440, 1100) as page:
        login(page, url, "manager", PASSWORD)
        page.goto(f"{url}/warnings?review={alert_id}")
        title = page.get_by_label("标题（采编）")
        title.wait_for(timeout=30000)
        title.fill("宽带投诉集中（已核实）")
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "browser-warning-review.png"))
        page.get_by_role("button", name="通过并发布").click()
        page.get_by_text("没有待审核的预警").wait_for(timeout=30000)
    sent = received(receiver, "branch")
    assert [m["title"] for m in sent] == ["【三级预警·黄色】宽带投诉集中（已核实）"]
    assert state.query("SELECT state, reviewed_by FROM alert_reviews") == [
        {"state": "approved", "reviewed_by": "manager"}]
    state.close()
