"""Elasticsearch backend: the Store contract over a versioned index behind an alias.

On start the index template `<alias>-template` and the first index `<alias>-v<N>` (with the alias
as its write index) are created if missing, idempotently, so several processes may start at once.
An index of an older mapping version behind the alias is migrated in place: made read-only, its
posts re-indexed into `<alias>-v<N>`, the alias moved there and the old index deleted; a start
interrupted half-way does it again.
Writes go through `helpers.streaming_bulk` with retries; a document ES rejects is reported in
`UpsertResult.failed` with ES's reason, never dropped silently. A large `upsert_many` keeps
BULK_THREADS bulk requests in flight while it prepares the next chunk, so the node indexes on all
its write threads and the client's own work overlaps the node's. Every error from the client is
raised as StoreError naming Elasticsearch and the hosts. Writes refresh the index before they
return, so a post is searchable as soon as `upsert_many` returns (as with SQLite).
"""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Iterable, Iterator, Sequence

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers
from elasticsearch.serializer import OrjsonSerializer

from indexer.base import (TERM_FIELDS, Filters, Hit, Interval, SearchResult, Sort, Store,
                          StoreError, UpsertResult, make_snippet)
from indexer.documents import parse_ts, post_ts
from indexer.es_dsl import (DATE_FORMAT, DERIVED, MAPPING_VERSION, TIME_ZONE, body_text,
                            build_query, highlight_body, snippet_from, template_body, to_document,
                            to_post)
from indexer.query import Query, parse_query
from core.batches import batched
from core.post import Post

log = logging.getLogger("tousu.indexer")
_FIELD = {"category": "categories", "operator": "operators"}  # contract name -> ES field
_MULTI = ("categories", "operators")  # list fields: a post without a value is in no bucket
_SORT = {
    "time": [{"time": "desc"}, {"id": "desc"}],
    "severity": [{"severity": "desc"}, {"time": "desc"}, {"id": "desc"}],
    "influence": [{"influence": "desc"}, {"time": "desc"}, {"id": "desc"}],
    "relevance": [{"_score": "desc"}, {"time": "desc"}, {"id": "desc"}],
}
CHUNK = 2000  # posts per round of look-ups (mget, duplicates) and per bulk request
# bulk requests in flight at once: one more than a 2-core node's write threads, so that one
# waits in the node's queue while a response travels back and the next request is built
BULK_THREADS = 3
# What a bulk response item needs to say; the rest (shards, seq_no, index…) is not sent back.
_BULK_FILTER = "items.*._id,items.*.status,items.*.result,items.*.error"
SNIPPET_WIDTH = 120


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
        self._shards, self._replicas = shards, replicas
        self._call(self._ensure_index, "create the index")

    # -- plumbing -------------------------------------------------------------------------
    def _call(self, fn: Any, what: str, *args: Any, **kwargs: Any) -> Any:
        """Run one client call; ES and transport errors become StoreError naming the service."""
        try:
            return fn(*args, **kwargs)
        except ApiError as exc:
            raise StoreError(f"{self._name}: {what} failed: {exc.meta.status} "
                             f"{_reason(exc.body) or exc.message}") from None
        except TransportError as exc:
            raise StoreError(f"{self._name}: {what} failed: {exc}") from None

    def _ensure_index(self) -> None:
        es = self.client.options(ignore_status=())
        es.indices.put_index_template(name=f"{self.alias}-template",
                                      **template_body(f"{self.alias}-v*", self._shards,
                                                      self._replicas))
        wanted = f"{self.alias}-v{MAPPING_VERSION}"
        if es.indices.exists_alias(name=self.alias):
            current = list(es.indices.get_alias(name=self.alias))
            if wanted in current:
                return
            older = [name for name in current if _version(name, self.alias) < MAPPING_VERSION]
            if len(older) != 1 or len(current) != 1:
                raise StoreError(f"{self._name}: the alias points at {current}; expected one "
                                 f"index {self.alias}-v<N> with N <= {MAPPING_VERSION}")
            self._migrate(older[0], wanted)
            return
        if es.indices.exists(index=self.alias):
            raise StoreError(f"{self._name}: {self.alias!r} is an index, not an alias; "
                             "rename it or point store.index elsewhere")
        try:
            es.indices.create(index=f"{self.alias}-v{MAPPING_VERSION}",
                              aliases={self.alias: {"is_write_index": True}})
        except ApiError as exc:  # another process created it first
            if _reason_type(exc.body) != "resource_already_exists_exception":
                raise
            es.indices.put_alias(index=f"{self.alias}-v{MAPPING_VERSION}", name=self.alias)

    def _migrate(self, old: str, new: str) -> None:
        """Re-index `old` (an older mapping version) into `new` and move the alias there."""
        es = self.client.options(ignore_status=())
        log.warning("%s: migrating %s to mapping version %s in %s", self._name, old,
                    MAPPING_VERSION, new)
        try:
            # read-only first: a write another process makes meanwhile fails, it is not lost
            es.indices.put_settings(index=old, settings={"index.blocks.write": True})
            try:
                es.indices.create(index=new)
            except ApiError as exc:  # left by an interrupted start, or another one's
                if _reason_type(exc.body) != "resource_already_exists_exception":
                    raise
            copied = UpsertResult()
            for chunk in batched(self._scan(old, {"match_all": {}}, CHUNK), CHUNK):
                _merge(copied, self._bulk([
                    {"_op_type": "index", "_index": new, "_id": post.id,
                     "_source": to_document(post, post_ts(post), post.dup_of, post.case_status)}
                    for post in chunk]))
            if copied.failed:
                es.indices.put_settings(index=old, settings={"index.blocks.write": False})
                post_id, reason = next(iter(copied.failed.items()))
                raise StoreError(f"{self._name}: migrating {old} to {new}: {len(copied.failed)} "
                                 f"posts could not be copied, first {post_id}: {reason}")
            es.indices.refresh(index=new)
            es.indices.update_aliases(actions=[
                {"remove": {"index": old, "alias": self.alias}},
                {"add": {"index": new, "alias": self.alias, "is_write_index": True}}])
            es.indices.delete(index=old)
        except (ApiError, StoreError):  # a process starting at the same time may have done it
            if new not in list(es.options(ignore_status=404).indices.get_alias(name=self.alias)):
                raise
        log.warning("%s: %s migrated to %s (%d posts)", self._name, old, new,
                    es.count(index=new)["count"])

    def _refresh(self) -> None:
        if self.refresh_writes:
            self._call(self.client.indices.refresh, "refresh", index=self.alias)

    def close(self) -> None:
        self.client.close()

    # -- writes ---------------------------------------------------------------------------
    def upsert_many(self, posts: Iterable[Post]) -> UpsertResult:
        result = UpsertResult()
        seen: dict[str, tuple[int, str]] = {}  # fingerprint -> (time, id) stored by this call
        with ThreadPoolExecutor(BULK_THREADS, thread_name_prefix="tousu-es-bulk") as pool:
            pending: deque[tuple[Future[UpsertResult], set[str]]] = deque()
            for chunk in batched(posts, CHUNK):
                ids = {post.id for post in chunk}
                # a post already on its way must be stored before its newer version is read
                # and sent, else two bulk threads could store them in either order
                while pending and (len(pending) >= BULK_THREADS
                                   or any(ids & sent for _, sent in pending)):
                    _merge(result, pending.popleft()[0].result())
                pending.append((pool.submit(self._bulk, self._actions(chunk, result, seen)), ids))
            for future, _ in pending:  # in submission order: results keep the input's order
                _merge(result, future.result())
        if result.inserted or result.updated:
            self._refresh()
        return result

    def _actions(self, posts: list[Post], result: UpsertResult,
                 seen: dict[str, tuple[int, str]]) -> list[dict[str, Any]]:
        """The bulk actions of one chunk; posts that cannot be indexed go to result.failed."""
        unique: dict[str, Post] = {}
        for post in posts:  # the last version of a post wins, as with sequential upserts
            unique[post.id] = post
        existing = self._existing(list(unique))
        originals = self._originals([p for p in unique.values() if p.id not in existing
                                     or not existing[p.id].get("dup_of")])
        actions = []
        for post in unique.values():
            try:
                ts = post_ts(post)
                old = existing.get(post.id, {})
                dup_of = post.dup_of or old.get("dup_of")
                if dup_of is None and len(post.content or post.title) >= 10:
                    candidates = [c for c in (originals.get(post.fingerprint, []) +
                                              [seen.get(post.fingerprint)]) if c and c[1] != post.id]
                    dup_of = min(candidates)[1] if candidates else None
                seen.setdefault(post.fingerprint, (ts, post.id))
                doc = to_document(post, ts, dup_of, old.get("case_status"))
            except (ValueError, TypeError) as exc:
                result.failed[post.id] = str(exc)
                continue
            actions.append({"_op_type": "index", "_id": post.id, "_source": doc})
        return actions

    def _bulk(self, actions: list[dict[str, Any]]) -> UpsertResult:
        """Index one chunk (run in a bulk thread); every action ends up in the result."""
        result = UpsertResult()
        stream = helpers.streaming_bulk(
            self.client, actions, chunk_size=CHUNK, max_chunk_bytes=20 * 2**20, max_retries=5,
            initial_backoff=1, max_backoff=30, retry_on_status=(429, 502, 503, 504),
            raise_on_error=False, raise_on_exception=False, index=self.alias,
            filter_path=_BULK_FILTER)
        try:
            for ok, item in stream:
                info = item.get("index", {})
                post_id = info.get("_id")
                if ok:
                    (result.inserted if info.get("result") == "created"
                     else result.updated).append(post_id)
                else:
                    result.failed[post_id] = f"elasticsearch: {_reason(info.get('error'))}"
        except TransportError as exc:  # the node went away for longer than the retries
            done = set(result.inserted) | set(result.updated) | set(result.failed)
            for action in actions:
                if action["_id"] not in done:
                    result.failed[action["_id"]] = f"{self._name}: bulk failed: {exc}"
        return result

    def _existing(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """dup_of and case_status of the posts already stored, by id."""
        if not ids:
            return {}
        found = self._call(self.client.mget, "mget", index=self.alias, ids=ids,
                           source_includes=["dup_of", "case_status"], realtime=True)
        return {d["_id"]: d.get("_source", {}) for d in found["docs"] if d.get("found")}

    def _originals(self, posts: list[Post]) -> dict[str, list[tuple[int, str]]]:
        """For each fingerprint, the stored posts having it that are no one's duplicate
        (normally one: the first seen), as (time, id), earliest first."""
        fingerprints = sorted({p.fingerprint for p in posts if len(p.content or p.title) >= 10})
        if not fingerprints:
            return {}
        resp = self._call(
            self.client.search, "look up duplicates", index=self.alias,
            size=min(2 * len(fingerprints), 10000),
            query={"bool": {"filter": [{"terms": {"fingerprint": fingerprints}}],
                            "must_not": [{"exists": {"field": "dup_of"}}]}},
            source=["id", "time", "fingerprint"], sort=[{"time": "asc"}, {"id": "asc"}],
            track_total_hits=False)
        out: dict[str, list[tuple[int, str]]] = {}
        for hit in resp["hits"]["hits"]:
            src = hit["_source"]
            out.setdefault(src["fingerprint"], []).append((parse_ts(src["time"]) or 0, src["id"]))
        return out

    def set_case_status(self, post_id: str, status: str | None) -> None:
        try:
            self.client.update(index=self.alias, id=post_id, doc={"case_status": status},
                               retry_on_conflict=3)
        except NotFoundError:
            return
        except (ApiError, TransportError) as exc:
            raise StoreError(f"{self._name}: set case status of {post_id} failed: {exc}") from None
        self._refresh()

    def delete_older_than(self, cutoff: str) -> int:
        ts = parse_ts(cutoff)
        if ts is None:
            raise StoreError(f"{self._name}: retention cutoff {cutoff!r} is not an ISO date")
        resp = self._call(self.client.delete_by_query, "delete old posts", index=self.alias,
                          query={"range": {"time": {"lt": ts, "format": "epoch_second"}}},
                          conflicts="proceed", refresh=True)
        return int(resp.get("deleted", 0))

    # -- reads ----------------------------------------------------------------------------
    def get(self, post_id: str) -> Post | None:
        try:
            doc = self.client.get(index=self.alias, id=post_id)
        except NotFoundError:
            return None
        except (ApiError, TransportError) as exc:
            raise StoreError(f"{self._name}: get {post_id} failed: {exc}") from None
        return to_post(doc["_source"])

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
        extra: dict[str, Any] = {}
        if highlight and terms:
            extra["highlight"] = highlight_body(terms)
        resp = self._call(self.client.search, "search", index=self.alias, query=es_query,
                          sort=_SORT.get(sort, _SORT["time"]), from_=max(page - 1, 0) * size,
                          size=size, track_total_hits=True, track_scores=sort == "relevance",
                          source_excludes=DERIVED, **extra)
        hits = []
        for raw in resp["hits"]["hits"]:
            post = to_post(raw["_source"])
            snippet = ""
            if highlight:
                body = body_text(post)
                fragments = raw.get("highlight", {}).get("body")
                snippet = (snippet_from(fragments[0], body, SNIPPET_WIDTH) if fragments
                           else make_snippet(body, []))
            score = raw.get("_score") if sort == "relevance" else None
            hits.append(Hit(post, snippet, score))
        total = resp["hits"]["total"]
        return SearchResult(total=total["value"], hits=hits,
                            total_is_lower_bound=total["relation"] == "gte")

    def count(self, filters: Filters | None = None, query: str = "") -> int:
        es_query, _ = self._query(filters, query)
        return int(self._call(self.client.count, "count", index=self.alias,
                              query=es_query)["count"])

    def _aggs(self, filters: Filters | None, aggs: dict[str, Any], what: str) -> dict[str, Any]:
        es_query, _ = self._query(filters)
        resp = self._call(self.client.search, what, index=self.alias, query=es_query, size=0,
                          aggs=aggs, track_total_hits=True)
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
        return self._scan(self.alias, self._query(filters)[0], batch)

    def _scan(self, index: str, query: dict[str, Any], batch: int) -> Iterator[Post]:
        """The posts of `index` matching `query`, in id order."""
        after = None
        while True:
            extra = {"search_after": after} if after is not None else {}
            resp = self._call(self.client.search, "iterate posts", index=index,
                              query=query, sort=[{"id": "asc"}], size=batch,
                              source_excludes=DERIVED, track_total_hits=False, **extra)
            hits = resp["hits"]["hits"]
            for hit in hits:
                yield to_post(hit["_source"])
            if len(hits) < batch:
                return
            after = hits[-1]["sort"]

    # -- maintenance (not in the contract) ------------------------------------------------
    def drop(self) -> None:
        """Delete the alias's indices and the template (tests and benchmarks)."""
        indices = self._call(self.client.indices.get_alias, "list indices", name=self.alias)
        self._call(self.client.indices.delete, "delete indices", index=",".join(indices))
        self._call(self.client.indices.delete_index_template, "delete template",
                   name=f"{self.alias}-template")


def _merge(result: UpsertResult, part: UpsertResult) -> None:
    result.inserted.extend(part.inserted)
    result.updated.extend(part.updated)
    result.failed.update(part.failed)


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


def _version(index: str, alias: str) -> int:
    """The mapping version in an index name `<alias>-v<N>`, else one beyond this code's."""
    prefix = f"{alias}-v"
    suffix = index[len(prefix):]
    return int(suffix) if index.startswith(prefix) and suffix.isdigit() else MAPPING_VERSION + 1


def _reason(error: Any) -> str:
    """The human part of an ES error body."""
    if isinstance(error, dict):
        inner = error.get("error", error)
        if isinstance(inner, dict):
            cause = inner.get("caused_by", {})
            text = f"{inner.get('type', '')}: {inner.get('reason', '')}"
            if isinstance(cause, dict) and cause.get("reason"):
                text += f" ({cause['reason']})"
            return text
        return str(inner)
    return str(error or "")


def _reason_type(error: Any) -> str:
    if isinstance(error, dict) and isinstance(error.get("error"), dict):
        return str(error["error"].get("type", ""))
    return ""

