"""FTS5 keys, match expressions and SQL for parsed search queries over the SQLite store."""

from __future__ import annotations

from typing import Any, Iterable

from indexer.query import Query, Term


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _match_any(tokens: Iterable[str]) -> str:
    return " OR ".join("{words subwords} : " + _fts_string(t) for t in tokens)


_TEXT = "lower(coalesce(p.title, '') || char(10) || coalesce(p.content, ''))"
_KEY = 2147483648  # 2^31: posts_fts rowid = published_ts * _KEY + posts.rowid
# A post is found from its key through the covering index: the usual filters are checked there,
# and only posts that pass are read from the (much larger) table.
FROM_FTS = ("FROM posts_fts f CROSS JOIN posts p INDEXED BY posts_time_cover "
            "ON p.published_ts = (f.rowid >> 31) AND p.rowid = (f.rowid & 2147483647)")


def fts_key(ts: int, rowid: int) -> int:
    """The posts_fts rowid of the post in row `rowid` published at `ts`."""
    if not -2**32 < ts < 2**32 or not 0 <= rowid < _KEY:
        raise ValueError(f"published time {ts} or row {rowid} is out of range")
    return ts * _KEY + rowid


def _candidates(term: Term) -> list[str]:
    """The tokens of a phrase (or split word) that narrow its candidates: any of them must occur,
    because jieba may cut the same characters differently in context; instr() confirms."""
    return [t for t in term.tokens if len(t) > 1] or list(term.tokens)


def _single(term: Term) -> bool:
    return len(term.tokens) == 1 and not term.phrase


def _term_sql(term: Term) -> tuple[str, list[Any]]:
    """SQL for one term over posts `p` alone (a query with no positive word to walk FTS5 by)."""
    if _single(term):
        return ("p.rowid IN (SELECT rowid & 2147483647 FROM posts_fts WHERE posts_fts MATCH ?)",
                ["{words subwords} : " + _fts_string(term.tokens[0])])
    return ("(p.rowid IN (SELECT rowid & 2147483647 FROM posts_fts WHERE posts_fts MATCH ?) AND "
            f"instr({_TEXT}, ?) > 0)", [_match_any(_candidates(term)), term.text.lower()])


def _row_term_sql(term: Term) -> tuple[str, list[Any]]:
    """SQL for one term over the FTS5 row `f` being walked and its post `p`: a token is looked up
    in the row's own token lists (one FTS5 query per row would cost far more)."""
    checks = ["instr(' ' || f.words || ' ' || f.subwords || ' ', ?) > 0"] * (
        1 if _single(term) else len(_candidates(term)))
    tokens = [f" {t} " for t in (term.tokens[:1] if _single(term) else _candidates(term))]
    if _single(term):
        return checks[0], tokens
    return (f"(instr({_TEXT}, ?) > 0 AND ({' OR '.join(checks)}))",
            [term.text.lower(), *tokens])


def query_sql(query: Query) -> tuple[str | None, list[str], list[Any]]:
    """(FTS5 expression to walk, WHERE clauses, their parameters) for a parsed query.

    Index lookups are merged into one FTS5 expression (AND of the groups, NOT of the
    exclusions) that drives the query; what it cannot decide — substrings, and which term of a
    group of words and phrases matched — is checked per row. With no positive word there is
    nothing to walk (expression None) and the clauses test posts `p` alone."""
    fts: list[str] = []
    clauses: list[str] = []
    params: list[Any] = []
    for group in query.groups:
        tokens = [t for term in group
                  for t in (term.tokens[:1] if _single(term) else _candidates(term))]
        fts.append("(" + _match_any(dict.fromkeys(tokens)) + ")")
        if all(_single(t) for t in group):
            continue
        parts = ([(f"instr({_TEXT}, ?) > 0", [group[0].text.lower()])] if len(group) == 1
                 else [_row_term_sql(term) for term in group])
        clauses.append("(" + " OR ".join(sql for sql, _ in parts) + ")")
        params.extend(p for _, ps in parts for p in ps)
    expression = " AND ".join(fts)
    for term in query.excluded:
        if expression and _single(term):
            expression += " NOT (" + _match_any(term.tokens) + ")"
            continue
        sql, ps = _row_term_sql(term) if expression else _term_sql(term)
        clauses.append(f"NOT {sql}")
        params.extend(ps)
    return expression or None, clauses, params


def disjoint_parts(query: Query) -> list[Query]:
    """The query as queries matching disjoint sets of posts, for counting without reading FTS5
    rows: a group of words and one phrase, `"P" OR W`, is (W) plus ("P" -W)."""
    mixed = [i for i, group in enumerate(query.groups)
             if len(group) > 1 and not all(_single(t) for t in group)]
    if len(mixed) != 1:
        return [query]
    i = mixed[0]
    words = [t for t in query.groups[i] if _single(t)]
    others = [t for t in query.groups[i] if not _single(t)]
    if not words or len(others) != 1:
        return [query]
    before, after = query.groups[:i], query.groups[i + 1:]
    return [Query([*before, words, *after], query.excluded),
            Query([*before, others, *after], [*query.excluded, *words])]


def rank_expression(query: Query) -> str | None:
    """An FTS5 expression over every positive token, for bm25 ranking."""
    tokens = [t for group in query.groups for term in group for t in term.tokens]
    return _match_any(dict.fromkeys(tokens)) if tokens else None
