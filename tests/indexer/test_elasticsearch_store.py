"""What only the Elasticsearch backend promises: bulk errors, chunks in flight, the config
(its index is tested in test_es_index.py)."""

import pytest

from indexer.base import StoreError
from tests.indexer.conftest import es_index_name
from tests.indexer.test_base import make

pytestmark = pytest.mark.elasticsearch


def test_a_document_es_rejects_is_reported_not_dropped(es_store):
    good = make(1, "宽带断网")
    bad = make(2, "严重程度超出字段范围", severity=1000)  # a byte field: ES refuses it
    result = es_store.upsert_many([good, bad])
    assert result.inserted == [good.id]
    assert "elasticsearch" in result.failed[bad.id] and "severity" in result.failed[bad.id]
    assert es_store.count() == 1


def test_an_unreachable_node_is_a_store_error_naming_the_service():
    from indexer.elasticsearch_store import ElasticsearchStore

    with pytest.raises(StoreError, match="elasticsearch http://127.0.0.1:9"):
        ElasticsearchStore(["http://127.0.0.1:9"], "tousu-unreachable", request_timeout=2)


def test_open_store_reads_the_config(tmp_path, es_url):
    from indexer import open_store
    from tests.conftest import write_config
    from tousu.config import load

    alias = es_index_name()
    path = write_config(tmp_path, store={"backend": "elasticsearch", "hosts": [es_url],
                                         "index": alias})
    with open_store(load(path)) as store:
        store.upsert_many([make(1, "宽带断网")])
        assert store.search("断网").total == 1
        store.drop()


def test_chunks_in_flight_at_once_keep_order_last_versions_and_errors(es_store, monkeypatch):
    import indexer.elasticsearch_store as es_module

    monkeypatch.setattr(es_module, "CHUNK", 2)  # seven posts: four chunks, several in flight
    first, later = make(1, "宽带断网第一版"), make(1, "宽带断网第二版，又断了")
    bad = make(4, "严重程度超出字段范围", severity=1000)
    posts = [first, make(2, "信号太差"), later, make(3, "要求退费"), bad, make(5, "乱扣费"),
             make(6, "携号转网")]  # the newer version is in the very next chunk
    result = es_store.upsert_many(posts)
    assert result.inserted == [first.id, posts[1].id, posts[3].id, posts[5].id, posts[6].id]
    assert result.updated == [first.id]
    assert list(result.failed) == [bad.id] and "severity" in result.failed[bad.id]
    assert es_store.get(first.id).content == "宽带断网第二版，又断了"
    assert es_store.count() == 5
