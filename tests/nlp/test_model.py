import json

import pytest

from nlp.model import NlpModel, data_hash
from nlp.ngrams import FEATURE_VERSION
from nlp.predictor import META_FILE, MODEL_FILE, ModelError, Predictor
from nlp.training import model_usable


def test_saved_model_loads_with_its_metadata(model_dir):
    model, meta = NlpModel.load(model_dir)
    assert meta["producer"] == "tousu-radar nlp"
    assert {"scikit-learn", "numpy", "joblib", "python"} <= set(meta["versions"])
    assert len(meta["data_sha256"]) == 64 and meta["n_train"] > 0
    assert "severity" in meta["metrics"] and "macro_f1" in meta["metrics"]["severity"]
    assert set(model.pipelines_) == {"intent", "negativity", "categories", "operator:中国移动",
                                     "operator:中国联通", "operator:中国电信", "operator:中国广电"}
    # one shared feature step, so a batch is vectorised once
    assert len({id(p.steps[0][1]) for p in model.pipelines_.values()}) == 1


def _edit_meta(path, **changes):
    meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "sklearn":
            meta["versions"]["scikit-learn"] = value
        else:
            meta[key] = value
    (path / META_FILE).write_text(json.dumps(meta), encoding="utf-8")


@pytest.mark.parametrize("change,message", [
    ({"sklearn": "0.24.2"}, "trained with scikit-learn 0.24.2"),
    ({"producer": "someone else"}, "not a Tousu Radar model"),
    ({"sha256": "0" * 64}, "did not write"),
])
def test_refuses_mismatched_or_foreign_models(model_copy, change, message):
    _edit_meta(model_copy, **change)
    with pytest.raises(ModelError, match=message):
        NlpModel.load(model_copy)


@pytest.mark.parametrize("change,message", [
    ({"producer": "someone else"}, "not a Tousu Radar model"),
    ({"format": 2}, "not a Tousu Radar model of format 3; retrain"),
    ({"weights_sha256": "0" * 64}, "did not write"),
])
def test_analysis_refuses_foreign_or_old_models(model_copy, change, message):
    _edit_meta(model_copy, **change)
    with pytest.raises(ModelError, match=message):
        Predictor.load(model_copy)
    assert not model_usable(model_copy)


def test_analysis_does_not_depend_on_the_scikit_learn_version(model_copy):
    """The arrays analysis runs on are plain numbers: another scikit-learn cannot misread them."""
    _edit_meta(model_copy, sklearn="0.24.2")
    predictor, meta = Predictor.load(model_copy)
    assert meta["versions"]["scikit-learn"] == "0.24.2" and predictor.weights.size


def test_refuses_a_model_built_on_other_features(model_copy):
    meta = json.loads((model_copy / META_FILE).read_text(encoding="utf-8"))
    assert meta["features"] == FEATURE_VERSION
    del meta["features"]  # what a model saved before feature versions were recorded looks like
    (model_copy / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match=r"features version 1, .* reads version \d+; retrain with"):
        NlpModel.load(model_copy)
    assert not model_usable(model_copy)  # so `tousu run` retrains at start (nlp/schedule.py)


def test_refuses_a_replaced_model_file(model_copy):
    (model_copy / MODEL_FILE).write_bytes(b"not a pickle")
    with pytest.raises(ModelError, match="did not write"):
        NlpModel.load(model_copy)


@pytest.mark.parametrize("load", [NlpModel.load, Predictor.load])
def test_missing_model_says_how_to_get_one(tmp_path, load):
    with pytest.raises(ModelError, match="tousu train"):
        load(tmp_path)


def test_data_hash_ignores_order():
    rows = [{"text": "a", "severity": 1}, {"text": "b", "severity": 2}]
    assert data_hash(rows) == data_hash(rows[::-1]) != data_hash(rows[:1])
