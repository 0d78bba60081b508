"""A chunk's upsert result adds to the call's (the bulk writes themselves need a node: see
test_elasticsearch_store.py)."""

from __future__ import annotations

from indexer.base import UpsertResult
from indexer.es_bulk import merge


def test_merge_adds_a_chunk_to_the_call():
    total = UpsertResult(inserted=["a"], failed={"x": "elasticsearch bulk: mapping"})
    merge(total, UpsertResult(inserted=["b"], updated=["c"], failed={"y": "elasticsearch bulk: timeout"}))
    merge(total, UpsertResult())
    assert total.inserted == ["a", "b"] and total.updated == ["c"]
    assert total.failed == {"x": "elasticsearch bulk: mapping", "y": "elasticsearch bulk: timeout"}
