"""The flatline rule names the source that went silent."""

from __future__ import annotations

from datetime import timedelta

from alerts.cycle import list_alerts, run_cycle
from core.db import StateDB
from core.post import iso
from crawler.schema import SCHEMA as CRAWLER_SCHEMA
from tests.alerts.conftest import NOW, log_lines, make_config, make_post, store_posts


def test_flatline_names_the_silent_source(tmp_path):
    rule = {"name": "crawler-silent", "type": "flatline", "timeframe": "2h"}
    sources = [{"name": name, "type": "rss", "url": "http://127.0.0.1:9/x"}
               for name in ("alive", "dead", "new")]
    config = make_config(tmp_path, rules=[rule])
    config.sources = make_config(tmp_path).__class__.model_validate(
        {"sources": sources}).sources
    state = StateDB(config.state_path)
    state.ensure(CRAWLER_SCHEMA)  # runs in the past: written by hand, not by the crawler
    for source, started in (("alive", NOW - timedelta(hours=5)), ("dead", NOW - timedelta(hours=5)),
                            ("dead", NOW - timedelta(minutes=10)), ("new", NOW - timedelta(minutes=30))):
        state.execute("INSERT INTO source_runs (source, started_at, items, status, last_error) "
                      "VALUES (?, ?, 0, ?, ?)", (source, iso(started),
                                                 "failed" if source == "dead" else "ok",
                                                 "HTTP 403" if source == "dead" else None))
    state.close()
    store_posts(config, [make_post(30, source="alive"), make_post(400, source="dead")])
    run_cycle(config, now=NOW)
    alerts = list_alerts(config)
    assert [a["key"] for a in alerts] == ["flatline:crawler-silent:dead"]
    assert "HTTP 403" in alerts[0]["body"] and "dead" in alerts[0]["title"]
    store_posts(config, [make_post(1, now=NOW + timedelta(minutes=20), source="dead")])
    counts = run_cycle(config, now=NOW + timedelta(minutes=20))
    assert counts["resolved"] == 1 and log_lines(tmp_path)[-1]["kind"] == "resolved"
