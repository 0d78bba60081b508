"""N-gram keys and tf-idf cells in numpy alone: what analysis needs of the features at run time.

N-grams are integer keys built over a whole batch, not strings: a character bigram is its two
code points side by side, a trigram three, a word n-gram one or two token ids. A key *is* its
n-gram (no hashing, no collisions), so the cells are those of a string tf-idf vectoriser
(tests/nlp/test_features.py checks it against scikit-learn's) at a fraction of the cost: building
and looking up ~300 strings per post was most of the analysis time (docs/benchmarks/nlp.md).
Training wraps these functions in scikit-learn transformers (nlp/features.py); analysis calls
them directly (nlp/predictor.py), so grading a post never imports scikit-learn or scipy.
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import NamedTuple, Sequence

import numpy as np

MAX_CHARS = 600  # the opening of a long post carries its intent; the rest costs time
# Saved with a model (nlp/model.py); a model built on other features is refused, not misread.
FEATURE_VERSION = 2

BITS = np.uint64(21)  # every Unicode code point fits in 21 bits
_GAP = 1 << 21  # not a code point: marks where one text ends and the next begins
TRIGRAM = np.uint64(1 << 63)  # trigrams (63 bits) are told from bigrams (42 bits) by the top bit
PAIR = np.uint64(32)  # a word bigram is (first id + 1) << 32 | second id; unigrams stay below


class Doc(NamedTuple):
    """One text as the models see it."""

    text: str
    tokens: list[str]
    lexicon: list[float]


def char_keys(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(keys, rows): character 2- and 3-grams of each lower-cased, space-collapsed opening."""
    cleaned = [" ".join(t[:MAX_CHARS].lower().split()) for t in texts]
    lengths = np.fromiter(map(len, cleaned), dtype=np.int64, count=len(cleaned))
    codes = np.frombuffer("_".join(cleaned).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    codes[np.cumsum(lengths + 1)[:-1] - 1] = _GAP
    rows = np.repeat(np.arange(len(cleaned), dtype=np.int64), lengths + 1)[:len(codes)]
    real = codes != _GAP
    two = real[:-1] & real[1:]
    three = two[:-1] & real[2:]
    bigrams = (codes[:-1] << BITS) | codes[1:]
    trigrams = (bigrams[:-1] << BITS) | codes[2:] | TRIGRAM
    return (np.concatenate([bigrams[two], trigrams[three]]),
            np.concatenate([rows[:-1][two], rows[:-2][three]]))


def word_keys(docs: Sequence[Doc], token_ids: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(keys, rows): word unigrams and bigrams of the tokens in `token_ids` (others are unknown)."""
    lengths = [len(d.tokens) for d in docs]
    tokens = list(chain.from_iterable(d.tokens for d in docs))
    ids = np.fromiter(map(token_ids.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
    rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    known = ids >= 0
    pair = known[:-1] & known[1:] & (rows[:-1] == rows[1:])
    ids = ids.astype(np.uint64)
    bigrams = ((ids[:-1] + np.uint64(1)) << PAIR) | ids[1:]
    return (np.concatenate([ids[known], bigrams[pair]]),
            np.concatenate([rows[known], rows[:-1][pair]]))


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
