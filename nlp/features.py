"""Model input and features: a `Doc` carries the text, its tokens and its lexicon numbers once.

The analysers are module-level functions so that fitted vectorisers pickle.
"""

from __future__ import annotations

from collections import Counter
from itertools import repeat
from operator import add
from typing import Callable, NamedTuple, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

from nlp.lexicon import N_FEATURES

MAX_CHARS = 600  # the opening of a long post carries its intent; the rest costs time


class Doc(NamedTuple):
    """One text as the models see it."""

    text: str
    tokens: list[str]
    lexicon: list[float]


def word_ngrams(doc: Doc) -> list[str]:
    """Word unigrams and bigrams from the jieba tokens."""
    tokens = doc.tokens
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def char_ngrams(doc: Doc) -> list[str]:
    """Character bigrams and trigrams of the lower-cased, space-collapsed opening."""
    text = " ".join(doc.text[:MAX_CHARS].lower().split())
    # map(add) builds the n-grams in C: twice as fast as slicing in a comprehension
    pairs = list(map(add, text, text[1:]))
    return pairs + list(map(add, pairs, text[2:]))


class NgramVectorizer(BaseEstimator, TransformerMixin):
    """TF-IDF (sublinear tf, l2) over the n-grams an analyser gives each Doc.

    Same maths as scikit-learn's TfidfVectorizer; the counting is left to scipy (duplicate ids
    summed in C) instead of a Python loop per n-gram, which makes `transform` faster on short posts.
    """

    def __init__(self, analyzer: Callable[[Doc], list[str]] = word_ngrams, min_df: int = 2,
                 max_features: int | None = None):
        self.analyzer = analyzer
        self.min_df = min_df
        self.max_features = max_features

    def fit(self, docs: Sequence[Doc], y: object = None) -> "NgramVectorizer":
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(self.analyzer(doc)))
        kept = [(g, c) for g, c in df.items() if c >= self.min_df]
        kept.sort(key=lambda gc: (-gc[1], gc[0]))
        if self.max_features:
            kept = kept[:self.max_features]
        kept.sort()
        self.vocabulary_ = {g: i for i, (g, _) in enumerate(kept)}
        counts = np.array([c for _, c in kept], dtype=np.float64)
        self.idf_ = (np.log((1 + len(docs)) / (1 + counts)) + 1).astype(np.float32)
        return self

    def transform(self, docs: Sequence[Doc]) -> sparse.csr_matrix:
        # All n-gram ids of the batch in one flat list; scipy sums the duplicates in C, so no
        # per-document counting in Python.
        vocab_get = self.vocabulary_.get
        ids: list[int] = []
        lengths: list[int] = []
        for doc in docs:
            grams = self.analyzer(doc)
            ids.extend(map(vocab_get, grams, repeat(-1, len(grams))))
            lengths.append(len(grams))
        cols = np.asarray(ids, dtype=np.int64)
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        known = cols >= 0
        cols, rows = cols[known], rows[known]
        X = sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)),
                              shape=(len(docs), len(self.vocabulary_)))
        X.sum_duplicates()
        X.data = (np.log(X.data) + 1) * self.idf_[X.indices]
        return normalize(X, copy=False)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array(sorted(self.vocabulary_, key=self.vocabulary_.__getitem__), dtype=object)


class LexiconFeatures(BaseEstimator, TransformerMixin):
    """The lexicon numbers of each Doc as a sparse block, scaled by `weight`."""

    def __init__(self, weight: float = 1.0):
        self.weight = weight

    def fit(self, docs: Sequence[Doc], y: object = None) -> "LexiconFeatures":
        self.n_features_ = N_FEATURES
        return self

    def transform(self, docs: Sequence[Doc]) -> sparse.csr_matrix:
        rows = np.asarray([d.lexicon for d in docs], dtype=np.float64).reshape(len(docs), N_FEATURES)
        return sparse.csr_matrix(rows * self.weight)


def make_features(min_df: int = 2, lexicon_weight: float = 1.0) -> FeatureUnion:
    """Word n-grams + character n-grams + lexicon numbers."""
    return FeatureUnion([
        ("words", NgramVectorizer(word_ngrams, min_df=min_df)),
        ("chars", NgramVectorizer(char_ngrams, min_df=min_df, max_features=80_000)),
        ("lexicon", LexiconFeatures(weight=lexicon_weight)),
    ])
