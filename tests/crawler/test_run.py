"""Crawl settings for a config; a crawl of no source starts nothing. (Whole crawls run in their own
process: tests/tousu/cli/test_crawl.py and test_replay_crawl.py.)"""

from __future__ import annotations

from crawler.run import crawl_settings, run_crawl
from tests.conftest import write_config
from tousu.config import load


def test_settings_carry_the_config_and_the_log_level(tmp_path):
    config = load(write_config(tmp_path))
    settings = crawl_settings(config, "WARNING")
    assert settings["TOUSU_CONFIG"] is config and settings["LOG_LEVEL"] == "WARNING"
    assert settings["BOT_NAME"] == "tousu-radar" and settings.getbool("ROBOTSTXT_OBEY")


def test_no_enabled_source_crawls_nothing(tmp_path):
    config = load(write_config(tmp_path, sources=[
        {"name": "off", "type": "rss", "url": "https://news.example/rss.xml", "enabled": False}]))
    assert run_crawl(config) == []
