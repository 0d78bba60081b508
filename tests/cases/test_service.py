"""The case service: a handler never reads or changes another branch's case, even by guessing its
id; one open case per post."""

from __future__ import annotations

import pytest

from accounts import PermissionDenied
from cases.models import CaseNotFound
from tests.cases.helpers import CLOSING, post_id


@pytest.fixture
def two_cases(world):
    service, users, clock, store = world
    cs_case = service.create_from_post(users["mon"], post_id(store, 1))      # 长沙
    zz_case = service.create_from_post(users["mon"], post_id(store, 4))      # 株洲
    return service, users, cs_case, zz_case


@pytest.mark.parametrize("call", [
    lambda s, u, c: s.get(u, c),
    lambda s, u, c: s.act(u, c, "accept"),
    lambda s, u, c: s.act(u, c, "reply", "您好"),
    lambda s, u, c: s.transition(u, c, "处理中"),
    lambda s, u, c: s.comment(u, c, "看看"),
    lambda s, u, c: s.audit_log(u, c),
    lambda s, u, c: s.notes(u, c),
    lambda s, u, c: s.related_posts(u, c),
    lambda s, u, c: s.time_in_states(u, c),
    lambda s, u, c: s.available_actions(u, c),
], ids=["get", "accept", "reply", "transition", "comment", "audit", "notes", "related", "time", "actions"])
def test_other_branch_handler_is_told_not_found(two_cases, call):
    service, users, cs_case, zz_case = two_cases
    with pytest.raises(CaseNotFound) as foreign:
        call(service, users["cs"], zz_case.case_id)
    with pytest.raises(CaseNotFound) as missing:
        call(service, users["cs"], 999)
    # the same words for "another branch's" and "does not exist": an id reveals nothing
    assert str(foreign.value).replace(str(zz_case.case_id), "N") == str(missing.value).replace("999", "N")
    assert service.get(users["zz"], zz_case.case_id).status == "已派单"   # unchanged


def test_lists_are_scoped_to_the_handlers_cities(two_cases):
    service, users, cs_case, zz_case = two_cases
    assert [c.case_id for c in service.list_cases(users["cs"])] == [cs_case.case_id]
    assert service.list_cases(users["cs"], city="株洲") == []
    assert {c.case_id for c in service.list_cases(users["boss"])} == {cs_case.case_id, zz_case.case_id}


def test_status_counts_are_scoped_like_the_lists(two_cases):
    service, users, cs_case, zz_case = two_cases
    service.act(users["cs"], cs_case.case_id, "accept")
    service.act(users["cs"], cs_case.case_id, "reply", "您好")
    service.act(users["cs"], cs_case.case_id, "close", "已上门处理", **CLOSING)
    mine = service.status_counts(users["cs"])
    assert mine["已办结"] == 1 and mine["已派单"] == 0 and sum(mine.values()) == 1
    everyone = service.status_counts(users["boss"])
    assert (everyone["已办结"], everyone["已派单"]) == (1, 1)
    assert sum(service.status_counts(users["boss"], created_by="boss").values()) == 0
    assert [c.case_id for c in service.list_cases(users["boss"], created_by="mon")] == [
        zz_case.case_id, cs_case.case_id]


def test_roles(two_cases):
    service, users, cs_case, _ = two_cases
    with pytest.raises(PermissionDenied, match="重新处理"):
        service.act(users["cs"], cs_case.case_id, "reopen", "x")
    with pytest.raises(PermissionDenied, match="口径审核"):
        service.list_cases(users["rev"])
    with pytest.raises(PermissionDenied):
        service.create_from_post(users["cs"], cs_case.post_id)
    with pytest.raises(PermissionDenied):
        service.act(users["boss"], cs_case.case_id, "accept")      # managers read, escalate, comment
    service.comment(users["boss"], cs_case.case_id, "请加快")
    assert service.act(users["boss"], cs_case.case_id, "escalate", "省领导关注").status == "升级"


def test_unattributed_case_is_province_only(world):
    service, users, _, store = world
    case = service.create_from_post(users["mon"], post_id(store, 5))
    assert case.status == "新建" and case.branch == "省公司互联网投诉组"
    with pytest.raises(CaseNotFound):
        service.get(users["cs"], case.case_id)


def test_disabled_user_is_refused(world):
    from accounts import SYSTEM, AccountService

    service, users, _, _ = world
    AccountService(service.db).set_active(SYSTEM, "cs", False)
    disabled = AccountService(service.db).load_user("cs")
    with pytest.raises(PermissionDenied, match="停用"):
        service.list_cases(disabled)


def test_same_post_returns_open_case(world):
    service, users, _, _ = world
    first = service.create_from_post(users["mon"], post_id(service.store, 2))
    assert service.create_from_post(users["mon"], post_id(service.store, 2)).case_id == first.case_id
