"""Item pipelines, in order: normalise → dedup → analyse → store."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.items import RawPost
from crawler.normalise import clean_text, html_to_text, parse_count, parse_date
from indexer import open_store
from nlp.analyzer import Analyzer
from tousu.post import Post, canonical_url
from tousu.state import StateDB


def _config(crawler: Crawler) -> Any:
    config = crawler.settings.get("TOUSU_CONFIG")
    if config is None:
        raise NotConfigured("TOUSU_CONFIG is not set")
    return config


class NormalisePipeline:
    """RawPost → Post: plain text, ISO dates (+08:00), canonical URL, integer counts."""

    def process_item(self, item: Any, spider: Any = None) -> Post:
        if not isinstance(item, RawPost):
            return item
        def text(value: Any) -> str:
            return clean_text(str(value)) if value is not None else ""
        content = html_to_text(str(item.content or "")) if item.content_is_html else text(item.content)
        title = html_to_text(str(item.title or "")) if item.content_is_html else text(item.title)
        if not (title or content):
            raise DropItem(f"{item.source}: {item.url}: empty post")
        engagement = {k: v for k, v in ((k, parse_count(v)) for k, v in item.engagement.items())
                      if v is not None}
        return Post(source=item.source, url=canonical_url(item.url) if item.url else "",
                    title=title, content=content, author=text(item.author),
                    published_at=parse_date(item.published_at), engagement=engagement,
                    location=text(item.location) or None)


class DedupPipeline:
    """Drops a post already yielded in this crawl (the store links cross-run duplicates)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def process_item(self, item: Post, spider: Any = None) -> Post:
        if item.id in self.seen:
            raise DropItem(f"duplicate {item.id} in this crawl")
        self.seen.add(item.id)
        return item


class AnalysePipeline:
    """Fills the analysis fields with the source's weight, default city and topic."""

    def __init__(self, analyzer: Analyzer, sources: dict[str, Any]):
        self.analyzer = analyzer
        self.sources = sources

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "AnalysePipeline":
        config = _config(crawler)
        return cls(Analyzer(config.keywords_dir, config.model_dir),
                   {s.name: s for s in config.sources})

    def process_item(self, item: Post, spider: Any = None) -> Post:
        source = self.sources.get(item.source)
        return self.analyzer.analyse(
            item, source_weight=source.weight if source else 1.0,
            default_city=source.city if source else None,
            about_operator=source.about_operator if source else False)


class StorePipeline:
    """Writes posts to the store in batches and marks their URLs as fetched."""

    batch_size = 100

    def __init__(self, config: Any, crawler: Crawler):
        self.config = config
        self.stats = crawler.stats
        self.buffer: list[Post] = []
        self.store = open_store(config)
        self.state = StateDB(config.state_path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        return cls(_config(crawler), crawler)

    def process_item(self, item: Post, spider: Any = None) -> Post:
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.buffer:
            return
        from crawler.middlewares import mark_fetched

        batch, self.buffer = self.buffer, []
        result = self.store.upsert_many(batch)
        self.stats.inc_value("tousu/items", len(batch) - len(result.failed))
        self.stats.inc_value("tousu/new", len(result.inserted))
        if result.failed:
            self.stats.inc_value("tousu/errors", len(result.failed))
            post_id, error = next(iter(result.failed.items()))
            self.stats.set_value("tousu/last_error", f"store rejected {post_id}: {error}")
        stored = [p for p in batch if p.id not in result.failed]
        mark_fetched(self.state, stored)

    def close_spider(self, spider: Any = None) -> None:
        try:
            self.flush()
        finally:
            self.store.close()
            self.state.close()
