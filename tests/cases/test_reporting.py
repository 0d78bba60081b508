"""Case rows for reports and 督办: the cases of a period, those overdue at a moment, the case types
of warnings' cases, and the cases of one warning."""

from __future__ import annotations

from datetime import timedelta

from cases import reporting
from core.post import iso
from tests.cases.helpers import T0, add_alert, post_id


def test_period_overdue_alert_types_and_a_warnings_cases(world, cfg):
    service, users, clock, store = world
    first = service.create_from_post(users["mon"], post_id(store, 1))          # tier 3: 4 h / 48 h
    clock.advance(hours=2)
    alert_id = add_alert(service.db, cfg, "post:x", 1, [post_id(store, 4)], city="株洲")
    from_alert = service.create_from_alert(service.db.query("SELECT * FROM alerts WHERE alert_id = ?",
                                                            (alert_id,))[0])
    db = service.db
    assert [c["case_id"] for c in reporting.created_between(db, iso(T0), iso(T0 + timedelta(hours=1)))] \
        == [first.case_id]
    assert len(reporting.created_between(db, iso(T0), iso(T0 + timedelta(days=1)))) == 2
    # the 株洲 case (tier 4) must be answered by T0 + 3 h, the 长沙 one (tier 3) by T0 + 4 h
    assert reporting.overdue_at(db, iso(T0 + timedelta(hours=3))) == []
    assert [c["case_id"] for c in reporting.overdue_at(db, iso(T0 + timedelta(hours=3.5)))] \
        == [from_alert.case_id]
    assert [c["branch"] for c in reporting.overdue_at(db, iso(T0 + timedelta(hours=5)))] == ["株洲分公司", "长沙分公司"]
    assert reporting.categories_by_alert(db) == {alert_id: from_alert.categories}
    assert [c["case_id"] for c in reporting.of_alert(db, alert_id, [])] == [from_alert.case_id]
    assert [c["case_id"] for c in reporting.of_alert(db, 999, [post_id(store, 1)])] == [first.case_id]
