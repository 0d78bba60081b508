"""The briefing of an event warning raised by the real warnings cycle over the demo posts and a
planted wave of similar complaints."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest

from alerts.cycle import run_cycle
from briefings.event import NoSuchEvent, build_event
from briefings.model import INSUFFICIENT
from core.db import StateDB
from core.post import iso
from indexer import open_store
from tests.briefings.conftest import NOW, check_citations, wave
from tests.cases.helpers import add_alert
from tests.conftest import write_config
from tousu.config import load

RULE = {"name": "hot-event", "type": "event", "window": "2d", "min_posts": 3, "level": 3,
        "severity_min": 2}


@pytest.fixture
def event_world(tmp_path, demo_db):
    (tmp_path / "data").mkdir()
    shutil.copy(demo_db, tmp_path / "data" / "tousu.db")
    config = load(write_config(tmp_path, warnings={
        "rules": [RULE], "notifiers": [{"name": "log", "type": "file",
                                        "path": str(tmp_path / "alerts.jsonl")}]}))
    posts = wave(6, start=NOW - timedelta(hours=30))
    for i, p in enumerate(posts[4:]):   # the last two within the last 24 hours
        p.published_at = iso(NOW - timedelta(hours=2) + timedelta(minutes=10 * i))
    with open_store(config) as store:
        store.upsert_many(posts)
    run_cycle(config, now=NOW)
    db = StateDB(config.state_path)
    [event] = db.query("SELECT alert_id, post_ids FROM alerts WHERE rule = 'hot-event'")
    assert set(json.loads(event["post_ids"])) == {p.id for p in posts}
    yield config, db, event["alert_id"], posts
    db.close()


def test_event_briefing_recomputes_from_the_warnings_posts(event_world):
    config, db, alert_id, posts = event_world
    with open_store(config) as store:
        briefing = build_event(config, alert_id, store=store, db=db, now=NOW)
        check_citations(store, briefing)
    assert briefing.kind == "event" and not any(s.insufficient for s in briefing.sections)
    overview = [s.text for s in briefing.section("overview").sentences]
    # a 4级 post lifts an event to 二级
    assert overview[0] == f"预警 #{alert_id}（二级，未处理）涉及帖子 6 条。"
    assert overview[1].startswith("事件：「株洲移动宽带又断网了") and "相似投诉 6 条" in overview[1]
    assert "其中曝光/升级（4级）帖子 1 条。" in overview
    places = [s.text for s in briefing.section("places").sentences]
    assert places == ["最多的地市是株洲，6 条。", "最多的来源是weibo，6 条。"]
    assert briefing.section("growth").sentences[0].text == "近24小时新增 2 条，此前 4 条。"
    assert set(briefing.section("growth").sentences[0].claims[0].post_ids) == {posts[4].id, posts[5].id}


def test_a_one_post_warning_is_insufficient_beyond_its_overview(event_world):
    config, db, _, posts = event_world
    single = add_alert(db, config, "post:one", 3, [posts[0].id], created=NOW)
    with open_store(config) as store:
        briefing = build_event(config, single, store=store, db=db, now=NOW)
        check_citations(store, briefing)
    assert [s.key for s in briefing.sections if s.insufficient] == ["places", "growth"]
    assert briefing.section("growth").sentences[0].text.startswith(
        f"{INSUFFICIENT}：事件只有 1 条帖子")


def test_an_unknown_warning_is_named(event_world):
    config, db, _, _ = event_world
    with pytest.raises(NoSuchEvent, match="没有编号为 999 的预警"):
        build_event(config, 999, db=db, now=NOW)
