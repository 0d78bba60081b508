"""The `coverage` rule: a source whose crawls keep running into walls is named with each wall,
its advice and an example; a single blip and robots.txt (not watched by default) are not."""

from __future__ import annotations

from datetime import timedelta

from alerts.coverage_rule import ADVICE
from alerts.cycle import list_alerts, run_cycle
from core.db import StateDB
from core.post import iso
from crawler.blind_spots import KINDS, record
from crawler.health import start_run
from tests.alerts.conftest import NOW, make_config


def test_every_kind_has_its_advice():
    assert set(ADVICE) == set(KINDS)


def test_coverage_names_the_walls_a_source_keeps_running_into(tmp_path):
    """Two runs of `walled` met a login wall and a cap within 6 h: one warning naming both with
    their advice; `blip` met one refusal once (below min_runs); robots.txt is not watched."""
    rule = {"name": "blind", "type": "coverage", "timeframe": "6h", "min_runs": 2}
    sources = [{"name": name, "type": "rss", "url": "http://127.0.0.1:9/x"}
               for name in ("walled", "blip", "polite")]
    config = make_config(tmp_path, rules=[rule])
    config.sources = make_config(tmp_path).__class__.model_validate({"sources": sources}).sources
    state = StateDB(config.state_path)
    for source, stats in (("walled", {"tousu/blind/login_wall": 1,
                                      "tousu/blind_example/login_wall": "https://x.example/login"}),
                          ("walled", {"tousu/blind/login_wall": 2, "tousu/blind/page_cap": 1}),
                          ("blip", {"tousu/blind/blocked": 1}),
                          ("polite", {"robotstxt/forbidden": 4}), ("polite", {"robotstxt/forbidden": 4})):
        run = start_run(state, source)
        state.execute("UPDATE source_runs SET started_at = ? WHERE run_id = ?",
                      (iso(NOW - timedelta(hours=1)), run))
        record(state, run, source, stats)
    state.close()
    run_cycle(config, now=NOW)
    alerts = list_alerts(config)
    assert [a["key"] for a in alerts] == ["coverage:blind:walled"]
    body = alerts[0]["body"]
    assert "登录墙/Cookie 失效：2 次采集中出现，共 3 次，例：https://x.example/login" in body
    assert "翻页上限截断：1 次采集中出现" in body and ADVICE["login_wall"] in body
    assert "登录墙/Cookie 失效、翻页上限截断" in alerts[0]["title"]
    counts = run_cycle(config, now=NOW + timedelta(hours=7))  # the walls are older than 6 h now
    assert counts["resolved"] == 1
