"""Script review: draft → in review → approved → retired; nobody approves their own draft."""

from __future__ import annotations

import pytest

from accounts import PermissionDenied
from reply_scripts.models import ScriptError

BODY = "{昵称}您好，{城市}分公司已受理（工单号{工单号}），如有疑问请拨打{热线}。"


def _draft(service, author):
    return service.create(author, "宽带断网致歉", ["宽带/家宽"], "宽带断网报修无人上门", BODY, "不承诺上门时间")


def test_lifecycle(lib):
    service, users = lib
    script = _draft(service, users["rev"])
    assert script.latest.status == "draft" and script.official is None and script.code == "KJ-0001"
    with pytest.raises(ScriptError, match="待审核"):
        service.approve(users["rev2"], script.script_id)
    service.submit(users["rev"], script.script_id)
    with pytest.raises(PermissionDenied, match="自己起草"):
        service.approve(users["rev"], script.script_id)          # the author, even as a reviewer
    with pytest.raises(PermissionDenied, match="口径审核"):
        service.approve(users["cs"], script.script_id)           # a handler
    approved = service.approve(users["rev2"], script.script_id, "同意")
    assert approved.official.version == 1 and approved.official.approver == "rev2"
    # editing an approved script makes version 2; version 1 stays official until 2 is approved
    edited = service.edit(users["mon"], script.script_id, body=BODY + "感谢理解！")
    assert edited.latest.version == 2 and edited.latest.status == "draft" and edited.official.version == 1
    service.submit(users["mon"], script.script_id)
    service.reject(users["rev"], script.script_id, "语气再委婉些")
    assert service.get(users["cs"], script.script_id).latest.review_note == "语气再委婉些"
    service.submit(users["mon"], script.script_id)
    v2 = service.approve(users["rev"], script.script_id)
    assert v2.official.version == 2
    assert [v.status for v in v2.history] == ["retired", "approved"]
    retired = service.retire(users["rev2"], script.script_id, "活动结束")
    assert retired.official is None and [v.status for v in retired.history] == ["retired", "retired"]
    with pytest.raises(ScriptError, match="已批准"):
        service.record_use(users["cs"], script.script_id)


def test_the_library_says_which_actions_it_will_accept(lib):
    """What available_actions offers is exactly what the calls accept: a reviewer is not offered
    批准 on their own draft (the console showed it, then the library refused it)."""
    service, users = lib
    sid = _draft(service, users["rev"]).script_id
    assert service.available_actions(users["rev"], sid) == ["edit", "submit"]
    assert service.available_actions(users["cs"], sid) == []  # someone else's draft
    service.submit(users["rev"], sid)
    assert service.available_actions(users["rev"], sid) == ["reject"]
    assert service.why_not(users["rev"], sid, "approve") == "不能审批自己起草的口径，请由其他审核人审批"
    assert service.available_actions(users["rev2"], sid) == ["approve", "reject"]
    assert service.available_actions(users["mon"], sid) == []
    service.approve(users["rev2"], sid)
    assert service.available_actions(users["rev"], sid) == ["edit", "retire"]
    assert service.available_actions(users["mon"], sid) == ["edit"]
    assert service.why_not(users["mon"], sid, "retire").startswith("无权停用口径")


def test_only_approved_versions_are_offered_and_counted(lib):
    service, users = lib
    script = _draft(service, users["mon"])
    assert service.official_versions() == []
    with pytest.raises(ScriptError, match="不能作为官方回复"):
        service.record_use(users["cs"], script.script_id, case_id=1)
    service.submit(users["mon"], script.script_id)
    service.approve(users["rev"], script.script_id)
    assert service.record_use(users["cs"], script.script_id, case_id=1) == 1
    assert service.get(users["cs"], script.script_id).use_count == 1


def test_edit_rules(lib):
    service, users = lib
    script = _draft(service, users["mon"])
    with pytest.raises(PermissionDenied):
        service.edit(users["cs"], script.script_id, title="改标题")
    with pytest.raises(ScriptError, match="未知分类"):
        service.edit(users["mon"], script.script_id, categories=["宽带"])
    service.submit(users["mon"], script.script_id)
    with pytest.raises(ScriptError, match="审核中"):
        service.edit(users["mon"], script.script_id, title="改标题")


def test_reply_on_a_case_uses_the_approved_version(tmp_path):
    from cases.service import CaseService
    from core.db import StateDB
    from indexer import open_store
    from reply_scripts import ScriptService
    from tests.cases.helpers import Clock, make_config, post, users

    cfg = make_config(tmp_path)
    db = StateDB(cfg.state_path)
    people = users(db)
    scripts = ScriptService(db)
    script = _draft(scripts, people["rev"])
    scripts.submit(people["rev"], script.script_id)
    scripts.approve(people["rev2"], script.script_id)
    with open_store(cfg) as store:
        store.upsert_many([post(1)])
        cases = CaseService(cfg, db, store, clock=Clock())
        case = cases.create_from_post(people["mon"], store.search("").hits[0].post.id)
        cases.act(people["cs"], case.case_id, "accept")
        replied = cases.act(people["cs"], case.case_id, "reply", "您好……", script_id=script.script_id)
        assert replied.reply_script_id == script.script_id
        note = cases.notes(people["cs"], case.case_id)[-1]
        assert (note["kind"], note["script_id"], note["script_version"]) == ("online_reply", script.script_id, 1)
    assert scripts.get(people["cs"], script.script_id).use_count == 1
