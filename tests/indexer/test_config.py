"""The `store:` section: SQLite by default, limits enforced, unknown backends refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from indexer.config import StoreConfig


def test_defaults_are_the_embedded_sqlite_file():
    store = StoreConfig()
    assert store.backend == "sqlite" and str(store.path) == "data/tousu.db" and store.api_key is None


@pytest.mark.parametrize("bad", [{"backend": "mongo"}, {"shards": 0}, {"max_post_chars": 10},
                                 {"replica": 1}])
def test_bad_values_are_refused(bad):
    with pytest.raises(ValidationError):
        StoreConfig(**bad)
