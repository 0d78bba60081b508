"""The arrays analysis runs on give the scikit-learn Pipelines' outputs without importing them."""

import json
import subprocess
import sys

import numpy as np
import pytest

from nlp.analyzer import Analyzer
from nlp.model import NlpModel
from nlp.ngrams import Doc
from nlp.predictor import META_FILE, WEIGHTS_FILE, ModelError, Predictor, sha256
from tests.conftest import ROOT

TEXTS = ["移动宽带断了三天，我要投诉", "请问移动怎么查话费", "这个移动硬盘不错", "移动太坑了，垃圾",
         "我已经向工信部申诉了，湖南移动乱扣费", "", "Type-C 5G！！！"]


def _pipelines_agree(model: NlpModel, predictor: Predictor, docs: list[Doc]) -> None:
    pred = predictor.predict(docs)
    pipes = model.pipelines_
    X = model.transform(docs)
    intent = pipes["intent"][-1]
    assert np.allclose(pred.intent_proba[:, intent.classes_], intent.predict_proba(X))
    assert np.allclose(pred.intent_proba.sum(axis=1), 1.0)
    binary = [(f"operator:{n}", pred.operators[:, j]) for j, n in enumerate(model.operator_names_)]
    for name, got in (*binary, ("negativity", pred.negative)):
        clf = pipes[name][-1]
        classes = list(clf.classes_)
        expected = (clf.predict_proba(X)[:, classes.index(True)] if True in classes
                    else np.zeros(len(docs)))
        assert np.allclose(got, expected), name
    cats = pipes["categories"][-1].predict_proba(X)
    assert [[model.category_names_[j] for j in np.flatnonzero(row >= model.category_threshold)]
            for row in cats] == pred.categories


def test_saved_arrays_give_the_pipelines_outputs(model_dir):
    analyzer = Analyzer(ROOT / "keywords", model_dir)
    docs = analyzer.docs(TEXTS, [analyzer.lexicon(t) for t in TEXTS])
    model, _ = NlpModel.load(model_dir)
    predictor, _ = Predictor.load(model_dir)
    _pipelines_agree(model, predictor, docs)
    assert analyzer.model is not None and analyzer.mode == "model"


def test_constant_heads_of_a_tiny_training_set():
    """Too few labels for a classifier: prior and one-class stand-ins fold into biases."""
    analyzer = Analyzer(ROOT / "keywords", use_model=False)
    texts = ["移动宽带断网了，要求退费", "移动流量扣费不明，投诉", "移动宽带又断网", "移动话费乱扣"]
    labels = [{"intent": s, "relevant": True, "about": {"中国移动": True}, "negative": None,
               "categories": ["宽带/家宽", c]}
              for s, c in zip((2, 3, 2, 3), ("资费计费/乱扣费", "资费计费/乱扣费", "宽带/家宽", "资费计费/乱扣费"))]
    docs = analyzer.docs(texts, [analyzer.lexicon(t) for t in texts])
    model = NlpModel(min_df=1).fit(docs, labels)
    heads = model.pipelines_
    assert type(heads["operator:中国移动"][-1]).__name__ == "DummyClassifier"  # ours on every row
    assert type(heads["operator:中国联通"][-1]).__name__ == "DummyClassifier"  # nobody labeled
    assert type(heads["negativity"][-1]).__name__ == "DummyClassifier"  # no row labeled
    assert any(type(e).__name__ == "_ConstantPredictor"  # 宽带/家宽 on every row
               for e in heads["categories"][-1].estimators_)
    _pipelines_agree(model, model.predictor(), docs)
    operators = model.predictor().predict(docs).operators
    assert operators[:, 0].tolist() == [1.0] * 4 and operators[:, 1].tolist() == [0.0] * 4


def test_refuses_pickled_arrays(model_copy):
    """The weights file is read without pickles, even when its checksum was forged to match."""
    path = model_copy / WEIGHTS_FILE
    np.savez(path.open("wb"), layout=np.array([{"evil": 1}], dtype=object))
    meta = json.loads((model_copy / META_FILE).read_text(encoding="utf-8"))
    meta["weights_sha256"] = sha256(path)
    (model_copy / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="cannot read the model"):
        Predictor.load(model_copy)


def test_grading_a_post_does_not_import_scikit_learn(model_dir):
    """Its import took two seconds of every `tousu analyze` start."""
    script = (
        "import sys\n"
        "from nlp.analyzer import Analyzer\n"
        f"a = Analyzer({str(ROOT / 'keywords')!r}, {str(model_dir)!r})\n"
        "r = a.analyse_text('移动宽带断了三天，我要投诉')\n"
        "assert a.mode == 'model' and r.relevant, (a.mode, r)\n"
        "print(sorted(m for m in ('sklearn', 'joblib') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stderr

