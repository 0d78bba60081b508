"""为何预警 and the spread graph in a real headless browser, on the demo's posts (with its scripted
衡阳 outage) judged by the shipped rules: the 衡阳 spike's card names the event as its driver, and
the event's card draws who spread it from whom."""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.dashboard.browser import chromium, console, login, require_chromium, settle
from tests.dashboard.conftest import PASSWORD, build_console_data
from tests.dashboard.test_browser import ARTIFACTS

pytestmark = pytest.mark.browser
STEP = 60_000  # ms: a loaded machine may take a while for one Streamlit run


@pytest.fixture(scope="module")
def insight_console(tmp_path_factory):
    from alerts.cycle import run_cycle
    from core.db import StateDB
    from tousu.config import load

    require_chromium()
    config = build_console_data(tmp_path_factory.mktemp("insight-browser"))
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["warnings"] = {"rules": shipped["warnings"]["rules"]}
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run_cycle(load(config))
    state = StateDB(load(config).state_path)
    ids = {rule: state.query("SELECT alert_id FROM alerts WHERE rule = ? AND city = '衡阳'",
                             (rule,))[0]["alert_id"] for rule in ("city-spike", "hot-event")}
    state.close()
    with console(config) as url:
        yield url, ids


def test_the_spike_says_why_and_the_event_shows_how_it_spread(insight_console):
    url, ids = insight_console
    with chromium(1440, 1100) as page:
        login(page, url, "monitor", PASSWORD)
        page.goto(f"{url}/warnings?alert={ids['city-spike']}")
        page.get_by_text("为何预警").first.wait_for(timeout=STEP)
        settle(page)
        card = page.locator('[data-testid="stExpanderDetails"]').first
        expect(card).to_contain_text("按事件：占超出量")
        expect(card).to_contain_text("异常程度：z =")
        expect(card).to_contain_text("首发帖子")
        page.screenshot(path=str(ARTIFACTS / "browser-why.png"), full_page=True)

        page.goto(f"{url}/warnings?alert={ids['hot-event']}")
        page.get_by_text("传播分析").first.wait_for(timeout=STEP)
        settle(page)
        graph = page.locator(".js-plotly-plot").filter(has_text="传播图")
        graph.wait_for(timeout=STEP)
        # the event's 11 posts, one marker each; the 5 reposts' lines to what they quote
        assert graph.locator(".scatterlayer .point").count() == 11
        relations = page.locator('[data-testid="stMetric"]').filter(has_text="转发/回复关系")
        expect(relations).to_contain_text("5")
        card = page.locator('[data-testid="stExpanderDetails"]').first
        expect(card).to_contain_text("源头：蒸湘区居民老刘")
        expect(card).to_contain_text("最长传播链 3 层")
        expect(card).to_contain_text("衡阳本地通")
        page.screenshot(path=str(ARTIFACTS / "browser-spread.png"), full_page=True)
