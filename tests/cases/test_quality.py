"""质检: a deterministic sample of closed cases (every tier-4 one), passed or returned by the
provincial team; a returned case reopens, and closed again it comes back to 质检."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from accounts import PermissionDenied
from cases.models import CaseError
from cases.quality import CaseQuality
from cases.reporting import quality_between
from tests.cases.helpers import CLOSING, post

DAY = date(2026, 11, 20)


def _closed(world, n, city="长沙", severity=3, closer="cs"):
    """A case of a new post n, dispatched, replied and closed by `closer`."""
    service, users, clock, store = world
    p = post(n, city=city, severity=severity)
    store.upsert_many([p])
    case = service.create_from_post(users["mon"], p.id)
    service.act(users[closer], case.case_id, "accept")
    service.act(users[closer], case.case_id, "reply", "您好，已登记")
    clock.advance(minutes=1)
    return service.act(users[closer], case.case_id, "close", "已上门处理", **CLOSING)


@pytest.fixture
def closed_day(world):
    """Twenty tier-3 cases in 长沙 and one tier-4 case in 株洲, all closed on 2026-11-20."""
    cases = [_closed(world, n) for n in range(10, 30)]
    tier4 = _closed(world, 40, city="株洲", severity=4, closer="zz")
    return world, cases, tier4


def test_the_sample_is_every_tier4_case_and_the_share_in_hash_order(closed_day):
    (service, users, _, _), cases, tier4 = closed_day
    quality = CaseQuality(service)
    result = quality.sample(users["mon"], DAY, DAY)
    # The order anyone can recompute from the seed, the case number and the closing time.
    order = sorted(cases, key=lambda c: hashlib.sha256(
        f"tousu-qc\n{c.case_no}\n{c.closed_at}".encode()).hexdigest())
    assert result["case_nos"] == [tier4.case_no] + [c.case_no for c in order[:2]]   # ⌈10% × 20⌉
    assert (result["closed"], result["tier4"], result["sampled"], result["added"]) == (21, 1, 3, 3)
    assert [r["case_no"] for r in quality.pending(users["boss"])] == sorted(
        result["case_nos"], key=lambda no: next(c.closed_at for c in [*cases, tier4] if c.case_no == no))
    again = quality.sample(users["boss"], DAY, DAY)
    assert again["case_nos"] == result["case_nos"] and again["added"] == 0        # reproducible
    assert quality.sample(users["mon"], date(2026, 11, 21), date(2026, 11, 22))["closed"] == 0
    audit = service.audit_log(users["mon"], tier4.case_id)[-1]
    assert (audit["action"], audit["detail"]) == ("qc_sample", "抽入质检（4级必检）")


def test_handlers_and_reviewers_do_not_check(closed_day):
    (service, users, _, _), cases, _ = closed_day
    quality = CaseQuality(service)
    for name in ("cs", "rev"):
        with pytest.raises(PermissionDenied, match="抽取质检工单"):
            quality.sample(users[name], DAY, DAY)
    quality.sample(users["mon"], DAY, DAY)
    case_id = quality.pending(users["mon"])[0]["case_id"]
    with pytest.raises(PermissionDenied, match="质检工单"):
        quality.pass_case(users["cs"], case_id)
    with pytest.raises(CaseError, match="早于开始日期"):
        quality.sample(users["mon"], DAY, date(2026, 11, 19))


def test_pass_return_and_recheck(closed_day):
    (service, users, clock, _), cases, tier4 = closed_day
    quality = CaseQuality(service)
    quality.sample(users["mon"], DAY, DAY)
    first, second, third = (r["case_id"] for r in quality.pending(users["mon"]))
    clock.advance(hours=2)
    assert "已办结" not in service.time_in_states(users["mon"], first)   # its clock stopped at closing
    passed = quality.pass_case(users["mon"], first, "原因、场景填写规范")
    assert passed.status == "已办结"
    assert service.audit_log(users["mon"], first)[-1]["detail"] == "质检合格：原因、场景填写规范"
    with pytest.raises(CaseError, match="不在待质检工单中"):
        quality.return_case(users["mon"], first, "重复操作")
    with pytest.raises(CaseError, match="需要填写退回原因"):
        quality.return_case(users["boss"], second, "  ")
    clock.advance(hours=1)
    returned = quality.return_case(users["boss"], second, "处理场景未写明测试结果")
    assert (returned.status, returned.closed_at) == ("处理中", None)
    last = service.audit_log(users["cs"], second)[-1]
    assert (last["action"], last["from_status"], last["to_status"]) == ("qc_return", "已办结", "处理中")
    assert service.notes(users["cs"], second)[-1]["kind_label"] == "质检意见"
    assert [r["case_id"] for r in quality.pending(users["mon"])] == [third]
    # the handler fixes it and closes again: back in 质检 as a recheck
    service.act(users["cs"], second, "reply", "您好，已复测")
    service.act(users["cs"], second, "close", "复测下载 95Mbps", **CLOSING)
    pending = {r["case_id"]: r["basis_label"] for r in quality.pending(users["mon"])}
    assert pending == {third: pending[third], second: "退回复检"}
    history = quality.history(users["cs"], second)
    assert [(h["result_label"], h["comment"]) for h in history] == [
        ("退回", "处理场景未写明测试结果"), ("待质检", "")]
    figures = quality_between(service.db, "2026-11-20T00:00:00+08:00", "2026-11-21T00:00:00+08:00")
    assert figures["长沙分公司"] == {"closed": 20, "invalid": 0, "sampled": 3, "passed": 1,
                                     "returned": 1, "duplicates": 0}


def test_nobody_checks_their_own_closure_and_a_reopened_case_leaves_the_queue(world):
    service, users, _, _ = world
    quality = CaseQuality(service)
    own = _closed(world, 50, severity=4, closer="mon")
    other = _closed(world, 51, severity=4)
    quality.sample(users["boss"], DAY, DAY)
    with pytest.raises(CaseError, match="由您办结，不能由您质检"):
        quality.pass_case(users["mon"], own.case_id)
    assert quality.pass_case(users["boss"], own.case_id).status == "已办结"
    service.act(users["mon"], other.case_id, "reopen", "用户再次投诉")
    assert quality.pending(users["mon"]) == []
    with pytest.raises(CaseError, match="不在待质检工单中"):
        quality.return_case(users["boss"], other.case_id, "x")
