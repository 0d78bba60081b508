"""督办 flows on a real state DB with a test clock: open, progress, close, reopen, 一月一事, roles."""

from __future__ import annotations

import sqlite3

import pytest

from accounts import PermissionDenied
from rectification import ItemNotFoundError, RectificationError
from tests.cases.helpers import add_alert


def _coverage_item(world, posts=(1, 2, 3), **fields):
    cases = [world.case(n) for n in posts]
    fields.setdefault("measure", "新建珠晖区基站两座，调整天线下倾角")
    fields.setdefault("deadline", "2026-12-20")
    return world.service.open_from_cases(world.users["boss"], [c.case_id for c in cases], **fields)


def test_open_from_cases_progress_by_owner_close_with_evidence(world):
    svc, u = world.service, world.users
    item = _coverage_item(world, district="珠晖区")
    assert item.item_no.startswith("DB202611") and item.status == "整改中"
    assert (item.city, item.district, item.category, item.owner_department) == (
        "衡阳", "珠晖区", "网络覆盖/信号", "网络部")                       # cases.departments
    assert "衡阳 珠晖区" in item.problem and "3 张工单" in item.problem
    assert item.origin_label == "工单" and item.days_left == pytest.approx(30.6, abs=0.1)
    assert len(svc.linked_cases(u["boss"], item.item_id)) == 3
    assert len(svc.linked_posts(u["boss"], item.item_id)) == 3            # the cases' posts

    world.clock.advance(days=3)
    done = svc.progress(u["hy"], item.item_id, "已完成选址，基站设备到货", percent=30,
                        attachment="OA-2026-1123")
    assert done.progress == 30 and done.last_progress_at == "2026-11-23T09:00:00+08:00"
    svc.remark(u["boss"], item.item_id, "请12月10日前完成开通")
    world.clock.advance(days=10)
    with pytest.raises(RectificationError, match="办结证据"):
        svc.close_item(u["boss"], item.item_id, "  ")
    closed = svc.close_item(u["boss"], item.item_id, "两座基站已开通，复测RSRP≥-100dBm",
                       attachment="测试报告-20261203.pdf")
    assert (closed.status, closed.progress, closed.evidence_ref) == ("已办结", 100, "测试报告-20261203.pdf")
    assert closed.closed_at == "2026-12-03T09:00:00+08:00" and closed.closed_by == "boss"
    with pytest.raises(RectificationError, match="已办结"):
        svc.progress(u["hy"], item.item_id, "补充")
    with pytest.raises(RectificationError, match="不能办结"):
        svc.close_item(u["boss"], item.item_id, "again")

    assert [a["action"] for a in svc.audit_log(u["mon"], item.item_id)] == [
        "open", "progress", "remark", "close"]
    notes = svc.notes(u["hy"], item.item_id)
    assert [(n["kind_label"], n["author"]) for n in notes] == [
        ("整改进展", "hy"), ("督办意见", "boss"), ("办结证据", "boss")]
    assert notes[0]["attachment"] == "OA-2026-1123" and notes[0]["percent"] == 30
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        world.db.execute("UPDATE rectify_audit SET detail = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        world.db.execute("DELETE FROM rectify_notes")


def test_roles(world):
    svc, u = world.service, world.users
    item = _coverage_item(world)
    # another city's handler: the same words as for an id that does not exist
    for call in (lambda: svc.get(u["cs"], item.item_id),
                 lambda: svc.progress(u["cs"], item.item_id, "进展"),
                 lambda: svc.get(u["hy"], 999)):
        with pytest.raises(ItemNotFoundError, match="不存在或不在您的管辖范围内"):
            call()
    assert svc.list_items(u["cs"]) == [] and len(svc.list_items(u["hy"])) == 1
    with pytest.raises(PermissionDenied):
        svc.get(u["rev"], item.item_id)                                  # reviewers: nothing
    assert svc.get(u["mon"], item.item_id).item_no == item.item_no       # monitors read …
    for call in (lambda: svc.progress(u["mon"], item.item_id, "进展"),   # … and only read
                 lambda: svc.close_item(u["mon"], item.item_id, "证据"),
                 lambda: svc.mark_worst(u["mon"], item.item_id),
                 lambda: svc.progress(u["boss"], item.item_id, "进展"),  # managers supervise
                 lambda: svc.open(u["hy"], problem="p", owner_department="d", measure="m"),
                 lambda: svc.remark(u["hy"], item.item_id, "意见")):
        with pytest.raises(PermissionDenied):
            call()
    assert svc.progress(u["root"], item.item_id, "管理员代填").last_progress_at
    assert svc.may_progress(u["hy"], item) and not svc.may_progress(u["cs"], item)


def test_named_owner_of_another_city_posts_progress(world):
    svc, u = world.service, world.users
    item = _coverage_item(world, owners=["cs"])
    assert item.owners == ["cs"]
    assert svc.progress(u["cs"], item.item_id, "省网优中心协助测试").progress is None
    assert [i.item_id for i in svc.list_items(u["cs"])] == [item.item_id]
    assert svc.linked_cases(u["cs"], item.item_id) == []                 # 衡阳's cases stay hidden
    with pytest.raises(RectificationError, match="不是分公司处理员"):
        svc.update(u["boss"], item.item_id, "加责任人", owners=["cs", "boss"])


def test_open_defaults_deadline_and_province(world):
    item = world.service.open(world.users["root"], problem="全省携号转网办理不畅",
                              owner_department="渠道管理部", measure="统一受理口径")
    assert item.deadline == "2026-12-20" and item.place == "全省"      # default_days: 30
    assert world.service.list_items(world.users["hy"]) == []             # province: not a city's


def test_open_from_event_warning(world):
    svc, u = world.service, world.users
    posts = [world.posts[n] for n in (1, 2, 3, 4)]
    case = world.case(2)                                                   # a case of one post
    alert_id = add_alert(world.db, world.cfg, "event:zh", 2, posts, city="衡阳", rule="hot",
                         rule_type="event", created=world.clock())
    item = svc.open_from_alert(u["boss"], alert_id, owner_department="网络部",
                               measure="扩容", deadline="2026-12-31")
    assert (item.origin, item.alert_id, item.city) == ("event", alert_id, "衡阳")
    assert item.problem == "【预警】event:zh"                                # the warning's subject
    assert [c.case_id for c in svc.linked_cases(u["boss"], item.item_id)] == [case.case_id]
    assert {p["post_id"] for p in svc.linked_posts(u["boss"], item.item_id)} == set(posts)
    with pytest.raises(RectificationError, match=f"已立项督办：{item.item_no}"):
        svc.open_from_alert(u["boss"], alert_id, owner_department="网络部", measure="扩容")
    volume = add_alert(world.db, world.cfg, "volume:hy", 2, posts, city="衡阳", rule="vol",
                       rule_type="volume", created=world.clock())
    assert svc.open_from_alert(u["boss"], volume, owner_department="网络部",
                               measure="扩容").origin_label == "量预警"
    single = add_alert(world.db, world.cfg, "post:x", 1, posts[:1], created=world.clock())
    with pytest.raises(RectificationError, match="只能从事件预警或量预警"):
        svc.open_from_alert(u["boss"], single, owner_department="网络部", measure="扩容")
    assert [a["alert_id"] for a in svc.openable_alerts(u["boss"])] == [volume, alert_id]


def test_one_worst_problem_a_month(world):
    svc, u = world.service, world.users
    first = _coverage_item(world, posts=(1,))
    second = _coverage_item(world, posts=(2,))
    assert svc.mark_worst(u["boss"], first.item_id).worst_months == ["2026-11"]
    marked = svc.mark_worst(u["boss"], second.item_id, "2026-11")
    assert marked.worst_months == ["2026-11"] and svc.get(u["boss"], first.item_id).worst_months == []
    assert svc.worst_of(u["mon"], "2026-11").item_id == second.item_id
    assert svc.worst_of(u["mon"], "2026-10") is None
    assert svc.audit_log(u["boss"], first.item_id)[-1]["action"] == "unmark_worst"
    assert svc.mark_worst(u["boss"], second.item_id, "2026-12").worst_months == ["2026-11", "2026-12"]
    with pytest.raises(RectificationError, match="YYYY-MM"):
        svc.mark_worst(u["boss"], first.item_id, "2026-13")


def test_update_and_reopen(world):
    svc, u = world.service, world.users
    item = _coverage_item(world)
    changed = svc.update(u["boss"], item.item_id, "设备延期到货", deadline="2027-01-15",
                         owner_department="衡阳分公司网络部")
    assert (changed.deadline, changed.owner_department) == ("2027-01-15", "衡阳分公司网络部")
    detail = svc.audit_log(u["boss"], item.item_id)[-1]["detail"]
    assert "整改时限：2026-12-20 → 2027-01-15" in detail and "设备延期到货" in detail
    with pytest.raises(RectificationError, match="没有要调整的内容"):
        svc.update(u["boss"], item.item_id, "同上", deadline="2027-01-15")
    with pytest.raises(RectificationError, match="调整原因"):
        svc.update(u["boss"], item.item_id, "", measure="x")
    svc.close_item(u["boss"], item.item_id, "已开通")
    reopened = svc.reopen(u["boss"], item.item_id, "复测仍有弱覆盖投诉", deadline="2027-02-01")
    assert (reopened.status, reopened.deadline, reopened.closed_at, reopened.evidence) == (
        "整改中", "2027-02-01", None, None)
    assert svc.progress(u["hy"], item.item_id, "重新优化").is_open


def test_overdue_and_lists(world):
    svc, u = world.service, world.users
    late = _coverage_item(world, posts=(1,), deadline="2026-11-22")
    later = _coverage_item(world, posts=(2,), deadline="2026-12-01")
    world.clock.advance(days=2, hours=14)                                 # 11-22 23:00
    assert svc.list_items(u["boss"], overdue=True) == []
    world.clock.advance(hours=1)                                          # 11-23 00:00
    assert [i.item_id for i in svc.list_items(u["boss"], overdue=True)] == [late.item_id]
    assert svc.get(u["boss"], late.item_id).overdue
    svc.close_item(u["boss"], late.item_id, "完成")
    assert not svc.get(u["boss"], late.item_id).overdue                   # closed: not overdue
    assert [i.item_id for i in svc.list_items(u["boss"])] == [later.item_id, late.item_id]
    assert [i.item_id for i in svc.list_items(u["boss"], status="已办结")] == [late.item_id]
    assert svc.item_id_of(later.item_no) == later.item_id and svc.item_id_of("DB0") == -1
