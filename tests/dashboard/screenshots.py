"""Take the README's console screenshots: `.venv/bin/python -m tests.dashboard.screenshots`.

A store filled the real way: the bundled demo forum served on a local port as `make run` has it
after half an hour (its 衡阳 outage released) and a local forum behind walls (a page cap, a login
wall, a captcha, a refusal, robots.txt), crawled by `tousu crawl`; warnings evaluated by the
shipped warnings section (rules, quiet alerting, its local-log notifier) with `tousu warnings
--evaluate`; a few cases (one overdue), the starter reply-script library, the seed guides and one
approved typical case. Then every page in headless chromium → docs/screenshots/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from tests.cases.helpers import CLOSING
from tests.conftest import ROOT
from tests.crawler.replay import ReplayServer, walled_forum, walled_source
from tests.dashboard.browser import chromium, console, login, settle
from tests.dashboard.conftest import PASSWORD, build_console_data, user

OUT = ROOT / "docs" / "screenshots"
WALLED = "walled-forum"


def tousu(config: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "tousu.cli", "--config", str(config), *args],
                   check=True, cwd=ROOT, env=dict(os.environ), capture_output=True)


def prepare(work: Path, site_url: str, walls_url: str) -> Path:
    """Crawl the demo forum and a walled forum into a fresh store, evaluate warnings, open some
    cases."""
    from cases import CaseService
    from cases.quality import CaseQuality
    from core.db import StateDB
    from core.post import now_cst
    from nlp.labels import add_label
    from knowledge import GuideService, TypicalCaseService
    from reply_scripts import ScriptService
    from reply_scripts.transfer import load_starter
    from tousu.config import load

    config_path = build_console_data(work, url=site_url, posts=False)
    # A second source behind walls (page cap, login, captcha, 418, robots.txt), crawled twice as
    # two scheduled runs would: 信源 shows its 采集盲区 and the shipped coverage rule warns.
    raw = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    raw["sources"].append(walled_source(WALLED, walls_url))
    config_path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    tousu(config_path, "crawl", "--quiet")
    tousu(config_path, "crawl", "--quiet", "--source", WALLED)
    # The shipped warnings section (规则 shows and edits it as written, comments included) judges
    # the crawl: the demo's outage raises explained spike/volume warnings and an event, and its
    # local-log notifier (data/alerts.log under the work dir) is held back by quiet alerting.
    shipped = (ROOT / "config.yaml").read_text(encoding="utf-8")
    start = shipped.index("\nwarnings:\n")
    rules = shipped[start:start + 1 + re.search(r"\n(?=\w+:)", shipped[start + 1:]).start()]
    with config_path.open("a", encoding="utf-8") as out:
        out.write(rules + "\n")
    tousu(config_path, "warnings", "--evaluate")
    config = load(config_path)
    state = StateDB(config.state_path)
    load_starter(ScriptService(state))
    service = CaseService(config, db=state)
    monitor, handler = user("monitor"), user("cs_handler")
    posts = sorted((p for p in service.store.iter_posts() if p.relevant),
                   key=lambda p: (-(p.severity or 0), p.published_at or ""))
    changsha = [p for p in posts if p.city == "长沙"][:3]
    old = now_cst() - timedelta(hours=30)
    overdue = service.create_from_post(monitor, changsha[0].id, now=old)  # SLA missed
    busy = service.create_from_post(monitor, changsha[1].id)
    service.act(handler, busy.case_id, "accept")
    service.comment(handler, busy.case_id, "已电话联系用户，约明天上门检测。")
    closed = service.create_from_post(monitor, changsha[2].id)           # closed, sampled for 质检
    service.act(handler, closed.case_id, "accept")
    service.act(handler, closed.case_id, "reply", "您好，已安排工程师上门检测。")
    service.act(handler, closed.case_id, "close", "现场测试 RSRP -112dBm，确认室内弱覆盖",
                root_cause="弱覆盖", scenario="小区 3 栋楼道加装室分一套，物业已同意进场",
                resolved=False, planned_fix_date=now_cst().date() + timedelta(days=14))
    CaseQuality(service).sample(monitor, now_cst().date() - timedelta(days=6), now_cst().date())
    for post in [p for p in posts if p.city != "长沙"][:4]:
        service.create_from_post(monitor, post.id)
    GuideService(state).load_seed()
    done = service.create_from_post(monitor, changsha[2].id)
    for name, text in (("accept", ""), ("reply", "您好，已为您登记并安排工程师上门排查，请保持电话畅通。"),
                       ("close", "工程师上门检测，更换入户尾纤后恢复正常，联系人：张三 确认可用。")):
        service.act(handler, done.case_id, name, text, **(CLOSING if name == "close" else {}))
    typical = TypicalCaseService(state)
    entry = typical.propose(monitor, service, done.case_id, lesson="先查入户线路，再判断是否换设备。")
    typical.submit(monitor, entry.typical_id)
    typical.approve(user("reviewer"), entry.typical_id, "可作为范例")
    for post in posts[10:14]:
        add_label(state, post.id, post.text, severity=post.severity, categories=post.categories,
                  city=post.city, relevant=True, user="monitor")
    service.close()
    assert overdue.case_no
    return config_path


def shoot(page, name: str) -> None:
    settle(page)
    page.wait_for_timeout(800)
    page.screenshot(path=str(OUT / f"{name}.png"))
    print("saved", OUT / f"{name}.png")


def open_page(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=60000)
    settle(page)


class RunBack:
    """The demo site's clock, `back` seconds behind: the outage is released over the last half
    hour as a running demo releases it, so the spread graph has time to spread over."""

    def __init__(self) -> None:
        self.back = 0.0

    def __call__(self) -> float:
        return time.time() - self.back


def released_demo(clock: RunBack) -> Any:
    """The demo forum after a half hour of `make run`: the past posts, the outage released a post
    every three minutes, then the rest of the live posts at once."""
    from demo.site import DEFAULT_OUTAGE, DemoSite, load_posts

    clock.back = 35 * 60
    site = DemoSite(port=0, release_every=0, clock=clock).start()
    for _ in load_posts(DEFAULT_OUTAGE):
        site.release(1)
        clock.back -= 180
    clock.back = 0
    site.release(len(site.posts))
    return site


def hengyang_alert(config: Path, rule: str) -> int:
    """The 衡阳 warning of a rule."""
    from core.db import StateDB
    from tousu.config import load

    state = StateDB(load(config).state_path)
    found = state.query("SELECT alert_id FROM alerts WHERE rule = ? AND city = '衡阳'", (rule,))
    state.close()
    return found[0]["alert_id"]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, released_demo(RunBack()) as site, \
            ReplayServer(walled_forum()) as walls:
        config = prepare(Path(tmp), site.url, walls.url)
        with console(config) as url, chromium(1440, 1100) as page:
            page.goto(url)
            page.get_by_label("用户名").wait_for()
            shoot(page, "01-login")
            login(page, url, "admin", PASSWORD)
            page.locator(".tousu-title").first.wait_for()
            shoot(page, "02-triage")
            open_page(page, "预警")
            page.get_by_text("详情、帖子与增长曲线").first.click()
            page.wait_for_timeout(1500)
            shoot(page, "03-warnings")
            page.goto(f"{url}/warnings?alert={hengyang_alert(config, 'city-spike')}")
            page.get_by_text("为何预警").first.wait_for(timeout=60000)
            settle(page)
            page.get_by_text("为何预警").first.scroll_into_view_if_needed()
            shoot(page, "19-why")
            page.goto(f"{url}/warnings?alert={hengyang_alert(config, 'hot-event')}")
            page.locator(".js-plotly-plot").filter(has_text="传播图").wait_for(timeout=60000)
            settle(page)
            page.get_by_text("传播分析").first.scroll_into_view_if_needed()
            shoot(page, "20-spread")
            open_page(page, "预警")
            page.get_by_text("抑制与静默", exact=True).click()
            kinds = page.locator('[data-testid="stRadio"]').filter(has_text="全部")
            kinds.get_by_text("抑制（并入事件）", exact=True).click()
            page.wait_for_timeout(1500)
            shoot(page, "21-quiet")
            open_page(page, "工单")
            shoot(page, "04-cases")
            open_page(page, "质检")
            shoot(page, "14-quality")
            open_page(page, "检索")
            box = page.get_by_label("关键词")
            box.fill("宽带 -联通")
            box.press("Enter")
            page.locator(".tousu-snippet mark").first.wait_for()
            shoot(page, "05-search")
            open_page(page, "趋势")
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30000)
            page.wait_for_timeout(1500)
            shoot(page, "06-trends")
            page.get_by_text("万投比", exact=True).click()
            page.locator(".js-plotly-plot").filter(has_text="湖南各地市地图").wait_for(timeout=60000)
            settle(page)
            page.get_by_text("地市指标").first.evaluate("e => e.scrollIntoView()")
            shoot(page, "23-map")
            open_page(page, "口径库")
            shoot(page, "07-scripts")
            open_page(page, "知识库")
            shoot(page, "15-knowledge")
            open_page(page, "报表")
            page.get_by_role("button", name="生成报表").click()
            page.get_by_role("button", name="下载 Excel").wait_for(timeout=60000)
            shoot(page, "08-reports")
            page.get_by_role("tab", name="舆情简报").click()
            page.get_by_role("button", name="生成简报").click()
            page.get_by_role("heading", name="概况").first.wait_for(timeout=60000)
            shoot(page, "16-briefing")
            open_page(page, "督办")
            shoot(page, "17-rectification")
            open_page(page, "预警")
            page.get_by_text(re.compile(r"^待审核（\d+）$")).first.click()
            page.wait_for_timeout(1500)
            shoot(page, "18-warning-review")
            open_page(page, "信源")
            page.get_by_text("这些内容没有采集到").wait_for(timeout=60000)
            shoot(page, "22-blind-spots")
            page.get_by_role("button", name="测试此信源").click()
            page.get_by_text("第一条帖子抽取结果").wait_for(timeout=30000)
            page.get_by_text("第一条帖子抽取结果").scroll_into_view_if_needed()
            shoot(page, "09-sources-test")
            open_page(page, "关键词")
            shoot(page, "10-keywords")
            open_page(page, "规则")
            shoot(page, "11-rules")
            open_page(page, "用户")
            shoot(page, "12-users")
        with console(config) as url, chromium(1440, 1100) as page:
            login(page, url, "cs_handler", PASSWORD)
            page.get_by_role("heading", name="工单").wait_for()
            settle(page)
            page.get_by_text("推荐口径").first.scroll_into_view_if_needed()
            shoot(page, "13-handler-case")


if __name__ == "__main__":
    main()
