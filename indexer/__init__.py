"""Post storage behind one contract: SQLite (embedded default) or Elasticsearch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from indexer.base import Filters, SearchResult, Store, StoreError, UpsertResult

if TYPE_CHECKING:
    from tousu.config import Config

__all__ = ["Filters", "SearchResult", "Store", "StoreError", "UpsertResult", "open_store"]


def open_store(config: "Config") -> Store:
    """The store the config names."""
    if config.store.backend == "sqlite":
        from indexer.sqlite_store import SqliteStore

        return SqliteStore(config.store_path)
    if config.store.backend == "elasticsearch":
        from indexer.elasticsearch_store import ElasticsearchStore

        s = config.store
        return ElasticsearchStore(s.hosts, s.index, shards=s.shards, replicas=s.replicas,
                                  api_key=s.api_key)
    raise StoreError(f"store backend {config.store.backend!r} is not available yet")
