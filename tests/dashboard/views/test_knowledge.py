"""知识库 (AppTest on real SQLite): the typical-case library shows a draft only to its author and
the reviewers. Helpers shared with the knowledge column's and the review buttons' tests."""

from __future__ import annotations

from cases import CaseService
from core.db import StateDB
from knowledge import TypicalCaseService
from tests.cases.helpers import CLOSING
from tests.dashboard.conftest import app_as, no_crash, texts, user
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
    return service.act(monitor, case.case_id, "close", "更换入户尾纤后恢复，联系人：张三 已确认。",
                       **CLOSING).case_id


def _broadband_posts(service):
    return [p for p in service.store.iter_posts()
            if p.relevant and "宽带/家宽" in p.categories and p.city]


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
