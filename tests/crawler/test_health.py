"""Source health: a row per crawl run; totals over every run, the latest error redacted, runs
since a moment."""

from __future__ import annotations

from core.db import StateDB
from crawler.health import finish_run, runs_since, source_health, start_run


def test_runs_add_up_per_source_and_errors_are_shown_redacted(tmp_path, monkeypatch):
    monkeypatch.setenv("TOUSU_TEST_KEY", "s3cret-value-123")
    state = StateDB(tmp_path / "state.db")
    first = start_run(state, "forum")
    finish_run(state, first, pages=3, items=20, new=20, errors=0, last_error=None, status="ok")
    second = start_run(state, "forum")
    finish_run(state, second, pages=0, items=0, new=0, errors=1, status="failed",
               last_error="https://x.example/api?key=s3cret-value-123: HTTP 500")
    forum, never = source_health(state, ["forum", "tieba"])
    assert (forum["runs"], forum["items_total"], forum["new_total"], forum["errors_total"]) == (2, 20, 20, 1)
    assert forum["last_status"] == "failed" and forum["last_items"] == 0
    assert "s3cret-value-123" not in forum["last_error"] and "HTTP 500" in forum["last_error"]
    assert never["last_run"] is None and never["runs"] == 0 and never["last_error"] is None

    since = runs_since(state, "forum", "2000-01-01T00:00:00+08:00")
    assert (since["recent"], since["failed"], since["last"]["status"]) == (2, 1, "failed")
    assert "s3cret-value-123" not in since["last"]["last_error"]
    assert runs_since(state, "forum", "2999-01-01T00:00:00+08:00")["recent"] == 0
    assert runs_since(state, "tieba", "2000-01-01T00:00:00+08:00") is None
    state.close()
