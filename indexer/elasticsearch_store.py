"""Elasticsearch backend: the Store contract over a versioned index behind an alias.

The index itself (template, versions, migration) is managed by `es_index` when the store starts.
Writes go through `es_bulk.bulk` (`helpers.streaming_bulk` with retries); a document ES rejects is
reported in `UpsertResult.failed` with ES's reason, never dropped silently. A large `upsert_many`
keeps BULK_THREADS bulk requests in flight while it prepares the next chunk, so the node indexes
on all its write threads and the client's own work overlaps the node's. Every client call runs
in `es_errors`, which raises its errors as StoreError naming Elasticsearch and the hosts. Writes
refresh the index before they return, so a post is searchable as soon as `upsert_many` returns
(as with SQLite).
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, Iterable, Iterator, Sequence

from elasticsearch import Elasticsearch
from elasticsearch.serializer import OrjsonSerializer

from core.batches import batched
from core.post import Post
from indexer.base import (TERM_FIELDS, Filters, Hit, Interval, SearchResult, Sort, Store,
                          StoreError, UpsertResult, make_snippet)
from indexer.documents import index_text, parse_ts, post_ts
from indexer.duplicates import Original, Originals, needs_original
from indexer.es_bulk import CHUNK, bulk, merge, scan
from indexer.es_dsl import DATE_FORMAT, DERIVED, TIME_ZONE, build_query, to_document, to_post
from indexer.es_errors import es_errors
from indexer.es_index import drop_index, ensure_index
from indexer.query import Query, parse_query

_FIELD = {"category": "categories", "operator": "operators"}  # contract name -> ES field
_MULTI = ("categories", "operators")  # list fields: a post without a value is in no bucket
_SORT = {
    "time": [{"time": "desc"}, {"id": "desc"}],
    "severity": [{"severity": "desc"}, {"time": "desc"}, {"id": "desc"}],
    "influence": [{"influence": "desc"}, {"time": "desc"}, {"id": "desc"}],
    "relevance": [{"_score": "desc"}, {"time": "desc"}, {"id": "desc"}],
}
# bulk requests in flight at once: one more than a 2-core node's write threads, so that one
# waits in the node's queue while a response travels back and the next request is built
BULK_THREADS = 3


class ElasticsearchStore(Store):
    """Posts in Elasticsearch (official client 8.x), same contract as SqliteStore."""

    def __init__(self, hosts: Sequence[str] | str, index: str = "tousu-posts", *,
                 shards: int = 1, replicas: int = 0, api_key: str | None = None,
                 refresh: bool = True, request_timeout: float = 30.0,
                 client: Elasticsearch | None = None):
        self.hosts = [hosts] if isinstance(hosts, str) else list(hosts)
        self.alias = index
        self.refresh_writes = refresh
        self._name = f"elasticsearch {', '.join(self.hosts)} [{self.alias}]"
        self.client = client or Elasticsearch(
            self.hosts, api_key=api_key, request_timeout=request_timeout,
            retry_on_timeout=True, max_retries=3,
            serializer=OrjsonSerializer())  # a third less client CPU per bulk-indexed post
        ensure_index(self.client, self.alias, shards=shards, replicas=replicas,
                     service=self._name)

    def _errors(self, what: str) -> AbstractContextManager[None]:
        """The block's client errors as StoreError naming this store (es_errors)."""
        return es_errors(self._name, what)

    def _refresh(self) -> None:
        if self.refresh_writes:
            with self._errors("refresh"):
                self.client.indices.refresh(index=self.alias)

    def close(self) -> None:
        with self._errors("close"):
            self.client.close()

    # -- writes ---------------------------------------------------------------------------
    def upsert_many(self, posts: Iterable[Post]) -> UpsertResult:
        result = UpsertResult()
        originals = Originals()  # grows with each chunk's look-up and the originals it stores
        with ThreadPoolExecutor(BULK_THREADS, thread_name_prefix="tousu-es-bulk") as pool:
            pending: deque[tuple[Future[UpsertResult], set[str]]] = deque()
            for chunk in batched(posts, CHUNK):
                ids = {post.id for post in chunk}
                # a post already on its way must be stored before its newer version is read
                # and sent, else two bulk threads could store them in either order
                while pending and (len(pending) >= BULK_THREADS
                                   or any(ids & sent for _, sent in pending)):
                    merge(result, pending.popleft()[0].result())
                pending.append((pool.submit(bulk, self.client, self.alias,
                                            self._actions(chunk, result, originals), self._name),
                                ids))
            for future, _ in pending:  # in submission order: results keep the input's order
                merge(result, future.result())
        if result.inserted or result.updated:
            self._refresh()
        return result

    def _actions(self, posts: list[Post], result: UpsertResult,
                 originals: Originals) -> list[dict[str, Any]]:
        """The bulk actions of one chunk; posts that cannot be indexed go to result.failed."""
        unique: dict[str, Post] = {}
        for post in posts:  # the last version of a post wins, as with sequential upserts
            unique[post.id] = post
        existing = self._existing(list(unique))
        self._add_originals(originals, [p for p in unique.values() if needs_original(
            p, existing.get(p.id, {}).get("dup_of"))])
        actions = []
        for post in unique.values():
            try:
                ts = post_ts(post)
                old = existing.get(post.id, {})
                dup_of = originals.link(post, old.get("dup_of"))
                doc = to_document(post, ts, dup_of, old.get("case_status"))
            except (ValueError, TypeError) as exc:
                result.failed[post.id] = str(exc)
                continue
            originals.stored(post, ts, post.id, dup_of)
            actions.append({"_op_type": "index", "_id": post.id, "_source": doc})
        return actions

    def _existing(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """dup_of and case_status of the posts already stored, by id."""
        if not ids:
            return {}
        with self._errors("mget"):
            found = self.client.mget(index=self.alias, ids=ids,
                                     source_includes=["dup_of", "case_status"], realtime=True)
        return {d["_id"]: d.get("_source", {}) for d in found["docs"] if d.get("found")}

    def _add_originals(self, originals: Originals, posts: list[Post]) -> None:
        """Add the stored posts that are no one's duplicate (normally one per text: the first
        seen) of these posts' fingerprints; ties in time go to the smaller id."""
        fingerprints = sorted({p.fingerprint for p in posts})
        if not fingerprints:
            return
        with self._errors("look up duplicates"):
            resp = self.client.search(
                index=self.alias, size=min(2 * len(fingerprints), 10000),
                query={"bool": {"filter": [{"terms": {"fingerprint": fingerprints}}],
                                "must_not": [{"exists": {"field": "dup_of"}}]}},
                source=["id", "time", "fingerprint"], sort=[{"time": "asc"}, {"id": "asc"}],
                track_total_hits=False)
        for hit in resp["hits"]["hits"]:
            src = hit["_source"]
            originals.add(src["fingerprint"],
                          Original(parse_ts(src["time"]) or 0, src["id"], src["id"]))

    def set_case_status(self, post_id: str, status: str | None) -> None:
        with self._errors(f"set case status of {post_id}"):
            resp = self.client.options(ignore_status=404).update(
                index=self.alias, id=post_id, doc={"case_status": status}, retry_on_conflict=3)
        if resp.meta.status != 404:  # an unknown post has no case status to set
            self._refresh()

    def delete_older_than(self, cutoff: str) -> int:
        ts = parse_ts(cutoff)
        if ts is None:
            raise StoreError(f"{self._name}: retention cutoff {cutoff!r} is not an ISO date")
        with self._errors("delete old posts"):
            resp = self.client.delete_by_query(
                index=self.alias, query={"range": {"time": {"lt": ts, "format": "epoch_second"}}},
                conflicts="proceed", refresh=True)
        return int(resp.get("deleted", 0))

    # -- reads ----------------------------------------------------------------------------
    def get(self, post_id: str) -> Post | None:
        with self._errors(f"get {post_id}"):
            doc = self.client.options(ignore_status=404).get(index=self.alias, id=post_id)
        return to_post(doc["_source"]) if doc.meta.status != 404 else None

    def get_many(self, post_ids: Sequence[str]) -> dict[str, Post]:
        if not post_ids:
            return {}
        with self._errors("get posts"):
            found = self.client.mget(index=self.alias, ids=list(post_ids), source_excludes=DERIVED)
        return {d["_id"]: to_post(d["_source"]) for d in found["docs"] if d.get("found")}

    def replies(self, urls: Sequence[str], limit: int = 1000) -> list[Post]:
        if not urls:
            return []
        with self._errors("replies"):
            resp = self.client.search(index=self.alias, query={"terms": {"reply_to": list(urls)}},
                                      sort=[{"time": "asc"}, {"id": "asc"}], size=limit, source_excludes=DERIVED)
        return [to_post(raw["_source"]) for raw in resp["hits"]["hits"]]

    def _query(self, filters: Filters | None, query: str = "") -> tuple[dict[str, Any], Query | None]:
        parsed = parse_query(query) if query else None
        if parsed is not None and parsed.empty:
            parsed = None
        return build_query(filters, parsed, parse_ts), parsed

    def search(self, query: str = "", filters: Filters | None = None, sort: Sort = "time",
               page: int = 1, size: int = 20, highlight: bool = True) -> SearchResult:
        es_query, parsed = self._query(filters, query)
        terms = parsed.highlight_terms() if parsed else []
        if sort == "relevance" and not (parsed and parsed.groups):
            sort = "time"
        with self._errors("search"):
            resp = self.client.search(
                index=self.alias, query=es_query, sort=_SORT.get(sort, _SORT["time"]),
                from_=max(page - 1, 0) * size, size=size, track_total_hits=True,
                track_scores=sort == "relevance", source_excludes=DERIVED)
        hits = []
        for raw in resp["hits"]["hits"]:
            post = to_post(raw["_source"])
            snippet = make_snippet(index_text(post), terms) if highlight else ""
            score = raw.get("_score") if sort == "relevance" else None
            hits.append(Hit(post, snippet, score))
        total = resp["hits"]["total"]
        return SearchResult(total=total["value"], hits=hits,
                            total_is_lower_bound=total["relation"] == "gte")

    def count(self, filters: Filters | None = None, query: str = "") -> int:
        es_query, _ = self._query(filters, query)
        with self._errors("count"):
            return int(self.client.count(index=self.alias, query=es_query)["count"])

    def _aggs(self, filters: Filters | None, aggs: dict[str, Any], what: str) -> dict[str, Any]:
        es_query, _ = self._query(filters)
        with self._errors(what):
            resp = self.client.search(index=self.alias, query=es_query, size=0, aggs=aggs,
                                      track_total_hits=True)
        return resp["aggregations"]

    @staticmethod
    def _field(name: str) -> str:
        if name not in TERM_FIELDS:
            raise StoreError(f"elasticsearch: cannot group by {name!r}; use one of {TERM_FIELDS}")
        return _FIELD.get(name, name)

    def date_histogram(self, interval: Interval, filters: Filters | None = None,
                       split_by: str | None = None) -> list[dict[str, Any]]:
        histogram = {"field": "time", **_calendar(interval), "format": DATE_FORMAT,
                     "time_zone": TIME_ZONE, "min_doc_count": 1}
        agg: dict[str, Any] = {"date_histogram": histogram}
        if split_by is not None:
            field = self._field(split_by)
            agg["aggs"] = {"split": {"terms": {"field": field, "size": 10000}}}
            if field not in _MULTI:  # posts without a category are not in a category split
                agg["aggs"]["none"] = {"missing": {"field": field}}
        buckets = self._aggs(filters, {"h": agg}, "date histogram")["h"]["buckets"]
        out = []
        for b in buckets:
            if split_by is None:
                out.append({"bucket": b["key_as_string"], "key": None, "count": b["doc_count"]})
                continue
            if "none" in b and b["none"]["doc_count"]:
                out.append({"bucket": b["key_as_string"], "key": None,
                            "count": b["none"]["doc_count"]})
            for s in sorted(b["split"]["buckets"], key=lambda s: s["key"]):
                out.append({"bucket": b["key_as_string"], "key": _key(s),
                            "count": s["doc_count"]})
        return out

    def slice_counts(self, group_by: Sequence[str], filters: Filters | None = None,
                     interval: Interval | None = None) -> list[dict[str, Any]]:
        fields = list(dict.fromkeys(group_by))
        sources = [{f"k{i}": {"terms": {"field": self._field(name),
                                         "missing_bucket": name not in ("category", "operator")}}}
                   for i, name in enumerate(fields)]
        if interval is not None:
            sources.append({"bucket": {"date_histogram": {
                "field": "time", **_calendar(interval), "format": DATE_FORMAT,
                "time_zone": TIME_ZONE}}})
        if not sources:
            total = self.count(filters)
            return [{"slice": {}, "bucket": None, "count": total}] if total else []
        out: list[dict[str, Any]] = []
        after = None
        while True:
            composite: dict[str, Any] = {"sources": sources, "size": 1000}
            if after is not None:
                composite["after"] = after
            agg = self._aggs(filters, {"c": {"composite": composite}}, "slice counts")["c"]
            for b in agg["buckets"]:
                key = b["key"]
                out.append({"slice": {name: _bool_key(name, key[f"k{i}"])
                                      for i, name in enumerate(fields)},
                            "bucket": key.get("bucket") if interval is not None else None,
                            "count": b["doc_count"]})
            after = agg.get("after_key")
            if not agg["buckets"] or after is None:
                return out

    def terms(self, field: str, filters: Filters | None = None, size: int = 20) -> list[tuple[Any, int]]:
        es_field = self._field(field)
        aggs: dict[str, Any] = {"t": {"terms": {"field": es_field, "size": size}}}
        if es_field not in _MULTI:
            aggs["none"] = {"missing": {"field": es_field}}
        result = self._aggs(filters, aggs, "terms")
        rows: list[tuple[Any, int]] = [(_key(b), b["doc_count"]) for b in result["t"]["buckets"]]
        if "none" in result and result["none"]["doc_count"]:
            rows.append((None, result["none"]["doc_count"]))
        rows.sort(key=lambda r: (-r[1], r[0] is not None, r[0] if r[0] is not None else 0))
        return rows[:size]

    def hot_words(self, filters: Filters | None = None, size: int = 30,
                  exclude: Iterable[str] = ()) -> list[tuple[str, int]]:
        terms: dict[str, Any] = {"field": "keywords", "size": size}
        excluded = list(exclude)
        if excluded:
            terms["exclude"] = excluded
        buckets = self._aggs(filters, {"k": {"terms": terms}}, "hot words")["k"]["buckets"]
        return [(b["key"], b["doc_count"]) for b in buckets]

    def iter_posts(self, filters: Filters | None = None, batch: int = 1000) -> Iterator[Post]:
        return scan(self.client, self.alias, self._query(filters)[0], batch, self._name)

    # -- maintenance (not in the contract) ------------------------------------------------
    def drop(self) -> None:
        """Delete the alias's indices and the template (tests and benchmarks)."""
        drop_index(self.client, self.alias, self._name)


def _calendar(interval: str) -> dict[str, str]:
    if interval not in ("hour", "day", "week", "month"):
        raise StoreError(f"elasticsearch: unknown interval {interval!r}")
    return {"calendar_interval": interval}


def _key(bucket: dict[str, Any]) -> Any:
    """A terms bucket's key as SQLite returns it (booleans as 0/1)."""
    return bucket["key"]


def _bool_key(name: str, value: Any) -> Any:
    if name == "relevant" and isinstance(value, bool):
        return int(value)
    return value
