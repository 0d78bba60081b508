"""Model input for training: scikit-learn transformers over the n-gram keys of nlp/ngrams.py.

Each transformer learns its vocabulary (sorted keys) and idf weights; nlp/predictor.py reads them
back as plain arrays for analysis.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import FeatureUnion

from nlp.lexicon import N_FEATURES
from nlp.ngrams import BITS, Doc, char_keys, tfidf_cells, word_keys


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
        return tfidf_cells(keys, rows, len(docs), self.keys_, self.idf_)


class WordNgrams(KeyedTfidf):
    """The words (jieba tokens)."""

    def _keys(self, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
        return word_keys(docs, self.token_ids_)

    def fit(self, docs: Sequence[Doc], y: object = None) -> "WordNgrams":
        self.token_ids_ = {t: i for i, t in enumerate(sorted({t for d in docs for t in d.tokens}))}
        super().fit(docs, y)
        # Only kept words need an id; the others read as unknown either way.
        used_ids = set(self.keys_.tolist())
        self.token_ids_ = {t: i for t, i in self.token_ids_.items() if i in used_ids}
        return self

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        names = {i: t for t, i in self.token_ids_.items()}
        return np.array([names[int(k)] for k in self.keys_], dtype=object)


class CharNgrams(KeyedTfidf):
    """Character bigrams of the lower-cased, space-collapsed opening of the text."""

    def _keys(self, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
        return char_keys([d.text for d in docs])

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        mask = np.uint64((1 << 21) - 1)
        return np.array([chr(int(k >> BITS)) + chr(int(k & mask)) for k in self.keys_],
                        dtype=object)


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
    """Words + character bigrams + lexicon numbers."""
    return FeatureUnion([
        ("words", WordNgrams(min_df=min_df)),
        ("chars", CharNgrams(min_df=min_df, max_features=80_000)),
        ("lexicon", LexiconFeatures(weight=lexicon_weight)),
    ])
