"""The console's queries agree with the reports where they show the same figure."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import streamlit as st

from core.post import CST
from dashboard import data
from indexer import open_store
from reports.data import build_report
from tests.cases.helpers import T0, make_config, post


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
