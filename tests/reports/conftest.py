"""Fixtures for the report tests: a day of posts, cases and a warning with every number known."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core.post import CST
from tests.cases.helpers import CLOSING, T0, Clock, add_alert, make_config, post, users

DAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 21, 8, 0, tzinfo=CST)


@pytest.fixture
def report_world(tmp_path):
    from cases.service import CaseService
    from core.db import StateDB
    from indexer import open_store

    cfg = make_config(tmp_path, reports={"subscribers": {"长沙": 400}})
    prev = T0 - timedelta(days=1)
    posts = [post(1), post(2), post(3, source="weibo"),                                  # 长沙 tier 3
             post(4, severity=4, categories=("资费计费/乱扣费",), influence=0.9,
                  title="<script>alert(1)</script>曝光乱扣费"),                             # 长沙 tier 4
             post(5, city="株洲", severity=2, categories=("网络覆盖/信号",)),
             post(6, city="株洲", severity=2, categories=("网络覆盖/信号",)),
             post(7, city="湘潭", severity=1, categories=("其他",)),                        # inquiry
             post(8, city=None, severity=0, relevant=False),                               # noise
             post(9, published=prev), post(10, published=prev)]                            # previous day
    store = open_store(cfg)
    store.upsert_many(posts)
    db = StateDB(cfg.state_path)
    db.execute("PRAGMA synchronous=OFF")   # test data: no need to survive a power cut
    people = users(db)
    clock = Clock()
    cases = CaseService(cfg, db, store, clock=clock)
    a = cases.create_from_post(people["mon"], posts[0].id)          # 长沙 tier 3: 4 h / 48 h
    b = cases.create_from_post(people["mon"], posts[4].id)          # 株洲 tier 2: 24 h / 72 h
    c = cases.create_from_post(people["mon"], posts[3].id)          # 长沙 tier 4: 1 h / 24 h
    clock.advance(hours=1, minutes=30)
    cases.act(people["cs"], a.case_id, "accept")
    cases.act(people["cs"], a.case_id, "reply", "您好")               # 10:30, in time
    clock.advance(hours=4)
    cases.act(people["cs"], a.case_id, "close", "已修复", **CLOSING)    # closed 14:30
    cases.act(people["cs"], c.case_id, "accept")
    cases.act(people["cs"], c.case_id, "reply", "您好")               # 14:30: 3.5 h late
    add_alert(db, cfg, "post:x", 1, [posts[3].id])
    yield cfg, store, db, {"a": a, "b": b, "c": c}
    store.close()
    db.close()
