"""Every middleware, pipeline and extension the Scrapy settings name can be loaded, in order."""

from __future__ import annotations

from scrapy.utils.misc import load_object

from crawler import settings


def test_every_component_named_in_the_settings_exists():
    for components in (settings.SPIDER_MIDDLEWARES, settings.DOWNLOADER_MIDDLEWARES,
                       settings.ITEM_PIPELINES, settings.EXTENSIONS):
        for path in components:
            assert callable(load_object(path)), path


def test_pipelines_normalise_before_they_analyse_and_store_last():
    order = sorted(settings.ITEM_PIPELINES, key=settings.ITEM_PIPELINES.get)
    assert order[0].endswith("NormalisePipeline") and order[-1].endswith("StorePipeline")
    assert settings.TOUSU_BACKOFF_HTTP_CODES and not set(settings.TOUSU_BACKOFF_HTTP_CODES) & set(
        settings.RETRY_HTTP_CODES)
