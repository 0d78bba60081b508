"""Elasticsearch index template, documents and query DSL for the posts index.

The same semantics as the SQLite backend, built from ES itself (no Chinese analysis plugin, and
no `ngram` tokenizer: the test node lacks the `analysis-common` module); the text fields hold
tokens made here, joined by spaces and analysed by whitespace + lowercase:
- `chars` / `pairs`: which posts contain a text. `chars` holds each distinct character of title
  and content, `pairs` every two adjacent characters in order, whitespace shown as `▁` (with
  positions): a term of one or two characters is a term lookup, a longer one a `match_phrase` of
  its pairs, so a term matches a post whose title or content contains it;
- `words` / `subwords`: the jieba tokens (precise mode / search-mode parts), which only rank, so
  posts where a term is a whole word come first;
- keyword fields for the filters and aggregations; `time` is a date in +08:00.
The token fields are left out of `_source`: the post as stored is the rest of it. Snippets are
made from the hits' text by `make_snippet`, as SQLite makes them.

Indexing them is most of the node's work on bulk ingest, so they index only what queries read:
no norms (relevance ranks by term frequency and rarity, not by post length), positions only on
`pairs`. Version 1 had norms everywhere and offsets on `body`; version 3 matched words as jieba
tokens and other text on `body` (the `standard` analyzer: one token per Chinese character, a
Latin word whole); version 5 adds `reply_to`. The store migrates older versions on start.
"""

from __future__ import annotations

import re
from dataclasses import fields
from operator import add, attrgetter
from typing import Any

from indexer.base import Filters
from indexer.documents import index_text, index_tokens, iso_cst
from indexer.query import Query, Term
from core.post import Post

MAPPING_VERSION = 5
DERIVED = ["words", "subwords", "chars", "pairs"]
DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX"
TIME_ZONE = "+08:00"
_KEYWORD = {"type": "keyword"}
_NOT_INDEXED = {"type": "keyword", "index": False, "doc_values": False}
_TOKENS = {"type": "text", "analyzer": "tokens", "index_options": "freqs", "norms": False}
_SPACE = re.compile(r"\s+")
_GAP = "\u2581"  # whitespace inside a pair: the analyzer splits tokens at whitespace
_POST_FIELDS = [f.name for f in fields(Post)]
_post_values = attrgetter(*_POST_FIELDS)  # asdict() deep-copies: slow

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "_source": {"excludes": DERIVED},
    "properties": {
        "id": _KEYWORD, "source": _KEYWORD, "city": _KEYWORD, "categories": _KEYWORD,
        "keywords": _KEYWORD, "case_status": _KEYWORD, "fingerprint": _KEYWORD,
        "dup_of": _KEYWORD, "author": _KEYWORD, "operators": _KEYWORD, "reply_to": _KEYWORD,
        "intent": {"type": "byte"},
        "time": {"type": "date", "format": "strict_date_optional_time||epoch_second"},
        "severity": {"type": "byte"}, "relevant": {"type": "boolean"},
        "negative": {"type": "float"}, "influence": {"type": "float"},
        "title": {"type": "text", "index": False}, "content": {"type": "text", "index": False},
        "url": _NOT_INDEXED, "published_at": _NOT_INDEXED, "crawled_at": _NOT_INDEXED,
        "location": _NOT_INDEXED, "reasons": _NOT_INDEXED,
        "engagement": {"type": "object", "enabled": False},
        "words": _TOKENS, "subwords": _TOKENS,
        "chars": {"type": "text", "analyzer": "tokens", "index_options": "docs", "norms": False},
        "pairs": {"type": "text", "analyzer": "tokens", "index_options": "positions",
                  "norms": False},
    },
}
ANALYSIS = {"analyzer": {"tokens": {"type": "custom", "tokenizer": "whitespace",
                                    "filter": ["lowercase"]}}}


def template_body(pattern: str, shards: int, replicas: int) -> dict[str, Any]:
    """The index template every versioned posts index is created from."""
    return {
        "index_patterns": [pattern],
        "priority": 200,
        "template": {
            "settings": {"number_of_shards": shards, "number_of_replicas": replicas,
                         "refresh_interval": "5s",  # writes refresh explicitly when they return
                         "analysis": ANALYSIS},
            "mappings": MAPPINGS,
        },
        "_meta": {"project": "tousu-radar", "mapping_version": MAPPING_VERSION},
    }


def _spaced(text: str) -> str:
    """Lower-cased, each run of whitespace one `▁`."""
    return _SPACE.sub(_GAP, text.lower())


def _pairs(text: str) -> list[str]:
    return list(map(add, text, text[1:]))


def to_document(post: Post, ts: int, dup_of: str | None, case_status: str | None) -> dict[str, Any]:
    """The indexed document: the post's fields plus time (`post_ts`) and the token fields."""
    doc = dict(zip(_POST_FIELDS, _post_values(post)))
    words, subwords = index_tokens(post)
    text = _spaced(index_text(post))
    doc.update(time=iso_cst(ts), dup_of=dup_of, case_status=case_status,
               words=" ".join(words), subwords=" ".join(subwords),
               chars=" ".join(set(text) - {_GAP}), pairs=" ".join(_pairs(text)))
    return doc


def to_post(source: dict[str, Any]) -> Post:
    """The post back from `_source`."""
    return Post.from_dict({k: v for k, v in source.items() if k != "time"})


# -- queries -------------------------------------------------------------------------------
def contains_query(term: Term) -> dict[str, Any]:
    """The posts whose title or content contains the term (unscored)."""
    needle = _spaced(term.needle)
    if len(needle) == 1:
        return {"term": {"chars": needle}}
    if len(needle) == 2:
        return {"term": {"pairs": needle}}
    return {"match_phrase": {"pairs": " ".join(_pairs(needle))}}


def term_query(term: Term) -> dict[str, Any]:
    """One term: the posts containing it, scored by its jieba tokens as words or sub-words (0
    where none is one)."""
    return {"bool": {"filter": [contains_query(term)],
                     "should": [{"term": {field: token}} for token in term.tokens
                                for field in ("words", "subwords")]}}


def filter_clauses(filters: Filters | None, ts_of: Any) -> tuple[list[dict], list[dict]]:
    """(filter, must_not) clauses for the shared Filters."""
    f = filters or Filters()
    out: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    time_range: dict[str, Any] = {}
    if f.since and ts_of(f.since) is not None:
        time_range["gte"] = ts_of(f.since)
    if f.until and ts_of(f.until) is not None:
        time_range["lt"] = ts_of(f.until)
    if time_range:
        out.append({"range": {"time": {**time_range, "format": "epoch_second"}}})
    for name, values in (("source", f.sources), ("city", f.cities), ("case_status", f.case_status),
                         ("categories", f.categories), ("operators", f.operators)):
        if values:
            out.append({"terms": {name: list(values)}})
    severity: dict[str, int] = {}
    if f.severity_min is not None:
        severity["gte"] = f.severity_min
    if f.severity_max is not None:
        severity["lte"] = f.severity_max
    if severity:
        out.append({"range": {"severity": severity}})
    if f.relevant is not None:
        out.append({"term": {"relevant": bool(f.relevant)}})
    intent = {k: v for k, v in (("gte", f.intent_min), ("lte", f.intent_max)) if v is not None}
    if intent:
        out.append({"range": {"intent": intent}})
    if not f.include_duplicates:
        must_not.append({"exists": {"field": "dup_of"}})
    return out, must_not


def build_query(filters: Filters | None, query: Query | None, ts_of: Any) -> dict[str, Any]:
    """The bool query: query groups score, filters and exclusions don't."""
    filter_part, must_not = filter_clauses(filters, ts_of)
    must: list[dict[str, Any]] = []
    if query is not None:
        for group in query.groups:
            clauses = [term_query(t) for t in group]
            must.append(clauses[0] if len(clauses) == 1 else
                        {"bool": {"should": clauses, "minimum_should_match": 1}})
        must_not.extend(contains_query(t) for t in query.excluded)
    if not (must or filter_part or must_not):
        return {"match_all": {}}
    body: dict[str, Any] = {}
    if must:
        body["must"] = must
    if filter_part:
        body["filter"] = filter_part
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}
