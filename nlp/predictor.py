"""The trained model as plain arrays: what grades posts, in numpy alone.

Training fits four scikit-learn Pipelines over one FeatureUnion (nlp/model.py); all four heads are
linear (or constant), so `Predictor.from_model` folds them into the n-gram vocabularies, their idf
weights and one stacked weight matrix. `predict` then gives the Pipelines' own probabilities
(tests/nlp/test_predictor.py) with one product per batch, and a process that only grades posts —
`tousu analyze`, the crawler pipeline, the console — never imports scikit-learn, whose import
alone took two seconds of every start.

Saved as an .npz of plain arrays (no pickles) next to the model; its sha256 is in the metadata.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from scipy import sparse

from nlp.lexicon import N_FEATURES
from nlp.ngrams import FEATURE_VERSION, Doc, char_keys, tfidf_cells, word_keys

FORMAT = 3  # 3: intent and per-operator heads in place of severity and relevance
PRODUCER = "tousu-radar nlp"
MODEL_FILE = "tousu-nlp.joblib"
META_FILE = "tousu-nlp.json"
WEIGHTS_FILE = "tousu-nlp-weights.npz"


class ModelError(Exception):
    """A model file is missing, foreign, damaged or from other library versions."""


@dataclass
class Predictions:
    """Per-document model outputs for a batch."""

    intent: np.ndarray          # int tier 0-4, whoever the target (before floors)
    intent_proba: np.ndarray    # (n, 5)
    operators: np.ndarray       # (n, len(operator_names)): probability the post is about each
    negative: np.ndarray        # probability the text is negative
    categories: list[list[str]]


class Predictor:
    """Vocabularies, idf weights and the stacked heads of a trained model.

    Columns of `weights`: words, character bigrams, then the lexicon numbers. Outputs: one
    logit per intent class seen in training (softmax), then one per operator, negativity and one
    per category (sigmoid each).
    """

    def __init__(self, arrays: dict[str, np.ndarray], layout: dict[str, Any]):
        self.word_keys = arrays["word_keys"]
        self.word_idf = arrays["word_idf"]
        self.char_keys = arrays["char_keys"]
        self.char_idf = arrays["char_idf"]
        self.weights = arrays["weights"]
        self.bias = arrays["bias"]
        self.token_ids = dict(zip(arrays["word_tokens"].tolist(), arrays["word_ids"].tolist()))
        self.intent_classes: list[int] = layout["intent_classes"]
        self.operator_names: list[str] = layout["operator_names"]
        self.category_names: list[str] = layout["category_names"]
        self.category_threshold: float = layout["category_threshold"]
        self.lexicon_weight: float = layout["lexicon_weight"]
        self._arrays, self._layout = arrays, layout

    # --- prediction --------------------------------------------------------------------------
    def predict(self, docs: Sequence[Doc]) -> Predictions:
        """Every output for a batch."""
        n = len(docs)
        Z = self._logits(docs)
        n_int = len(self.intent_classes)
        logits = Z[:, :n_int]
        logits = np.exp(logits - logits.max(axis=1, keepdims=True))
        proba = np.zeros((n, 5))
        proba[:, self.intent_classes] = logits / logits.sum(axis=1, keepdims=True)
        with np.errstate(over="ignore"):  # a constant head's logit may be ±inf: p is then 0 or 1
            rest = 1.0 / (1.0 + np.exp(-Z[:, n_int:]))
        n_op = len(self.operator_names)
        operators, negative, cat_proba = rest[:, :n_op], rest[:, n_op], rest[:, n_op + 1:]
        names = self.category_names
        categories: list[list[str]] = [[] for _ in range(n)]
        for i, j in zip(*(a.tolist() for a in np.nonzero(cat_proba >= self.category_threshold))):
            categories[i].append(names[j])
        return Predictions(proba.argmax(axis=1), proba, operators, negative, categories)

    def _logits(self, docs: Sequence[Doc]) -> np.ndarray:
        """Feature rows times the stacked weights, plus the biases. The n-gram cells of both
        vocabularies go into one sparse matrix: one constructor and one product per batch."""
        n = len(docs)
        W = self.weights
        n_word, n_char = len(self.word_keys), len(self.char_keys)
        lexicon = np.asarray([d.lexicon for d in docs], dtype=np.float64).reshape(n, N_FEATURES)
        Z = (lexicon * self.lexicon_weight) @ W[n_word + n_char:] + self.bias
        words = tfidf_cells(*word_keys(docs, self.token_ids), n, self.word_keys, self.word_idf)
        chars = tfidf_cells(*char_keys([d.text for d in docs]), n, self.char_keys, self.char_idf)
        rows = np.concatenate([words[0], chars[0]])
        order = np.argsort(rows, kind="stable")  # two row-sorted runs: a linear merge
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        X = sparse.csr_matrix((np.concatenate([words[2], chars[2]])[order],
                               np.concatenate([words[1], chars[1] + n_word])[order], indptr),
                              shape=(n, n_word + n_char))
        return Z + X @ W[:n_word + n_char]

    # --- building and files ------------------------------------------------------------------
    @classmethod
    def from_model(cls, model: Any) -> "Predictor":
        """Fold a fitted nlp.model.NlpModel into arrays (its heads must be linear or constant)."""
        words, chars, lexicon = (t for _, t in model.features_.transformer_list)
        n_features = len(words.keys_) + len(chars.keys_) + N_FEATURES
        pipes = model.pipelines_
        coef, bias, classes = _multiclass_head(pipes["intent"][-1], n_features)
        coefs, biases = [coef], [bias]
        binary = [pipes[f"operator:{name}"][-1] for name in model.operator_names_]
        binary.append(pipes["negativity"][-1])
        binary += getattr(pipes["categories"][-1], "estimators_", [])
        for clf in binary:
            coef, bias = _binary_head(clf, n_features)
            coefs.append(coef)
            biases.append(bias)
        weights, bias = np.vstack(coefs).T, np.concatenate(biases)
        tokens = sorted(words.token_ids_, key=words.token_ids_.get)
        arrays = {"word_tokens": np.array(tokens, dtype=str),
                  "word_ids": np.array([words.token_ids_[t] for t in tokens], dtype=np.int64),
                  "word_keys": words.keys_, "word_idf": words.idf_,
                  "char_keys": chars.keys_, "char_idf": chars.idf_,
                  "weights": np.ascontiguousarray(weights, dtype=np.float64),
                  "bias": bias.astype(np.float64)}
        layout = {"intent_classes": classes, "operator_names": list(model.operator_names_),
                  "category_names": list(model.category_names_),
                  "category_threshold": model.category_threshold,
                  "lexicon_weight": lexicon.weight}
        return cls(arrays, layout)

    def save(self, path: Path | str) -> str:
        """Write the arrays to `path` (an .npz); returns its sha256 for the metadata."""
        with Path(path).open("wb") as stream:
            np.savez(stream, layout=np.array(json.dumps(self._layout, ensure_ascii=False)),
                     **self._arrays)
        return sha256(Path(path))

    @classmethod
    def load(cls, model_dir: Path | str) -> tuple["Predictor", dict[str, Any]]:
        """Load our own model from `model_dir`; ModelError says why it cannot be used."""
        model_dir = Path(model_dir)
        path = model_dir / WEIGHTS_FILE
        meta = read_metadata(model_dir)
        check_metadata(meta, model_dir / META_FILE)
        check_file(path, meta.get("weights_sha256"))
        return cls.read(path), meta

    @classmethod
    def read(cls, path: Path) -> "Predictor":
        """The arrays of an .npz written by `save` (no pickles are read)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
            layout = json.loads(str(arrays.pop("layout")))
            rows = len(arrays["word_keys"]) + len(arrays["char_keys"]) + N_FEATURES
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{path}: cannot read the model: {exc}") from None
        if arrays["weights"].shape[0] != rows:
            raise ModelError(f"{path}: built for another set of lexicon features; "
                             "retrain with `tousu train`")
        return cls(arrays, layout)


def _multiclass_head(clf: Any, n_features: int) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """(coefficients, one row per class; biases; classes): softmax of the logits is predict_proba."""
    classes = [int(c) for c in clf.classes_]
    if not hasattr(clf, "coef_"):  # DummyClassifier: the training prior, whatever the text
        with np.errstate(divide="ignore"):
            return np.zeros((len(classes), n_features)), np.log(clf.class_prior_), classes
    if len(classes) == 2:  # binary logistic: p(second) = sigmoid(z) = softmax([0, z])
        return (np.vstack([np.zeros(n_features), clf.coef_[0]]),
                np.array([0.0, clf.intercept_[0]]), classes)
    return clf.coef_, clf.intercept_, classes


def _binary_head(clf: Any, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """(coefficients, bias): the sigmoid of the logit is the probability of the positive class."""
    if hasattr(clf, "coef_"):
        return clf.coef_, clf.intercept_
    if hasattr(clf, "class_prior_"):  # DummyClassifier: the prior of True, if True was seen
        classes = list(clf.classes_)
        p = clf.class_prior_[classes.index(True)] if True in classes else 0.0
    else:  # OneVsRestClassifier's stand-in for a label that every row had (or none had)
        p = float(np.ravel(clf.y_)[0])
    with np.errstate(divide="ignore"):
        return np.zeros((1, n_features)), np.array([np.log(p) - np.log1p(-p)])


def read_metadata(model_dir: Path | str) -> dict[str, Any]:
    """The metadata JSON of a saved model."""
    meta_path = Path(model_dir) / META_FILE
    if not meta_path.exists():
        raise ModelError(f"{model_dir}: no trained model (run `tousu train`)")
    try:
        return json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{meta_path}: cannot read model metadata: {exc}") from None


def check_metadata(meta: dict[str, Any], meta_path: Path) -> None:
    """Refuse a model this version did not write or cannot read."""
    if meta.get("producer") != PRODUCER or meta.get("format") != FORMAT:
        raise ModelError(f"{meta_path}: not a Tousu Radar model of format {FORMAT}; "
                         "retrain with `tousu train`")
    if meta.get("features") != FEATURE_VERSION:
        raise ModelError(
            f"{meta_path}: built on features version {meta.get('features', 1)}, this version of "
            f"Tousu Radar reads version {FEATURE_VERSION}; retrain with `tousu train`")


def check_file(path: Path, checksum: str | None, meta_name: str = META_FILE) -> None:
    """Refuse a model file that is missing or is not the one the metadata recorded."""
    if not path.exists():
        raise ModelError(f"{path}: missing; retrain with `tousu train`")
    if checksum != sha256(path):
        raise ModelError(f"{path}: does not match the checksum in {meta_name}; "
                         "refusing to load a file this project did not write")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
