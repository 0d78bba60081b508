"""The learned models: negativity, relevance, severity tier and categories over shared features.

Four scikit-learn Pipelines share one fitted FeatureUnion (`nlp.features.make_features`), so a
batch is vectorised once and each classifier reads the same matrix. Saved with joblib next to a
metadata JSON (library versions, training-data hash, scores, the model file's sha256); `load`
refuses files it did not write and models trained with another scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import platform
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import joblib
import numpy as np
import scipy
from scipy import sparse
import sklearn
from sklearn.base import BaseEstimator
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from nlp.dictionary_schema import CATEGORIES
from nlp.features import FEATURE_VERSION, Doc, KeyedTfidf, make_features

FORMAT = 1
PRODUCER = "tousu-radar nlp"
MODEL_FILE = "tousu-nlp.joblib"
META_FILE = "tousu-nlp.json"


class ModelError(Exception):
    """A model file is missing, foreign, damaged or from other library versions."""


def library_versions() -> dict[str, str]:
    """The versions a pickled model depends on."""
    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "numpy": np.__version__, "scipy": scipy.__version__, "joblib": joblib.__version__}


@dataclass
class Predictions:
    """Per-document model outputs for a batch."""

    severity: np.ndarray        # int tier 0-4 (intent, before relevance and floors)
    severity_proba: np.ndarray  # (n, 5)
    relevant: np.ndarray        # probability the post is about the operator
    negative: np.ndarray        # probability the text is negative
    categories: list[list[str]]


class NoLabels(BaseEstimator):
    """Stands in for the category classifier when the training rows carry no categories."""

    def fit(self, X: Any, y: Any) -> "NoLabels":
        self.classes_ = np.array([])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.zeros((X.shape[0], 0))


class NlpModel:
    """Trains and applies the four classifiers; `fit` returns self, learned attributes end in _."""

    def __init__(self, C: float = 8.0, min_df: int = 2, category_threshold: float = 0.3,
                 max_iter: int = 50):
        self.C = C
        self.min_df = min_df
        self.category_threshold = category_threshold
        self.max_iter = max_iter

    def _clf(self, balanced: bool = True) -> LogisticRegression:
        # saga stopped early: on these sparse tf-idf rows it reaches the scores of a fully
        # converged lbfgs fit in a twentieth of the time (measured, docs/nlp.md). saga visits the
        # rows in random order: a fixed seed makes the same data give the same model and scores.
        return LogisticRegression(C=self.C, solver="saga", max_iter=self.max_iter, tol=1e-3,
                                  class_weight="balanced" if balanced else None, random_state=0)

    def _fit(self, X: Any, y: list[Any], balanced: bool = True) -> Any:
        if len(set(y)) < 2:  # e.g. only console labels of one kind: predict the one class seen
            return DummyClassifier(strategy="prior").fit(X, y or [False])
        return self._clf(balanced).fit(X, y)

    def fit(self, docs: Sequence[Doc], labels: Sequence[dict[str, Any]]) -> "NlpModel":
        """Fit on docs with label dicts (severity, relevant, categories, negative; any may be None)."""
        warnings.filterwarnings("ignore", category=ConvergenceWarning, module="sklearn")
        features = make_features(self.min_df)
        X = features.fit_transform(docs)

        def rows(key: str, extra: Any = None) -> np.ndarray:
            return np.array([i for i, lab in enumerate(labels) if lab.get(key) is not None
                             and (extra is None or extra(lab))], dtype=int)

        sev = rows("severity", lambda lab: lab.get("relevant") is not False)
        rel = rows("relevant")
        neg = rows("negative")
        cat = rows("categories", lambda lab: lab.get("relevant") is True)
        severity = self._fit(X[sev], [labels[i]["severity"] for i in sev])
        relevance = self._fit(X[rel], [bool(labels[i]["relevant"]) for i in rel])
        negativity = self._fit(X[neg], [bool(labels[i]["negative"]) for i in neg], balanced=False)
        self.binarizer_ = MultiLabelBinarizer(classes=list(CATEGORIES))
        Y = self.binarizer_.fit_transform([labels[i]["categories"] for i in cat])
        keep = Y.sum(axis=0) > 0  # a category nobody labeled cannot be learned
        self.category_names_ = [c for c, k in zip(CATEGORIES, keep) if k]
        categories = (OneVsRestClassifier(self._clf(balanced=False)).fit(X[cat], Y[:, keep])
                      if self.category_names_ else NoLabels().fit(X, None))
        self.pipelines_ = {name: Pipeline([("features", features), ("clf", clf)])
                           for name, clf in (("severity", severity), ("relevance", relevance),
                                             ("negativity", negativity), ("categories", categories))}
        self.features_ = features
        return self

    def transform(self, docs: Sequence[Doc]) -> Any:
        """The shared feature matrix (the FeatureUnion's blocks, stacked without its overhead)."""
        blocks = [t.transform(docs) for _, t in self.features_.transformer_list]
        return sparse.hstack(blocks, format="csr", dtype=np.float64)

    def predict(self, docs: Sequence[Doc]) -> Predictions:
        """All four outputs for a batch, vectorising it once."""
        heads = self._heads()
        if heads is not None:
            # One sparse product for all four linear models: same numbers as their predict_proba.
            W, b, sev_cols, n_cat = heads
            Z = self._product(docs, W) + b
            logits = Z[:, :len(sev_cols)]
            logits = np.exp(logits - logits.max(axis=1, keepdims=True))
            proba = np.zeros((len(docs), 5))
            proba[:, sev_cols] = logits / logits.sum(axis=1, keepdims=True)
            rest = 1.0 / (1.0 + np.exp(-Z[:, len(sev_cols):]))
            relevant, negative, cat_proba = rest[:, 0], rest[:, 1], rest[:, 2:2 + n_cat]
        else:
            X = self.transform(docs)
            sev = self.pipelines_["severity"][-1]
            proba = np.zeros((len(docs), 5))
            proba[:, sev.classes_] = sev.predict_proba(X)
            relevant = _p_true(self.pipelines_["relevance"][-1], X)
            negative = _p_true(self.pipelines_["negativity"][-1], X)
            cat_proba = self.pipelines_["categories"][-1].predict_proba(X)
        names = self.category_names_
        categories: list[list[str]] = [[] for _ in range(len(docs))]
        for i, j in zip(*(a.tolist() for a in np.nonzero(cat_proba >= self.category_threshold))):
            categories[i].append(names[j])
        return Predictions(proba.argmax(axis=1), proba, relevant, negative, categories)

    def _product(self, docs: Sequence[Doc], W: np.ndarray) -> np.ndarray:
        """The feature matrix times W, without building the FeatureUnion's stacked matrix: the
        n-gram blocks' cells go into one CSR matrix (one constructor, one product: what a
        one-post call mostly pays for), the dense lexicon block is multiplied directly."""
        n = len(docs)
        Z = np.zeros((n, W.shape[1]))
        rows, cols, values = [], [], []
        offset = 0
        for _, block in self.features_.transformer_list:
            if isinstance(block, KeyedTfidf):
                r, c, v = block.cells(docs)
                rows.append(r)
                cols.append(c + offset)
                values.append(v)
                offset += len(block.keys_)
            else:
                dense = block.transform(docs)
                Z += dense @ W[offset:offset + dense.shape[1]]
                offset += dense.shape[1]
        if rows:
            all_rows = np.concatenate(rows)
            order = np.argsort(all_rows, kind="stable")  # row-sorted runs: a linear merge
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(all_rows, minlength=n), out=indptr[1:])
            X = sparse.csr_matrix((np.concatenate(values)[order], np.concatenate(cols)[order],
                                   indptr), shape=(n, W.shape[0]))
            Z += X @ W
        return Z

    def _heads(self) -> tuple[np.ndarray, np.ndarray, list[int], int] | None:
        """Stacked weights of the four models when all are plain logistic regressions."""
        if getattr(self, "_heads_cache", None) is not None:
            return self._heads_cache  # type: ignore[has-type]
        sev = self.pipelines_["severity"][-1]
        rel = self.pipelines_["relevance"][-1]
        neg = self.pipelines_["negativity"][-1]
        cat = self.pipelines_["categories"][-1]
        binary = [rel, neg]
        if not (isinstance(sev, LogisticRegression) and len(sev.classes_) > 2
                and all(isinstance(c, LogisticRegression) and list(c.classes_) == [False, True]
                        for c in binary)
                and isinstance(cat, OneVsRestClassifier)
                and all(isinstance(e, LogisticRegression) for e in cat.estimators_)):
            return None
        coefs = [sev.coef_, rel.coef_, neg.coef_] + [e.coef_ for e in cat.estimators_]
        biases = [sev.intercept_, rel.intercept_, neg.intercept_] + [e.intercept_ for e in cat.estimators_]
        self._heads_cache = (np.vstack(coefs).T.copy(), np.concatenate(biases),
                             [int(c) for c in sev.classes_], len(cat.estimators_))
        return self._heads_cache

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_heads_cache", None)  # derived; rebuilt on first use
        return state

    # --- persistence -------------------------------------------------------------------------
    def save(self, model_dir: Path | str, metadata: dict[str, Any]) -> Path:
        """Write the model and its metadata JSON into `model_dir` (atomically, file by file)."""
        model_dir = Path(model_dir)
        model_dir.mkdir(parents=True, exist_ok=True)
        path = model_dir / MODEL_FILE
        tmp = path.with_suffix(".tmp")
        joblib.dump({"producer": PRODUCER, "format": FORMAT, "model": self}, tmp, compress=3)
        meta = {"producer": PRODUCER, "format": FORMAT, "features": FEATURE_VERSION,
                "versions": library_versions(),
                "sha256": _sha256(tmp), "params": {"C": self.C, "min_df": self.min_df,
                                                   "category_threshold": self.category_threshold},
                **metadata}
        meta_tmp = model_dir / (META_FILE + ".tmp")
        meta_tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(path)
        meta_tmp.replace(model_dir / META_FILE)
        return path

    @classmethod
    def load(cls, model_dir: Path | str) -> tuple["NlpModel", dict[str, Any]]:
        """Load our own model from `model_dir`; ModelError says why it cannot be used."""
        model_dir = Path(model_dir)
        path, meta_path = model_dir / MODEL_FILE, model_dir / META_FILE
        if not path.exists() or not meta_path.exists():
            raise ModelError(f"{model_dir}: no trained model (run `tousu train`)")
        meta = read_metadata(model_dir)
        if meta.get("producer") != PRODUCER or meta.get("format") != FORMAT:
            raise ModelError(f"{meta_path}: not a Tousu Radar model of format {FORMAT}")
        if meta.get("features") != FEATURE_VERSION:
            raise ModelError(
                f"{path}: built on features version {meta.get('features', 1)}, this version of "
                f"Tousu Radar reads version {FEATURE_VERSION}; retrain with `tousu train`")
        ours, now = meta.get("versions", {}), library_versions()
        if ours.get("scikit-learn") != now["scikit-learn"]:
            raise ModelError(
                f"{path}: trained with scikit-learn {ours.get('scikit-learn')}, this is "
                f"{now['scikit-learn']}; retrain with `tousu train`")
        if str(ours.get("numpy", "")).split(".")[0] != now["numpy"].split(".")[0]:
            raise ModelError(f"{path}: trained with numpy {ours.get('numpy')}, this is "
                             f"{now['numpy']}; retrain with `tousu train`")
        if meta.get("sha256") != _sha256(path):
            raise ModelError(f"{path}: does not match the checksum in {meta_path.name}; "
                             "refusing to load a file this project did not write")
        payload = joblib.load(path)
        if not isinstance(payload, dict) or payload.get("producer") != PRODUCER:
            raise ModelError(f"{path}: not a Tousu Radar model")
        return payload["model"], meta


def _p_true(clf: Any, X: Any) -> np.ndarray:
    classes = list(clf.classes_)
    if True not in classes:
        return np.zeros(X.shape[0])
    return clf.predict_proba(X)[:, classes.index(True)]


def read_metadata(model_dir: Path | str) -> dict[str, Any]:
    """The metadata JSON of a saved model."""
    meta_path = Path(model_dir) / META_FILE
    try:
        return json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{meta_path}: cannot read model metadata: {exc}") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_hash(rows: Sequence[dict[str, Any]]) -> str:
    """sha256 over the training rows (text and labels), order-independent."""
    lines = sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()

