"""The real-post prior: its blend, its files, and how the analyser uses it (nlp/prior.py)."""

import json

import numpy as np
import pytest

from nlp.analyzer import Analyzer
from nlp.ngrams import FEATURE_VERSION
from nlp.predictor import Predictions, sha256
from nlp.prior import ARRAYS, META, Prior, blend
from tests.conftest import ROOT


def _predictions(intent_proba, operators):
    intent_proba = np.asarray(intent_proba, dtype=float)
    return Predictions(intent_proba.argmax(axis=1), intent_proba, np.asarray(operators, dtype=float),
                       np.zeros(len(intent_proba)), [[] for _ in intent_proba])


def test_blend_is_geometric_for_intent_and_linear_for_operators():
    model = _predictions([[0.1, 0.1, 0.6, 0.1, 0.1]], [[0.9, 0.2, 0.0, 0.0]])
    prior = _predictions([[0.7, 0.1, 0.1, 0.05, 0.05]], [[0.1, 0.0, 0.0, 0.0]])
    assert blend(model, prior, 0.0, 0.0).intent.tolist() == [2]
    mixed = blend(model, prior, 0.5, 0.5)
    expected = np.sqrt(model.intent_proba * prior.intent_proba)
    assert np.allclose(mixed.intent_proba, expected / expected.sum())
    assert mixed.intent.tolist() == [0]
    assert np.allclose(mixed.operators, [[0.5, 0.1, 0.0, 0.0]])


def test_a_tier_the_prior_never_saw_can_still_win():
    model = _predictions([[0.0, 0.0, 0.0, 0.0, 1.0]], [[1, 0, 0, 0]])
    prior = _predictions([[0.5, 0.5, 0.0, 0.0, 0.0]], [[1, 0, 0, 0]])
    assert blend(model, prior, 0.3, 0.0).intent.tolist() == [4]


@pytest.fixture()
def tiny_prior(tmp_path, model_dir):
    """A prior with the shipped model's arrays (any Predictor file has the prior's layout)."""
    from nlp.predictor import Predictor

    predictor, _ = Predictor.load(model_dir)
    digest = predictor.save(tmp_path / ARRAYS)
    meta = {"features": FEATURE_VERSION, "sha256": digest, "blend": {"intent": 0.4, "operators": 0.3}}
    (tmp_path / META).write_text(json.dumps(meta), encoding="utf-8")
    return tmp_path


def test_load_reads_blend_weights_and_refuses_other_features(tiny_prior, caplog):
    prior = Prior.load(tiny_prior)
    assert (prior.intent_weight, prior.operator_weight) == (0.4, 0.3)
    meta = json.loads((tiny_prior / META).read_text(encoding="utf-8"))
    (tiny_prior / META).write_text(json.dumps({**meta, "features": FEATURE_VERSION - 1}),
                                   encoding="utf-8")
    assert Prior.load(tiny_prior) is None
    assert "train_prior.py" in caplog.text
    (tiny_prior / META).write_text(json.dumps({**meta, "sha256": "0" * 64}), encoding="utf-8")
    assert Prior.load(tiny_prior) is None
    assert sha256(tiny_prior / ARRAYS) == meta["sha256"]


def test_missing_prior_is_no_prior(tmp_path):
    assert Prior.load(tmp_path) is None


def test_analyser_blends_the_prior_it_is_given(tiny_prior, model_dir):
    """The same model with a prior that agrees with itself grades the same; with a prior whose
    weights are zero, exactly as without one."""
    texts = ["移动宽带断了三天，我要投诉", "请问移动怎么查话费", "联通的信号也差"]
    plain = Analyzer(ROOT / "keywords", model_dir, prior=False).analyse_texts(texts)
    same = Analyzer(ROOT / "keywords", model_dir, prior=Prior.load(tiny_prior)).analyse_texts(texts)
    assert [(a.intent, a.operators) for a in plain] == [(a.intent, a.operators) for a in same]
    off = Prior.load(tiny_prior)
    off.intent_weight = off.operator_weight = 0.0
    zero = Analyzer(ROOT / "keywords", model_dir, prior=off).analyse_texts(texts)
    assert [a.reasons for a in zero] == [a.reasons for a in plain]
