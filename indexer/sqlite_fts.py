"""FTS5 keys, the character grams of a post, and the SQL of parsed search queries over the
SQLite store.

A term matches a post whose title or content contains it, ignoring case (`Term.needle`).
`posts_grams` holds each post's distinct letters and digits and each pair of adjacent ones
(`post_grams`): a term of one or two letters and digits is one lookup there, a longer one (or
one with other characters) is narrowed by its pieces and confirmed by `instr()`. `posts_fts`
(jieba's words and sub-words) decides nothing about which posts match: it ranks them, so posts
where a term is a whole word come first (`rank_expression`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import add
from typing import Any, Iterable

from indexer.query import Query, Term

_RUN = re.compile(r"[^\W_]+")  # letters and digits: what str.isalnum() accepts
_KEY = 2147483648  # 2^31: FTS5 rowid = published_ts * _KEY + posts.rowid
# A post is found from its key through the covering index: the usual filters are checked there,
# and only posts that pass are read from the (much larger) table.
FROM_GRAMS = ("FROM posts_grams g CROSS JOIN posts p INDEXED BY posts_time_cover "
              "ON p.published_ts = (g.rowid >> 31) AND p.rowid = (g.rowid & 2147483647)")
_TITLE, _CONTENT = "coalesce(p.title, '')", "coalesce(p.content, '')"
# SQLite's lower() folds ASCII only; a needle with other cased letters is compared with
# Python's str.lower, as the grams were made (registered as py_lower on every connection).
LOWER_FUNCTION = "py_lower"


def fts_key(ts: int, rowid: int) -> int:
    """The posts_fts / posts_grams rowid of the post in row `rowid` published at `ts`."""
    if not -2**32 < ts < 2**32 or not 0 <= rowid < _KEY:
        raise ValueError(f"published time {ts} or row {rowid} is out of range")
    return ts * _KEY + rowid


def post_grams(title: str | None, content: str | None) -> str:
    """The posts_grams row of a post: its distinct letters and digits, lower-cased, and the
    distinct pairs of adjacent ones, separated by spaces.

    posts_grams keeps no copy of the text, so a row is deleted by sending this same string
    again: changing how it is made needs a schema version that rebuilds the table."""
    grams: set[str] = set()  # in any order: posts_grams keeps no positions
    for run in _RUN.findall(f"{title or ''}\n{content or ''}".lower()):
        grams.update(run)
        grams.update(map(add, run, run[1:]))
    return " ".join(grams)


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class _Lookup:
    """How one term is found: an FTS5 expression over posts_grams (None when the term has no
    letter or digit) that holds every post containing it, and whether it holds only those."""

    expression: str | None
    exact: bool


def _lookup(term: Term) -> _Lookup:
    runs = list(dict.fromkeys(_RUN.findall(term.needle)))
    pieces: dict[str, None] = {}
    for run in runs:
        pieces.update(dict.fromkeys([run] if len(run) <= 2 else map(add, run, run[1:])))
    if not pieces:
        return _Lookup(None, False)
    expression = " AND ".join(map(_fts_string, pieces))
    return _Lookup(expression, runs == [term.needle] and len(term.needle) <= 2)


def _contains(term: Term) -> tuple[str, list[Any]]:
    """SQL true when post `p` contains the term. Title and content are searched apart unless the
    needle could span both, and lower-cased only if the needle has cased letters: at 1M posts a
    common term confirms 10,000 posts for its count, and each copy of the text costs."""
    needle = term.needle
    texts = [_TITLE, _CONTENT] if "\n" not in needle else [f"{_TITLE} || char(10) || {_CONTENT}"]
    if needle != needle.upper():
        ascii_case = all(c.isascii() or c == c.upper() for c in needle)
        texts = [f"{'lower' if ascii_case else LOWER_FUNCTION}({t})" for t in texts]
    return ("(" + " OR ".join(f"instr({t}, ?) > 0" for t in texts) + ")",
            [needle] * len(texts))


def _any_contained(terms: Iterable[Term]) -> tuple[str, list[Any]]:
    parts = [_contains(t) for t in terms]
    return "(" + " OR ".join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]


def query_sql(query: Query) -> tuple[str | None, list[str], list[Any]]:
    """(FTS5 expression over posts_grams to walk, WHERE clauses, their parameters) for a parsed
    query.

    The lookups are merged into one expression (AND of the groups, NOT of the exclusions) that
    drives the query; a group that has a term the lookups cannot decide is confirmed per row
    (every term of it: which one matched is not known). With nothing to walk (expression None:
    no positive term with a letter or digit) the clauses test posts `p` alone."""
    fts: list[str] = []
    clauses: list[str] = []
    params: list[Any] = []
    for group in query.groups:
        lookups = [_lookup(term) for term in group]
        if all(found.expression for found in lookups):
            fts.append("(" + " OR ".join(f"({found.expression})" for found in lookups) + ")")
            if all(found.exact for found in lookups):
                continue
        sql, ps = _any_contained(group)
        clauses.append(sql)
        params.extend(ps)
    expression = " AND ".join(fts)
    for term in query.excluded:
        found = _lookup(term)
        if found.exact and expression:
            expression += f" NOT ({found.expression})"
        elif found.exact:
            clauses.append("p.rowid NOT IN (SELECT rowid & 2147483647 FROM posts_grams "
                           "WHERE posts_grams MATCH ?)")
            params.append(found.expression)
        else:
            sql, ps = _contains(term)
            clauses.append(f"NOT {sql}")
            params.extend(ps)
    return expression or None, clauses, params


def disjoint_parts(query: Query) -> list[Query]:
    """The query as queries matching disjoint sets of posts, for counting without reading the
    posts: a group of terms the lookups decide and one they don't, `"P" OR W`, is (W) plus
    ("P" -W)."""
    exact = {id(t) for group in query.groups for t in group if _lookup(t).exact}
    mixed = [i for i, group in enumerate(query.groups)
             if len(group) > 1 and not all(id(t) in exact for t in group)]
    if len(mixed) != 1:
        return [query]
    i = mixed[0]
    decided = [t for t in query.groups[i] if id(t) in exact]
    others = [t for t in query.groups[i] if id(t) not in exact]
    if not decided or len(others) != 1:
        return [query]
    before, after = query.groups[:i], query.groups[i + 1:]
    return [Query([*before, decided, *after], query.excluded),
            Query([*before, others, *after], [*query.excluded, *decided])]


def rank_expression(query: Query) -> str | None:
    """An FTS5 expression over posts_fts of every positive term's jieba tokens, for bm25: a post
    where a term is a whole word (or a sub-word of one) ranks above one that only contains it."""
    tokens = [t for group in query.groups for term in group for t in term.tokens]
    if not tokens:
        return None
    return " OR ".join("{words subwords} : " + _fts_string(t) for t in dict.fromkeys(tokens))
