"""The case page's knowledge column (dashboard/knowledge_panel.py): fitting guides and similar
typical cases beside the scripts, and 推荐为典型案例 on a closed case, scrubbed."""

from __future__ import annotations

from cases import CaseService
from core.db import StateDB
from knowledge import GuideService, TypicalCaseService
from tests.dashboard.conftest import app_as, no_crash, texts, user
from tests.dashboard.views.test_knowledge import _broadband_posts, _closed_case, _expanders
from tousu.config import load


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
