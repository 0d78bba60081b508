"""The 督办 item as the service returns it: due at the end of its deadline day (China time), days
left and overdue at a moment, its place and origin in Chinese."""

from __future__ import annotations

from datetime import datetime

from core.post import CST
from rectification.models import CLOSED, OPEN, Item, due_at

ROW = {"item_id": 1, "item_no": "DB20261120-01", "problem": "宽带装机慢", "category": "宽带/家宽",
       "city": "衡阳", "district": "珠晖区", "owner_department": "家庭业务部", "owners": '["hy"]',
       "deadline": "2026-11-30", "measure": "增派装维", "origin": "cases", "alert_id": None,
       "status": OPEN, "created_by": "boss", "created_at": "2026-11-20T09:00:00+08:00",
       "updated_at": "2026-11-20T09:00:00+08:00"}


def test_due_at_the_end_of_the_deadline_day_china_time():
    assert due_at("2026-11-30") == datetime(2026, 12, 1, 0, 0, tzinfo=CST)


def test_days_left_overdue_place_and_origin():
    item = Item.from_row(ROW, datetime(2026, 11, 29, 12, 0, tzinfo=CST), ["2026-11"])
    assert item.owners == ["hy"] and item.worst_months == ["2026-11"]
    assert item.days_left == 1.5 and not item.overdue and item.is_open
    assert item.place == "衡阳 珠晖区" and item.origin_label == "工单"
    late = Item.from_row(ROW, datetime(2026, 12, 1, 0, 0, tzinfo=CST), [])
    assert late.overdue and late.days_left == 0.0
    closed = Item.from_row({**ROW, "status": CLOSED, "city": None, "district": ""},
                           datetime(2026, 12, 5, tzinfo=CST), [])
    assert not closed.overdue and not closed.is_open and closed.place == "全省"
    assert closed.to_dict()["item_no"] == "DB20261120-01"
