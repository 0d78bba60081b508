"""Elasticsearch index template, documents and query DSL for the posts index.

The same semantics as the SQLite backend, built from ES itself (no Chinese analysis plugin):
- `words` / `subwords`: the jieba tokens (precise mode / search-mode parts) joined by spaces and
  analysed by whitespace + lowercase — a single-token word is a term lookup in either field;
- `body`: title and content analysed by the `standard` analyzer, which emits one token per CJK
  character, so `match_phrase` on it is a substring match of Chinese text — phrases and words
  that jieba splits are matched like that; `body` is also what the highlighter marks;
- keyword fields for the filters and aggregations; `time` is a date in +08:00.
The tokens and `body` are left out of `_source`: the post as stored is the rest of it.

Indexing them is most of the node's work on bulk ingest, so they index only what queries read:
no norms (relevance ranks by term frequency and rarity, not by post length), and `body` keeps
positions for phrases but no offsets (the highlighter re-analyses the few hits it marks).
Version 1 had norms everywhere and offsets on `body`; the store migrates it on start.
"""

from __future__ import annotations

import html
import re
from dataclasses import fields
from operator import attrgetter
from typing import Any

from indexer.base import Filters
from indexer.documents import index_tokens, iso_cst
from indexer.query import Query, Term
from core.post import Post

MAPPING_VERSION = 3
DERIVED = ["words", "subwords", "body"]
DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX"
TIME_ZONE = "+08:00"
_KEYWORD = {"type": "keyword"}
_NOT_INDEXED = {"type": "keyword", "index": False, "doc_values": False}
_TOKENS = {"type": "text", "analyzer": "tokens", "index_options": "freqs", "norms": False}
_SPACE = re.compile(r"\s+")
_POST_FIELDS = [f.name for f in fields(Post)]
_post_values = attrgetter(*_POST_FIELDS)  # asdict() deep-copies: slow
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "_source": {"excludes": DERIVED},
    "properties": {
        "id": _KEYWORD, "source": _KEYWORD, "city": _KEYWORD, "categories": _KEYWORD,
        "keywords": _KEYWORD, "case_status": _KEYWORD, "fingerprint": _KEYWORD,
        "dup_of": _KEYWORD, "author": _KEYWORD, "operators": _KEYWORD,
        "intent": {"type": "byte"},
        "time": {"type": "date", "format": "strict_date_optional_time||epoch_second"},
        "severity": {"type": "byte"}, "relevant": {"type": "boolean"},
        "negative": {"type": "float"}, "influence": {"type": "float"},
        "title": {"type": "text", "index": False}, "content": {"type": "text", "index": False},
        "url": _NOT_INDEXED, "published_at": _NOT_INDEXED, "crawled_at": _NOT_INDEXED,
        "location": _NOT_INDEXED, "reasons": _NOT_INDEXED,
        "engagement": {"type": "object", "enabled": False},
        "words": _TOKENS, "subwords": _TOKENS,
        "body": {"type": "text", "analyzer": "standard", "store": True,
                 "index_options": "positions", "norms": False},
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


def body_text(post: Post) -> str:
    """Title and content as the snippet shows them: one line, spaces collapsed."""
    text = f"{post.title} {post.content}" if post.title else (post.content or "")
    return _SPACE.sub(" ", text).strip()


def to_document(post: Post, ts: int, dup_of: str | None, case_status: str | None) -> dict[str, Any]:
    """The indexed document: the post's fields plus time (`post_ts`), tokens and body."""
    doc = dict(zip(_POST_FIELDS, _post_values(post)))
    words, subwords = index_tokens(post)
    doc.update(time=iso_cst(ts), dup_of=dup_of, case_status=case_status,
               words=" ".join(words), subwords=" ".join(subwords), body=body_text(post))
    return doc


def to_post(source: dict[str, Any]) -> Post:
    """The post back from `_source`."""
    return Post.from_dict({k: v for k, v in source.items() if k != "time"})


# -- queries -------------------------------------------------------------------------------
def term_query(term: Term) -> dict[str, Any]:
    """One term: a single token is a lookup in words/subwords, anything else a substring match."""
    if len(term.tokens) == 1 and not term.phrase:
        token = term.tokens[0]
        return {"bool": {"should": [{"term": {"words": token}}, {"term": {"subwords": token}}],
                         "minimum_should_match": 1}}
    return {"match_phrase": {"body": term.text}}


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
        must_not.extend(term_query(t) for t in query.excluded)
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


def highlight_body(terms: list[str]) -> dict[str, Any]:
    """Highlight `body` in ES: whole terms marked in the whole text (the window is cut here)."""
    return {
        "encoder": "html", "pre_tags": ["<mark>"], "post_tags": ["</mark>"],
        "fields": {"body": {
            "type": "unified", "number_of_fragments": 0,
            "highlight_query": {"bool": {"should": [{"match_phrase": {"body": t}} for t in terms]}},
        }},
    }


def snippet_from(highlighted: str, body: str, width: int) -> str:
    """ES's highlighted text cut like make_snippet: a window of `width` around the first mark,
    '…' where text was cut, escaped with html.escape and every marked span in <mark>."""
    plain_parts: list[str] = []
    spans: list[list[int]] = []
    pos = 0
    for i, part in enumerate(_MARK.split(highlighted)):
        text = html.unescape(part)
        if i % 2 and text:
            if spans and spans[-1][1] == pos:
                spans[-1][1] = pos + len(text)
            else:
                spans.append([pos, pos + len(text)])
        plain_parts.append(text)
        pos += len(text)
    plain = "".join(plain_parts)
    offset = max(body.find(plain), 0) if plain != body else 0
    start = max(0, spans[0][0] - width // 4) if spans else 0
    end = start + width
    out, last = [], start
    for a, b in spans:
        a, b = max(a, start), min(b, end)
        if a >= b:
            continue
        out.append(html.escape(plain[last:a]))
        out.append(f"<mark>{html.escape(plain[a:b])}</mark>")
        last = b
    out.append(html.escape(plain[last:end]))
    prefix = "…" if offset + start > 0 else ""
    suffix = "…" if offset + end < len(body) else ""
    return prefix + "".join(out) + suffix
