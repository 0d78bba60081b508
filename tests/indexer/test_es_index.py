"""The posts index behind its alias (indexer/es_index.py): created idempotently on start, an
index in the way refused, an older mapping version migrated in place, a newer one refused."""

import copy

import pytest

from indexer.base import Filters, StoreError
from tests.indexer.conftest import es_index_name
from tests.indexer.test_base import make


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
    properties = es.indices.get_mapping(index=es_store.alias)[index]["mappings"]["properties"]
    assert properties["words"]["analyzer"] == properties["pairs"]["analyzer"] == "tokens"
    assert properties["chars"]["index_options"] == "docs" and "body" not in properties


@pytest.mark.elasticsearch
def test_an_index_in_the_way_of_the_alias_is_refused(es_url, es_store):
    from indexer.elasticsearch_store import ElasticsearchStore

    name = es_index_name()
    es_store.client.indices.create(index=name, settings={"number_of_replicas": 0})
    with pytest.raises(StoreError, match="is an index, not an alias"):
        ElasticsearchStore([es_url], name)




def _old_mappings(version):
    """The mapping as version 3 had it (the previous code's), or version 1: jieba tokens in
    `words`/`subwords`, and title + content in `body` (the `standard` analyzer) instead of
    `chars`/`pairs`; version 1 also had norms everywhere and offsets on `body`."""
    from indexer.es_dsl import MAPPINGS

    mappings = copy.deepcopy(MAPPINGS)
    props = mappings["properties"]
    del props["chars"], props["pairs"]
    props["body"] = {"type": "text", "analyzer": "standard", "store": True,
                     "index_options": "positions", "norms": False}
    mappings["_source"] = {"excludes": ["words", "subwords", "body"]}
    if version == 1:
        for name in ("words", "subwords"):
            props[name] = {"type": "text", "analyzer": "tokens", "index_options": "freqs"}
        props["body"] = {"type": "text", "analyzer": "standard", "store": True,
                         "index_options": "offsets"}
    return mappings


def _old_document(post, dup_of, case_status):
    """A post as versions 1 to 3 indexed it."""
    from indexer.documents import post_ts
    from indexer.es_dsl import to_document

    doc = to_document(post, post_ts(post), dup_of, case_status)
    del doc["chars"], doc["pairs"]
    doc["body"] = " ".join(f"{post.title} {post.content}".split())
    return doc


@pytest.fixture(params=[3, 1])
def old_alias(es_url, request):
    """An alias over an index of an older mapping version holding three posts, one a duplicate,
    one with a case."""
    from elasticsearch import Elasticsearch, helpers

    from indexer.es_dsl import ANALYSIS

    alias, version = es_index_name(), request.param
    posts = [make(1, "家里宽带又断网了，装维师傅说明天来"), make(2, "移动的信号太差了，要求退费"),
             make(3, "家里宽带又断网了，装维师傅说明天来", source="tieba")]
    marks = {posts[1].id: (None, "处理中"), posts[2].id: (posts[0].id, None)}
    with Elasticsearch(es_url) as es:
        es.indices.create(index=f"{alias}-v{version}", mappings=_old_mappings(version),
                          settings={"number_of_replicas": 0, "analysis": ANALYSIS},
                          aliases={alias: {"is_write_index": True}})
        helpers.bulk(es, ({"_index": f"{alias}-v{version}", "_id": p.id,
                           "_source": _old_document(p, *marks.get(p.id, (None, None)))}
                          for p in posts), refresh=True)
    return alias, version, posts


@pytest.mark.elasticsearch
def test_an_older_index_is_migrated_and_its_posts_stay_searchable(es_url, old_alias):
    from indexer.elasticsearch_store import ElasticsearchStore
    from indexer.es_dsl import MAPPING_VERSION

    alias, version, posts = old_alias
    store = ElasticsearchStore([es_url], alias)
    try:
        es = store.client
        new = f"{alias}-v{MAPPING_VERSION}"
        assert list(es.indices.get_alias(name=alias)) == [new]
        assert not es.indices.exists(index=f"{alias}-v{version}")
        properties = es.indices.get_mapping(index=new)[new]["mappings"]["properties"]
        assert "body" not in properties and properties["pairs"]["norms"] is False
        assert store.count() == 3
        assert store.count(Filters(include_duplicates=False)) == 2  # still a duplicate
        assert store.get(posts[2].id).dup_of == posts[0].id
        assert store.get(posts[1].id).case_status == "处理中"
        hit = store.search('"信号太差"').hits[0]
        assert hit.post.id == posts[1].id and "<mark>信号太差</mark>" in hit.highlight
        assert store.search("宽带", sort="relevance").total == 2
        assert store.search("差").total == store.search("号太").total == 1  # parts of words
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
def test_a_migration_interrupted_half_way_is_finished_at_the_next_start(es_url, old_alias):
    from elasticsearch import Elasticsearch

    from indexer.elasticsearch_store import ElasticsearchStore
    from indexer.es_dsl import MAPPING_VERSION, template_body

    alias, version, posts = old_alias
    new = f"{alias}-v{MAPPING_VERSION}"
    with Elasticsearch(es_url) as es:  # as a start that died after copying one post leaves it
        es.indices.put_index_template(name=f"{alias}-template",
                                      **template_body(f"{alias}-v*", 1, 0))
        es.indices.put_settings(index=f"{alias}-v{version}",
                                settings={"index.blocks.write": True})
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
