"""The posts index behind its alias (indexer/es_index.py): created idempotently on start, an
index in the way refused, an older mapping version migrated in place, a newer one refused."""

import copy

import pytest

from indexer.base import Filters, StoreError
from tests.indexer.conftest import es_index_name
from tests.indexer.test_store_contract import make


def test_the_mapping_version_is_read_from_the_index_name():
    from indexer.es_dsl import MAPPING_VERSION
    from indexer.es_index import index_version

    assert index_version("tousu-posts-v2", "tousu-posts") == 2
    assert index_version("tousu-posts-v12", "tousu-posts") == 12
    for other in ("tousu-posts", "tousu-posts-vX", "other-v1", "tousu-posts-v"):
        assert index_version(other, "tousu-posts") == MAPPING_VERSION + 1  # never migrated


@pytest.mark.elasticsearch
def test_template_and_versioned_index_behind_the_alias_idempotently(es_store, es_url):
    from indexer.elasticsearch_store import ElasticsearchStore
    from indexer.es_dsl import MAPPING_VERSION

    es = es_store.client
    index = f"{es_store.alias}-v{MAPPING_VERSION}"
    assert list(es.indices.get_alias(name=es_store.alias)) == [index]
    assert es.indices.exists_index_template(name=f"{es_store.alias}-template")
    es_store.upsert_many([make(1, "宽带断网")])
    again = ElasticsearchStore([es_url], es_store.alias)  # a second process starting up
    assert again.count() == 1
    again.close()
    mapping = es.indices.get_mapping(index=es_store.alias)[index]["mappings"]
    assert mapping["properties"]["words"]["analyzer"] == "tokens"
    assert mapping["properties"]["body"]["analyzer"] == "standard"


@pytest.mark.elasticsearch
def test_an_index_in_the_way_of_the_alias_is_refused(es_url, es_store):
    from indexer.elasticsearch_store import ElasticsearchStore

    name = es_index_name()
    es_store.client.indices.create(index=name, settings={"number_of_replicas": 0})
    with pytest.raises(StoreError, match="is an index, not an alias"):
        ElasticsearchStore([es_url], name)




def _version_1_mappings():
    """The mapping as version 1 had it: norms on every text field, offsets on `body`."""
    from indexer.es_dsl import MAPPINGS

    mappings = copy.deepcopy(MAPPINGS)
    props = mappings["properties"]
    for name in ("words", "subwords"):
        props[name] = {"type": "text", "analyzer": "tokens", "index_options": "freqs"}
    props["body"] = {"type": "text", "analyzer": "standard", "store": True,
                     "index_options": "offsets"}
    return mappings


@pytest.fixture
def version_1_alias(es_url):
    """An alias over a version-1 index holding three posts, one a duplicate, one with a case."""
    from elasticsearch import Elasticsearch, helpers

    from indexer.documents import post_ts
    from indexer.es_dsl import ANALYSIS, to_document

    alias = es_index_name()
    posts = [make(1, "家里宽带又断网了，装维师傅说明天来"), make(2, "移动的信号太差了，要求退费"),
             make(3, "家里宽带又断网了，装维师傅说明天来", source="tieba")]
    marks = {posts[1].id: (None, "处理中"), posts[2].id: (posts[0].id, None)}
    with Elasticsearch(es_url) as es:
        es.indices.create(index=f"{alias}-v1", mappings=_version_1_mappings(),
                          settings={"number_of_replicas": 0, "analysis": ANALYSIS},
                          aliases={alias: {"is_write_index": True}})
        helpers.bulk(es, ({"_index": f"{alias}-v1", "_id": p.id,
                           "_source": to_document(p, post_ts(p), *marks.get(p.id, (None, None)))}
                          for p in posts), refresh=True)
    return alias, posts


@pytest.mark.elasticsearch
def test_a_version_1_index_is_migrated_and_its_posts_stay_searchable(es_url, version_1_alias):
    from indexer.elasticsearch_store import ElasticsearchStore
    from indexer.es_dsl import MAPPING_VERSION

    alias, posts = version_1_alias
    store = ElasticsearchStore([es_url], alias)
    try:
        es = store.client
        new = f"{alias}-v{MAPPING_VERSION}"
        assert list(es.indices.get_alias(name=alias)) == [new]
        assert not es.indices.exists(index=f"{alias}-v1")
        body = es.indices.get_mapping(index=new)[new]["mappings"]["properties"]["body"]
        assert body["norms"] is False and body.get("index_options") != "offsets"
        assert store.count() == 3
        assert store.count(Filters(include_duplicates=False)) == 2  # still a duplicate
        assert store.get(posts[2].id).dup_of == posts[0].id
        assert store.get(posts[1].id).case_status == "处理中"
        hit = store.search('"信号太差"').hits[0]
        assert hit.post.id == posts[1].id and "<mark>信号太差</mark>" in hit.highlight
        assert store.search("宽带", sort="relevance").total == 2
        store.upsert_many([make(4, "宽带又断网了")])  # the alias takes writes again
        assert store.search("断网").total == 3

        again = ElasticsearchStore([es_url], alias)  # the next start: nothing left to do
        assert list(again.client.indices.get_alias(name=alias)) == [new]
        assert again.count() == 4
        again.close()
    finally:
        store.drop()
        store.close()


@pytest.mark.elasticsearch
def test_a_migration_interrupted_half_way_is_finished_at_the_next_start(es_url, version_1_alias):
    from elasticsearch import Elasticsearch

    from indexer.elasticsearch_store import ElasticsearchStore
    from indexer.es_dsl import MAPPING_VERSION, template_body

    alias, posts = version_1_alias
    new = f"{alias}-v{MAPPING_VERSION}"
    with Elasticsearch(es_url) as es:  # as a start that died after copying one post leaves it
        es.indices.put_index_template(name=f"{alias}-template",
                                      **template_body(f"{alias}-v*", 1, 0))
        es.indices.put_settings(index=f"{alias}-v1", settings={"index.blocks.write": True})
        es.indices.create(index=new)
        es.index(index=new, id=posts[0].id, document={"id": posts[0].id}, refresh=True)
    store = ElasticsearchStore([es_url], alias)
    try:
        assert list(store.client.indices.get_alias(name=alias)) == [new]
        assert store.count() == 3 and store.search("信号").total == 1
        assert store.get(posts[0].id).content == posts[0].content  # the stub was overwritten
    finally:
        store.drop()
        store.close()


@pytest.mark.elasticsearch
def test_an_index_newer_than_the_code_is_refused(es_url):
    from elasticsearch import Elasticsearch

    from indexer.elasticsearch_store import ElasticsearchStore
    from indexer.es_dsl import MAPPING_VERSION

    alias = es_index_name()
    newer = f"{alias}-v{MAPPING_VERSION + 1}"
    with Elasticsearch(es_url) as es:
        es.indices.create(index=newer, settings={"number_of_replicas": 0},
                          aliases={alias: {"is_write_index": True}})
        try:
            with pytest.raises(StoreError, match=f"the alias points at \\['{newer}'\\]"):
                ElasticsearchStore([es_url], alias)
            assert es.indices.exists(index=newer)  # left as it was
        finally:
            es.indices.delete(index=newer)
