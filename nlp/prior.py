"""What real posts taught: a small model fitted on real, labeled internet posts, blended into the
trained model's intent and operator probabilities.

The training data we write (data/labeled/) and the posts people write differ: real posts are
short comments, banter, repost chains, rumours and technical reports. Posts written by other
people are never committed, so `tousu train` cannot fit on them; instead
`data/real/train_prior.py` fits this component on the real training posts rebuilt locally from
their provenance (data/real/train_posts.jsonl) and commits only its learned arrays
(`nlp/data/real_prior.npz`) and metadata (`real_prior.json`: inputs' provenance hash, counts,
scores, the blend weights chosen on the real dev split). Analysis blends it in:

    intent  ∝ p_model(intent)^(1 - a) · p_prior(intent)^a
    about X = (1 - b) · p_model(X) + b · p_prior(X)

with a and b from the metadata. A prior built on other features than the running code's is left
out, with a warning: the trained model alone still grades.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from nlp.ngrams import FEATURE_VERSION, Doc
from nlp.predictor import ModelError, Predictions, Predictor, check_file

log = logging.getLogger("tousu.nlp")
PRIOR_DIR = Path(__file__).resolve().parent / "data"
ARRAYS = "real_prior.npz"
META = "real_prior.json"


class Prior:
    """The real-post model's arrays and its blend weights."""

    def __init__(self, predictor: Predictor, intent_weight: float, operator_weight: float,
                 meta: dict[str, Any]):
        self.predictor = predictor
        self.intent_weight = intent_weight
        self.operator_weight = operator_weight
        self.meta = meta

    @classmethod
    def load(cls, directory: Path | str = PRIOR_DIR) -> "Prior | None":
        """The committed prior, or None (logged) when it is absent or unusable."""
        directory = Path(directory)
        meta_path = directory / META
        if not meta_path.exists():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("features") != FEATURE_VERSION:
                raise ModelError(f"{meta_path}: built on features version {meta.get('features')}, "
                                 f"this code reads {FEATURE_VERSION}; run data/real/train_prior.py")
            check_file(directory / ARRAYS, meta.get("sha256"), META)
            predictor = Predictor.read(directory / ARRAYS)
        except (ModelError, OSError, ValueError) as exc:
            log.warning("nlp: real-post prior not used (%s); rebuild it with "
                        "data/real/train_prior.py", exc)
            return None
        blend = meta.get("blend", {})
        return cls(predictor, float(blend.get("intent", 0.0)), float(blend.get("operators", 0.0)),
                   meta)

    def blend(self, pred: Predictions, docs: Sequence[Doc]) -> Predictions:
        """The model's predictions with the prior's blended in (same operators, same order)."""
        if not self.intent_weight and not self.operator_weight:
            return pred
        prior = self.predictor.predict(docs)
        return blend(pred, prior, self.intent_weight, self.operator_weight)


def blend(model: Predictions, prior: Predictions, intent_weight: float,
          operator_weight: float) -> Predictions:
    """Geometric blend of the intent distributions, linear blend of the operator probabilities."""
    a = intent_weight
    # A tier one side never saw has probability 0 there: floored, so the other side can still
    # give it.
    log_p = ((1 - a) * np.log(np.maximum(model.intent_proba, 1e-6))
             + a * np.log(np.maximum(prior.intent_proba, 1e-6)))
    log_p -= log_p.max(axis=1, keepdims=True)
    proba = np.exp(log_p)
    proba /= proba.sum(axis=1, keepdims=True)
    b = operator_weight
    operators = (1 - b) * model.operators + b * prior.operators
    return replace(model, intent=proba.argmax(axis=1), intent_proba=proba, operators=operators)
