"""Cases from warnings: configured levels only, once per alert, with the related posts."""

from __future__ import annotations

import pytest

from cases.automation import cases_from_alerts
from tests.cases.helpers import add_alert, post, post_id


def test_cases_from_alerts_levels_and_idempotence(world, cfg):
    service, users, _, store = world
    db = service.db
    first = add_alert(db, cfg, "post:a", 1, [post_id(store, 1), post_id(store, 2)])
    add_alert(db, cfg, "post:b", 3, [post_id(store, 2)])                          # level 3: not configured
    add_alert(db, cfg, "flat:x", 2, [], city=None, rule="crawler-silent", rule_type="flatline")
    made = cases_from_alerts(cfg, service=service)
    assert [c.alert_id for c in made] == [first]
    assert cases_from_alerts(cfg, service=service) == []
    case = made[0]
    assert case.level == 1 and case.status == "已派单" and case.created_by == "system"
    related = {r["post_id"]: r["relation"] for r in service.related_posts(users["cs"], case.case_id)}
    assert related == {post_id(store, 1): "main", post_id(store, 2): "event", post_id(store, 3): "same_author"}
    assert store.get(post_id(store, 2)).case_status == "已派单"
    assert store.get(post_id(store, 3)).case_status is None    # same author is context, not the case


def test_a_handler_sees_no_related_post_of_another_city(world):
    """The same author posted in 株洲 too: the 长沙 handler's case does not show that post."""
    service, users, _, store = world
    elsewhere = post(9, city="株洲", author="老王", severity=3, content="株洲这边宽带也断了，我的手机号138…")
    store.upsert_many([elsewhere])
    case = service.create_from_post(users["mon"], post_id(store, 1))
    for_handler = {r["post_id"] for r in service.related_posts(users["cs"], case.case_id)}
    for_monitor = {r["post_id"] for r in service.related_posts(users["mon"], case.case_id)}
    assert elsewhere.id in for_monitor and elsewhere.id not in for_handler
    assert {post_id(store, 1), post_id(store, 3)} <= for_handler


def test_attach_reply_and_result_texts(world):
    from accounts import PermissionDenied
    from cases.models import CaseError

    service, users, _, store = world
    case = service.create_from_post(users["mon"], post_id(store, 1))
    service.attach(users["cs"], case.case_id, "offline_result", "已预约周六上门")
    with pytest.raises(PermissionDenied):
        service.attach(users["boss"], case.case_id, "online_reply", "x")
    with pytest.raises(CaseError, match="附件类型"):
        service.attach(users["cs"], case.case_id, "photo", "x")
    notes = service.notes(users["cs"], case.case_id)
    assert [(n["kind"], n["kind_label"]) for n in notes] == [("offline_result", "线下处理结果")]
    assert service.get(users["cs"], case.case_id).status == "已派单"
