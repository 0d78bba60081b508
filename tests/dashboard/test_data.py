"""The console's queries agree with the reports where they show the same figure."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta

import pytest
import streamlit as st
import yaml

from core.post import CST
from dashboard import data
from indexer import open_store
from nlp.dictionary import get_dictionary
from reports.data import build_report
from tests.cases.helpers import T0, make_config, post
from tests.conftest import ROOT


@pytest.fixture
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_console_and_report_give_the_same_complaint_rate(tmp_path, monkeypatch, fresh_caches):
    cfg = make_config(tmp_path, reports={"subscribers": {"长沙": 500}, "complaint_min_tier": 3})
    repost = dict(title="长沙宽带断网三天没人修", content="家里宽带断网三天，报修电话打了五次没人来。")
    with open_store(cfg) as store:
        store.upsert_many([post(1, **repost), post(2, **repost, published=T0 + timedelta(hours=1)),
                           post(3, severity=2), post(4, severity=4), post(5, city="株洲"),
                           post(6, city="株洲", severity=1), post(7, relevant=False),
                           post(8, city=None), post(9, published=T0 - timedelta(days=1))])
        report = build_report(cfg, "daily", date(2026, 11, 20), store=store,
                              now=datetime(2026, 11, 21, 8, 0, tzinfo=CST))
    monkeypatch.setenv("TOUSU_CONFIG", str(cfg.file))
    since, until = report.period.iso_range()
    console = data.complaint_rate(data.Slice(since=since, until=until, relevant=True))
    shown = dict(zip(console["地市"], console["万投比"]))
    reported = {row[0]: row[5] for row in report.section("city").rows if row[0] != "未识别"}
    assert shown == reported
    assert shown["长沙"] == 0.004 and shown["株洲"] == 0.004   # 2 of 500 万户, 1 of 250 万户


# The words #17.10 found on top of 热词: how people ask and demand, not what about.
FUNCTION_WORDS = ("吗", "请问", "怎么", "有没有", "是不是", "要求")


def test_hot_words_of_the_demo_posts_are_what_a_manager_acts_on(console_config):
    """热词 of the demo store: business, place and problem terms; no question or demand words."""
    hot = [w for w, _ in data.hot_words(data.Slice(relevant=True), size=20)]
    d = get_dictionary(ROOT / "keywords")
    category_terms = {t for terms in d.categories.categories.values() for t in terms}
    assert len(hot) == 20
    assert not set(hot) & set(FUNCTION_WORDS), hot
    assert not set(hot) & d.hot_words_stop, hot
    assert set(hot[:5]) <= category_terms, hot
    assert {"宽带", "营业厅", "套餐"} <= set(hot), hot


def test_hot_words_stop_list_edits_show_without_reanalysis(console_config):
    """A word added to keywords/hot_words_stop.txt leaves 热词 at once."""
    before = [w for w, _ in data.hot_words(data.Slice(relevant=True), size=20)]
    keywords = console_config.parent / "keywords"
    shutil.copytree(ROOT / "keywords", keywords)
    with open(keywords / "hot_words_stop.txt", "a", encoding="utf-8") as fh:
        fh.write(f"{before[0]}\n")
    config = yaml.safe_load(console_config.read_text(encoding="utf-8"))
    config.setdefault("nlp", {})["keywords_dir"] = str(keywords)
    console_config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    st.cache_data.clear()
    st.cache_resource.clear()
    after = [w for w, _ in data.hot_words(data.Slice(relevant=True), size=20)]
    assert before[0] not in after and after[:5] == before[1:6]
