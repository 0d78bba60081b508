"""Suggestion order: the case's own problem first, the general escalation script second (#17.12)."""

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
