"""The shared text-similarity primitives: normalisation, n-grams, MinHash, bands."""

import numpy as np
import pytest

from core.textsim import NUM_PERM, band_keys, jaccard, minhashes, ngrams, normalise, similarity

A = "衡阳移动宽带又断网了，打10086也没人管，要求赔偿损失"
B = "衡阳移动宽带断网三天，打10086没人管，我们要求赔偿"


def test_normalise_drops_case_spacing_and_punctuation():
    assert normalise("Hello， World！_ 宽带") == "helloworld宽带"
    assert normalise(None) == ""


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_ngrams_are_the_distinct_character_ngrams(n):
    chars = normalise(A)
    expected = {chars[i:i + n] for i in range(len(chars) - n + 1)}
    assert len(ngrams(A, n)) == len(expected)
    assert np.array_equal(ngrams(A, n), ngrams(A.upper() + "！！", n))


def test_short_and_empty_texts():
    assert len(ngrams("a", 3)) == 1 and len(ngrams("，！", 2)) == 0
    assert not np.array_equal(ngrams("ab", 3), ngrams("ba", 3))


def test_jaccard_exact_and_estimated():
    a, b = ngrams(A), ngrams(B)
    exact = jaccard(a, b)
    assert 0.3 < exact < 0.8
    assert jaccard(a, ngrams("")) == 0.0 and jaccard(a, a) == 1.0
    sig = minhashes([a, b])
    assert abs(similarity(sig[0], sig[1]) - exact) < 0.2


def test_minhashes_of_many_equal_one_by_one_and_empty_is_zero():
    sets = [ngrams(A), ngrams(""), ngrams(B)]
    together = minhashes(sets)
    assert together.shape == (3, NUM_PERM)
    assert np.array_equal(together[0], minhashes([sets[0]])[0])
    assert np.array_equal(together[2], minhashes([sets[2]])[0])
    assert not together[1].any()


def test_longer_signatures_extend_shorter_ones_and_bands_follow_the_length():
    short, long = minhashes([ngrams(A)])[0], minhashes([ngrams(A)], 96)[0]
    assert np.array_equal(long[:NUM_PERM], short)
    assert len(band_keys(short, 4)) == 16 and len(band_keys(long, 3)) == 32
    assert band_keys(short, 4) != band_keys(minhashes([ngrams(B)])[0], 4)
