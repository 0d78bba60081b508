"""The case record: read from a stored row, open until closed, SLA flags at a moment."""

from __future__ import annotations

from datetime import datetime, timedelta

from cases.models import Case
from cases.states import CLOSED
from core.post import CST, iso

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=CST)
ROW = {"case_id": 1, "case_no": "GD20261120-0001", "title": "宽带断网", "summary": "三天", "post_id": "p1",
       "url": "http://forum.example/thread-1.html", "source": "demo-forum", "author": "user1", "city": "长沙",
       "branch": "长沙分公司", "department": "家庭业务部", "categories": '["宽带/家宽"]', "tier": 3,
       "level": None, "alert_id": None, "origin": "post", "status": "处理中", "created_by": "mon",
       "created_at": iso(T0), "updated_at": iso(T0), "status_since": iso(T0),
       "first_response_due": iso(T0 + timedelta(hours=4)), "closure_due": iso(T0 + timedelta(hours=48)),
       "first_response_at": None, "closed_at": None, "reply_text": None, "reply_script_id": None,
       "offline_result": None}


def test_from_row_decodes_categories_and_flags_at_a_moment():
    case = Case.from_row(ROW, now=T0 + timedelta(hours=5))
    assert case.categories == ["宽带/家宽"] and case.is_open
    assert case.flags == {"first_response_overdue": True, "closure_overdue": False,
                          "responded_in_time": False, "closed_in_time": False}
    assert Case.from_row(ROW).flags == {} and case.to_dict()["case_no"] == "GD20261120-0001"


def test_flags_of_a_case_answered_in_time_and_closed_late():
    case = Case.from_row({**ROW, "status": CLOSED, "first_response_at": iso(T0 + timedelta(hours=1)),
                          "closed_at": iso(T0 + timedelta(hours=50))}, now=T0 + timedelta(days=10))
    assert not case.is_open
    assert case.flags == {"first_response_overdue": False, "closure_overdue": True,
                          "responded_in_time": True, "closed_in_time": False}
