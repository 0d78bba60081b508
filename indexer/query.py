"""The search syntax of `tousu search`: words, "phrases", OR, -exclusion."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp.tokenizer import tokenize

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


class QuerySyntaxError(ValueError):
    """The query cannot be parsed (e.g. an unclosed quote)."""


@dataclass(frozen=True)
class Term:
    """A word (all its tokens must occur) or a phrase (its tokens adjacent, in order)."""

    text: str
    tokens: tuple[str, ...]
    phrase: bool = False

    @property
    def needle(self) -> str:
        """What the title or content of a matching post contains, ignoring case."""
        return self.text.lower()


@dataclass
class Query:
    """AND of `groups` (each an OR of terms), minus every term in `excluded`."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.groups and not self.excluded

    def highlight_terms(self) -> list[str]:
        """Texts to mark in snippets: every positive term as written, longest first."""
        return sorted({term.text for group in self.groups for term in group}, key=len,
                      reverse=True)


def _term(text: str, phrase: bool) -> Term | None:
    tokens = tuple(tokenize(text))
    return Term(text, tokens, phrase) if tokens else None


def parse_query(text: str) -> Query:
    """Parse the user's query string."""
    if text.count('"') % 2:
        raise QuerySyntaxError("引号未闭合 (unclosed quote)")
    query = Query()
    pending_or = False
    for match in _TOKEN.finditer(text or ""):
        negative, quoted, word = match.group(1), match.group(2), match.group(3)
        if word == "OR":
            pending_or = bool(query.groups)
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negative, word = "-", word[1:]
        term = _term(quoted if quoted is not None else word, quoted is not None)
        if term is None:
            continue
        if negative:
            query.excluded.append(term)
        elif pending_or:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or = False
    return query
