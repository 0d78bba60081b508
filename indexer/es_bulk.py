"""Posts into and out of an Elasticsearch index in bulk: `streaming_bulk` writes that report every
document, and scans in id order. The store writes and reads through them, and so does the
migration of an index to a new mapping version."""

from __future__ import annotations

from typing import Any, Iterator

from elasticsearch import Elasticsearch, TransportError, helpers

from core.post import Post
from indexer.base import UpsertResult
from indexer.es_dsl import DERIVED, to_post
from indexer.es_errors import es_errors, failure, reason

CHUNK = 2000  # posts per bulk request, and per round of look-ups (mget, duplicates) in the store
# What a bulk response item needs to say; the rest (shards, seq_no, index…) is not sent back.
_BULK_FILTER = "items.*._id,items.*.status,items.*.result,items.*.error"


def bulk(client: Elasticsearch, index: str, actions: list[dict[str, Any]],
         service: str) -> UpsertResult:
    """Index one chunk of actions; every action ends up in the result, a rejected document in
    `failed` with ES's reason."""
    result = UpsertResult()
    stream = helpers.streaming_bulk(
        client, actions, chunk_size=CHUNK, max_chunk_bytes=20 * 2**20, max_retries=5,
        initial_backoff=1, max_backoff=30, retry_on_status=(429, 502, 503, 504),
        raise_on_error=False, raise_on_exception=False, index=index,
        filter_path=_BULK_FILTER)
    try:
        for ok, item in stream:
            info = item.get("index", {})
            post_id = info.get("_id")
            if ok:
                (result.inserted if info.get("result") == "created"
                 else result.updated).append(post_id)
            else:
                result.failed[post_id] = f"elasticsearch: {reason(info.get('error'))}"
    except TransportError as exc:  # the node went away for longer than the retries
        done = set(result.inserted) | set(result.updated) | set(result.failed)
        for action in actions:
            if action["_id"] not in done:
                result.failed[action["_id"]] = failure(service, "bulk", exc)
    return result


def merge(result: UpsertResult, part: UpsertResult) -> None:
    """Add one chunk's result to the call's."""
    result.inserted.extend(part.inserted)
    result.updated.extend(part.updated)
    result.failed.update(part.failed)


def scan(client: Elasticsearch, index: str, query: dict[str, Any], batch: int,
         service: str) -> Iterator[Post]:
    """The posts of `index` matching `query`, in id order."""
    after = None
    while True:
        extra = {"search_after": after} if after is not None else {}
        with es_errors(service, "iterate posts"):
            resp = client.search(index=index, query=query, sort=[{"id": "asc"}], size=batch,
                                 source_excludes=DERIVED, track_total_hits=False, **extra)
        hits = resp["hits"]["hits"]
        for hit in hits:
            yield to_post(hit["_source"])
        if len(hits) < batch:
            return
        after = hits[-1]["sort"]
