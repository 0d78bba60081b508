"""重复派单: the same post or event in two open cases is merged into the first, and counted."""

from __future__ import annotations

import pytest

from accounts import PermissionDenied
from cases.automation import cases_from_alerts
from cases.models import CaseError
from cases.quality import CaseQuality
from cases.reporting import categories_by_alert, quality_between
from tests.cases.helpers import add_alert

WHOLE_DAY = ("2026-11-20T00:00:00+08:00", "2026-11-21T00:00:00+08:00")


def _pid(store, n):
    return next(p.id for p in store.iter_posts() if p.url.endswith(f"thread-{n}.html"))


def test_a_warning_about_an_open_case_s_post_joins_that_case(world, cfg):
    service, users, _, store = world
    kept = service.create_from_post(users["mon"], _pid(store, 1))
    alert = add_alert(service.db, cfg, "event:x", 1, [_pid(store, 2), _pid(store, 1)])
    assert cases_from_alerts(cfg, service=service) == []
    assert cases_from_alerts(cfg, service=service) == []          # folded once, not every cycle
    related = {r["post_id"]: r["relation"] for r in service.related_posts(users["cs"], kept.case_id)}
    assert related[_pid(store, 2)] == "event" and related[_pid(store, 1)] == "main"
    assert store.get(_pid(store, 2)).case_status == "已派单"
    last = service.audit_log(users["cs"], kept.case_id)[-1]
    assert (last["action"], last["actor"]) == ("merge_duplicate", "system")
    assert last["detail"] == f"重复派单已合并：预警 #{alert}（post）"
    assert categories_by_alert(service.db)[alert] == kept.categories
    assert quality_between(service.db, *WHOLE_DAY)["长沙分公司"]["duplicates"] == 1


def test_a_case_asked_for_an_event_post_is_the_open_case(world, cfg):
    service, users, _, store = world
    add_alert(service.db, cfg, "event:y", 1, [_pid(store, 1), _pid(store, 2)])
    (kept,) = cases_from_alerts(cfg, service=service)
    same = service.create_from_post(users["mon"], _pid(store, 1))         # its own post: no duplicate
    assert same.case_id == kept.case_id
    assert quality_between(service.db, *WHOLE_DAY) == {}
    dup = service.create_from_post(users["mon"], _pid(store, 2))          # the event's post: folded
    assert dup.case_id == kept.case_id
    (row,) = CaseQuality(service).duplicates_of(users["cs"], kept.case_id)
    assert (row["actor"], row["origin"]) == ("mon", f"mon 从帖子 {_pid(store, 2)} 建单")
    # once the case is closed, the post may get a case of its own
    service.act(users["cs"], kept.case_id, "invalidate", "广告帖")
    assert service.create_from_post(users["mon"], _pid(store, 2)).case_id != kept.case_id


def test_a_monitor_merges_a_duplicate_made_before_the_check(world):
    service, users, _, store = world
    quality = CaseQuality(service)
    first = service.create_from_post(users["mon"], _pid(store, 1))
    second = service.create_from_post(users["mon"], _pid(store, 3))   # the same author, the same outage
    # a duplicate from before the check at creation: post 1 is in both open cases
    service.db.execute("INSERT OR REPLACE INTO case_posts VALUES (?, ?, 'event')", (second.case_id, _pid(store, 1)))
    assert quality.open_duplicates(users["mon"]) == [
        {"post_id": _pid(store, 1), "case_ids": [first.case_id, second.case_id]}]
    with pytest.raises(PermissionDenied, match="合并重复工单"):
        quality.merge(users["cs"], second.case_id, first.case_id)
    with pytest.raises(CaseError, match="两张不同的未办结工单"):
        quality.merge(users["mon"], first.case_id, first.case_id)
    kept = quality.merge(users["mon"], second.case_id, first.case_id)
    merged = service.get(users["mon"], second.case_id)
    assert merged.status == "已办结" and merged.invalid_reason == f"重复派单，已并入 {first.case_no}"
    related = {r["post_id"] for r in service.related_posts(users["mon"], kept.case_id)}
    assert _pid(store, 3) in related and quality.open_duplicates(users["mon"]) == []
    (row,) = quality.duplicates_of(users["mon"], first.case_id)
    assert row["duplicate_case_id"] == second.case_id
    figures = quality_between(service.db, *WHOLE_DAY)["长沙分公司"]
    assert (figures["duplicates"], figures["invalid"], figures["closed"]) == (1, 1, 0)
