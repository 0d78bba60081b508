"""典型案例: proposed from a closed case by someone who may read it, scrubbed of personal data,
approved by a reviewer, then readable by everyone."""

from __future__ import annotations

import pytest

from accounts import PermissionDenied
from cases.models import CaseNotFound
from knowledge import KnowledgeError

PERSONAL_BITS = ("13812345678", "430102199003071234", "张三", "阳光花园", "1201", "湘江边的风", "移动客服")


def test_a_closed_case_becomes_a_scrubbed_draft(world):
    case = world.closed_case(1)
    entry = world.typical.propose(world.people["cs"], world.cases, case.case_id, lesson="先查尾纤再换光猫")
    draft = entry.latest
    assert (entry.case_no, entry.city, entry.tier, entry.code) == (case.case_no, "长沙", 3,
                                                                    f"AL-{entry.typical_id:04d}")
    assert draft.status == "draft" and draft.author == "cs" and draft.categories == ["宽带/家宽"]
    assert "光猫红灯" in draft.problem and "已安排装维师傅上门" in draft.reply
    assert "更换尾纤" in draft.fix and draft.lesson == "先查尾纤再换光猫"
    assert draft.outcome.startswith("首次响应按时，按时办结") and "5.5 小时" in draft.outcome
    text = " ".join(str(v) for v in draft.to_dict().values())
    for bit in PERSONAL_BITS:
        assert bit not in text, bit
    assert "[电话]" in draft.problem and "[证件号]" in draft.problem and "[地址]" in draft.problem


def test_only_a_closed_case_once_and_only_by_whoever_may_read_it(world):
    mon = world.people["mon"]
    case = world.closed_case(1)
    with pytest.raises(CaseNotFound):
        world.typical.propose(world.people["zz"], world.cases, case.case_id)   # 株洲's handler
    with pytest.raises(PermissionDenied):
        world.typical.propose(world.people["rev"], world.cases, case.case_id)  # reviewers see no cases
    world.typical.propose(mon, world.cases, case.case_id)
    with pytest.raises(KnowledgeError, match="已推荐为典型案例 AL-"):
        world.typical.propose(world.people["boss"], world.cases, case.case_id)


def test_an_open_case_is_refused(world):
    from tests.cases.helpers import post

    case = world.cases.create_from_post(world.people["mon"], post(2).id)
    with pytest.raises(KnowledgeError, match="尚未办结"):
        world.typical.propose(world.people["mon"], world.cases, case.case_id)


def test_a_draft_is_seen_by_its_author_and_reviewers_until_approved(world):
    cs, zz, rev, boss = (world.people[n] for n in ("cs", "zz", "rev", "boss"))
    entry = world.typical.propose(cs, world.cases, world.closed_case(1).case_id)
    tid = entry.typical_id
    for outsider in (zz, boss):
        assert world.typical.list_typical(outsider) == []
        with pytest.raises(KnowledgeError, match="不存在"):
            world.typical.get(outsider, tid)
    assert [e.typical_id for e in world.typical.list_typical(rev)] == [tid]
    # The reviewer's correction is scrubbed as well: an edit cannot bring personal data back.
    world.typical.submit(cs, tid)
    world.typical.reject(rev, tid, "补充经验要点")
    world.typical.edit(cs, tid, lesson="回访时打给 13900001111 的王女士确认")
    assert world.typical.get(cs, tid).latest.lesson == "回访时打给 [电话] 的某女士确认"
    world.typical.submit(cs, tid)
    with pytest.raises(PermissionDenied):
        world.typical.approve(cs, tid)
    world.typical.approve(rev, tid, "可作为宽带断网的范例")
    for reader in (zz, boss, world.people["rev2"]):
        assert [e.code for e in world.typical.list_typical(reader, status="approved")] == [entry.code]
        assert world.typical.get(reader, tid).official.review_note == "可作为宽带断网的范例"
    assert world.typical.list_typical(zz, query="尾纤")[0].typical_id == tid
    assert world.typical.list_typical(zz, query="掉话") == []
    assert world.typical.of_case(entry.case_id).typical_id == tid
