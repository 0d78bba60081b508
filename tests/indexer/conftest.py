"""The `store` fixture runs every contract test on both backends.

SQLite always runs. Elasticsearch runs against the node in TOUSU_ES_URL (`scripts/elasticsearch.sh
start` prints it; `.ci/run` exports it): each test gets its own alias under a per-session prefix,
and everything under the prefix is deleted at the end of the session. Without a reachable node the
Elasticsearch tests skip locally, and fail when CI=true — CI must never pass by skipping them.
"""

from __future__ import annotations

import itertools
import os
import uuid

import pytest

ES_PREFIX = f"tousu-test-{uuid.uuid4().hex[:8]}"
_counter = itertools.count()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def es_url():
    """URL of a reachable Elasticsearch node, else skip (locally) or fail (CI=true)."""
    url = os.environ.get("TOUSU_ES_URL", "")
    problem = ""
    if not url:
        problem = ("TOUSU_ES_URL is not set (start a node with "
                   "`export TOUSU_ES_URL=$(scripts/elasticsearch.sh start | tail -n1)`)")
    else:
        from elasticsearch import Elasticsearch

        client = Elasticsearch(url, request_timeout=10)
        try:
            health = client.cluster.health(wait_for_status="yellow", timeout="30s")
            if health.get("status") not in ("green", "yellow"):
                problem = f"Elasticsearch at {url} is {health.get('status')}"
        except Exception as exc:  # any failure to reach the node means: no node
            problem = f"Elasticsearch at {url} is not reachable: {exc}"
        finally:
            client.close()
    if problem:
        if _in_ci():
            pytest.fail(f"CI=true but {problem}", pytrace=False)
        pytest.skip(problem)
    yield url
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url, request_timeout=30)
    try:  # by name: clusters refuse wildcard deletes (action.destructive_requires_name)
        left = list(client.indices.get(index=f"{ES_PREFIX}-*", expand_wildcards="all"))
        if left:
            client.indices.delete(index=",".join(left))
        templates = client.options(ignore_status=404).indices.get_index_template(
            name=f"{ES_PREFIX}-*")
        for template in templates.get("index_templates", []):
            client.indices.delete_index_template(name=template["name"])
    finally:
        client.close()


def es_index_name() -> str:
    """A fresh alias name for one test, under this session's prefix."""
    return f"{ES_PREFIX}-{next(_counter)}"


def open_backend(kind: str, tmp_path, request):
    if kind == "sqlite":
        from indexer.sqlite_store import SqliteStore

        return SqliteStore(tmp_path / "posts.db")
    from indexer.elasticsearch_store import ElasticsearchStore

    url = request.getfixturevalue("es_url")
    return ElasticsearchStore([url], es_index_name())


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def store(request, tmp_path):
    """A fresh, empty store of each backend."""
    s = open_backend(request.param, tmp_path, request)
    yield s
    if request.param == "elasticsearch":
        s.drop()
    s.close()


@pytest.fixture
def sqlite_store(tmp_path):
    """A fresh, empty SQLite store, for what only that backend promises."""
    s = open_backend("sqlite", tmp_path, None)
    yield s
    s.close()


@pytest.fixture
def es_store(es_url):
    """A fresh, empty Elasticsearch store, dropped afterwards."""
    from indexer.elasticsearch_store import ElasticsearchStore

    s = ElasticsearchStore([es_url], es_index_name())
    yield s
    s.drop()
    s.close()


def spread_posts(n=60):
    """Posts over ten days at uneven hours, with varied fields (none a duplicate of another)."""
    from tests.indexer.test_base import make

    cities, categories = ["长沙", "衡阳", None], [["宽带/家宽"], ["网络覆盖/信号", "宽带/家宽"], []]
    posts = []
    for i in range(n):
        day, hour = 10 + i % 10, (i * 7) % 24
        post = make(i, f"第{i}号帖子：宽带断网{i}次，信号也差", city=cities[i % 3],
                     severity=i % 5, categories=categories[i % 3], relevant=(None, True, False)[i % 3],
                     published=f"2026-11-{day:02d}T{hour:02d}:{i % 60:02d}:00+08:00")
        post.keywords = ["宽带", "断网", "信号"][: 1 + i % 3]
        posts.append(post)
    return posts


def aggregations(store):
    from dataclasses import replace

    from indexer.base import Filters

    out = []
    for f in (Filters(), Filters(relevant=True), Filters(since="2026-11-12T05:30:00+08:00"),
              Filters(since="2026-11-11T00:00:00+08:00", until="2026-11-17T13:00:00+08:00",
                      relevant=False), Filters(since="2026-11-13T03:00:00+08:00",
                                               until="2026-11-13T20:00:00+08:00")):
        one = [replace(f, cities=["衡阳"]), replace(f, categories=["宽带/家宽"]),
               replace(f, sources=["forum"]), replace(f, cities=["衡阳", "长沙"])]
        out.append((store.count(f), [store.count(g) for g in one],
                    [store.search("", g).total for g in one],
                    store.terms("city", f), store.terms("category", f),
                    store.terms("relevant", f), store.hot_words(f, exclude=["信号"]),
                    *(store.date_histogram(i, f, split_by=s) for i in ("day", "week", "month")
                      for s in (None, "severity", "category", "relevant", "source"))))
    return out
