"""知识库 and the case page's knowledge column (AppTest on real SQLite): guides and similar typical
cases beside the scripts, proposing a closed case, reviewing on the 知识库 page."""

from __future__ import annotations

from cases import CaseService
from core.db import StateDB
from knowledge import GuideService, TypicalCaseService
from tests.dashboard.conftest import app_as, user
from tests.dashboard.test_pages import no_crash, texts
from tousu.config import load


def _expanders(at) -> list[str]:
    """The expanders' labels as shown (md() escapes Markdown characters such as '-')."""
    return [e.label.replace("\\", "") for e in at.expander]


def _closed_case(service, post) -> int:
    monitor = user("monitor")
    case = service.create_from_post(monitor, post.id)
    if case.status == "新建":
        service.act(monitor, case.case_id, "dispatch")
    service.act(monitor, case.case_id, "accept")
    service.act(monitor, case.case_id, "reply", "您好，已安排装维上门，请保持电话13812345678畅通。")
    return service.act(monitor, case.case_id, "close", "更换入户尾纤后恢复，联系人：张三 已确认。").case_id


def _broadband_posts(service):
    return [p for p in service.store.iter_posts()
            if p.relevant and "宽带/家宽" in p.categories and p.city]


def test_a_case_shows_guides_and_typical_cases_and_a_closed_one_is_proposed(console_config):
    config = load(console_config)
    db = StateDB(config.state_path)
    GuideService(db).load_seed()
    service = CaseService(config)
    first, second = _broadband_posts(service)[:2]
    closed = _closed_case(service, first)
    at = app_as("monitor", "cases", case=str(closed))
    no_crash(at)
    assert "排障指引" in texts(at) and "相似典型案例" in texts(at)
    assert any(label.startswith("ZY-BB-") for label in _expanders(at)), _expanders(at)
    next(b for b in at.button if b.label == "推荐为典型案例").click().run()
    no_crash(at)
    typical = TypicalCaseService(db)
    entry = typical.of_case(closed)
    assert entry is not None and entry.created_by == "monitor" and entry.latest.status == "draft"
    assert "13812345678" not in entry.latest.reply and "张三" not in entry.latest.fix
    assert f"已推荐为典型案例 {entry.code}" in texts(at).replace("\\", "")
    typical.submit(user("monitor"), entry.typical_id)
    typical.approve(user("reviewer"), entry.typical_id)
    new = service.create_from_post(user("monitor"), second.id)
    service.close()
    at = app_as("monitor", "cases", case=str(new.case_id))
    no_crash(at)
    assert any(label.startswith(entry.code) for label in _expanders(at)), _expanders(at)


def test_a_reviewer_approves_a_guide_on_the_knowledge_page(console_config):
    db = StateDB(load(console_config).state_path)
    guides = GuideService(db)
    guide = guides.create(user("cs_handler"), "宽带频繁掉线", ["宽带/家宽"], "每天掉线", ["查光功率"])
    guides.submit(user("cs_handler"), guide.guide_id)
    at = app_as("cs_handler", "knowledge")
    no_crash(at)
    assert not [b for b in at.button if b.label == "批准"], "the author is not offered approval"
    at = app_as("reviewer", "knowledge")
    no_crash(at)
    assert "宽带频繁掉线" in texts(at)
    next(b for b in at.button if b.label == "批准").click().run()
    no_crash(at)
    assert guides.get(user("reviewer"), guide.guide_id).official.approver == "reviewer"


def test_the_typical_library_hides_a_draft_from_other_readers(console_config):
    config = load(console_config)
    service = CaseService(config)
    closed = _closed_case(service, _broadband_posts(service)[0])
    service.close()
    typical = TypicalCaseService(StateDB(config.state_path))
    typical.propose(user("monitor"), CaseService(config), closed)
    at = app_as("manager", "knowledge")
    no_crash(at)
    assert "没有符合条件的典型案例" in texts(at)
    at = app_as("reviewer", "knowledge")
    no_crash(at)
    assert "更换入户尾纤后恢复" in texts(at)
