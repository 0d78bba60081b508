"""The review buttons every reviewed library shares (dashboard/review.py): an author is never
offered approval of their own draft; a reviewer approves it."""

from __future__ import annotations

from core.db import StateDB
from knowledge import GuideService
from tests.dashboard.conftest import app_as, no_crash, texts, user
from tousu.config import load


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
