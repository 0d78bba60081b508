"""open_store: the backend the config names, and a clear error for one it does not know."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from indexer import StoreError, open_store
from indexer.config import StoreConfig
from indexer.sqlite_store import SqliteStore
from tests.indexer.test_base import make


def test_the_sqlite_backend_opens_the_configured_file(tmp_path):
    config = SimpleNamespace(store=StoreConfig(), store_path=tmp_path / "data" / "posts.db")
    with open_store(config) as store:
        assert isinstance(store, SqliteStore)
        store.upsert_many([make(1, "家里宽带又断网了")])
    assert config.store_path.exists()
    with open_store(config) as again:
        assert again.count() == 1


def test_an_unknown_backend_is_a_store_error(tmp_path):
    config = SimpleNamespace(store=StoreConfig.model_construct(backend="mongo"), store_path=tmp_path / "x.db")
    with pytest.raises(StoreError, match="unknown store backend 'mongo'"):
        open_store(config)
