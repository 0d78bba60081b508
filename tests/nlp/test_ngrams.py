"""Character n-gram keys: a key never spans two texts."""

from __future__ import annotations

from nlp.ngrams import char_keys


def test_char_keys_stop_at_text_boundaries():
    keys, rows = char_keys(["ab", "c", "", "de"])
    assert sorted(rows.tolist()) == [0, 3]  # one bigram each; nothing spans two texts
