"""Guides and typical cases are ranked for a case the way scripts are: text fit plus categories."""

from __future__ import annotations

import pytest

from cases.models import CaseNotFound
from knowledge.suggest import for_case, guides_for, typical_for
from tests.cases.helpers import post


@pytest.mark.parametrize("text, categories, expected", [
    ("VoLTE 通话中经常掉话，进电梯就断", ["网络覆盖/信号"], "ZY-VOLTE-03"),
    ("手机不显示 HD 图标，高清通话用不了", ["网络覆盖/信号"], "ZY-VOLTE-01"),
    ("打电话声音断断续续还有杂音，对方听不到我", ["网络覆盖/信号"], "ZY-VOLTE-04"),
    ("打电话时网络掉到 2G，挂了电话半天回不到 4G 上不了网", [], "ZY-VOLTE-05"),
    ("家里宽带断网，光猫红灯一直闪", ["宽带/家宽"], "ZY-BB-01"),
    ("莫名其妙开通了视频会员，每个月扣费", ["增值业务/SP定制"], "ZY-SP-01"),
    ("要去工信部投诉，还要找媒体曝光", ["其他"], "ZY-GEN-01"),
])
def test_the_guide_for_the_problem_comes_first(world, text, categories, expected):
    world.guides.load_seed()
    found = guides_for(world.guides, world.people["cs"], text, categories)
    assert found and found[0].code == expected, [(m.code, m.score) for m in found]
    assert found[0].score > (found[1].score if len(found) > 1 else 0)
    assert found[0].why


def test_an_unapproved_guide_is_never_suggested(world):
    cs = world.people["cs"]
    world.guides.create(cs, "光猫红灯（草稿）", ["宽带/家宽"], "光猫红灯闪烁断网", ["重启光猫"])
    assert guides_for(world.guides, cs, "光猫红灯闪烁断网", ["宽带/家宽"]) == []


def _approved_typical(world, n):
    cs, rev = world.people["cs"], world.people["rev"]
    entry = world.typical.propose(cs, world.cases, world.closed_case(n).case_id)
    world.typical.submit(cs, entry.typical_id)
    return world.typical.approve(rev, entry.typical_id)


def test_a_similar_typical_case_is_suggested_for_a_new_case_but_not_for_itself(world):
    world.guides.load_seed()
    broadband = _approved_typical(world, 1)
    mon = world.people["mon"]
    new = world.cases.create_from_post(mon, post(3).id)      # 光猫 LOS 红灯 again, in 长沙
    guides, typical = for_case(world.guides, world.typical, world.cases, mon, new.case_id)
    assert guides[0].code == "ZY-BB-01"
    assert [m.code for m in typical] == [broadband.code]
    assert "宽带/家宽" in typical[0].shared_categories and "光猫" in typical[0].shared_terms
    # The typical case's own case is not offered its own story.
    _, own = for_case(world.guides, world.typical, world.cases, mon, broadband.case_id)
    assert own == []
    # A call-drop case in 株洲 shares nothing with a broadband outage.
    drop = world.cases.create_from_post(mon, post(2).id)
    assert typical_for(world.typical, mon, "VoLTE 通话中经常掉话", ["网络覆盖/信号"]) == []
    guides, _ = for_case(world.guides, world.typical, world.cases, mon, drop.case_id)
    assert guides[0].code == "ZY-VOLTE-03"
    # The case service decides who may see the case: 长沙's handler gets 株洲's as not found.
    with pytest.raises(CaseNotFound):
        for_case(world.guides, world.typical, world.cases, world.people["cs"], drop.case_id)
