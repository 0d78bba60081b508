"""Item pipelines, in order: normalise → dedup → analyse → store."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.reactor import CallLaterOnce
from twisted.internet.defer import Deferred

from core.db import StateDB
from core.markup import http_url
from core.post import Post, canonical_url
from crawler.extensions import record_error
from crawler.items import RawPost
from crawler.middlewares import mark_fetched
from crawler.normalise import clean_text, html_to_text, parse_count, parse_date
from crawler.schema import SCHEMA
from indexer import open_store
from nlp.analyzer import Analyzer
from nlp.labels import apply_labels

logger = logging.getLogger(__name__)


def _config(crawler: Crawler) -> Any:
    config = crawler.settings.get("TOUSU_CONFIG")
    if config is None:
        raise NotConfigured("TOUSU_CONFIG is not set")
    return config


class NormalisePipeline:
    """RawPost → Post: plain text, ISO dates (+08:00), canonical URL, integer counts.

    A link that is not http(s) (`javascript:`, `data:` … from a feed's <link> or an API's url)
    is dropped at the door, with an error for the source's health: the post keeps its text and
    no output can ever turn that link into something clickable."""

    def __init__(self, stats: Any = None):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "NormalisePipeline":
        return cls(crawler.stats)

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
        url = canonical_url(item.url) if item.url else ""
        if url and not http_url(url):
            message = f"{item.source}: 非 http(s) 链接已丢弃：{url[:80]!r}"
            logger.warning(message)
            if self.stats is not None:
                record_error(self.stats, message)
            url = ""
        return Post(source=item.source, url=url,
                    title=title, content=content, author=text(item.author),
                    published_at=parse_date(item.published_at), engagement=engagement,
                    location=text(item.location) or None, reply_to=self._parent(item.reply_to))

    @staticmethod
    def _parent(url: str | None) -> str | None:
        """The parent's canonical URL; None for a link that is not http(s)."""
        parent = canonical_url(url) if url else ""
        return parent if http_url(parent) else None


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
    """Fills the analysis fields with the source's weight, default city and topic; a post a
    monitor has graded keeps that grade (nlp.labels), however often it is crawled again.

    The model grades a batch about ten times faster per post than one post at a time, so items
    wait here until `batch_size` have arrived or `max_wait` seconds have passed, then continue
    down the pipeline together; an item is never held longer than `max_wait`."""

    batch_size = 64
    max_wait = 0.25

    def __init__(self, analyzer: Analyzer, sources: dict[str, Any], crawler: Crawler | None = None,
                 state: StateDB | None = None):
        self.analyzer = analyzer
        self.sources = sources
        self.stats = crawler.stats if crawler else None
        self.state = state
        self.waiting: list[tuple[Post, Deferred[Post]]] = []
        self.timer = CallLaterOnce(self.flush)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "AnalysePipeline":
        config = _config(crawler)
        return cls(Analyzer(config.keywords_dir, config.model_dir),
                   {s.name: s for s in config.sources}, crawler, StateDB(config.state_path))

    async def process_item(self, item: Post, spider: Any = None) -> Post:
        done: Deferred[Post] = Deferred()
        self.waiting.append((item, done))
        if len(self.waiting) >= self.batch_size:
            self.flush()
        else:
            self.timer.schedule(self.max_wait)
        return await maybe_deferred_to_future(done)

    def flush(self) -> None:
        """Analyse the waiting posts and release them down the pipeline."""
        batch, self.waiting = self.waiting, []
        by_source: dict[str, list[Post]] = defaultdict(list)
        for post, _ in batch:
            by_source[post.source].append(post)
        failed: dict[int, DropItem] = {}
        for name, posts in by_source.items():
            try:
                self._analyse(name, posts)
            except Exception:  # noqa: BLE001 - one bad post must not cost the batch its analysis
                for post in posts:
                    try:
                        self._analyse(name, [post])
                    except Exception as exc:  # noqa: BLE001 - reported, and the post dropped
                        failed[id(post)] = self._report(post, exc)
        for post, done in batch:
            if id(post) in failed:
                done.errback(failed[id(post)])
            else:
                done.callback(post)

    def _analyse(self, name: str, posts: list[Post]) -> None:
        source = self.sources.get(name)
        self.analyzer.analyse_many(
            posts, source_weight=source.weight if source else 1.0,
            default_city=source.city if source else None,
            about_operator=source.about_operator if source else False)
        if self.state is not None:
            apply_labels(self.state, posts)

    def _report(self, post: Post, exc: Exception) -> DropItem:
        message = f"{post.source}: {post.url or post.id}: analysis failed: {exc!r}"
        logger.error(message, exc_info=exc)
        if self.stats:
            record_error(self.stats, message)
        return DropItem(message)

    def close_spider(self, spider: Any = None) -> None:
        self.timer.cancel()
        self.flush()
        if self.state is not None:
            self.state.close()


class StorePipeline:
    """Writes posts to the store in batches and marks their URLs as fetched. A batch is written
    when full or `max_wait` seconds after its first post: warnings read the store, so a slow
    crawl must not hold its posts back until a hundred have come."""

    batch_size = 100
    max_wait = 1.0

    def __init__(self, config: Any, crawler: Crawler):
        self.config = config
        self.stats = crawler.stats
        self.buffer: list[Post] = []
        self.store = open_store(config)
        self.state = StateDB(config.state_path)
        self.state.ensure(SCHEMA)
        self.timer = CallLaterOnce(self._flush_waited)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        return cls(_config(crawler), crawler)

    def process_item(self, item: Post, spider: Any = None) -> Post:
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        else:
            self.timer.schedule(self.max_wait)
        return item

    def _flush_waited(self) -> None:
        try:
            self.flush()
        except Exception as exc:  # noqa: BLE001 - no item to fail on a timer: reported instead
            logger.error("store write failed: %r", exc, exc_info=exc)
            record_error(self.stats, f"store write failed: {exc!r}")

    def flush(self) -> None:
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        result = self.store.upsert_many(batch)
        self.stats.inc_value("tousu/items", len(batch) - len(result.failed))
        self.stats.inc_value("tousu/new", len(result.inserted))
        if result.failed:
            post_id, error = next(iter(result.failed.items()))
            record_error(self.stats, f"store rejected {post_id}: {error}", len(result.failed))
        stored = [p for p in batch if p.id not in result.failed]
        mark_fetched(self.state, stored)

    def close_spider(self, spider: Any = None) -> None:
        self.timer.cancel()
        try:
            self.flush()
        finally:
            self.store.close()
            self.state.close()
