"""Source health from a spider's run: a row opened when it opens, closed with its counts and a
status; a run that parsed no page says why."""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from core.db import StateDB
from crawler.extensions import SourceHealth, record_error
from crawler.health import source_health
from tests.conftest import write_config
from tousu.config import load


class _Spider:
    name = "forum"


def _run(config, **stats):
    crawler = get_crawler(settings_dict={"TOUSU_CONFIG": config})
    ext = SourceHealth.from_crawler(crawler)
    ext.spider_opened(_Spider())
    for key, value in stats.items():
        crawler.stats.set_value(f"tousu/{key}", value)
    return crawler, ext


def test_a_run_is_recorded_with_its_counts_and_status(tmp_path, monkeypatch):
    monkeypatch.setenv("TOUSU_TEST_KEY", "s3cret-value-123")
    config = load(write_config(tmp_path))
    crawler, ext = _run(config, pages=4, items=30, new=12)
    record_error(crawler.stats, "https://x.example/?key=s3cret-value-123: HTTP 404")
    ext.spider_closed(_Spider(), "finished")
    [row] = source_health(StateDB(config.state_path), ["forum"])
    assert (row["last_status"], row["last_items"], row["last_new"], row["errors_total"]) == ("partial", 30, 12, 1)
    assert "s3cret-value-123" not in row["last_error"] and "HTTP 404" in row["last_error"]


def test_a_run_that_parsed_no_page_failed_and_says_why(tmp_path):
    config = load(write_config(tmp_path))
    crawler, ext = _run(config)
    crawler.stats.set_value("downloader/response_status_count/403", 2)
    ext.spider_closed(_Spider(), "finished")
    [row] = source_health(StateDB(config.state_path), ["forum"])
    assert row["last_status"] == "failed" and "no page parsed" in row["last_error"] and "403" in row["last_error"]
