"""排障指引: the seed covers every category and the five VoLTE problems, loads idempotently, and
guides go through the scripts' review workflow."""

from __future__ import annotations

import pytest

from accounts import PermissionDenied
from core.vocab import CATEGORIES
from knowledge import KnowledgeError
from knowledge.guides import SEED_APPROVER, SEED_GUIDES, read_guides

VOLTE_PROBLEMS = ("注册", "接入", "掉话", "语音质量", "CSFB")


def test_the_seed_covers_each_category_and_the_five_volte_problems(world):
    added = world.guides.load_seed()
    assert added == len(read_guides(SEED_GUIDES)) >= 17
    approved = world.guides.list_guides(world.people["cs"], status="approved")
    assert len(approved) == added
    assert {c for g in approved for c in g.official.categories} == set(CATEGORIES)
    volte = world.guides.list_guides(world.people["cs"], topic="VoLTE")
    assert len(volte) == 5
    for problem in VOLTE_PROBLEMS:
        assert sum(problem in g.title for g in volte) == 1, problem
    for guide in approved:
        version = guide.official
        assert version.approver == SEED_APPROVER != version.author
        assert len(version.steps) >= 3 and version.checks and version.handover
    assert world.guides.topics() == ["VoLTE"]


def test_loading_the_seed_again_adds_nothing_and_keeps_an_edited_guide(world):
    world.guides.load_seed()
    guide = world.guides.list_guides(world.people["rev"], query="光猫亮红灯")[0]
    world.guides.edit(world.people["cs"], guide.guide_id, handover="转装维中心（本地调整）")
    assert world.guides.load_seed() == 0
    again = world.guides.get(world.people["cs"], guide.guide_id)
    assert len(again.history) == 2 and again.latest.handover == "转装维中心（本地调整）"
    assert world.guides.count() == len(read_guides(SEED_GUIDES))


def test_a_guide_is_drafted_reviewed_and_approved_like_a_script(world):
    cs, rev, rev2, boss = (world.people[n] for n in ("cs", "rev", "rev2", "boss"))
    guide = world.guides.create(cs, "宽带频繁掉线", ["宽带/家宽"], "宽带每天掉线好几次",
                                "查光功率\n查 PPPoE 日志\n\n换光猫", checks=["客户确认三天不掉线"],
                                handover="装维中心")
    assert guide.code == f"ZY-{guide.guide_id:04d}" and guide.latest.status == "draft"
    assert guide.latest.steps == ["查光功率", "查 PPPoE 日志", "换光猫"]
    assert world.guides.list_guides(cs, status="approved") == []
    assert world.guides.available_actions(boss, guide.guide_id) == []
    with pytest.raises(PermissionDenied, match="只能提交自己起草的指引"):
        world.guides.submit(boss, guide.guide_id)
    world.guides.submit(cs, guide.guide_id)
    with pytest.raises(KnowledgeError, match="指引正在审核中"):
        world.guides.edit(cs, guide.guide_id, title="改标题")
    with pytest.raises(PermissionDenied):
        world.guides.approve(cs, guide.guide_id)
    with pytest.raises(KnowledgeError, match="退回指引需要填写审核意见"):
        world.guides.reject(rev, guide.guide_id, " ")
    world.guides.reject(rev, guide.guide_id, "补充 PPPoE 日志的查询入口")
    world.guides.edit(cs, guide.guide_id, steps=["查光功率", "在 BRAS 查 PPPoE 掉线日志", "换光猫"])
    world.guides.submit(cs, guide.guide_id)
    approved = world.guides.approve(rev2, guide.guide_id, "可以")
    assert approved.official.version == 1 and approved.official.approver == "rev2"
    assert approved.official.steps[1] == "在 BRAS 查 PPPoE 掉线日志"
    # A change of an approved guide is a new draft; the approved one stays official meanwhile.
    changed = world.guides.edit(cs, guide.guide_id, handover="装维中心；主干问题转传输")
    assert changed.official.version == 1 and changed.latest.version == 2
    world.guides.submit(cs, guide.guide_id)
    world.guides.approve(rev, guide.guide_id)
    final = world.guides.get(cs, guide.guide_id)
    assert final.official.version == 2 and final.history[0].status == "retired"
    world.guides.retire(rev, guide.guide_id, "合并到 ZY-BB-01")
    assert world.guides.get(cs, guide.guide_id).official is None


@pytest.mark.parametrize("fields, message", [
    ({"title": " ", "symptoms": "断网", "steps": ["查"]}, "标题不能为空"),
    ({"title": "断网", "symptoms": "断网", "steps": []}, "排查步骤不能为空"),
    ({"title": "断网", "symptoms": "断网", "steps": ["查"], "categories": ["宽带"]}, "未知分类"),
])
def test_an_incomplete_guide_is_refused(world, fields, message):
    with pytest.raises(KnowledgeError, match=message):
        world.guides.create(world.people["cs"], categories=fields.pop("categories", []), **fields)


def test_a_seed_file_without_codes_is_refused(world, tmp_path):
    path = tmp_path / "guides.yaml"
    path.write_text("guides:\n  - title: 无编号\n    symptoms: x\n    steps: [a]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="没有 code"):
        world.guides.load_seed(path)
    assert world.guides.count() == 0
