"""Post storage behind one contract: SQLite (embedded default) or Elasticsearch."""

from __future__ import annotations

from indexer.base import Filters, SearchResult, Store, StoreError, UpsertResult
from indexer.config import AppConfig

__all__ = ["Filters", "SearchResult", "Store", "StoreError", "UpsertResult", "open_store"]


def open_store(config: AppConfig) -> Store:
    """The store the config names."""
    if config.store.backend == "sqlite":
        from indexer.sqlite_store import SqliteStore  # lazy: one backend's imports, not both

        return SqliteStore(config.store_path)
    if config.store.backend == "elasticsearch":
        from indexer.elasticsearch_store import ElasticsearchStore  # lazy: the client is heavy

        s = config.store
        return ElasticsearchStore(s.hosts, s.index, shards=s.shards, replicas=s.replicas,
                                  api_key=s.api_key)
    raise StoreError(f"unknown store backend {config.store.backend!r}")
