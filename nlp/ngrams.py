"""N-gram keys and tf-idf cells in numpy alone: what analysis needs of the features at run time.

N-grams are integer keys built over a whole batch, not strings: a character bigram is its two
code points side by side, a word its token id. A key *is* its n-gram (no hashing, no
collisions), so the cells are those of a string tf-idf vectoriser (tests/nlp/test_features.py
checks it against scikit-learn's) at a fraction of the cost: building and looking up strings
was most of the analysis time (docs/benchmarks/nlp.md). Training wraps these functions in
scikit-learn transformers (nlp/features.py); analysis calls them directly (nlp/predictor.py), so
grading a post never imports scikit-learn.
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import NamedTuple, Sequence

import numpy as np

MAX_CHARS = 600  # the opening of a long post carries its intent; the rest costs time
# Saved with a model (nlp/model.py); a model built on other features is refused, not misread.
# 3: character bigrams and words. Version 2 also had character trigrams and word bigrams, twice
# the keys to look up, and scored lower on severity on every evaluation set (docs/nlp.md).
# 4: the author's own words only (nlp/voice.py), and lexicon numbers of who is named where.
FEATURE_VERSION = 4

BITS = np.uint64(21)  # every Unicode code point fits in 21 bits
_GAP = 1 << 21  # not a code point: marks where one text ends and the next begins


class Doc(NamedTuple):
    """One text as the models see it."""

    text: str
    tokens: list[str]
    lexicon: list[float]


def char_keys(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(keys, rows): character bigrams of each lower-cased, space-collapsed opening."""
    cleaned = [" ".join(t[:MAX_CHARS].lower().split()) for t in texts]
    lengths = np.fromiter(map(len, cleaned), dtype=np.int64, count=len(cleaned))
    codes = np.frombuffer("_".join(cleaned).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    codes[np.cumsum(lengths + 1)[:-1] - 1] = _GAP
    rows = np.repeat(np.arange(len(cleaned), dtype=np.int64), lengths + 1)[:len(codes)]
    real = codes != _GAP
    two = real[:-1] & real[1:]
    bigrams = (codes[:-1] << BITS) | codes[1:]
    return bigrams[two], rows[:-1][two]


def word_keys(docs: Sequence[Doc], token_ids: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(keys, rows): the ids of the tokens in `token_ids` (others are unknown)."""
    lengths = [len(d.tokens) for d in docs]
    tokens = list(chain.from_iterable(d.tokens for d in docs))
    ids = np.fromiter(map(token_ids.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
    rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    known = ids >= 0
    return ids[known].astype(np.uint64), rows[known]


def tfidf_cells(keys: np.ndarray, rows: np.ndarray, n_docs: int, vocab: np.ndarray,
                idf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, columns, values) of the non-zero cells of sublinear-tf, l2-normalised tf-idf rows,
    in row-major order; `vocab` is the sorted array of known keys, `idf` their weights."""
    order = np.argsort(keys)  # sorted keys are looked up several times faster (cache)
    keys, rows = keys[order], rows[order]
    width = max(len(vocab), 1)
    cols = np.minimum(np.searchsorted(vocab, keys), width - 1)
    known = vocab[cols] == keys if len(vocab) else np.zeros(len(keys), dtype=bool)
    # Each (row, column) cell once, in CSR order, with its count.
    cells = np.sort(rows[known] * width + cols[known])
    first = np.ones(len(cells), dtype=bool)
    np.not_equal(cells[1:], cells[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(cells)))
    rows, cols = np.divmod(cells[starts], width)
    values = (np.log(counts) + 1) * idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n_docs))
    values /= norms[rows]
    return rows, cols, values
