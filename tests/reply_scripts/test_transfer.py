"""The starter library and YAML/Excel import and export (round trips, inert formulas, Chinese headers)."""

from __future__ import annotations

import pytest
import yaml

from core.vocab import CATEGORIES
from reply_scripts.models import PLACEHOLDERS, placeholders_in
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


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_export_import_round_trip(starter, tmp_path, suffix):
    from core.db import StateDB
    from reply_scripts import ScriptService

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

    from core.db import StateDB
    from reply_scripts import ScriptService

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
