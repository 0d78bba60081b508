"""The learned models: intent tier, the operators a post is about, negativity and categories.

The scikit-learn Pipelines share one fitted FeatureUnion (`nlp.features.make_features`), so a
batch is vectorised once and each classifier reads the same matrix. Saved with joblib next to a
metadata JSON (library versions, training-data hash, scores, each file's sha256) and the arrays
that analysis runs on (nlp/predictor.py); `load` refuses files it did not write and Pipelines
pickled by another scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import platform
import warnings
from pathlib import Path
from typing import Any, Sequence

import joblib
import numpy as np
import scipy
import sklearn
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from core.vocab import CATEGORIES
from nlp.dictionary_schema import OPERATORS
from nlp.features import make_features
from nlp.ngrams import FEATURE_VERSION, Doc
from nlp.predictor import (FORMAT, META_FILE, MODEL_FILE, PRODUCER, WEIGHTS_FILE, ModelError, Predictor,
                           check_file, check_metadata, read_metadata, sha256)


def library_versions() -> dict[str, str]:
    """The versions a pickled model depends on."""
    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "numpy": np.__version__, "scipy": scipy.__version__, "joblib": joblib.__version__}


class NoLabels(BaseEstimator):
    """Stands in for the category classifier when the training rows carry no categories."""

    def fit(self, X: Any, y: Any) -> "NoLabels":
        self.classes_ = np.array([])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.zeros((X.shape[0], 0))


class NlpModel:
    """Trains and applies the classifiers; `fit` returns self, learned attributes end in _."""

    def __init__(self, C: float = 8.0, min_df: int = 2, category_threshold: float = 0.3,
                 max_iter: int = 50, balanced_intent: bool = True, lexicon_weight: float = 1.0):
        self.C = C
        self.lexicon_weight = lexicon_weight
        self.balanced_intent = balanced_intent
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
        if not y:  # nobody labeled this output: it reads False
            return DummyClassifier(strategy="prior").fit(sparse.csr_matrix((1, X.shape[1])),
                                                         [False])
        if len(set(y)) < 2:  # e.g. only console labels of one kind: predict the one class seen
            return DummyClassifier(strategy="prior").fit(X, y)
        return self._clf(balanced).fit(X, y)

    def fit(self, docs: Sequence[Doc], labels: Sequence[dict[str, Any]]) -> "NlpModel":
        """Fit on docs with label dicts (intent, about, negative, categories; any may be None).
        `about` maps operator names to whether the row is about them, for the names known."""
        warnings.filterwarnings("ignore", category=ConvergenceWarning, module="sklearn")
        # A category on every training row gets a constant stand-in; nothing to warn about.
        warnings.filterwarnings("ignore", message="Label .* is present in all training examples")
        features = make_features(self.min_df, self.lexicon_weight)
        X = features.fit_transform(docs)

        def rows(key: str, extra: Any = None) -> np.ndarray:
            return np.array([i for i, lab in enumerate(labels) if lab.get(key) is not None
                             and (extra is None or extra(lab))], dtype=int)

        intent_rows = rows("intent")
        neg = rows("negative")
        cat = rows("categories", lambda lab: lab.get("relevant") is True)
        intent = self._fit(X[intent_rows], [labels[i]["intent"] for i in intent_rows],
                           balanced=self.balanced_intent)
        self.operator_names_ = list(OPERATORS.values())
        operators = []
        for name in self.operator_names_:
            known = rows("about", lambda lab, name=name: name in lab["about"])
            operators.append(self._fit(X[known], [labels[i]["about"][name] for i in known]))
        negativity = self._fit(X[neg], [bool(labels[i]["negative"]) for i in neg], balanced=False)
        self.binarizer_ = MultiLabelBinarizer(classes=list(CATEGORIES))
        Y = self.binarizer_.fit_transform([labels[i]["categories"] for i in cat])
        keep = Y.sum(axis=0) > 0  # a category nobody labeled cannot be learned
        self.category_names_ = [c for c, k in zip(CATEGORIES, keep) if k]
        categories = (OneVsRestClassifier(self._clf(balanced=False)).fit(X[cat], Y[:, keep])
                      if self.category_names_ else NoLabels().fit(X, None))
        heads = [("intent", intent), *((f"operator:{n}", h) for n, h in
                                       zip(self.operator_names_, operators)),
                 ("negativity", negativity), ("categories", categories)]
        self.pipelines_ = {name: Pipeline([("features", features), ("clf", clf)])
                           for name, clf in heads}
        self.features_ = features
        return self

    def transform(self, docs: Sequence[Doc]) -> Any:
        """The shared feature matrix (the FeatureUnion's blocks, stacked without its overhead)."""
        blocks = [t.transform(docs) for _, t in self.features_.transformer_list]
        return sparse.hstack(blocks, format="csr", dtype=np.float64)

    def predictor(self) -> Predictor:
        """The heads folded into the arrays that analysis runs on (nlp/predictor.py)."""
        return Predictor.from_model(self)

    # --- persistence -------------------------------------------------------------------------
    def save(self, model_dir: Path | str, metadata: dict[str, Any]) -> Path:
        """Write the model, its arrays and its metadata JSON into `model_dir` (file by file, each
        atomically; the metadata last, as its change is what running analysers watch)."""
        model_dir = Path(model_dir)
        model_dir.mkdir(parents=True, exist_ok=True)
        path = model_dir / MODEL_FILE
        tmp = path.with_suffix(".tmp")
        joblib.dump({"producer": PRODUCER, "format": FORMAT, "model": self}, tmp, compress=3)
        weights_tmp = model_dir / (WEIGHTS_FILE + ".tmp")
        meta = {"producer": PRODUCER, "format": FORMAT, "features": FEATURE_VERSION,
                "versions": library_versions(), "sha256": sha256(tmp),
                "weights_sha256": self.predictor().save(weights_tmp),
                "params": {"C": self.C, "min_df": self.min_df,
                           "balanced_intent": self.balanced_intent,
                           "lexicon_weight": self.lexicon_weight,
                           "category_threshold": self.category_threshold},
                **metadata}
        meta_tmp = model_dir / (META_FILE + ".tmp")
        meta_tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(path)
        weights_tmp.replace(model_dir / WEIGHTS_FILE)
        meta_tmp.replace(model_dir / META_FILE)
        return path

    @classmethod
    def load(cls, model_dir: Path | str) -> tuple["NlpModel", dict[str, Any]]:
        """Load our own Pipelines from `model_dir`; ModelError says why they cannot be used."""
        model_dir = Path(model_dir)
        path, meta_path = model_dir / MODEL_FILE, model_dir / META_FILE
        meta = read_metadata(model_dir)
        check_metadata(meta, meta_path)
        check_file(path, meta.get("sha256"))
        ours, now = meta.get("versions", {}), library_versions()
        if ours.get("scikit-learn") != now["scikit-learn"]:
            raise ModelError(
                f"{path}: trained with scikit-learn {ours.get('scikit-learn')}, this is "
                f"{now['scikit-learn']}; retrain with `tousu train`")
        if str(ours.get("numpy", "")).split(".")[0] != now["numpy"].split(".")[0]:
            raise ModelError(f"{path}: trained with numpy {ours.get('numpy')}, this is "
                             f"{now['numpy']}; retrain with `tousu train`")
        payload = joblib.load(path)
        if not isinstance(payload, dict) or payload.get("producer") != PRODUCER:
            raise ModelError(f"{path}: not a Tousu Radar model")
        return payload["model"], meta


def data_hash(rows: Sequence[dict[str, Any]]) -> str:
    """sha256 over the training rows (text and labels), order-independent."""
    lines = sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()

