"""The `briefings:` section: defaults, and a bad value named by its key."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from briefings.config import BriefingsConfig


def test_defaults_and_bounds():
    cfg = BriefingsConfig()
    assert (cfg.min_posts, cfg.baseline_days, cfg.min_tier) == (5, 7, 2)
    with pytest.raises(ValidationError, match="min_tier"):
        BriefingsConfig(min_tier=5)
    with pytest.raises(ValidationError, match="quote_chars"):
        BriefingsConfig(quote_chars=5)
    with pytest.raises(ValidationError):
        BriefingsConfig(unknown=1)  # strict: a misspelt key is an error, not ignored
