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


def test_the_shared_filters_table_and_history_of_a_library_page(console_config):
    """filters / table_and_pick / history_table: the status filter narrows the table, the picked
    entry's caption names its official and newest version, the history lists every version."""
    from reply_scripts import ScriptService

    scripts = ScriptService(StateDB(load(console_config).state_path))
    draft = scripts.create(user("monitor"), "草稿口径", ["宽带/家宽"], "断网", "{昵称}您好")
    approved = scripts.create(user("monitor"), "已批口径", ["宽带/家宽"], "断网", "{昵称}您好")
    scripts.submit(user("monitor"), approved.script_id)
    scripts.approve(user("reviewer"), approved.script_id)
    at = app_as("reviewer", "scripts")
    at.selectbox(key="k_status").set_value("approved").run()
    no_crash(at)
    table = at.dataframe[0].value
    assert "已批口径" in list(table["标题"]) and "草稿口径" not in list(table["标题"])
    at.selectbox(key="k_status").set_value(None).run()
    at.selectbox(key="k_pick").set_value(draft.script_id).run()
    no_crash(at)
    assert "官方版本：无 · 最新：第 1 版（草稿）" in texts(at)
    history = at.dataframe[1].value
    assert list(history["版本"]) == [1] and list(history["状态"]) == ["草稿"]
