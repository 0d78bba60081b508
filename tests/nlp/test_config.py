"""The `nlp:` section: defaults, and unknown keys refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nlp.config import SHIPPED_KEYWORDS_DIR, NlpConfig
from tests.conftest import ROOT


def test_defaults_and_the_shipped_dictionary():
    nlp = NlpConfig()
    assert nlp.keywords_dir is None and str(nlp.model_dir) == "models" and nlp.train_at_start
    assert SHIPPED_KEYWORDS_DIR == ROOT / "keywords" and (SHIPPED_KEYWORDS_DIR / "brand.yaml").exists()


def test_unknown_keys_are_refused():
    with pytest.raises(ValidationError, match="model_dri"):
        NlpConfig(model_dri="trained")
