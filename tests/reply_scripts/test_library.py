"""The starter library, suggestion with reasons, placeholders, YAML/Excel round trips."""

from __future__ import annotations

import pytest
import yaml

from core.vocab import CATEGORIES
from reply_scripts.models import PLACEHOLDERS, fill_placeholders, placeholders_in
from reply_scripts.suggest import suggest
from reply_scripts.transfer import STARTER_LIBRARY, export_file, import_file, read_yaml


def test_starter_library_is_complete():
    records = read_yaml(STARTER_LIBRARY)
    assert len(records) >= 40
    assert len({r["code"] for r in records}) == len(records)
    assert {c for r in records for c in r["categories"]} == set(CATEGORIES)
    for r in records:
        assert set(placeholders_in(r["body"])) <= set(PLACEHOLDERS), r["code"]
        assert "{昵称}" in r["body"] and r["risk_note"], r["code"]


def test_starter_loads_approved_once(starter):
    service, users = starter
    official = service.official_versions()
    assert len(official) >= 40
    assert all(v.approver == "starter-library" and v.author == "system" for _, v in official)
    from reply_scripts.transfer import load_starter

    assert load_starter(service) == 0


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


def test_fill_reports_missing_values():
    text, missing = fill_placeholders("{昵称}您好，工单{工单号}，{未知}", {"昵称": "王先生"})
    assert text == "王先生您好，工单{工单号}，{未知}" and missing == ["工单号", "未知"]


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_export_import_round_trip(starter, tmp_path, suffix):
    from reply_scripts import ScriptService
    from core.db import StateDB

    service, users = starter
    path = tmp_path / f"library{suffix}"
    assert export_file(service, users["rev"], path, official_only=True) == service.count()
    other = ScriptService(StateDB(tmp_path / "other.db"))
    counts = import_file(other, users["rev"], path)
    assert counts["created"] == service.count()
    first = other.list_scripts(users["rev"])[0]
    assert first.latest.status == "draft" and first.latest.author == "rev"   # imports need review
    original = {s.code: s.official for s in service.list_scripts(users["rev"])}
    assert first.latest.body == original[first.code].body
    assert first.latest.categories == original[first.code].categories
    tiered = next(s for s in other.list_scripts(users["rev"]) if s.code == "KJ-GEN-04")
    assert tiered.latest.tiers == [4]
    # importing the same file again changes nothing
    assert import_file(other, users["rev"], path)["unchanged"] == service.count()


def test_excel_export_keeps_crawled_formulas_inert(starter, tmp_path):
    """A risk note that starts like a formula is text in the workbook and comes back unchanged."""
    from openpyxl import load_workbook

    from reply_scripts import ScriptService
    from core.db import StateDB

    service, users = starter
    path = tmp_path / "library.yaml"
    export_file(service, users["rev"], path, official_only=True)
    text = path.read_text(encoding="utf-8")
    first_note = yaml.safe_load(text)["scripts"][0]["risk_note"]
    evil = "=cmd|' /C calc'!A0"
    path.write_text(text.replace(first_note, evil, 1), encoding="utf-8")
    other = ScriptService(StateDB(tmp_path / "other.db"))
    import_file(other, users["rev"], path)
    xlsx = tmp_path / "library.xlsx"
    export_file(other, users["rev"], xlsx)
    cells = [c for row in load_workbook(xlsx).active.iter_rows(min_row=2) for c in row
             if isinstance(c.value, str) and "calc" in c.value]
    assert cells and all(c.data_type == "s" and c.value == "'" + evil for c in cells)
    again = ScriptService(StateDB(tmp_path / "again.db"))
    import_file(again, users["rev"], xlsx)
    assert evil in [s.latest.risk_note for s in again.list_scripts(users["rev"])]


def test_excel_opens_with_chinese_headers(starter, tmp_path):
    from openpyxl import load_workbook

    service, users = starter
    path = tmp_path / "lib.xlsx"
    export_file(service, users["rev"], path)
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]][:5] == ["编号", "标题", "分类", "适用场景", "口径正文"]
    assert sheet.max_row == service.count() + 1


def test_words_no_script_has_weigh_against_the_text_match(starter):
    """A post's terms outside every script count in its TF-IDF norm: the same complaint buried in
    unrelated chatter is a weaker text match, with the same shared terms, heaviest first."""
    service, users = starter
    short = suggest(service, users["cs"], "宽带断网，光猫红灯")
    chatter = suggest(service, users["cs"], "宽带断网，光猫红灯。昨天邻居家小狗在公园散步，大家唱歌跳舞")
    assert short[0].code == chatter[0].code == "KJ-BB-01"
    assert chatter[0].score < short[0].score
    assert chatter[0].shared_terms == short[0].shared_terms and "光猫红灯" in short[0].shared_terms
