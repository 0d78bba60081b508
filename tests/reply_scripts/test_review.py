"""reply_scripts.review: one workflow for every reviewed library, each speaking its own noun."""

from __future__ import annotations

import pytest

from accounts import PermissionDenied


def _script(db, author, code=None):
    from reply_scripts import ScriptService

    svc = ScriptService(db)
    return svc, svc.create(author, "宽带断网致歉", ["宽带/家宽"], "宽带断网", "您好", code=code).script_id


def _guide(db, author, code=None):
    from knowledge import GuideService

    svc = GuideService(db)
    return svc, svc.create(author, "宽带断网", ["宽带/家宽"], "宽带断网", ["查光猫"], code=code).guide_id


@pytest.mark.parametrize("make, noun, prefix", [(_script, "口径", "KJ"), (_guide, "指引", "ZY")])
def test_every_library_has_the_same_rules_in_its_own_words(lib, make, noun, prefix):
    scripts, users = lib
    svc, entry_id = make(scripts.db, users["rev"])
    assert svc.get(users["cs"], entry_id).code == f"{prefix}-{entry_id:04d}"
    assert svc.available_actions(users["rev"], entry_id) == ["edit", "submit"]
    assert svc.available_actions(users["cs"], entry_id) == []
    with pytest.raises(PermissionDenied, match=f"只能修改自己起草的{noun}草稿"):
        svc.edit(users["cs"], entry_id, title="改")
    svc.submit(users["rev"], entry_id)
    assert svc.why_not(users["rev"], entry_id, "approve") == f"不能审批自己起草的{noun}，请由其他审核人审批"
    assert svc.available_actions(users["rev2"], entry_id) == ["approve", "reject"]
    with pytest.raises(ValueError, match=f"{noun}正在审核中"):
        svc.edit(users["rev2"], entry_id, title="改")
    svc.approve(users["rev2"], entry_id)
    svc.edit(users["mon"], entry_id, title="宽带断网（第二版）")
    svc.submit(users["mon"], entry_id)
    svc.approve(users["rev"], entry_id)
    entry = svc.get(users["cs"], entry_id)
    assert [v.status for v in entry.history] == ["retired", "approved"]
    assert entry.history[0].review_note == "被第 2 版取代" and entry.official.title == "宽带断网（第二版）"
    assert [e.code for e, _ in svc.official_versions()] == [entry.code]
    with pytest.raises(ValueError, match=f"{noun}编号 {entry.code} 已存在"):
        make(scripts.db, users["mon"], code=entry.code)
    assert svc.count() == 1
