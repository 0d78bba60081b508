"""Closing a case: root cause from the taxonomy, 处理场景, 计划解决时间 as a real date, no vague
words — each refusal names the field, and a refused close changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from cases.closing import closure_fields, plan_date
from cases.config import CasesConfig, QualityConfig
from cases.models import CaseError
from tests.cases.helpers import CLOSING

TODAY = date(2026, 11, 20)
Q = QualityConfig()


def _replied(world):
    service, users, _, store = world
    post_id = next(p.id for p in store.iter_posts() if p.url.endswith("thread-1.html"))
    case = service.create_from_post(users["mon"], post_id)
    service.act(users["cs"], case.case_id, "accept")
    return service.act(users["cs"], case.case_id, "reply", "您好，已登记")


@pytest.mark.parametrize("options, message", [
    ({}, "办结需要选择「根本原因」：可控：弱覆盖、资源不足"),
    ({"root_cause": "天气"}, "未知的根本原因「天气」"),
    ({"root_cause": "其他"}, "根本原因为「其他」时须填写「原因说明」"),
    ({"root_cause": "其他", "root_cause_note": "用户暂时不在家"}, "「原因说明」含模糊表述「暂时」"),
    ({"root_cause": "弱覆盖"}, "办结需要填写「处理场景」"),
    ({"root_cause": "弱覆盖", "scenario": "已处理"}, "「处理场景」过于简略（至少 6 个字）"),
    ({"root_cause": "弱覆盖", "scenario": "近期将新建基站解决覆盖"}, "「处理场景」含模糊表述「近期」"),
    ({"root_cause": "弱覆盖", "scenario": "岳麓区新建宏站一座"}, "办结需要说明问题是否已解决"),
    ({"root_cause": "弱覆盖", "scenario": "岳麓区新建宏站一座", "resolved": False},
     "问题未解决时须填写「计划解决时间」"),
    ({"root_cause": "弱覆盖", "scenario": "岳麓区新建宏站一座", "resolved": False,
      "planned_fix_date": "尽快"}, "「计划解决时间」含模糊表述「尽快」"),
    ({"root_cause": "弱覆盖", "scenario": "岳麓区新建宏站一座", "resolved": False,
      "planned_fix_date": "2026-02-30"}, "「计划解决时间」须为具体日期"),
    ({"root_cause": "弱覆盖", "scenario": "岳麓区新建宏站一座", "resolved": False,
      "planned_fix_date": "下个月"}, "「计划解决时间」须为具体日期"),
    ({"root_cause": "弱覆盖", "scenario": "岳麓区新建宏站一座", "resolved": False,
      "planned_fix_date": "2026-11-19"}, "早于今天"),
    ({"root_cause": "弱覆盖", "scenario": "岳麓区新建宏站一座", "resolved": False,
      "planned_fix_date": "2028-01-01"}, "最多 366 天后"),
])
def test_a_close_missing_or_vague_is_refused_naming_the_field(world, options, message):
    service, users, _, _ = world
    case = _replied(world)
    with pytest.raises(CaseError, match=message):
        service.act(users["cs"], case.case_id, "close", "已上门测试", **options)
    after = service.get(users["cs"], case.case_id)
    assert after.status == "已回复" and after.root_cause is None
    assert [a["action"] for a in service.audit_log(users["cs"], case.case_id)][-1] == "reply"


def test_the_offline_result_is_checked_for_vague_words_too(world):
    service, users, _, _ = world
    case = _replied(world)
    with pytest.raises(CaseError, match="「线下处理结果」含模糊表述「尽快」"):
        service.act(users["cs"], case.case_id, "close", "尽快上门", **CLOSING)


def test_a_close_not_yet_solved_keeps_cause_scenario_and_date(world):
    service, users, clock, _ = world
    case = _replied(world)
    closed = service.act(users["cs"], case.case_id, "close", "已现场测试，确认为覆盖问题",
                         root_cause="弱覆盖", scenario="岳麓区麓谷新建宏站一座，站址已获批",
                         resolved=False, planned_fix_date="2026-12-20")
    assert (closed.status, closed.root_cause_group, closed.root_cause, closed.resolved,
            closed.planned_fix_date) == ("已办结", "可控", "弱覆盖", 0, "2026-12-20")
    assert closed.scenario == "岳麓区麓谷新建宏站一座，站址已获批" and closed.invalid_reason is None
    other = service.act(users["mon"], case.case_id, "reopen", "用户仍反映无信号")
    again = service.act(users["mon"], other.case_id, "invalidate", "用户为联通号码，非本网")
    assert again.status == "已办结" and again.invalid_reason == "用户为联通号码，非本网"
    assert again.root_cause is None and again.planned_fix_date is None     # 无效: no root cause


def test_other_with_a_description_is_accepted():
    fields = closure_fields(Q, "已解释", {"root_cause": "其他", "root_cause_note": "用户误操作开通",
                                         "scenario": "电话回访说明开通记录", "resolved": True}, TODAY)
    assert (fields["root_cause_group"], fields["root_cause_note"], fields["planned_fix_date"]) == (
        "其他", "用户误操作开通", None)


def test_plan_date_accepts_a_date_object_and_today():
    assert plan_date(TODAY, TODAY, Q) == "2026-11-20"
    assert plan_date(" 2026-12-01 ", TODAY, Q) == "2026-12-01"


@pytest.mark.parametrize("quality, message", [
    ({"root_causes": {}}, "at least one root-cause group"),
    ({"root_causes": {"可控": []}}, "needs a name and at least one cause"),
    ({"root_causes": {"可控": ["弱覆盖"], "不可控": ["弱覆盖"]}}, "repeated"),
    ({"root_causes": {"可控": ["其他"]}}, "always offered"),
    ({"vague_words": ["近期", " "]}, "cannot be empty"),
    ({"sample_share": 1.5}, "less than or equal to 1"),
])
def test_quality_config_is_validated(quality, message):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        CasesConfig.model_validate({"quality": quality})


def test_a_configured_taxonomy_and_word_list_are_what_closing_uses():
    quality = QualityConfig(root_causes={"可控": ["光缆老化"]}, vague_words=["马上"])
    assert quality.group_of("光缆老化") == "可控" and quality.group_of("弱覆盖") is None
    with pytest.raises(CaseError, match="「处理场景」含模糊表述「马上」"):
        closure_fields(quality, "已处理", {"root_cause": "光缆老化", "scenario": "马上更换光缆",
                                           "resolved": True}, TODAY)
    fields = closure_fields(quality, "近期已处理", {"root_cause": "光缆老化", "scenario": "更换老化光缆 200 米",
                                                  "resolved": True}, TODAY)
    assert fields["root_cause"] == "光缆老化"      # 近期 is not on this list
