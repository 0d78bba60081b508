"""Console edits of config.yaml: in place, comments and ${VAR} kept, validated, atomic, audited."""

from __future__ import annotations

import difflib
import shutil

import pytest

from accounts import SYSTEM, PermissionDenied, User
from core.db import StateDB
from dashboard.config_edit import ConfigEditError, item_text, save_item
from tests.conftest import ROOT
from tousu.config import load
from tousu.console_records import config_edits


@pytest.fixture
def shipped(tmp_path):
    """A copy of the shipped, commented config.yaml and a state DB."""
    path = tmp_path / "config.yaml"
    shutil.copy(ROOT / "config.yaml", path)
    return path, StateDB(tmp_path / "state.db")


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_rule_edit_changes_only_that_line(shipped):
    path, db = shipped
    before = path.read_text(encoding="utf-8")
    shown = item_text(path, "rules", "city-daily-volume")
    assert shown.startswith("name: city-daily-volume ") and "# 保护值" in shown  # comments kept
    save_item(path, "rules", "city-daily-volume", shown,
              shown.replace("protection: 10 ", "protection: 25 "), SYSTEM, db)
    assert _changed_lines(before, path.read_text(encoding="utf-8")) == [
        "-      protection: 10                # 保护值: never alert below this count",
        "+      protection: 25                # 保护值: never alert below this count"]
    rule = next(r for r in load(path).warnings.rules if r.name == "city-daily-volume")
    assert rule.protection == 25
    assert [h["name"] for h in config_edits(db, "rules")] == ["city-daily-volume"]


def test_env_placeholders_stay_placeholders(shipped, monkeypatch):
    path, db = shipped
    monkeypatch.setenv("TOUSU_TEST_FEED", "https://feed.example/rss")
    shown = item_text(path, "sources", "telecom-news")
    edited = shown.replace('"https://news.example.com/telecom/rss.xml"', "${TOUSU_TEST_FEED}")
    save_item(path, "sources", "telecom-news", shown, edited, SYSTEM, db)
    assert "url: ${TOUSU_TEST_FEED}" in path.read_text(encoding="utf-8")
    assert load(path).source("telecom-news").url == "https://feed.example/rss"


def test_new_source_is_appended_to_the_list(shipped):
    path, db = shipped
    new = "name: hn-feed   # 新增\ntype: rss\nenabled: false\ninterval: 2h\nurl: https://a.example/f\n"
    assert save_item(path, "sources", None, None, new, SYSTEM, db) == "hn-feed"
    config = load(path)
    assert [s.name for s in config.sources][-1] == "hn-feed"
    assert config.source("hn-feed").interval == "2h"
    assert item_text(path, "sources", "hn-feed").startswith("name: hn-feed   # 新增")
    with pytest.raises(ConfigEditError, match="已有名为 hn-feed"):
        save_item(path, "sources", None, None, new, SYSTEM, db)


@pytest.mark.parametrize("section, before", [
    ("sources", "data_dir: data\nsources: []   # none yet\ndemo:\n  enabled: false\n"),
    ("sources", "data_dir: data\nsources:\ndemo:\n  enabled: false\n"),
    ("sources", "data_dir: data   # the sources key is not written\n"),
    ("rules", "data_dir: data\nwarnings:\n  evaluate_every: 1m\n  rules: []\n"),
    ("rules", "data_dir: data\nwarnings:\n  evaluate_every: 1m   # no rules key\n"),
    ("rules", "data_dir: data\n"),
])
def test_the_first_item_of_an_empty_list_is_added(tmp_path, section, before):
    path, db = tmp_path / "config.yaml", StateDB(tmp_path / "state.db")
    path.write_text(before, encoding="utf-8")
    new = ("name: hn-feed   # 新增\ntype: rss\nurl: https://a.example/f\n" if section == "sources"
           else "name: every-post   # 新增\ntype: post\n")
    save_item(path, section, None, None, new, SYSTEM, db)
    config = load(path)
    items = config.sources if section == "sources" else config.warnings.rules
    assert [i.name for i in items] == ["hn-feed" if section == "sources" else "every-post"]
    after = path.read_text(encoding="utf-8")
    assert after.startswith("data_dir: data") and "# 新增" in after
    assert item_text(path, section, items[0].name).startswith(new.split("\n")[0])


def test_a_flow_style_parent_is_not_rewritten(tmp_path):
    path, db = tmp_path / "config.yaml", StateDB(tmp_path / "state.db")
    path.write_text("warnings: {evaluate_every: 1m}\n", encoding="utf-8")
    with pytest.raises(ConfigEditError, match="请先手工写出"):
        save_item(path, "rules", None, None, "name: p\ntype: post\n", SYSTEM, db)


@pytest.mark.parametrize("section, name, old, new, message", [
    ("rules", "city-daily-volume", "coefficient: 3 ", "coefficient: -1 ",
     "字段 coefficient：必须大于 0"),
    ("rules", "city-daily-volume", "window: day", "window: week", "字段 window：只能是 'hour' 或 'day'"),
    ("rules", "city-spike", "ratio: 3", "ratio: lots", "字段 ratio：应为数字"),
    ("rules", "post", "lookback_hours: 24", "lookback_hourz: 24", "字段 lookback_hourz：没有这个字段，是不是 lookback_hours？"),
    ("sources", "demo-forum", "interval: 1m", "interval: often", "字段 interval：取值无效"),
    ("sources", "telecom-news", "type: rss", "type: fax", "字段 （整条定义）：type 只能是"),
    ("sources", "telecom-news", "url: ", "url: ${TOUSU_TEST_UNSET_VAR}",
     "环境变量 TOUSU_TEST_UNSET_VAR 未设置"),
    ("sources", "telecom-news", "type: rss", "type: [rss", "不是有效的 YAML"),
])
def test_invalid_edit_names_the_field_and_changes_nothing(shipped, section, name, old, new,
                                                          message):
    path, db = shipped
    before = path.read_text(encoding="utf-8")
    shown = item_text(path, section, name)
    assert old in shown
    with pytest.raises(ConfigEditError) as err:
        save_item(path, section, name, shown, shown.replace(old, new, 1), SYSTEM, db)
    assert message in str(err.value)
    assert path.read_text(encoding="utf-8") == before
    assert not config_edits(db, section)
    assert not list(path.parent.glob(".config.yaml.*"))  # no temporary file left behind


def test_edit_of_a_file_changed_since_is_refused(shipped):
    path, db = shipped
    shown = item_text(path, "rules", "city-spike")
    path.write_text(path.read_text(encoding="utf-8").replace("ratio: 3", "ratio: 4"),
                    encoding="utf-8")
    with pytest.raises(ConfigEditError, match="被修改过"):
        save_item(path, "rules", "city-spike", shown, shown, SYSTEM, db)


def test_only_admins_may_edit(shipped):
    path, db = shipped
    shown = item_text(path, "rules", "city-spike")
    with pytest.raises(PermissionDenied):
        save_item(path, "rules", "city-spike", shown, shown, User("m", "monitor"), db)
