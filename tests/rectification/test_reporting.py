"""督办 rows for reports as of a moment: an item's state then, the items of a period with their
latest progress before that moment, and the month's 一月一事."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.post import CST, iso
from rectification import reporting
from tests.cases.helpers import T0


def _item(deadline: str, status: str = "整改中", closed_at: str | None = None) -> dict:
    return {"deadline": deadline, "status": status, "closed_at": closed_at}


def test_state_at_a_moment():
    at = datetime(2026, 12, 1, 12, 0, tzinfo=CST)
    assert reporting.state_at(_item("2026-12-01"), at) == reporting.IN_WORK
    assert reporting.state_at(_item("2026-11-30"), at) == reporting.OVERDUE
    assert reporting.state_at(_item("2026-11-30", "已办结", "2026-11-30T18:00:00+08:00"), at) == reporting.ON_TIME
    assert reporting.state_at(_item("2026-11-29", "已办结", "2026-11-30T18:00:00+08:00"), at) == reporting.LATE
    # closed after the moment: as it was then
    assert reporting.state_at(_item("2026-12-05", "已办结", "2026-12-02T09:00:00+08:00"), at) == reporting.IN_WORK


def test_items_of_a_period_with_progress_before_the_moment_and_the_worst_of_the_month(world):
    svc, boss = world.service, world.users["boss"]
    first = svc.open(boss, problem="长沙宽带装机慢", owner_department="家庭业务部", measure="增派装维",
                     city="长沙", deadline="2026-11-25")
    second = svc.open(boss, problem="全省乱扣费", owner_department="计费账务中心", measure="核查扣费",
                      deadline="2026-12-20")
    world.clock.advance(days=1)
    svc.progress(world.users["cs"], first.item_id, "已增派两组装维", percent=40)
    world.clock.advance(days=1)
    svc.progress(world.users["cs"], first.item_id, "装机积压减半", percent=60)
    svc.mark_worst(boss, second.item_id, "2026-11")
    rows = reporting.items_between(world.db, iso(T0), iso(T0 + timedelta(days=30)),
                                   at=T0 + timedelta(days=1, hours=1))
    assert [r["item_id"] for r in rows] == [first.item_id, second.item_id]          # by deadline
    assert rows[0]["percent"] == 40 and rows[0]["last_note"]["body"] == "已增派两组装维"
    assert rows[0]["last_note"]["kind_label"] == "整改进展" and rows[1]["last_note"] is None
    assert [r["state"] for r in reporting.still_open(rows)] == [reporting.IN_WORK, reporting.IN_WORK]
    later = reporting.items_between(world.db, iso(T0), iso(T0 + timedelta(days=30)), at=T0 + timedelta(days=6))
    assert [r["state"] for r in later] == [reporting.OVERDUE, reporting.IN_WORK] and later[0]["percent"] == 60
    assert reporting.items_between(world.db, iso(T0 - timedelta(days=9)), iso(T0), at=T0) == []
    assert reporting.worst_of_month(world.db, "2026-11")["item_id"] == second.item_id
    assert reporting.worst_of_month(world.db, "2026-10") is None
