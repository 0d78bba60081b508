"""Suggestion: the fitting script with its reason, text weighed by TF-IDF; the case's own problem
first, the general escalation script second (#17.12)."""

from __future__ import annotations

import pytest

from cases import CaseService
from core.db import StateDB
from core.vocab import CATEGORIES
from indexer import open_store
from reply_scripts import ScriptService
from reply_scripts.suggest import suggest, suggest_for_case
from reply_scripts.transfer import STARTER_LIBRARY, load_starter, read_yaml
from tests.cases.helpers import make_config, post, users

AUTO_RENEWAL = ("移动宽带到期了没有任何通知就自动续费了一年，直接扣了我960元，打10086说不能退，"
                "再不给退我就打12315投诉你们")
MIN_SCRIPTS_PER_CATEGORY = 4


def test_every_category_has_starter_scripts_for_its_common_problems():
    records = read_yaml(STARTER_LIBRARY)
    for category in CATEGORIES:
        codes = [r["code"] for r in records if category in r["categories"]]
        assert len(codes) >= MIN_SCRIPTS_PER_CATEGORY, (category, codes)


@pytest.mark.parametrize("categories", [
    ["宽带/家宽"],
    ["宽带/家宽", "资费计费/乱扣费"],
    ["宽带/家宽", "增值业务/SP定制"],   # what the model makes of 自动续费
])
def test_an_auto_renewal_citing_12315_gets_its_billing_script_then_the_escalation(starter, categories):
    service, people = starter
    found = suggest(service, people["cs"], AUTO_RENEWAL, categories, tier=4)
    assert [s.code for s in found[:2]] == ["KJ-BB-05", "KJ-GEN-03"], [(s.code, s.score, s.why)
                                                                      for s in found]
    assert "自动续费" in found[0].shared_terms and "12315" in found[1].shared_terms


def test_without_a_script_for_the_problem_the_escalation_script_leads(starter):
    """A 宽带 post that names no problem a script is written for: a 宽带 script that only shares
    the word 宽带 does not push the media-exposure script down."""
    service, people = starter
    found = suggest(service, people["cs"], "宽带维权一个月没结果，准备找媒体曝光，大家帮忙转发",
                    ["宽带/家宽"], tier=4)
    assert found[0].code == "KJ-GEN-04"
    assert found[1].shared_categories == ["宽带/家宽"]


def test_below_tier_4_the_problem_leads_and_the_rest_follow_by_score(starter):
    service, people = starter
    found = suggest(service, people["cs"], "宽带到期自动续费了一年，没人通知我，要求退费",
                    ["宽带/家宽", "资费计费/乱扣费"], tier=3)
    assert found[0].code == "KJ-BB-05"
    assert [s.score for s in found[1:]] == sorted((s.score for s in found[1:]), reverse=True)


def test_the_case_of_an_auto_renewal_post_suggests_it_first(tmp_path):
    """Through the case: its post's text, categories and tier, and its placeholders filled."""
    config = make_config(tmp_path)
    with open_store(config) as store:
        store.upsert_many([post(1, title="宽带到期被自动续费一年，要去12315", content=AUTO_RENEWAL,
                                categories=("宽带/家宽", "资费计费/乱扣费"), severity=4,
                                author="湘江边的老李")])
        db = StateDB(config.state_path)
        people = users(db)
        scripts = ScriptService(db)
        load_starter(scripts)
        cases = CaseService(config, db, store)
        case = cases.create_from_post(people["mon"], post(1).id)
        found = suggest_for_case(config, scripts, cases, people["cs"], case.case_id)
        db.close()
    assert [s.code for s in found[:2]] == ["KJ-BB-05", "KJ-GEN-03"]
    assert found[0].reply.startswith("湘江边的老李您好") and case.case_no in found[0].reply
    assert not found[0].missing_placeholders


@pytest.mark.parametrize("text, categories, tier, expected", [
    ("家里宽带断网三天了，光猫红灯一直闪，报修了也没人上门", ["宽带/家宽"], 3, "KJ-BB-01"),
    ("莫名其妙被订购了视频彩铃会员，每个月扣我10块，没同意过", ["增值业务/SP定制", "资费计费/乱扣费"], 3,
     "KJ-SP-01"),
    ("携号转网一直办不了，营业员说有合约，故意拖着不给授权码", ["业务办理/销户携号转网"], 3, "KJ-SVC-01"),
    ("再不解决我就去工信部投诉，打12300", [], 4, "KJ-GEN-03"),
    ("宽带维权一个月没结果，准备找媒体曝光，大家帮忙转发", ["宽带/家宽"], 4, "KJ-GEN-04"),
])
def test_suggest_finds_the_fitting_script(starter, text, categories, tier, expected):
    service, users = starter
    found = suggest(service, users["cs"], text, categories,
                    {"昵称": "小李", "城市": "长沙", "热线": "10086", "工单号": "TS2026112000001"}, tier=tier)
    assert found[0].code == expected, [(s.code, s.score, s.why) for s in found]
    assert found[0].why and found[0].risk_note
    assert "小李您好" in found[0].reply and "{" not in found[0].reply


def test_words_no_script_has_weigh_against_the_text_match(starter):
    """A post's terms outside every script count in its TF-IDF norm: the same complaint buried in
    unrelated chatter is a weaker text match, with the same shared terms, heaviest first."""
    service, users = starter
    short = suggest(service, users["cs"], "宽带断网，光猫红灯")
    chatter = suggest(service, users["cs"], "宽带断网，光猫红灯。昨天邻居家小狗在公园散步，大家唱歌跳舞")
    assert short[0].code == chatter[0].code == "KJ-BB-01"
    assert chatter[0].score < short[0].score
    assert chatter[0].shared_terms == short[0].shared_terms and "光猫红灯" in short[0].shared_terms
