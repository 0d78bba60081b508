"""Model input and features: a `Doc` carries the text, its tokens and its lexicon numbers once.

N-grams are integer keys built with numpy over a whole batch, not strings: a character bigram is
its two code points side by side, a trigram three, a word n-gram one or two token ids. A key *is*
its n-gram (no hashing, no collisions), so the features are those of a string tf-idf vectoriser
(tests/nlp/test_features.py checks it against scikit-learn's) at a fraction of the cost: building
and looking up ~300 strings per post was most of the analysis time (docs/benchmarks/nlp.md).
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import NamedTuple, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import FeatureUnion

from nlp.lexicon import N_FEATURES

MAX_CHARS = 600  # the opening of a long post carries its intent; the rest costs time
# Saved with a model (nlp/model.py); a model built on other features is refused, not misread.
FEATURE_VERSION = 2

_BITS = np.uint64(21)  # every Unicode code point fits in 21 bits
_GAP = 1 << 21  # not a code point: marks where one text ends and the next begins
_TRIGRAM = np.uint64(1 << 63)  # trigrams (63 bits) are told from bigrams (42 bits) by the top bit
_PAIR = np.uint64(32)  # a word bigram is (first id + 1) << 32 | second id; unigrams stay below


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
    bigrams = (codes[:-1] << _BITS) | codes[1:]
    trigrams = (bigrams[:-1] << _BITS) | codes[2:] | _TRIGRAM
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
    bigrams = ((ids[:-1] + np.uint64(1)) << _PAIR) | ids[1:]
    return (np.concatenate([ids[known], bigrams[pair]]),
            np.concatenate([rows[known], rows[:-1][pair]]))


class KeyedTfidf(BaseEstimator, TransformerMixin):
    """TF-IDF (sublinear tf, l2 rows) over integer n-gram keys; the same maths as scikit-learn's
    TfidfVectorizer, with the vocabulary a sorted key array (`keys_`) searched in one numpy call."""

    def __init__(self, min_df: int = 2, max_features: int | None = None):
        self.min_df = min_df
        self.max_features = max_features

    def _keys(self, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def fit(self, docs: Sequence[Doc], y: object = None) -> "KeyedTfidf":
        keys, rows = self._keys(docs)
        order = np.lexsort((keys, rows))
        keys, rows = keys[order], rows[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = (keys[1:] != keys[:-1]) | (rows[1:] != rows[:-1])
        vocab, df = np.unique(keys[first], return_counts=True)
        kept = df >= self.min_df
        vocab, df = vocab[kept], df[kept]
        if self.max_features and len(vocab) > self.max_features:
            top = np.sort(np.lexsort((vocab, -df))[:self.max_features])
            vocab, df = vocab[top], df[top]
        self.keys_ = vocab
        self.idf_ = np.log((1 + len(docs)) / (1 + df)) + 1
        return self

    def transform(self, docs: Sequence[Doc]) -> sparse.csr_matrix:
        rows, cols, values = self.cells(docs)
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(docs)), out=indptr[1:])
        return sparse.csr_matrix((values, cols, indptr), shape=(len(docs), len(self.keys_)))

    def cells(self, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, values) of the non-zero tf-idf cells, in row-major order."""
        keys, rows = self._keys(docs)
        order = np.argsort(keys)  # sorted keys are looked up several times faster (cache)
        keys, rows = keys[order], rows[order]
        vocab = self.keys_
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
        values = (np.log(counts) + 1) * self.idf_[cols]
        n = len(docs)
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n))
        values /= norms[rows]
        return rows, cols, values


class WordNgrams(KeyedTfidf):
    """Word unigrams and bigrams of the jieba tokens."""

    def _keys(self, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
        return word_keys(docs, self.token_ids_)

    def fit(self, docs: Sequence[Doc], y: object = None) -> "WordNgrams":
        self.token_ids_ = {t: i for i, t in enumerate(sorted({t for d in docs for t in d.tokens}))}
        super().fit(docs, y)
        # Only the tokens of kept n-grams need an id; the others read as unknown either way.
        used = np.concatenate([self.keys_ & np.uint64(0xFFFFFFFF),
                               (self.keys_[self.keys_ >> _PAIR > 0] >> _PAIR) - np.uint64(1)])
        used_ids = set(used.tolist())
        self.token_ids_ = {t: i for t, i in self.token_ids_.items() if i in used_ids}
        return self

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        names = {i: t for t, i in self.token_ids_.items()}
        low = np.uint64(0xFFFFFFFF)
        return np.array([names[int(k)] if k >> _PAIR == 0 else
                         f"{names[int((k >> _PAIR) - np.uint64(1))]} {names[int(k & low)]}"
                         for k in self.keys_], dtype=object)


class CharNgrams(KeyedTfidf):
    """Character bigrams and trigrams of the lower-cased, space-collapsed opening of the text."""

    def _keys(self, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
        return char_keys([d.text for d in docs])

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        mask = np.uint64((1 << 21) - 1)

        def name(key: np.uint64) -> str:
            n = 3 if key & _TRIGRAM else 2
            return "".join(chr(int((key >> (_BITS * np.uint64(i))) & mask)) for i in reversed(range(n)))
        return np.array([name(k) for k in self.keys_], dtype=object)


class LexiconFeatures(BaseEstimator, TransformerMixin):
    """The lexicon numbers of each Doc as a dense block, scaled by `weight`."""

    def __init__(self, weight: float = 1.0):
        self.weight = weight

    def fit(self, docs: Sequence[Doc], y: object = None) -> "LexiconFeatures":
        self.n_features_ = N_FEATURES
        return self

    def transform(self, docs: Sequence[Doc]) -> np.ndarray:
        rows = np.asarray([d.lexicon for d in docs], dtype=np.float64).reshape(len(docs), N_FEATURES)
        return rows * self.weight


def make_features(min_df: int = 2, lexicon_weight: float = 1.0) -> FeatureUnion:
    """Word n-grams + character n-grams + lexicon numbers."""
    return FeatureUnion([
        ("words", WordNgrams(min_df=min_df)),
        ("chars", CharNgrams(min_df=min_df, max_features=80_000)),
        ("lexicon", LexiconFeatures(weight=lexicon_weight)),
    ])
