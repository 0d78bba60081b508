"""A small model trained once per test session (a few seconds), and helpers."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import ROOT

LABELED = ROOT / "data" / "labeled"


@pytest.fixture(scope="session")
def small_data(tmp_path_factory):
    """~450 labeled rows (train and held-out) from data/labeled/, as one file."""
    rows = []
    for name, limit in (("composed_train.jsonl", 250), ("composed_test.jsonl", 60),
                        ("handwritten.jsonl", None)):
        lines = (LABELED / name).read_text(encoding="utf-8").splitlines()[:limit]
        for line in lines:
            row = json.loads(line)
            if name == "composed_test.jsonl":
                row["split"] = "test"
            rows.append(row)
    path = tmp_path_factory.mktemp("data") / "small.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def model_dir(small_data, tmp_path_factory):
    """A model trained on small_data without the public corpus."""
    from nlp.training import train

    target = tmp_path_factory.mktemp("models")
    train(ROOT / "keywords", target, paths=[small_data], corpus=False, progress=lambda m: None)
    return target


@pytest.fixture
def model_copy(model_dir, tmp_path):
    """A copy of the session's trained model that a test may edit or replace."""
    target = tmp_path / "m"
    shutil.copytree(model_dir, target)
    return target
