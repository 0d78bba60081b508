"""Runs configured sources once, to completion, in this process (one Twisted reactor per process)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from core.secrets import redact_logs
from crawler import settings as default_settings
from crawler.config import AppConfig
from crawler.spiders import SPIDERS


def crawl_settings(config: AppConfig, log_level: str = "INFO") -> Settings:
    """Scrapy settings for this config."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("TOUSU_CONFIG", config, priority="project")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    return settings


def run_crawl(config: AppConfig, names: list[str] | None = None, log_level: str = "INFO") -> list[Any]:
    """Crawl the named (default: all enabled) sources; returns the sources crawled."""
    sources = [config.source(n) for n in names] if names else [s for s in config.sources if s.enabled]
    if not sources:
        return []
    process = CrawlerProcess(crawl_settings(config, log_level))
    for source in sources:
        process.crawl(SPIDERS[source.type].for_source(source), source=source)
    # Every line the crawl logs — ours, Scrapy's "Crawled (200) <GET url>", Twisted's tracebacks —
    # goes out redacted. Scrapy replaces its root handler as each crawler is created (above), so
    # the filter goes on the handlers that are left now.
    redact_logs()
    process.start()
    return sources
